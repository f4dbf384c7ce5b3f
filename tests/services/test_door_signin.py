"""Door staff sign-in on /scan (voelgoed.services.gate.door_signin), on the real PostgreSQL (rolled back per test)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from tests.factories import make_event, make_org, make_user, make_venue
from tests.scan_factories import make_scan_setup
from voelgoed.models import AuditLog, Device, UserSession
from voelgoed.services.gate import devices, door_signin, scanning
from voelgoed.services.platform import VoelgoedError

PW = "correct horse battery"


def _door(db, role="scanner_only"):
    org, event, _tt, tickets = make_scan_setup(db)
    user = make_user(db, org=org, role=role)
    user.full_name = "Sipho Dlamini"
    db.flush()
    return org, event, tickets, user


def _sign_in(db, user, **kw):
    return door_signin.sign_in_scanner(db, email=user.email, password=PW, client_address="10.0.0.1", **kw)


def _code(fn) -> tuple[str, int]:
    with pytest.raises(VoelgoedError) as exc:
        fn()
    return exc.value.code, exc.value.status


def test_lists_scannable_events_with_gates(db, redis_client):
    org, event, _tickets, user = _door(db)
    make_event(db, org, status="draft")  # not published → not listed
    make_event(db, org, starts_in=timedelta(days=-3))  # ended → not listed
    later = make_event(db, org, starts_in=timedelta(days=2), venue=make_venue(db, org, gates=("VIP", "MAIN")))
    make_scan_setup(db)  # another organisation's event → not listed
    answer = _sign_in(db, user)
    assert [e["id"] for e in answer["events"]] == [str(event.id), str(later.id)]
    assert answer["events"][0]["gates"] == ["MAIN"] and answer["events"][1]["gates"] == ["MAIN", "VIP"]
    assert answer["events"][0]["name"] == "Test Event" and answer["events"][0]["starts_at"].endswith("+00:00")
    assert answer["events"][0]["organization_name"] == org.name
    # the listing step opens no session and registers nothing
    assert db.exec(select(Device).where(Device.event_id == event.id)).all() == []
    assert db.exec(select(UserSession).where(UserSession.user_id == user.id)).all() == []


def test_registers_a_device_that_scans_like_a_paired_one(db, redis_client):
    _org, event, tickets, user = _door(db)
    answer = _sign_in(db, user, event_id=str(event.id), gate_code="MAIN")
    assert answer["token"].startswith("vgd_") and answer["gate_code"] == "MAIN"
    assert answer["event"]["id"] == str(event.id) and answer["device"]["name"] == "Sipho Dlamini · phone"
    device = devices.authenticate_device(db, answer["token"])
    assert str(device.id) == answer["device"]["id"] and device.pairing_code_hash is None
    assert scanning.manifest(db, device)["device"]["gate_code"] == "MAIN"
    result = scanning.scan(db, device, qr=tickets[0].ticket_code, client_scan_id=uuid.uuid4().hex)
    assert result["result"] == "accepted"
    log = db.exec(select(AuditLog).where(AuditLog.action == "device.registered_by_staff")).one()
    assert log.actor_type == "user" and log.actor_id == str(user.id) and log.target_id == str(device.id)
    assert log.organization_id == event.organization_id


def test_any_gate_and_staff_roles_may_scan(db, redis_client):
    _org, event, _tickets, user = _door(db, role="staff")
    answer = _sign_in(db, user, event_id=event.id, gate_code="  ")
    assert answer["gate_code"] is None and answer["device"]["gate_code"] is None


def test_wrong_password_and_unknown_email_are_invalid_credentials(db, redis_client):
    _org, event, _tickets, user = _door(db)
    wrong = lambda: door_signin.sign_in_scanner(db, email=user.email, password="nope-nope-nope", client_address="a")  # noqa: E731
    assert _code(wrong) == ("invalid_credentials", 401)
    unknown = lambda: door_signin.sign_in_scanner(db, email="x@example.co.za", password=PW, client_address="a",  # noqa: E731
                                                  event_id=event.id)
    assert _code(unknown) == ("invalid_credentials", 401)
    assert db.exec(select(Device).where(Device.event_id == event.id)).all() == []


def test_role_without_scanning_is_forbidden(db, redis_client):
    _org, event, _tickets, user = _door(db, role="viewer")
    assert _code(lambda: _sign_in(db, user)) == ("forbidden", 403)
    assert _code(lambda: _sign_in(db, user, event_id=event.id)) == ("forbidden", 403)
    no_org = make_user(db)
    assert _code(lambda: _sign_in(db, no_org)) == ("forbidden", 403)


def test_viewer_in_the_events_org_is_forbidden_even_if_scanner_elsewhere(db, redis_client):
    _org, _event, _tickets, user = _door(db)
    other_org, other_event, *_ = make_scan_setup(db)
    from voelgoed.models import Membership
    db.add(Membership(organization_id=other_org.id, user_id=user.id, role="viewer"))
    db.flush()
    assert _code(lambda: _sign_in(db, user, event_id=other_event.id)) == ("forbidden", 403)


def test_other_organisations_event_is_not_found(db, redis_client):
    _org, _event, _tickets, user = _door(db)
    _o, foreign, *_ = make_scan_setup(db)
    assert _code(lambda: _sign_in(db, user, event_id=foreign.id)) == ("not_found", 404)
    assert _code(lambda: _sign_in(db, user, event_id=str(uuid.uuid4()))) == ("not_found", 404)
    assert _code(lambda: _sign_in(db, user, event_id="not-a-uuid")) == ("not_found", 404)
    assert db.exec(select(Device).where(Device.event_id == foreign.id)).all() == []


def test_unknown_gate_is_422(db, redis_client):
    _org, event, _tickets, user = _door(db)
    for bad in ("NOPE", "X" * 300, "\x00"):
        code, status = _code(lambda bad=bad: _sign_in(db, user, event_id=event.id, gate_code=bad))
        assert (code, status) == ("validation_failed", 422)
    assert db.exec(select(Device).where(Device.event_id == event.id)).all() == []


def test_draft_or_ended_event_is_not_scannable(db, redis_client):
    org, _event, _tickets, user = _door(db)
    draft = make_event(db, org, status="draft")
    ended = make_event(db, org, starts_in=timedelta(days=-3))
    assert _code(lambda: _sign_in(db, user, event_id=draft.id)) == ("event_not_scannable", 409)
    assert _code(lambda: _sign_in(db, user, event_id=ended.id)) == ("event_not_scannable", 409)


@pytest.mark.parametrize("email,password,event_id,gate_code", [
    (None, None, None, None), ("", "", "", ""), (123, ["x"], {"a": 1}, 5), ("a" * 5000, "b" * 5000, "c" * 5000, "d" * 5000),
    ("\x00@\x00", "\x00" * 20, "\x00", "\x00"), ("door@x.co.za", PW, "   ", None),
])
def test_bad_input_never_crashes(db, redis_client, email, password, event_id, gate_code):
    try:
        door_signin.sign_in_scanner(db, email=email, password=password, client_address="a", event_id=event_id,
                                    gate_code=gate_code)
    except VoelgoedError as exc:
        assert exc.status in (401, 403, 404, 422, 429)


def test_bad_input_after_authentication_never_crashes(db, redis_client):
    _org, event, _tickets, user = _door(db)
    for event_id, gate_code in ((123, None), ({"a": 1}, None), ("\x00", None), (event.id, 5), (event.id, ["MAIN"]),
                                ("c" * 5000, None)):
        try:
            _sign_in(db, user, event_id=event_id, gate_code=gate_code)
        except VoelgoedError as exc:
            assert exc.status in (404, 422)


def test_rate_limited_per_address(db, redis_client, monkeypatch):
    _org, _event, _tickets, user = _door(db)
    monkeypatch.setattr(door_signin, "ADDRESS_RATE", "2/minute")
    _sign_in(db, user)
    _sign_in(db, user)
    assert _code(lambda: _sign_in(db, user)) == ("rate_limited", 429)


def test_works_on_the_embedded_sqlite_database(tmp_path, engine, redis_client):
    """`make run` without DATABASE_URL is SQLite: the demo's door staff must be able to sign in there too."""
    from voelgoed.cli import db_upgrade
    from voelgoed.services.platform import make_engine

    url = f"sqlite:///{tmp_path / 'embedded.db'}"
    db_upgrade(url)
    eng = make_engine(url)
    try:
        with Session(eng, expire_on_commit=False) as session:
            org = make_org(session)
            user = make_user(session, org=org, role="scanner_only")
            event = make_event(session, org, starts_in=timedelta(hours=-1))
            make_event(session, org, starts_in=timedelta(days=-3))  # ended
            session.commit()
            listed = _sign_in(session, user)["events"]
            assert [e["id"] for e in listed] == [str(event.id)] and listed[0]["gates"] == ["MAIN"]
            answer = _sign_in(session, user, event_id=listed[0]["id"], gate_code="MAIN")
            assert devices.authenticate_device(session, answer["token"]).event_id == event.id
    finally:
        eng.dispose()
