"""Public seated-sales API (issue 12): layout with ETag/304, snapshot + changes, hold → extend → release with the
token, best available, checkout with the hold token; bad input answers clear errors and changes nothing."""

from __future__ import annotations

from sqlmodel import select

from tests.seated_factories import seated_event
from voelgoed.models import EventSeat, Hold

BASE = "/api/v1/public"


def _statuses(db, event):
    db.expire_all()
    return {s.seat_key: s.status for s in db.exec(select(EventSeat).where(EventSeat.event_id == event.id))}


def test_layout_is_cacheable_with_an_etag(client, db):
    event, _, types = seated_event(db)
    r = client.get(f"{BASE}/events/{event.slug}/seating/layout")
    assert r.status_code == 200 and r.headers["cache-control"] == "public, max-age=60"
    body = r.json()
    assert body["layout"]["sections"][0]["rows"][0]["seats"][0]["key"] == "A-1"
    assert {c["key"]: c["price_cents"] for c in body["categories"]} == {"std": 20000, "vip": 50000}
    again = client.get(f"{BASE}/events/{event.slug}/seating/layout", headers={"If-None-Match": r.headers["etag"]})
    assert again.status_code == 304 and again.headers["etag"] == r.headers["etag"]
    assert client.get(f"{BASE}/events/nope/seating/layout").json()["error"]["code"] == "not_found"


def test_layout_is_gzipped_when_the_client_accepts_it(client, db):
    event, _, _ = seated_event(db, rows=tuple((chr(65 + r), 40) for r in range(10)))
    url = f"{BASE}/events/{event.slug}/seating/layout"
    plain = client.get(url, headers={"Accept-Encoding": "identity"})
    assert plain.status_code == 200 and "content-encoding" not in plain.headers
    zipped = client.get(url, headers={"Accept-Encoding": "br, gzip"})
    assert zipped.status_code == 200 and zipped.headers["content-encoding"] == "gzip"
    assert zipped.headers["vary"] == "Accept-Encoding" and zipped.headers["etag"] == plain.headers["etag"]
    assert zipped.json() == plain.json()   # httpx decodes it
    assert int(zipped.headers["content-length"]) < len(plain.content) / 3
    again = client.get(url, headers={"Accept-Encoding": "gzip", "If-None-Match": plain.headers["etag"]})
    assert again.status_code == 304 and not again.content


def test_hold_extend_release_and_the_feed(client, db):
    event, _, _ = seated_event(db)
    snap = client.get(f"{BASE}/events/{event.slug}/seating/status").json()
    assert snap == {"seq": 0, "held": [], "sold": [], "blocked": [], "areas": {}, "tables": {}}
    r = client.post(f"{BASE}/events/{event.slug}/seat-holds", json={"seat_keys": ["A-2", "A-1"]})
    assert r.status_code == 201, r.text
    hold = r.json()
    assert [s["key"] for s in hold["seats"]] == ["A-1", "A-2"] and hold["total_cents"] == 40000
    ch = client.get(f"{BASE}/events/{event.slug}/seating/changes", params={"since": snap["seq"]}).json()
    assert sorted(c["key"] for c in ch["changes"]) == ["A-1", "A-2"] and ch["seq"] > 0
    taken = client.post(f"{BASE}/events/{event.slug}/seat-holds", json={"seat_keys": ["A-2", "A-3"]})
    assert taken.status_code == 409 and taken.json()["error"]["code"] == "seat_held"
    assert taken.json()["error"]["details"]["seat_key"] == "A-2"
    assert _statuses(db, event)["A-3"] == "free"
    ext = client.post(f"{BASE}/seat-holds/extend", json={"hold_token": hold["hold_token"]})
    assert ext.status_code == 200 and ext.json()["hold_id"] == hold["hold_id"]
    forged = client.post(f"{BASE}/seat-holds/extend", json={"hold_token": hold["hold_id"] + ".00"})
    assert forged.status_code == 404
    assert client.post(f"{BASE}/seat-holds/release", json={"hold_token": hold["hold_token"]}).status_code == 204
    assert _statuses(db, event)["A-1"] == "free"


def test_bad_input_is_refused_and_changes_nothing(client, db):
    event, _, _ = seated_event(db)
    for body in ({}, {"seat_keys": []}, {"seat_keys": "A-1"}, {"seat_keys": [1]}, {"seat_keys": ["A-1"], "x": 1},
                 {"seat_keys": ["a" * 65]}):
        r = client.post(f"{BASE}/events/{event.slug}/seat-holds", json=body)
        assert r.status_code == 422 and r.json()["error"]["code"] == "validation_failed", (body, r.text)
    assert client.post(f"{BASE}/events/{event.slug}/seat-holds", json={"seat_keys": ["Z-1"]}).status_code == 404
    r = client.post(f"{BASE}/events/{event.slug}/seat-holds", json={"seat_keys": [f"A-{i}" for i in range(1, 12)]})
    assert r.status_code in (404, 409)
    r = client.get(f"{BASE}/events/{event.slug}/seating/changes", params={"since": "x"})
    assert r.status_code == 422
    for body in ({"quantity": 0, "category": "std"}, {"quantity": 2, "category": "nope"}, {"quantity": "2", "category": "std"}):
        r = client.post(f"{BASE}/events/{event.slug}/seat-holds/best-available", json=body)
        assert r.status_code == 422, (body, r.text)
    assert set(_statuses(db, event).values()) == {"free"}
    assert db.exec(select(Hold)).first() is None


def test_best_available_then_checkout(client, db):
    event, _, _ = seated_event(db, rows=(("A", 10), ("B", 10)))
    r = client.post(f"{BASE}/events/{event.slug}/seat-holds/best-available", json={"quantity": 4, "category": "std"})
    assert r.status_code == 201, r.text
    hold = r.json()
    assert hold["step"] == "row_no_gap" and len({s["row"] for s in hold["seats"]}) == 1
    nums = sorted(int(s["seat"]) for s in hold["seats"])
    assert nums == list(range(nums[0], nums[0] + 4))
    co = client.post(f"{BASE}/holds/{hold['hold_token']}/checkout", json={"buyer_name": "Sipho", "buyer_email": "s@example.co.za"})
    assert co.status_code == 201, co.text
    assert co.json()["order_code"].startswith("VG-")


def test_seated_routes_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for p in ("/api/v1/public/events/{slug}/seating/layout", "/api/v1/public/events/{slug}/seating/status",
              "/api/v1/public/events/{slug}/seating/changes", "/api/v1/public/events/{slug}/seat-holds",
              "/api/v1/public/events/{slug}/seat-holds/best-available", "/api/v1/public/seat-holds/extend",
              "/api/v1/public/seat-holds/release"):
        assert p in paths
