"""Public seat-hold API with standing areas and whole tables (issue 12 item 1): ``areas: [{key, quantity}]`` and
``tables: [key]`` next to ``seat_keys`` in one hold; the snapshot and the changes feed report remaining places
and table statuses; bad quantities and keys answer a clear 4xx and hold nothing."""

from __future__ import annotations

from sqlmodel import select

from tests.seated_factories import ga_layout, party_layout, seated_event
from voelgoed.models import EventSeat, Hold

BASE = "/api/v1/public"


def _event(db, capacity=5):
    return seated_event(db, layout=ga_layout(capacity), max_per_buyer=30)[0]


def test_one_hold_with_seats_places_and_a_table_and_the_feed(client, db):
    event = _event(db)
    url = f"{BASE}/events/{event.slug}"
    layout = client.get(f"{url}/seating/layout").json()
    assert {a["key"]: (a["kind"], a["capacity"]) for a in layout["areas"]} == {"floor": ("standing", 5), "T1": ("table", 4)}
    snap = client.get(f"{url}/seating/status").json()
    assert (snap["areas"], snap["tables"]) == ({"floor": 5}, {"T1": "free"})
    r = client.post(f"{url}/seat-holds", json={"seat_keys": ["A-1"], "areas": [{"key": "floor", "quantity": 3}],
                                               "tables": ["T1"]})
    assert r.status_code == 201, r.text
    hold = r.json()
    assert hold["areas"][0]["quantity"] == 3 and hold["tables"] == ["T1"] and len(hold["seats"]) == 5
    assert hold["total_cents"] == 20000 + 3 * 20000 + 4 * 50000
    ch = client.get(f"{url}/seating/changes", params={"since": snap["seq"]}).json()
    assert ch["areas"] == {"floor": 2} and ch["tables"] == {"T1": "held"}
    assert "T1-1" in {c["key"] for c in ch["changes"]}
    only_places = client.post(f"{url}/seat-holds", json={"areas": [{"key": "floor", "quantity": 2}]})
    assert only_places.status_code == 201 and only_places.json()["seats"] == []
    full = client.post(f"{url}/seat-holds", json={"areas": [{"key": "floor", "quantity": 1}], "seat_keys": ["A-5"]})
    assert full.status_code == 409 and full.json()["error"]["code"] == "area_full"
    assert full.json()["error"]["details"] == {"area_key": "floor"}
    assert client.post(f"{BASE}/seat-holds/release", json={"hold_token": hold["hold_token"]}).status_code == 204
    snap = client.get(f"{url}/seating/status").json()
    assert (snap["areas"], snap["tables"]) == ({"floor": 3}, {"T1": "free"})
    view = client.get(f"{BASE}/holds/{only_places.json()['hold_token']}").json()
    assert [(i["area"], i["quantity"]) for i in view["items"]] == [("Floor", 2)]
    # checkout is the existing route with the hold id
    co = client.post(f"{BASE}/holds/{only_places.json()['hold_token']}/checkout",
                     json={"buyer_name": "Naledi", "buyer_email": "n@example.co.za"})
    assert co.status_code == 201 and co.json()["total_cents"] == 2 * 20000, co.text


def test_bad_areas_and_tables_are_refused_and_hold_nothing(client, db):
    event = _event(db)
    other = _event(db)
    url = f"{BASE}/events/{event.slug}/seat-holds"
    for body in ({"areas": [{"key": "floor", "quantity": 0}]}, {"areas": [{"key": "floor", "quantity": -1}]},
                 {"areas": [{"key": "floor", "quantity": "2"}]}, {"areas": [{"key": "floor", "quantity": 2.5}]},
                 {"areas": [{"key": "floor"}]}, {"areas": [{"key": "", "quantity": 1}]},
                 {"areas": [{"key": "floor", "quantity": 1, "x": 1}]}, {"areas": "floor"}, {"tables": "T1"},
                 {"tables": [1]}, {"areas": [{"key": "floor", "quantity": 1}, {"key": "floor", "quantity": 1}]},
                 {"areas": [], "tables": [], "seat_keys": []}, {"areas": [{"key": "floor", "quantity": 101}]}):
        r = client.post(url, json=body)
        assert r.status_code == 422 and r.json()["error"]["code"] == "validation_failed", (body, r.text)
    for body, code, status in (({"areas": [{"key": "floor", "quantity": 6}]}, "area_full", 409),  # > capacity
                               ({"areas": [{"key": "floor", "quantity": 11}]}, "over_cap", 409),  # > max_per_order
                               ({"areas": [{"key": "nope", "quantity": 1}]}, "not_found", 404),
                               ({"tables": ["T9"]}, "not_found", 404),
                               ({"tables": ["T2"]}, "not_found", 404),  # sold per seat, not whole
                               ({"seat_keys": ["T1-1"]}, "table_whole", 409)):
        r = client.post(url, json=body)
        assert (r.status_code, r.json()["error"]["code"]) == (status, code), (body, r.text)
    # another event's keys: the other event is untouched and nothing here is held
    r = client.post(f"{BASE}/events/{other.slug}/seat-holds", json={"areas": [{"key": "floor", "quantity": 5}]})
    assert r.status_code == 201
    assert client.get(f"{BASE}/events/{event.slug}/seating/status").json()["areas"] == {"floor": 5}
    db.expire_all()
    assert len(db.exec(select(Hold)).all()) == 1
    assert {s.status for s in db.exec(select(EventSeat).where(EventSeat.event_id == event.id))} == {"free"}


def test_the_openapi_document_describes_areas_and_tables(client):
    doc = client.get("/api/v1/openapi.json")
    schemas = doc.json()["components"]["schemas"]
    props = schemas["SeatHoldIn"]["properties"]
    assert {"seat_keys", "areas", "tables"} <= set(props)
    assert schemas["AreaPlacesIn"]["properties"]["quantity"]["minimum"] == 1


def test_best_available_over_http_offers_a_whole_table_then_standing_places(client, db):
    event, _, _ = seated_event(db, layout=party_layout(tables=(("T1", 4, 600),)))
    url = f"{BASE}/events/{event.slug}/seat-holds/best-available"
    r = client.post(url, json={"quantity": 3, "category": "vip"})
    assert r.status_code == 201, r.text
    assert (r.json()["step"], r.json()["tables"], len(r.json()["seats"])) == ("table", ["T1"], 4)
    r = client.post(url, json={"quantity": 3, "category": "std"})
    assert r.status_code == 201, r.text
    assert (r.json()["step"], r.json()["areas"][0]["key"], r.json()["areas"][0]["quantity"]) == ("standing", "floor", 3)
    r = client.post(url, json={"quantity": 3, "category": "vip"})
    assert (r.status_code, r.json()["error"]["code"]) == (409, "sold_out")
