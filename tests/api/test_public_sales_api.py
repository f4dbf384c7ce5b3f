"""The public sales API end to end through HTTP (api-v1.md), including garbage input (never a 500)."""

from __future__ import annotations

import pytest
from sqlmodel import select

from tests.factories import make_event, make_org, make_ticket_type
from voelgoed.models import Hold, TicketType
from voelgoed.services.payments import sandbox


@pytest.fixture
def shop(db):
    org = make_org(db)
    event = make_event(db, org)
    tt = make_ticket_type(db, event, quantity=4, max_per_order=4, price_cents=5000)
    make_ticket_type(db, event, name="Hidden", is_hidden=True)
    db.commit()
    return event, tt


def _hold(client, event, tt, qty=2, **kw):
    return client.post(f"/api/v1/public/events/{event.slug}/holds", json={"items": [{"ticket_type_id": str(tt.id), "quantity": qty}]}, **kw)


def test_full_purchase_over_http(client, db, shop):
    event, tt = shop
    ev = client.get(f"/api/v1/public/events/{event.slug}")
    assert ev.status_code == 200
    body = ev.json()
    assert body["id"] == str(event.id) and [t["name"] for t in body["ticket_types"]] == ["General"]
    assert body["ticket_types"][0] | {"available": 4, "price_cents": 5000, "currency": "ZAR", "max_per_order": 4} == body["ticket_types"][0]
    r = _hold(client, event, tt)
    assert r.status_code == 201, r.text
    hold = r.json()
    assert hold["total_cents"] == 10000 and hold["currency"] == "ZAR" and hold["expires_at"]
    assert client.get(f"/api/v1/public/events/{event.slug}").json()["ticket_types"][0]["available"] == 2
    r = client.post(f"/api/v1/public/holds/{hold['hold_id']}/checkout", json={"buyer_name": "Sipho", "buyer_email": "sipho@example.co.za"})
    assert r.status_code == 201, r.text
    co = r.json()
    assert co["status"] == "pending" and co["payment"]["provider"] == "sandbox" and co["order_code"].startswith("VG-")
    r = client.post(f"/api/v1/public/holds/{hold['hold_id']}/checkout", json={"buyer_name": "Sipho", "buyer_email": "sipho@example.co.za"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "already_checked_out"
    r = client.post(f"/api/v1/sandbox/payments/{co['payment']['reference']}/complete", json={"outcome": "success"})
    assert r.status_code == 200 and r.json()["status"] == "paid"
    r = client.get(f"/api/v1/public/orders/{co['order_code']}", params={"access_token": co["access_token"]})
    assert r.status_code == 200 and r.json()["status"] == "paid" and len(r.json()["tickets"]) == 2
    assert set(r.json()["tickets"][0]) >= {"id", "ticket_code", "ticket_type", "qr_payload", "status", "pdf_url"}
    for params in ({}, {"access_token": "nope"}):
        r = client.get(f"/api/v1/public/orders/{co['order_code']}", params=params)
        assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"


def test_delete_hold_releases_at_once(client, db, shop):
    event, tt = shop
    hold_id = _hold(client, event, tt, qty=4).json()["hold_id"]
    assert _hold(client, event, tt, qty=1).json()["error"]["code"] == "sold_out"
    assert client.delete(f"/api/v1/public/holds/{hold_id}").status_code == 204
    assert client.get(f"/api/v1/public/events/{event.slug}").json()["ticket_types"][0]["available"] == 4
    assert client.delete("/api/v1/public/holds/not-a-uuid").status_code == 404


def test_insufficient_inventory_details(client, shop):
    event, tt = shop
    _hold(client, event, tt, qty=3)
    r = _hold(client, event, tt, qty=2)
    assert r.status_code == 409 and r.json()["error"]["code"] == "insufficient_inventory"
    assert r.json()["error"]["details"]["available"] == 1


GARBAGE_HOLDS = [
    (b"{not json", 400), (b"[]", 400), (b'"x"', 400), (b"null", 400),
    (b"{}", 422), (b'{"items": []}', 422), (b'{"items": "x"}', 422), (b'{"items": [{}]}', 422),
    (b'{"items": [{"ticket_type_id": 5, "quantity": 1}]}', 422),
    (b'{"items": [{"ticket_type_id": "TT", "quantity": "two"}]}', 422),
    (b'{"items": [{"ticket_type_id": "TT", "quantity": 0}]}', 422),
    (b'{"items": [{"ticket_type_id": "TT", "quantity": -3}]}', 422),
    (b'{"items": [{"ticket_type_id": "TT", "quantity": 1e400}]}', 422),
    (b'{"items": [{"ticket_type_id": "TT", "quantity": 100000000000000000000000000000000}]}', 422),
    (b'{"items": [{"ticket_type_id": "TT", "quantity": 1.5}]}', 422),
    (b'{"items": [{"ticket_type_id": "\\u0000", "quantity": 1}]}', 404),
    (b'{"items": [{"ticket_type_id": "00000000-0000-0000-0000-000000000000", "quantity": 1}]}', 404),
]


@pytest.mark.parametrize("raw,status", GARBAGE_HOLDS)
def test_garbage_hold_requests(client, db, shop, raw, status):
    event, tt = shop
    raw = raw.replace(b"TT", str(tt.id).encode())
    r = client.post(f"/api/v1/public/events/{event.slug}/holds", content=raw, headers={"content-type": "application/json"})
    assert r.status_code == status, r.text
    assert set(r.json()["error"]) == {"code", "message", "details"}
    db.expire_all()
    assert db.get(TicketType, tt.id).held_count == 0
    assert db.exec(select(Hold)).first() is None


@pytest.mark.parametrize("path", ["/api/v1/public/events/%00", "/api/v1/public/events/" + "x" * 5000, "/api/v1/public/events/draft'--"])
def test_garbage_event_slugs(client, path):
    r = client.get(path)
    assert r.status_code == 404


@pytest.mark.parametrize(("body", "status"), [(b"{}", 422), (b'{"buyer_name": 1, "buyer_email": 2}', 422),
                                            (b'{"buyer_name": "a", "buyer_email": "b"}', 422), (b"xx", 400),
                                            (b'{"buyer_email": "a@b.co", "provider": "sandbox"}', 422)])
def test_garbage_checkout(client, db, shop, body, status):
    event, tt = shop
    hold_id = _hold(client, event, tt).json()["hold_id"]
    r = client.post(f"/api/v1/public/holds/{hold_id}/checkout", content=body, headers={"content-type": "application/json"})
    assert r.status_code == status, r.text
    db.expire_all()
    assert db.get(Hold, __import__("uuid").UUID(hold_id)).status == "active"


def test_webhook_endpoint_signature_and_replay(client, db, shop):
    event, tt = shop
    hold_id = _hold(client, event, tt).json()["hold_id"]
    co = client.post(f"/api/v1/public/holds/{hold_id}/checkout", json={"buyer_name": "A", "buyer_email": "a@example.com"}).json()
    from voelgoed.models import Payment

    payment = db.exec(select(Payment).where(Payment.reference == co["payment"]["reference"])).one()
    headers, raw = sandbox.build_webhook(payment, "success")
    r = client.post("/api/v1/payments/sandbox/webhook", content=raw)
    assert r.status_code == 401 and r.json()["error"]["code"] == "bad_signature"
    r = client.post("/api/v1/payments/sandbox/webhook", content=raw, headers={"x-sandbox-signature": "ab" * 64})
    assert r.status_code == 401
    assert client.get(f"/api/v1/public/orders/{co['order_code']}", params={"access_token": co["access_token"]}).json()["status"] == "pending"
    r = client.post("/api/v1/payments/sandbox/webhook", content=raw, headers=headers)
    assert r.status_code == 200 and r.json() == {"received": True, "outcome": "paid"}
    r = client.post("/api/v1/payments/sandbox/webhook", content=raw, headers=headers)
    assert r.status_code == 200 and r.json()["outcome"] == "duplicate"
    assert client.post("/api/v1/payments/nosuch/webhook", content=raw).status_code == 404
    r = client.post("/api/v1/sandbox/payments/whatever/complete", json={"outcome": "maybe"})
    assert r.status_code == 422


def test_hold_rate_limit_returns_429_with_retry_after(client, shop, monkeypatch):
    from voelgoed.config import get_settings

    event, tt = shop
    monkeypatch.setattr(get_settings(), "hold_rate_limit", "2/minute")
    codes = [_hold(client, event, tt, qty=1).status_code for _ in range(3)]
    assert codes[:2] == [201, 201] and codes[2] == 429
    r = _hold(client, event, tt, qty=1)
    assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1 and r.json()["error"]["code"] == "rate_limited"


def test_waiting_room_event_needs_a_pass_header(client, db):
    org = make_org(db)
    event = make_event(db, org)
    event.waiting_room_enabled = True
    db.add(event)
    tt = make_ticket_type(db, event)
    db.commit()
    r = _hold(client, event, tt, qty=1)
    assert r.status_code == 403 and r.json()["error"]["code"] == "waiting_room_pass_required"
    r = _hold(client, event, tt, qty=1, headers={"X-Waiting-Room-Pass": "VGP1.forged.pass.0.sig"})
    assert r.status_code == 403
    db.expire_all()
    assert db.get(TicketType, tt.id).held_count == 0


# signed: a body that is not a JSON object is refused like a bad signature (401); a well-formed event
# about no known payment is acknowledged (200) so the provider stops retrying it
@pytest.mark.parametrize(("raw", "signed_status"), [
    (b"", 401), (b"{", 401), (b"[1,2]", 401), (b'{"id": "\\u0000", "event": "charge.success", "data": {"reference": "\\u0000"}}', 200),
    (b'{"event": "charge.success", "data": {"reference": "x", "amount": 1e999}}', 200), (b"\xff\xfe", 401)])
def test_garbage_webhooks_never_500(client, raw, signed_status):
    r = client.post("/api/v1/payments/sandbox/webhook", content=raw)
    assert r.status_code == 401, r.text
    r = client.post("/api/v1/payments/sandbox/webhook", content=raw, headers={"x-sandbox-signature": sandbox.sign(raw)})
    assert r.status_code == signed_status, r.text
