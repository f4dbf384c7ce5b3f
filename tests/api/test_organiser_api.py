import uuid
from datetime import UTC, datetime, timedelta

import pytest

from tests.factories import make_event, make_org, make_ticket_type, make_venue
from voelgoed.models import Order, OrderItem, Payment, Ticket
from voelgoed.services.accounts import apikeys


def auth(db, org):
    _key, secret = apikeys.create_api_key(db, organization_id=org.id, name="test")
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def org_h(db):
    org = make_org(db)
    return org, auth(db, org)


def future(days, hours=0):
    return (datetime.now(UTC) + timedelta(days=days, hours=hours)).replace(microsecond=0).isoformat()


def make_order(db, event, tt, *, code=None, status="paid", buyer_name="Lerato Khumalo", email="lerato@example.co.za", qty=2):
    order = Order(organization_id=event.organization_id, event_id=event.id, order_code=code or f"VG-{uuid.uuid4().hex[:6].upper()}",
                  access_token=uuid.uuid4().hex, status=status, buyer_name=buyer_name, buyer_email=email,
                  total_cents=qty * tt.price_cents, currency="ZAR", paid_at=datetime.now(UTC) if status == "paid" else None)
    db.add(order)
    db.flush()
    item = OrderItem(organization_id=order.organization_id, order_id=order.id, ticket_type_id=tt.id, quantity=qty,
                     unit_price_cents=tt.price_cents)
    db.add(item)
    db.flush()
    db.add(Payment(organization_id=order.organization_id, order_id=order.id, provider="sandbox",
                   reference=f"sbx_{uuid.uuid4().hex}", status="succeeded", amount_cents=order.total_cents))
    for pos in range(qty):
        db.add(Ticket(organization_id=order.organization_id, event_id=event.id, order_id=order.id, order_item_id=item.id,
                      position=pos, ticket_type_id=tt.id, ticket_code=uuid.uuid4().hex[:10].upper(), holder_name=buyer_name))
    db.flush()
    return order


def test_full_flow_venue_gate_event_ticket_type_publish(client, org_h):
    _org, h = org_h
    r = client.post("/api/v1/venues", json={"name": "Mary Fitzgerald Square", "city": "Johannesburg"}, headers=h)
    assert r.status_code == 201, r.text
    venue = r.json()
    assert venue["timezone"] == "Africa/Johannesburg" and isinstance(venue["id"], str)
    r = client.post(f"/api/v1/venues/{venue['id']}/gates", json={"gate_code": "main", "name": "Main"}, headers=h)
    assert r.status_code == 201 and r.json()["gate_code"] == "MAIN"
    r = client.post(f"/api/v1/venues/{venue['id']}/gates", json={"gate_code": "MAIN", "name": "Again"}, headers=h)
    assert r.status_code == 409 and r.json()["error"]["code"] == "duplicate"

    body = {"venue_id": venue["id"], "name": f"Summer Sounds {uuid.uuid4().hex[:4]}", "starts_at": future(21),
            "ends_at": future(21, 9), "sale_ends_at": future(21)}
    r = client.post("/api/v1/events", json=body, headers=h)
    assert r.status_code == 201, r.text
    event = r.json()
    assert event["status"] == "draft" and event["slug"].startswith("summer-sounds") and event["currency"] == "ZAR"
    assert event["starts_at"].endswith("+00:00")

    r = client.post(f"/api/v1/events/{event['id']}/publish", headers=h)
    assert r.status_code == 409 and r.json()["error"]["code"] == "not_publishable"
    assert r.json()["error"]["details"]["reasons"]

    r = client.post(f"/api/v1/events/{event['id']}/ticket-types", json={"name": "General", "price_cents": 35000, "quantity": 1500}, headers=h)
    assert r.status_code == 201, r.text
    tt = r.json()
    assert tt["currency"] == "ZAR" and tt["available"] == 1500 and tt["max_per_order"] == 10

    r = client.post(f"/api/v1/events/{event['id']}/publish", headers=h)
    assert r.status_code == 200 and r.json()["status"] == "published"

    r = client.get(f"/api/v1/events/{event['id']}", headers=h)
    assert r.status_code == 200 and [t["name"] for t in r.json()["ticket_types"]] == ["General"]
    assert any(e["id"] == event["id"] for e in client.get("/api/v1/events?status=published", headers=h).json()["events"])
    venues = client.get("/api/v1/venues", headers=h).json()["venues"]
    assert [g["gate_code"] for g in venues[0]["gates"]] == ["MAIN"]

    r = client.patch(f"/api/v1/ticket-types/{tt['id']}", json={"quantity": 1200, "price_cents": 30000}, headers=h)
    assert r.status_code == 200 and r.json()["quantity"] == 1200
    r = client.patch(f"/api/v1/events/{event['id']}", json={"name": "Renamed"}, headers=h)
    assert r.status_code == 200 and r.json()["name"] == "Renamed"
    r = client.post(f"/api/v1/events/{event['id']}/cancel", json={"reason": "storm"}, headers=h)
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    r = client.post(f"/api/v1/events/{event['id']}/archive", headers=h)
    assert r.status_code == 200 and r.json()["status"] == "archived"


def test_auth_required(client):
    assert client.post("/api/v1/venues", json={"name": "x"}).status_code == 401
    r = client.get("/api/v1/events", headers={"Authorization": "Bearer vg_live_nope"})
    assert r.status_code == 401 and r.json()["error"]["code"] == "unauthenticated"


@pytest.mark.parametrize("path", ["/api/v1/venues", "/api/v1/events"])
@pytest.mark.parametrize("raw", [b"{", b"[]", b"null", b"\"text\"", b"\xff\xfe", b"{\"name\": 5"])
def test_garbage_json_is_400(client, org_h, path, raw):
    _org, h = org_h
    r = client.post(path, content=raw, headers={**h, "Content-Type": "application/json"})
    assert r.status_code == 400, r.text
    assert r.json()["error"]["code"] == "malformed"


def test_bad_fields_are_422(client, org_h, db):
    org, h = org_h
    venue = make_venue(db, org)
    event = make_event(db, org, venue=venue, status="draft")
    db.commit()  # error responses roll the shared session back to its last commit
    cases = [
        ("/api/v1/venues", {"name": "x", "timezone": "Mars/Base"}),
        ("/api/v1/venues", {"name": "x", "capacity": -3}),
        ("/api/v1/venues", {"name": "x" * 500}),
        ("/api/v1/venues", {}),
        (f"/api/v1/venues/{venue.id}/gates", {"gate_code": "!!", "name": "x"}),
        ("/api/v1/events", {"venue_id": str(venue.id), "name": "x", "starts_at": "2026-12-12T18:00", "ends_at": future(2)}),
        ("/api/v1/events", {"venue_id": str(venue.id), "name": "x", "starts_at": future(3), "ends_at": future(2)}),
        ("/api/v1/events", {"venue_id": str(venue.id), "name": "x", "starts_at": "soon", "ends_at": future(2)}),
        ("/api/v1/events", {"venue_id": str(venue.id), "name": "x", "slug": "Not OK", "starts_at": future(1), "ends_at": future(2)}),
        (f"/api/v1/events/{event.id}/ticket-types", {"name": "x", "price_cents": -1, "quantity": 5}),
        (f"/api/v1/events/{event.id}/ticket-types", {"name": "x", "price_cents": 1.5, "quantity": 5}),
        (f"/api/v1/events/{event.id}/ticket-types", {"name": "x", "price_cents": 100, "quantity": 5, "max_per_order": 0}),
        (f"/api/v1/events/{event.id}/ticket-types", {"name": "x", "price_cents": 100, "quantity": 10**12}),
    ]
    for path, body in cases:
        r = client.post(path, json=body, headers=h)
        assert r.status_code == 422, (path, body, r.text)
        assert r.json()["error"]["code"] == "validation_failed" and r.json()["error"]["details"]["fields"]


def test_slug_taken_is_409(client, org_h, db):
    org, h = org_h
    other_event = make_event(db, make_org(db))
    venue = make_venue(db, org)
    db.commit()
    r = client.post("/api/v1/events", json={"venue_id": str(venue.id), "name": "x", "slug": other_event.slug,
                                           "starts_at": future(1), "ends_at": future(2)}, headers=h)
    assert r.status_code == 409 and r.json()["error"]["code"] == "slug_taken"


def test_cross_tenant_is_404_everywhere(client, org_h, db):
    _org, h = org_h
    other = make_org(db)
    venue = make_venue(db, other)
    event = make_event(db, other, venue=venue, status="draft")
    tt = make_ticket_type(db, event)
    order = make_order(db, event, tt)
    db.commit()
    calls = [
        ("post", f"/api/v1/venues/{venue.id}/gates", {"gate_code": "X", "name": "x"}),
        ("get", f"/api/v1/venues/{venue.id}", None),
        ("patch", f"/api/v1/venues/{venue.id}", {"name": "x"}),
        ("post", "/api/v1/events", {"venue_id": str(venue.id), "name": "x", "starts_at": future(1), "ends_at": future(2)}),
        ("get", f"/api/v1/events/{event.id}", None),
        ("patch", f"/api/v1/events/{event.id}", {"name": "x"}),
        ("post", f"/api/v1/events/{event.id}/ticket-types", {"name": "x", "price_cents": 1, "quantity": 1}),
        ("get", f"/api/v1/events/{event.id}/ticket-types", None),
        ("patch", f"/api/v1/ticket-types/{tt.id}", {"quantity": 1}),
        ("post", f"/api/v1/events/{event.id}/publish", None),
        ("post", f"/api/v1/events/{event.id}/cancel", None),
        ("get", f"/api/v1/orders/{order.id}", None),
        ("get", f"/api/v1/orders?event_id={event.id}", None),
        ("get", "/api/v1/orders/not-a-uuid", None),
        ("get", "/api/v1/events/%00%ff", None),
    ]
    for method, path, body in calls:
        r = getattr(client, method)(path, headers=h, **({"json": body} if body is not None else {}))
        assert r.status_code == 404, (method, path, r.text)
        assert r.json()["error"]["code"] == "not_found"
    assert client.get("/api/v1/orders", headers=h).json()["total"] == 0


def test_orders_list_search_filter_and_detail(client, org_h, db):
    org, h = org_h
    event = make_event(db, org)
    tt = make_ticket_type(db, event, price_cents=35000)
    paid = make_order(db, event, tt, code="VG-AAA111", buyer_name="Naledi Mokoena", email="naledi@example.co.za")
    make_order(db, event, tt, code="VG-BBB222", status="refund_required", buyer_name="Pieter van Wyk", email="pieter@example.co.za", qty=1)
    db.commit()
    r = client.get("/api/v1/orders", headers=h)
    assert r.status_code == 200 and r.json()["total"] == 2
    assert client.get("/api/v1/orders?search=naledi", headers=h).json()["orders"][0]["order_code"] == "VG-AAA111"
    assert client.get("/api/v1/orders?search=vg-bbb", headers=h).json()["orders"][0]["needs_attention"] is True
    assert client.get("/api/v1/orders?search=PIETER@EXAMPLE", headers=h).json()["total"] == 1
    assert client.get("/api/v1/orders?status=refund_required", headers=h).json()["total"] == 1
    assert client.get(f"/api/v1/orders?event_id={event.id}&status=paid", headers=h).json()["total"] == 1
    bad = client.get("/api/v1/orders?status=bogus", headers=h)
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "validation_failed"
    assert client.get("/api/v1/orders?limit=0", headers=h).status_code == 422

    r = client.get(f"/api/v1/orders/{paid.id}", headers=h)
    assert r.status_code == 200
    d = r.json()
    assert d["order_code"] == "VG-AAA111" and d["total_cents"] == 70000 and d["currency"] == "ZAR"
    assert d["items"][0]["line_total_cents"] == 70000 and d["items"][0]["ticket_type"] == "General"
    assert d["payments"][0]["status"] == "succeeded" and d["payments"][0]["amount_cents"] == 70000
    assert len(d["tickets"]) == 2 and {t["status"] for t in d["tickets"]} == {"valid"}
    assert "access_token" not in d


def test_quantity_below_sold_and_clock_status_via_api(client, org_h, db):
    org, h = org_h
    event = make_event(db, org, status="published", starts_in=timedelta(hours=-1))  # started an hour ago
    tt = make_ticket_type(db, event, quantity=100)
    tt.sold_count, tt.held_count = 30, 5
    db.commit()
    r = client.get(f"/api/v1/events/{event.id}", headers=h)
    assert r.status_code == 200 and r.json()["status"] == "live"
    assert r.json()["ticket_types"][0]["available"] == 65
    r = client.patch(f"/api/v1/ticket-types/{tt.id}", json={"quantity": 34}, headers=h)
    assert r.status_code == 409 and r.json()["error"]["code"] == "quantity_below_sold"
    r = client.patch(f"/api/v1/ticket-types/{tt.id}", json={"quantity": "many"}, headers=h)
    assert r.status_code == 422
    r = client.post(f"/api/v1/events/{event.id}/archive", headers=h)
    assert r.status_code == 409 and r.json()["error"]["code"] == "invalid_state"
    r = client.patch(f"/api/v1/events/{event.id}", content=b"{oops", headers={**h, "Content-Type": "application/json"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "malformed"
