"""The organiser's seated event over HTTP: API-key routes (set up, change, statuses, layout ETag, who holds what,
block, allocate, release, box-office sale), the signed-in organiser's cookie twins (header required), bad
input (4xx with a code, nothing changed) and another organisation's key (404)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import select

from tests.factories import make_event, make_org, make_ticket_type, make_user
from tests.seated_factories import ga_layout, seated_event
from tests.seating_factories import block_layout, org_venue
from voelgoed.models import EventSeat, LedgerEntry, Order, Organization, Ticket
from voelgoed.services import seating
from voelgoed.services.accounts import accounts, apikeys


def auth(db, org_id) -> dict:
    _key, secret = apikeys.create_api_key(db, organization_id=org_id, name="test")
    return {"Authorization": f"Bearer {secret}"}


def statuses(db, event) -> dict:
    db.expire_all()
    return {s.seat_key: s.status for s in db.exec(select(EventSeat).where(EventSeat.event_id == event.id))}


def test_set_up_seated_sales_over_the_api(client, db):
    org, venue, ctx = org_venue(db)
    event = make_event(db, org, venue=venue)
    std = make_ticket_type(db, event, name="Standard", price_cents=15000, quantity=0)
    plan = seating.create_plan(db, ctx, venue_id=venue.id, name="Hall", layout_doc=block_layout((("A", 5),)))
    version = seating.publish(db, ctx, plan.id)["version"]
    h = auth(db, org.id)
    base = f"/api/v1/events/{event.id}"
    assert client.get(f"{base}/seats", headers=h).json()["error"]["code"] == "not_seated"
    r = client.post(f"{base}/seated-sales", json={"version_id": version["id"], "category_types": {"std": str(std.id)}},
                    headers=h)
    assert r.status_code == 422 and "category_types.vip" in r.json()["error"]["details"]["fields"]
    r = client.post(f"{base}/seated-sales", headers=h, json={
        "version_id": version["id"], "category_types": {"std": str(std.id), "vip": str(std.id)},
        "isolated_rule": "off", "max_per_order": 4})
    assert r.status_code == 201, r.text
    assert r.json()["configured"] is True and r.json()["max_per_order"] == 4
    r = client.patch(f"{base}/seated-sales", json={"isolated_rule": "strict", "max_per_buyer": 200}, headers=h)
    assert r.status_code == 422 and list(r.json()["error"]["details"]["fields"]) == ["max_per_buyer"]
    r = client.patch(f"{base}/seated-sales", json={"isolated_rule": "strict"}, headers=h)
    assert r.status_code == 200 and r.json()["isolated_rule"] == "strict"
    assert client.get(f"{base}/seated-sales", headers=h).json()["isolated_rule"] == "strict"
    assert client.get(f"{base}/seats", headers=h).json()["counts"]["free"] == 5


def test_map_block_allocate_details_and_box_office_over_the_api(client, db):
    event, ctx, types = seated_event(db, rows=(("A", 6),))
    h = auth(db, event.organization_id)
    base = f"/api/v1/events/{event.id}"
    lay = client.get(f"{base}/seats/layout", headers=h)
    assert lay.status_code == 200 and lay.json()["categories"][0]["ticket_type"] == "Standard"
    assert lay.json()["layout"]["sections"][0]["rows"][0]["seats"][0]["key"] == "A-1"
    assert client.get(f"{base}/seats/layout", headers={**h, "If-None-Match": lay.headers["etag"]}).status_code == 304

    assert client.post(f"{base}/seats/block", json={"seat_keys": ["A-1"]}, headers=h).json() == {"changed": 1}
    r = client.post(f"{base}/seats/allocate", json={"seat_keys": ["A-2", "A-3"], "label": "Sponsor"}, headers=h)
    assert r.json() == {"changed": 2, "skipped": []}
    hold = client.post(f"/api/v1/public/events/{event.slug}/seat-holds", json={"seat_keys": ["A-5"]}).json()
    snap = client.get(f"{base}/seats", headers=h).json()
    assert (snap["blocked"], snap["allocated"], snap["held"]) == (["A-1"], {"A-2": "Sponsor", "A-3": "Sponsor"}, ["A-5"])
    public = client.get(f"/api/v1/public/events/{event.slug}/seating/status").json()
    assert public["blocked"] == ["A-1", "A-2", "A-3"], "buyers see allocated seats as blocked"
    d = client.get(f"{base}/seats/details", params={"keys": "A-5,A-2"}, headers=h).json()["seats"]
    assert [(x["key"], x["status"]) for x in d] == [("A-2", "allocated"), ("A-5", "held")]
    assert d[1]["hold"]["id"] == hold["hold_id"]
    assert client.get(f"{base}/seats/details", headers=h).json()["error"]["code"] == "validation_failed"

    # the box office: a buyer's held seat wins, nothing is sold; then allocated + free seats are sold
    sale = {"seat_keys": ["A-4", "A-5"], "buyer_name": "Desk Buyer", "buyer_email": "desk@example.com"}
    r = client.post(f"{base}/box-office/orders", json=sale, headers=h)
    assert r.status_code == 409 and r.json()["error"]["code"] == "seat_held"
    assert r.json()["error"]["details"]["seat_key"] == "A-5" and statuses(db, event)["A-4"] == "free"
    r = client.post(f"{base}/box-office/orders", json={**sale, "seat_keys": ["A-2", "A-4"], "payment_method": "cash"},
                    headers=h)
    assert r.status_code == 201, r.text
    out = r.json()
    assert out["status"] == "paid" and out["total_cents"] == 40000 and f"/orders/{out['order_code']}?token=" in out["order_url"]
    order = db.get(Order, out["order_id"])
    assert order.provider == "box_office" and len(db.exec(select(Ticket).where(Ticket.order_id == order.id)).all()) == 2
    assert db.exec(select(LedgerEntry.amount_cents).where(LedgerEntry.order_id == order.id)).all() == [40000]
    assert client.get(f"/api/v1/orders/{order.id}", headers=h).json()["status"] == "paid"
    assert statuses(db, event)["A-2"] == "sold"
    r = client.post(f"{base}/seats/release", json={"seat_keys": ["A-2", "A-3"]}, headers=h)
    assert r.json() == {"changed": 1, "skipped": [{"key": "A-2", "status": "sold"}]}
    assert client.post(f"{base}/seats/unblock", json={"seat_keys": ["A-1"]}, headers=h).json() == {"changed": 1}

    # bad input: 4xx with a code, never a 500, nothing changed
    for path, body, status, code in [
        ("seats/allocate", {"seat_keys": ["A-6"], "label": ""}, 422, "validation_failed"),
        ("seats/allocate", {"seat_keys": [], "label": "Press"}, 422, "validation_failed"),
        ("seats/block", {"seat_keys": ["x" * 65]}, 422, "validation_failed"),
        ("box-office/orders", {**sale, "seat_keys": ["A-6"], "buyer_email": "nope"}, 422, "validation_failed"),
        ("box-office/orders", {**sale, "seat_keys": ["A-6"], "payment_method": "iou"}, 422, "validation_failed"),
        ("box-office/orders", {**sale, "seat_keys": ["Z-1"]}, 404, "not_found"),
    ]:
        r = client.post(f"{base}/{path}", json=body, headers=h)
        assert (r.status_code, r.json()["error"]["code"]) == (status, code), (path, body, r.text)
    assert statuses(db, event)["A-6"] == "free"

    # another organisation's key: 404 everywhere, nothing changed
    oh = auth(db, make_org(db).id)
    for method, path, body in [("get", "seats", None), ("get", "seats/layout", None), ("get", "seated-sales", None),
                               ("post", "seats/block", {"seat_keys": ["A-6"]}),
                               ("post", "seats/allocate", {"seat_keys": ["A-6"], "label": "Press"}),
                               ("post", "box-office/orders", {**sale, "seat_keys": ["A-6"]})]:
        r = client.request(method.upper(), f"{base}/{path}", json=body, headers=oh)
        assert (r.status_code, r.json()["error"]["code"]) == (404, "not_found"), path
    assert statuses(db, event)["A-6"] == "free"


def test_cookie_routes_for_the_organiser_seat_map(client, db):
    event, ctx, _ = seated_event(db, rows=(("A", 3),))
    org = db.get(Organization, event.organization_id)
    staff = make_user(db, org=org, role="staff")
    _row, token = accounts.new_session(db, staff, organization_id=org.id, now=datetime.now(UTC))
    base = f"/api/organiser/events/{event.id}"
    assert client.get(f"{base}/seats").status_code == 401
    client.cookies.set("vg_session", token)
    assert client.get(f"{base}/seats").json()["counts"]["total"] == 3
    assert client.get(f"{base}/seats/layout").status_code == 200
    r = client.post(f"{base}/seats/allocate", json={"seat_keys": ["A-1"], "label": "Press"})
    assert r.status_code == 403, "a write without the header is refused"
    bh = {"X-Voelgoed-Builder": "1"}
    assert client.post(f"{base}/seats/allocate", json={"seat_keys": ["A-1"], "label": "Press"}, headers=bh).status_code == 200
    r = client.post(f"{base}/box-office/orders", headers=bh,
                    json={"seat_keys": ["A-1"], "buyer_name": "Desk", "buyer_email": "d@example.com", "payment_method": "card"})
    assert r.status_code == 201 and r.json()["seats"][0]["allocation"] == "Press"
    assert client.get(f"{base}/seats/details", params={"keys": "A-1"}).json()["seats"][0]["status"] == "sold"
    viewer = make_user(db, org=org, role="viewer")
    _row, vtoken = accounts.new_session(db, viewer, organization_id=org.id, now=datetime.now(UTC))
    client.cookies.set("vg_session", vtoken)
    assert client.get(f"{base}/seats").status_code == 200
    r = client.post(f"{base}/seats/block", json={"seat_keys": ["A-2"]}, headers=bh)
    assert (r.status_code, r.json()["error"]["code"]) == (403, "forbidden")
    outsider_org = make_org(db)
    outsider = make_user(db, org=outsider_org, role="owner")
    _row, otoken = accounts.new_session(db, outsider, organization_id=outsider_org.id, now=datetime.now(UTC))
    client.cookies.set("vg_session", otoken)
    assert client.get(f"{base}/seats").status_code == 404
    assert statuses(db, event)["A-2"] == "free"


def test_box_office_standing_places_and_a_whole_table_over_the_api(client, db):
    event, _, _ = seated_event(db, layout=ga_layout(5))
    h, base = auth(db, event.organization_id), f"/api/v1/events/{event.id}"
    buyer = {"buyer_name": "Desk Buyer", "buyer_email": "desk@example.com"}
    for body, status, code in [
        ({"areas": [{"key": "floor", "quantity": 0}]}, 422, "validation_failed"),
        ({"areas": [{"key": "floor", "quantity": 6}]}, 409, "area_full"),
        ({"seat_keys": ["T1-1"]}, 409, "table_whole"),
        ({"tables": ["T9"]}, 404, "not_found"),
        ({}, 422, "validation_failed"),
    ]:
        r = client.post(f"{base}/box-office/orders", json={**buyer, **body}, headers=h)
        assert (r.status_code, r.json()["error"]["code"]) == (status, code), (body, r.text)
    assert set(statuses(db, event).values()) == {"free"} and db.exec(select(Order)).all() == []
    r = client.post(f"{base}/box-office/orders", json={**buyer, "areas": [{"key": "floor", "quantity": 2}], "tables": ["T1"]},
                    headers=h)
    assert r.status_code == 201, r.text
    assert (r.json()["tickets"], r.json()["tables"], r.json()["areas"][0]["quantity"]) == (6, ["T1"], 2)
    seats = client.get(f"{base}/seats", headers=h).json()
    assert seats["areas"] == {"floor": {"capacity": 5, "sold": 2, "held": 0, "free": 3}} and seats["tables"] == {"T1": "sold"}
    layout = client.get(f"{base}/seats/layout", headers=h).json()
    assert sorted(a["key"] for a in layout["areas"]) == ["T1", "floor"]
