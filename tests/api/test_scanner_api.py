"""Scanner and device/stats endpoints through the HTTP API (rolled-back db, test Redis)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import base45
import pytest
from sqlmodel import select

from tests.factories import make_org
from tests.scan_factories import make_device, make_scan_setup
from tests.seated_factories import seated_event
from tests.services.test_seated_tickets import buy
from voelgoed.models import Ticket
from voelgoed.services.accounts import apikeys


def _key(db, org):
    return {"Authorization": f"Bearer {apikeys.create_api_key(db, organization_id=org.id, name='test')[1]}"}


def _setup(db, client, quantity=3):
    org, event, tt, tickets = make_scan_setup(db, quantity=quantity)
    key = _key(db, org)
    r = client.post(f"/api/v1/events/{event.id}/devices", json={"name": "North gate", "gate_code": "MAIN"}, headers=key)
    assert r.status_code == 201, r.text
    body = r.json()
    return org, event, tt, tickets, key, {"Authorization": f"Bearer {body['token']}"}, body


def test_device_pairing_manifest_scan_and_stats(db, client):
    org, event, tt, tickets, key, _dev, body = _setup(db, client)
    r = client.post("/api/v1/scanner/pair", json={"pairing_code": body["pairing_code"]})
    assert r.status_code == 200, r.text
    paired = r.json()
    assert paired["event"]["id"] == str(event.id) and paired["gate_code"] == "MAIN"
    dev = {"Authorization": f"Bearer {paired['token']}"}
    m = client.get("/api/v1/scanner/manifest", headers=dev).json()
    assert set(m) >= {"event", "gates", "public_keys", "tickets", "revoked", "generated_at"}
    r = client.post("/api/v1/scanner/scans", json={"qr": tickets[0].qr_payload, "client_scan_id": "s1"}, headers=dev)
    assert r.status_code == 200 and r.json()["result"] == "accepted"
    r = client.post("/api/v1/scanner/scans", json={"qr": tickets[0].qr_payload, "client_scan_id": "s2"}, headers=dev)
    assert r.json()["result"] == "already_scanned" and r.json()["first_gate_code"] == "MAIN"
    at = (datetime.now(UTC) - timedelta(minutes=2)).isoformat()
    r = client.post("/api/v1/scanner/sync", headers=dev, json={"scans": [
        {"client_scan_id": "o1", "qr": tickets[1].qr_payload, "scanned_at": at, "local_result": "accepted"},
        {"client_scan_id": "o2", "qr": "nonsense", "scanned_at": at}]})
    assert r.status_code == 200
    assert [x["result"] for x in r.json()["results"]] == ["accepted", "invalid"]
    s = client.get(f"/api/v1/events/{event.id}/stats", headers=key)
    assert s.status_code == 200
    stats = s.json()
    assert stats["tickets_sold"] == 3 and stats["checked_in"] == 2
    assert stats["by_gate"] == [{"gate_code": "MAIN", "checked_in": 2}]
    assert stats["by_ticket_type"][0]["checked_in"] == 2 and stats["by_ticket_type"][0]["sold"] == 3
    assert stats["revenue_cents"] == 3 * tt.price_cents and stats["currency"] == "ZAR"
    assert sum(m["count"] for m in stats["arrivals_per_minute"]) == 2
    assert len(stats["arrivals_per_minute"]) == 60
    assert stats["recent_scans"][0]["result"] in ("accepted", "already_scanned", "invalid")


def test_other_org_cannot_see_stats_or_add_devices(db, client):
    _org, event, *_rest = _setup(db, client)
    other = _key(db, make_org(db))
    assert client.get(f"/api/v1/events/{event.id}/stats", headers=other).json()["error"]["code"] == "not_found"
    r = client.post(f"/api/v1/events/{event.id}/devices", json={"name": "x"}, headers=other)
    assert r.status_code == 404
    assert client.get("/api/v1/events/not-a-uuid/stats", headers=other).status_code == 404
    assert client.get(f"/api/v1/events/{event.id}/stats").status_code == 401


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic abc"},
                                     {"Authorization": "Bearer vgd_" + "x" * 43}, {"Authorization": "Bearer " + "vgd_" * 500}])
def test_unknown_device_tokens_are_401(db, client, headers):
    for method, path, body in (("get", "/api/v1/scanner/manifest", None),
                               ("post", "/api/v1/scanner/scans", {"qr": "x", "client_scan_id": "a"}),
                               ("post", "/api/v1/scanner/sync", {"scans": []})):
        r = getattr(client, method)(path, headers=headers, **({"json": body} if body is not None else {}))
        assert r.status_code == 401 and r.json()["error"]["code"] == "unauthenticated"


def test_revoked_device_is_refused_at_once(db, client):
    from tests.scan_factories import owner_ctx
    from voelgoed.services.gate import devices

    org, event, _tt, tickets, _key_h, dev, body = _setup(db, client)
    assert client.get("/api/v1/scanner/manifest", headers=dev).status_code == 200
    devices.revoke_device(db, owner_ctx(org), body["id"])
    r = client.post("/api/v1/scanner/scans", json={"qr": tickets[0].qr_payload, "client_scan_id": "z"}, headers=dev)
    assert r.status_code == 401


# each garbage body has exactly one right answer: 400 = body not decodable as the expected JSON object
# (Starlette's parser / api/errors.py), 422 = validation_failed, 200 = the QR read as {"result": "invalid"}
@pytest.mark.parametrize(("payload", "status"), [
    (b"not json", 400), (b"", 422), (b"[]", 400), (b'{"qr": 5, "client_scan_id": "a"}', 422),
    (b'{"client_scan_id": "a"}', 422), (b'{"qr": "x"}', 422), (b'{"qr": "x", "client_scan_id": ""}', 422),
    (b'{"qr": "x", "client_scan_id": "' + b"a" * 65 + b'"}', 422),
    (b'{"qr": "x", "client_scan_id": "a", "scanned_at": "yesterday"}', 422), (b'\xff\xfe\x00', 400),
    (b'{"qr": "\\u0000\\u0001", "client_scan_id": "bin"}', 200), (b'{"qr": "' + b"Z" * 90_000 + b'", "client_scan_id": "huge"}', 422),
    (b'{"qr": "x", "client_scan_id": "a\\u0000"}', 422)])
def test_garbage_scan_requests_never_500(db, client, payload, status):
    *_x, dev, _b = _setup(db, client, quantity=1)
    r = client.post("/api/v1/scanner/scans", content=payload, headers={**dev, "Content-Type": "application/json"})
    assert r.status_code == status, r.text
    if r.status_code == 200:
        assert r.json()["result"] == "invalid"
    elif r.status_code == 422:
        assert r.json()["error"]["code"] == "validation_failed"
    else:  # undecodable bytes are refused by Starlette's body parser (code "error" from api/errors.py)
        assert set(r.json()["error"]) == {"code", "message", "details"}


@pytest.mark.parametrize(("payload", "status"), [
    ({"scans": "x"}, 422), ({"scans": [{"qr": "x"}]}, 422), ({"scans": [{"client_scan_id": "a", "qr": "x"}]}, 422),
    ({"scans": [{"client_scan_id": "a", "qr": "x", "scanned_at": "nope"}]}, 422), ({}, 422), ({"scans": [None]}, 400),
    ({"scans": [{"client_scan_id": "a", "qr": ["x"], "scanned_at": "2026-01-01T00:00:00Z"}]}, 422)])
def test_garbage_sync_requests_never_500(db, client, payload, status):
    *_x, dev, _b = _setup(db, client, quantity=1)
    r = client.post("/api/v1/scanner/sync", json=payload, headers=dev)
    assert r.status_code == status, r.text


def test_sync_batch_limit_is_422(db, client):
    *_x, dev, _b = _setup(db, client, quantity=1)
    at = datetime.now(UTC).isoformat()
    scans = [{"client_scan_id": uuid.uuid4().hex, "qr": "x", "scanned_at": at} for _ in range(5001)]
    r = client.post("/api/v1/scanner/sync", json={"scans": scans}, headers=dev)
    assert r.status_code == 422 and r.json()["error"]["code"] == "validation_failed"


def test_pairing_garbage_and_bad_codes(db, client):
    for body in ({"pairing_code": "ZZZZZZZZ"}, {"pairing_code": "x" * 64}, {"pairing_code": "\u0000"}):
        assert client.post("/api/v1/scanner/pair", json=body).status_code == 401
    assert client.post("/api/v1/scanner/pair", json={}).status_code == 422
    assert client.post("/api/v1/scanner/pair", content=b"{").status_code == 400


def test_device_creation_validation(db, client):
    org, event, *_r = make_scan_setup(db, quantity=1)
    key = _key(db, org)
    assert client.post(f"/api/v1/events/{event.id}/devices", json={"name": ""}, headers=key).status_code == 422
    r = client.post(f"/api/v1/events/{event.id}/devices", json={"name": "x", "gate_code": "NOPE"}, headers=key)
    assert r.status_code == 422 and "gate_code" in r.json()["error"]["details"]["fields"]


def test_device_creation_control_characters_are_422_not_errors(db, client):
    org, event, *_r = make_scan_setup(db, quantity=1)
    key = _key(db, org)
    for body in ({"name": "phone\u0000"}, {"name": "x", "gate_code": "MA\u0000IN"}, {"name": "\u0007bell"}):
        r = client.post(f"/api/v1/events/{event.id}/devices", json=body, headers=key)
        assert r.status_code == 422 and r.json()["error"]["code"] == "validation_failed", r.text


@pytest.mark.parametrize("at", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "2026-01-01T00:00:00", "1970-01-01T00:00:00Z"])
def test_absurd_scan_times_are_stamped_with_the_receive_time(db, client, at):
    *_x, tickets, _k, dev, _b = _setup(db, client, quantity=1)
    r = client.post("/api/v1/scanner/sync", headers=dev, json={"scans": [
        {"client_scan_id": "t", "qr": tickets[0].qr_payload, "scanned_at": at}]})
    assert r.status_code == 200, r.text
    again = client.post("/api/v1/scanner/sync", headers=dev, json={"scans": [
        {"client_scan_id": "t", "qr": tickets[0].qr_payload, "scanned_at": at}]})
    assert again.json()["results"][0]["result"] == r.json()["results"][0]["result"]


def test_seated_ticket_scan_answers_and_manifest_carry_the_seat(db, client):
    """Issue 12: ``ticket.seat`` is an added field of the manifest entries and the scan / sync answers (the
    result codes and every api-v1 field are unchanged); the public order API lists the seat too."""
    event, _ctx, _types = seated_event(db, rows=(("A", 6),))
    order = buy(db, event, ["A-6"])
    (ticket,) = db.exec(select(Ticket).where(Ticket.order_id == order.id)).all()
    _device, token = make_device(db, event)
    dev = {"Authorization": f"Bearer {token}"}
    seat = {"section": "Stalls", "row": "A", "seat": "6", "label": "Section Stalls · Row A · Seat 6"}

    m = client.get("/api/v1/scanner/manifest", headers=dev)
    assert m.status_code == 200
    (entry,) = m.json()["tickets"]
    assert entry["seat"] == seat and set(entry) >= {"ticket_id", "ticket_code", "status", "ticket_type"}
    assert ticket.qr_payload.startswith("VG2:")
    r = client.post("/api/v1/scanner/scans", json={"qr": ticket.qr_payload, "client_scan_id": "seat-1"}, headers=dev)
    assert r.status_code == 200
    body = r.json()
    assert body["result"] == "accepted" and body["ticket"]["seat"] == seat
    assert set(body["ticket"]) == {"id", "ticket_code", "ticket_type", "holder_name", "seat"}
    r = client.post("/api/v1/scanner/scans", json={"qr": ticket.qr_payload, "client_scan_id": "seat-2"}, headers=dev)
    assert r.json()["result"] == "already_scanned" and r.json()["ticket"]["seat"] == seat
    at = datetime.now(UTC).isoformat()
    r = client.post("/api/v1/scanner/sync", headers=dev, json={"scans": [
        {"client_scan_id": "seat-o1", "qr": ticket.qr_payload, "scanned_at": at, "local_result": "accepted"}]})
    assert r.status_code == 200
    (res,) = r.json()["results"]
    assert res["result"] == "duplicate_offline" and res["ticket"]["seat"] == seat
    # a forged seated QR (the seat changed, signature kept) is an ordinary "invalid", nothing admitted
    raw = bytearray(base45.b45decode(ticket.qr_payload[4:]))
    raw[raw.index(b"Stalls")] = ord("X")
    r = client.post("/api/v1/scanner/scans", json={"qr": "VG2:" + base45.b45encode(bytes(raw)).decode(),
                                                   "client_scan_id": "seat-forged"}, headers=dev)
    assert r.status_code == 200 and r.json()["result"] == "invalid" and "ticket" not in r.json()

    public = client.get(f"/api/v1/public/orders/{order.order_code}", params={"access_token": order.access_token})
    assert public.status_code == 200
    assert [t["seat"] for t in public.json()["tickets"]] == [seat]
