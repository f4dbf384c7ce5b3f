import uuid

import pytest

from tests.factories import make_org, make_venue
from voelgoed.models import AuditLog
from voelgoed.services.catalog import venues
from voelgoed.services.platform import (
    Actor,
    TenantContext,
    VoelgoedError,
    local_to_utc,
    utc_to_local_input,
    valid_timezone,
)


def ctx_for(org, role="owner"):
    return TenantContext(organization_id=org.id, actor=Actor("user", str(uuid.uuid4())), role=role)


def test_create_venue_defaults_and_audit(db):
    org = make_org(db)
    v = venues.create_venue(db, ctx_for(org), name="  The Lyric  ", city="Johannesburg")
    assert v.name == "The Lyric" and v.timezone == "Africa/Johannesburg" and v.country == "ZA"
    entries = db.query(AuditLog).filter(AuditLog.target_id == str(v.id)).all()
    assert [e.action for e in entries] == ["venue.created"]


@pytest.mark.parametrize("tz", ["Mars/Olympus", "UTC+2", "../../etc/passwd", "Africa/Johannesburg/x", 5])
def test_bad_timezone_refused(db, tz):
    org = make_org(db)
    with pytest.raises(VoelgoedError) as exc:
        venues.create_venue(db, ctx_for(org), name="X", timezone=tz)
    assert exc.value.code == "validation_failed" and "timezone" in exc.value.details["fields"]


def test_bad_inputs_refused(db):
    org = make_org(db)
    for kwargs, field in [({"name": ""}, "name"), ({"name": "x", "capacity": -1}, "capacity"),
                          ({"name": "x", "country": "ZAF"}, "country"), ({"name": "x" * 201}, "name")]:
        with pytest.raises(VoelgoedError) as exc:
            venues.create_venue(db, ctx_for(org), **kwargs)
        assert exc.value.code == "validation_failed" and field in exc.value.details["fields"]


def test_update_and_archive_venue(db):
    org = make_org(db)
    ctx = ctx_for(org)
    v = venues.create_venue(db, ctx, name="Old", timezone="Africa/Johannesburg")
    venues.update_venue(db, ctx, str(v.id), name="New", timezone="Europe/London", capacity=500)
    assert (v.name, v.timezone, v.capacity) == ("New", "Europe/London", 500)
    venues.archive_venue(db, ctx, v.id)
    assert v.archived_at is not None
    assert v not in venues.list_venues(db, ctx)
    assert v in venues.list_venues(db, ctx, include_archived=True)
    with pytest.raises(VoelgoedError) as exc:
        venues.update_venue(db, ctx, v.id, name="Again")
    assert exc.value.code == "invalid_state"


def test_gate_codes_normalised_and_unique_per_venue(db):
    org = make_org(db)
    ctx = ctx_for(org)
    v = make_venue(db, org, gates=())
    g = venues.create_gate(db, ctx, v.id, gate_code=" vip ", name="VIP entrance")
    assert g.gate_code == "VIP"
    with pytest.raises(VoelgoedError) as exc:
        venues.create_gate(db, ctx, v.id, gate_code="Vip")
    assert exc.value.code == "duplicate" and exc.value.status == 409
    other = make_venue(db, org, gates=())
    assert venues.create_gate(db, ctx, other.id, gate_code="VIP").gate_code == "VIP"
    main = venues.create_gate(db, ctx, v.id, gate_code="main")
    with pytest.raises(VoelgoedError) as exc:
        venues.update_gate(db, ctx, main.id, gate_code="vip")
    assert exc.value.code == "duplicate"
    with pytest.raises(VoelgoedError) as exc:
        venues.create_gate(db, ctx, v.id, gate_code="no spaces!")
    assert exc.value.code == "validation_failed"
    venues.archive_gate(db, ctx, g.id)
    assert [x.gate_code for x in venues.list_gates(db, ctx, v.id)] == ["MAIN"]
    with pytest.raises(VoelgoedError) as exc:  # an archived code stays reserved
        venues.create_gate(db, ctx, v.id, gate_code="VIP")
    assert exc.value.code == "duplicate"


def test_cross_tenant_is_not_found_and_rbac(db):
    org, other = make_org(db), make_org(db)
    v = make_venue(db, org)
    for call in (lambda: venues.get_venue(db, ctx_for(other), v.id),
                 lambda: venues.update_venue(db, ctx_for(other), v.id, name="x"),
                 lambda: venues.create_gate(db, ctx_for(other), v.id, gate_code="X"),
                 lambda: venues.list_gates(db, ctx_for(other), v.id),
                 lambda: venues.get_venue(db, ctx_for(org), "not-a-uuid")):
        with pytest.raises(VoelgoedError) as exc:
            call()
        assert exc.value.code == "not_found" and exc.value.status == 404
    for role in ("viewer", "scanner_only"):
        with pytest.raises(VoelgoedError) as exc:
            venues.create_venue(db, ctx_for(org, role), name="x")
        assert exc.value.code == "forbidden"
    assert venues.create_venue(db, ctx_for(org, "staff"), name="Staff may").name == "Staff may"


def test_timezone_helpers():
    assert valid_timezone("Africa/Johannesburg") and not valid_timezone("Nowhere/Place")
    utc = local_to_utc("2026-12-12T18:00", "Africa/Johannesburg")
    assert utc.isoformat() == "2026-12-12T16:00:00+00:00"
    assert utc_to_local_input(utc, "Africa/Johannesburg") == "2026-12-12T18:00"
    with pytest.raises(VoelgoedError):
        local_to_utc("12/12/2026 6pm", "Africa/Johannesburg")
