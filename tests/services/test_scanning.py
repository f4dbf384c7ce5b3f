"""Online scans, devices and manifest on the real PostgreSQL (rolled back per test)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from tests.factories import make_event, make_org, make_ticket_type
from tests.scan_factories import make_device, make_order_with_tickets, make_scan_setup, owner_ctx
from voelgoed.models import AuditLog, Gate, Scan, Ticket
from voelgoed.services.gate import devices, scanning
from voelgoed.services.platform import TenantContext, VoelgoedError


def _csid() -> str:
    return uuid.uuid4().hex


def test_scan_accepts_once_then_already_scanned(db):
    _org, event, _tt, tickets = make_scan_setup(db)
    device, _ = make_device(db, event)
    first = scanning.scan(db, device, qr=tickets[0].qr_payload, gate_code="MAIN", client_scan_id=_csid())
    assert first["result"] == "accepted"
    assert first["ticket"]["ticket_code"] == tickets[0].ticket_code
    assert first["ticket"]["ticket_type"] == "General Admission"
    assert first["ticket"]["holder_name"] == "Thandi Mokoena"
    again = scanning.scan(db, device, qr=tickets[0].qr_payload, client_scan_id=_csid())
    assert again["result"] == "already_scanned"
    assert again["first_gate_code"] == "MAIN"
    assert again["first_scanned_at"] == first["scanned_at"]
    db.refresh(tickets[0])
    assert tickets[0].status == "checked_in" and tickets[0].checked_in_gate_code == "MAIN"
    rows = db.exec(select(Scan).where(Scan.ticket_id == tickets[0].id)).all()
    assert sorted(r.result for r in rows) == ["accepted", "already_scanned"]


def test_retry_of_same_client_scan_id_returns_stored_result(db):
    _org, event, _tt, tickets = make_scan_setup(db)
    device, _ = make_device(db, event)
    csid = _csid()
    first = scanning.scan(db, device, qr=tickets[0].qr_payload, client_scan_id=csid)
    retry = scanning.scan(db, device, qr=tickets[0].qr_payload, client_scan_id=csid)
    assert first["result"] == retry["result"] == "accepted"
    assert retry["replayed"] is True
    assert len(db.exec(select(Scan).where(Scan.device_id == device.id)).all()) == 1


@pytest.mark.parametrize("qr", ["", "hello", "VG1:", "VG1:" + "A" * 188, "x" * 100_000, "\x00\x01\xff binary \x00",
                                "VG1:" + "%" * 600, "😀" * 50, "DROP TABLE ticket;--"])
def test_garbage_is_invalid_and_recorded(db, qr):
    _org, event, _tt, _tickets = make_scan_setup(db, quantity=1)
    device, _ = make_device(db, event)
    out = scanning.scan(db, device, qr=qr, client_scan_id=_csid())
    assert out["result"] == "invalid"
    row = db.exec(select(Scan).where(Scan.device_id == device.id)).one()
    assert row.result == "invalid" and len(row.qr_excerpt) <= 120 and "\x00" not in row.qr_excerpt


def test_tampered_signature_is_invalid(db):
    _org, event, _tt, tickets = make_scan_setup(db, quantity=1)
    device, _ = make_device(db, event)
    qr = tickets[0].qr_payload
    tampered = qr[:-3] + ("000" if qr[-3:] != "000" else "111")
    assert scanning.scan(db, device, qr=tampered, client_scan_id=_csid())["result"] == "invalid"
    db.refresh(tickets[0])
    assert tickets[0].status == "valid"


def test_other_event_and_other_org_tickets_are_wrong_event(db):
    org, event, _tt, _tickets = make_scan_setup(db, quantity=1)
    device, _ = make_device(db, event)
    other_event = make_event(db, org, starts_in=timedelta(hours=-1))
    _o, same_org_other = make_order_with_tickets(db, make_ticket_type(db, other_event), quantity=1)
    other_org = make_org(db)
    foreign_event = make_event(db, other_org, starts_in=timedelta(hours=-1))
    _o, foreign = make_order_with_tickets(db, make_ticket_type(db, foreign_event), quantity=1)
    for t in (same_org_other[0], foreign[0]):
        out = scanning.scan(db, device, qr=t.qr_payload, client_scan_id=_csid())
        assert out["result"] == "wrong_event" and "ticket" not in out
        db.refresh(t)
        assert t.status == "valid"
    # by hand-typed code: same organisation → wrong_event, other organisation → invalid (no leak)
    assert scanning.scan(db, device, qr=same_org_other[0].ticket_code, client_scan_id=_csid())["result"] == "wrong_event"
    assert scanning.scan(db, device, qr=foreign[0].ticket_code, client_scan_id=_csid())["result"] == "invalid"


def test_voided_and_refunded_are_revoked(db):
    _org, event, _tt, tickets = make_scan_setup(db, quantity=2)
    device, _ = make_device(db, event)
    tickets[0].status = "voided"
    tickets[1].status = "refunded"
    db.flush()
    for t in tickets:
        out = scanning.scan(db, device, qr=t.qr_payload, client_scan_id=_csid())
        assert out["result"] == "revoked" and out["ticket"]["id"] == str(t.id)
        db.refresh(t)
        assert t.status in ("voided", "refunded")


def test_validity_window(db):
    org = make_org(db)
    event = make_event(db, org, starts_in=timedelta(days=2))
    tt = make_ticket_type(db, event)
    _o, tickets = make_order_with_tickets(db, tt, quantity=1)
    device, _ = make_device(db, event)
    after = tickets[0].valid_until + timedelta(minutes=1)
    out = scanning.scan(db, device, qr=tickets[0].qr_payload, client_scan_id=_csid(), now=after)
    assert out["result"] == "not_valid_now"
    before = tickets[0].valid_from - timedelta(minutes=5)
    out = scanning.scan(db, device, qr=tickets[0].qr_payload, client_scan_id=_csid(), now=before)
    assert out["result"] == "not_valid_now"
    db.refresh(tickets[0])
    assert tickets[0].status == "valid"


def test_manual_ticket_code_entry(db):
    _org, event, _tt, tickets = make_scan_setup(db, quantity=1)
    device, _ = make_device(db, event)
    typed = " " + tickets[0].ticket_code.lower()[:5] + "-" + tickets[0].ticket_code.lower()[5:] + " "
    assert scanning.scan(db, device, qr=typed, client_scan_id=_csid())["result"] == "accepted"
    assert scanning.scan(db, device, qr=tickets[0].qr_payload, client_scan_id=_csid())["result"] == "already_scanned"


def test_future_scanned_at_is_clamped(db):
    _org, event, _tt, tickets = make_scan_setup(db, quantity=1)
    device, _ = make_device(db, event)
    now = datetime.now(UTC)
    out = scanning.scan(db, device, qr=tickets[0].qr_payload, client_scan_id=_csid(), now=now,
                        scanned_at=now + timedelta(days=3))
    assert out["scanned_at"] == now.isoformat()


def test_bad_client_scan_id_is_422(db):
    _org, event, _tt, tickets = make_scan_setup(db, quantity=1)
    device, _ = make_device(db, event)
    for bad in ("", "x" * 65, "a\x00b", None, 5):
        with pytest.raises(VoelgoedError) as e:
            scanning.scan(db, device, qr=tickets[0].qr_payload, client_scan_id=bad)
        assert e.value.code == "validation_failed"


def test_device_gate_overrides_and_unknown_gate_is_dropped(db):
    _org, event, _tt, tickets = make_scan_setup(db, quantity=2)
    gate = db.exec(select(Gate).where(Gate.venue_id == event.venue_id)).first()
    bound, _ = make_device(db, event, gate_id=gate.id)
    free, _ = make_device(db, event)
    assert scanning.scan(db, bound, qr=tickets[0].qr_payload, gate_code="NOPE", client_scan_id=_csid())["result"] == "accepted"
    scanning.scan(db, free, qr=tickets[1].qr_payload, gate_code="NOPE", client_scan_id=_csid())
    db.refresh(tickets[0])
    db.refresh(tickets[1])
    assert tickets[0].checked_in_gate_code == "MAIN"
    assert tickets[1].checked_in_gate_code is None


# --- devices -----------------------------------------------------------------------------------

def test_device_lifecycle_pairing_and_revocation(db):
    org, event, _tt, _tickets = make_scan_setup(db, quantity=1)
    ctx = owner_ctx(org)
    device, token, code = devices.create_device(db, ctx, event_id=event.id, name="North gate phone", gate_code="MAIN")
    assert devices.authenticate_device(db, token).id == device.id
    assert len(code) == 8
    paired, new_token = devices.pair_device(db, pairing_code=code.lower()[:4] + "-" + code.lower()[4:])
    assert paired.id == device.id and new_token != token
    assert devices.authenticate_device(db, new_token).id == device.id
    with pytest.raises(VoelgoedError) as e:
        devices.authenticate_device(db, token)  # rotated by pairing
    assert e.value.code == "unauthenticated"
    with pytest.raises(VoelgoedError) as e:
        devices.pair_device(db, pairing_code=code)  # one use
    assert e.value.status == 401
    listed = devices.list_devices(db, ctx, event_id=event.id)
    assert [d.gate_code for d in listed] == ["MAIN"]
    devices.revoke_device(db, ctx, device.id)
    with pytest.raises(VoelgoedError) as e:
        devices.authenticate_device(db, new_token)
    assert e.value.code == "unauthenticated"
    actions = {a.action for a in db.exec(select(AuditLog).where(AuditLog.target_id == str(device.id)))}
    assert {"device.created", "device.paired", "device.revoked"} <= actions


def test_pairing_code_expires(db):
    org, event, _tt, _tickets = make_scan_setup(db, quantity=1)
    now = datetime.now(UTC)
    _d, _t, code = devices.create_device(db, owner_ctx(org), event_id=event.id, name="Phone", now=now)
    with pytest.raises(VoelgoedError) as e:
        devices.pair_device(db, pairing_code=code, now=now + timedelta(minutes=11))
    assert e.value.code == "unauthenticated"


def test_devices_are_tenant_scoped(db):
    org, event, _tt, _tickets = make_scan_setup(db, quantity=1)
    other = owner_ctx(make_org(db))
    for call in (lambda: devices.create_device(db, other, event_id=event.id, name="x"),
                 lambda: devices.list_devices(db, other, event_id=event.id),
                 lambda: devices.create_device(db, other, event_id="not-a-uuid", name="x")):
        with pytest.raises(VoelgoedError) as e:
            call()
        assert e.value.code == "not_found"
    device, _t, _c = devices.create_device(db, owner_ctx(org), event_id=event.id, name="Phone")
    with pytest.raises(VoelgoedError) as e:
        devices.revoke_device(db, other, device.id)
    assert e.value.code == "not_found"
    with pytest.raises(VoelgoedError) as e:
        devices.create_device(db, owner_ctx(org), event_id=event.id, name="Phone", gate_code="NOPE")
    assert e.value.code == "validation_failed"


def test_manifest_lists_keys_tickets_and_revocations(db):
    _org, event, _tt, tickets = make_scan_setup(db, quantity=3)
    tickets[2].status = "voided"
    db.flush()
    device, _ = make_device(db, event)
    m = scanning.manifest(db, device)
    assert m["event"]["id"] == str(event.id)
    assert m["public_keys"] and m["public_keys"][0]["algorithm"] == "Ed25519"
    assert {t["ticket_code"] for t in m["tickets"]} == {t.ticket_code for t in tickets}
    assert m["revoked"] == [str(tickets[2].id)]
    assert m["gates"] == [{"gate_code": "MAIN", "name": "Gate MAIN"}]
    assert db.get(Ticket, tickets[0].id).status == "valid"


def test_scanning_overview_derives_device_status_and_stays_in_the_tenant(db):
    org = make_org(db)
    event = make_event(db, org)
    other_org = make_org(db)
    other_event = make_event(db, other_org)
    ctx = owner_ctx(org)
    fresh, _t1, _c1 = devices.create_device(db, ctx, event_id=event.id, name="Fresh phone")
    seen, token, _c2 = devices.create_device(db, ctx, event_id=event.id, name="Seen phone")
    gone, _t3, _c3 = devices.create_device(db, ctx, event_id=event.id, name="Revoked phone")
    devices.authenticate_device(db, token)
    devices.revoke_device(db, ctx, gone.id)
    db.get(type(seen), seen.id).last_seen_at = datetime.now(UTC)
    db.flush()

    # another organisation's event id falls back to this organisation's own event
    view = devices.scanning_overview(db, ctx, event_id=str(other_event.id))
    assert view["event_id"] == str(event.id)
    assert [e["id"] for e in view["events"]] == [str(event.id)]
    assert view["gates"] == ["MAIN"]
    assert view["may_manage"] is True
    statuses = {d.name: d.status for d in view["devices"]}
    assert statuses == {"Fresh phone": "not_paired", "Seen phone": "active", "Revoked phone": "revoked"}

    viewer = TenantContext(org.id, owner_ctx(org).actor, "viewer")
    assert devices.scanning_overview(db, viewer, event_id="")["may_manage"] is False
