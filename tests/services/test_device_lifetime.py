"""Scanner device lifetime (issue 9, item 8): door-staff devices record the member; removing the member
(or taking away their scanning role) revokes them; devices expire DEVICE_GRACE_HOURS after the event."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from tests.factories import make_user
from tests.scan_factories import make_device, make_scan_setup, owner_ctx
from voelgoed.config import get_settings
from voelgoed.models import AuditLog, Device, Membership
from voelgoed.services.accounts import members
from voelgoed.services.gate import devices, door_signin, scanning
from voelgoed.services.platform import VoelgoedError

PW = "correct horse battery"


def _staff_device(db, role="scanner_only"):
    org, event, _tt, tickets = make_scan_setup(db)
    user = make_user(db, org=org, role=role)
    answer = door_signin.sign_in_scanner(db, email=user.email, password=PW, client_address="10.0.0.9", event_id=str(event.id))
    membership = db.exec(select(Membership).where(Membership.user_id == user.id, Membership.organization_id == org.id)).one()
    return org, event, tickets, user, membership, answer["token"]


def _code(fn):
    with pytest.raises(VoelgoedError) as exc:
        fn()
    return exc.value.code, exc.value.status


def test_door_signin_device_records_the_member(db, redis_client):
    _org, _event, _tickets, user, _m, token = _staff_device(db)
    assert devices.authenticate_device(db, token).registered_by_user_id == user.id


def test_removed_members_device_is_refused_for_manifest_and_scans(client, db, redis_client):
    org, event, tickets, user, membership, token = _staff_device(db)
    h = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/scanner/manifest", headers=h).status_code == 200
    # an organiser-made device of the same event must keep working (control)
    _other, other_token = make_device(db, event)
    members.remove_member(db, owner_ctx(org), membership_id=membership.id)
    r = client.get("/api/v1/scanner/manifest", headers=h)
    assert r.status_code == 401 and r.json()["error"]["code"] == "unauthenticated"
    r = client.post("/api/v1/scanner/scans", headers=h, json={"qr": tickets[0].qr_payload, "client_scan_id": uuid.uuid4().hex})
    assert r.status_code == 401
    r = client.post("/api/v1/scanner/sync", headers=h, json={"scans": [
        {"client_scan_id": "x1", "qr": tickets[0].qr_payload, "scanned_at": datetime.now(UTC).isoformat()}]})
    assert r.status_code == 401
    assert client.get("/api/v1/scanner/manifest", headers={"Authorization": f"Bearer {other_token}"}).status_code == 200
    device = db.exec(select(Device).where(Device.registered_by_user_id == user.id)).one()
    assert device.revoked_at is not None
    log = db.exec(select(AuditLog).where(AuditLog.action == "device.revoked", AuditLog.target_id == str(device.id))).one()
    assert log.data["reason"] == "member_removed" and log.data["user_id"] == str(user.id)


def test_role_without_scanning_revokes_the_members_devices(db, redis_client):
    org, _event, _tickets, _user, membership, token = _staff_device(db, role="staff")
    members.change_role(db, owner_ctx(org), membership_id=membership.id, role="admin")  # may still scan
    assert devices.authenticate_device(db, token)
    members.change_role(db, owner_ctx(org), membership_id=membership.id, role="viewer")
    assert _code(lambda: devices.authenticate_device(db, token)) == ("unauthenticated", 401)


def test_device_expires_after_event_end_plus_grace(client, db, redis_client):
    _org, event, tickets, _user, _m, token = _staff_device(db)
    organiser_device, organiser_token = make_device(db, event)
    grace = timedelta(hours=get_settings().device_grace_hours)
    ends = event.ends_at
    inside = ends + grace - timedelta(minutes=1)
    after = ends + grace + timedelta(seconds=1)
    for tok in (token, organiser_token):
        assert devices.authenticate_device(db, tok, now=inside)
        assert _code(lambda tok=tok: devices.authenticate_device(db, tok, now=after)) == ("device_expired", 401)
    # through the API (the real clock): move the event's end back past the grace
    h = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/scanner/manifest", headers=h).status_code == 200
    event.starts_at = datetime.now(UTC) - grace - timedelta(hours=3)
    event.ends_at = datetime.now(UTC) - grace - timedelta(minutes=1)
    db.commit()  # (an error answer rolls the shared test session back to its last commit)
    r = client.get("/api/v1/scanner/manifest", headers=h)
    assert r.status_code == 401 and r.json()["error"]["code"] == "device_expired"
    r = client.post("/api/v1/scanner/scans", headers=h, json={"qr": tickets[0].qr_payload, "client_scan_id": "late"})
    assert r.status_code == 401 and r.json()["error"]["code"] == "device_expired"
    # inside the grace (ended an hour ago) it still works
    event.ends_at = datetime.now(UTC) - timedelta(hours=1)
    db.commit()
    assert client.get("/api/v1/scanner/manifest", headers=h).status_code == 200
    assert scanning.scan(db, devices.authenticate_device(db, token), qr=tickets[1].qr_payload,
                         client_scan_id="in-grace")["result"] in ("accepted", "not_valid_now")


def test_pairing_an_expired_device_is_refused(db):
    org, event, _tt, _tickets = make_scan_setup(db)
    later = event.ends_at + timedelta(hours=get_settings().device_grace_hours, minutes=1)
    _device, _token, code = devices.create_device(db, owner_ctx(org), event_id=event.id, name="Late phone",
                                                  now=later - timedelta(minutes=2))
    assert _code(lambda: devices.pair_device(db, pairing_code=code, now=later)) == ("device_expired", 401)
