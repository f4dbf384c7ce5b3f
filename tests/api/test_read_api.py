"""The read API (docs/api.md): keyset pagination by (updated_at, id), updated_since, filters, signed
cursors, the error envelope for every bad parameter, tenant isolation, attendees' names, scans."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.api.test_cross_tenant import _walk_routes
from tests.factories import make_event, make_org, make_ticket_type
from tests.scan_factories import make_device, make_order_with_tickets, owner_ctx
from voelgoed.api import create_api
from voelgoed.services.accounts import apikeys
from voelgoed.services.tickets import tickets as tickets_svc

T0 = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)


def _auth(db, org) -> dict:
    _key, secret = apikeys.create_api_key(db, organization_id=org.id, name="sync")
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def world(db):
    """One organisation, one event, 5 tickets with distinct updated_at (two share one, to test the id tiebreak)."""
    org = make_org(db)
    event = make_event(db, org, starts_in=timedelta(hours=-1))
    tt = make_ticket_type(db, event, name="General")
    order, ts = make_order_with_tickets(db, tt, quantity=5, holder_name="")
    order.buyer_name, order.buyer_email = "Naledi Dlamini", "naledi@example.com"
    for i, t in enumerate(ts):
        t.updated_at = T0 + timedelta(minutes=min(i, 3))  # tickets 3 and 4 share a timestamp
    ts[1].holder_name = "Sipho Nkosi"
    db.add_all([order, *ts])
    db.flush()
    return {"org": org, "event": event, "tt": tt, "order": order, "tickets": ts, "auth": _auth(db, org)}


def _walk(client, url, headers, limit):
    seen, cursor, pages = [], None, 0
    while True:
        r = client.get(url, params={"limit": limit, **({"cursor": cursor} if cursor else {})}, headers=headers)
        assert r.status_code == 200, r.text
        body = r.json()
        seen += body["data"]
        pages += 1
        cursor = body["next_cursor"]
        if not body["has_more"]:
            return seen, cursor, pages


def test_walking_the_pages_returns_every_ticket_once_in_updated_order(client, world):
    seen, _cursor, pages = _walk(client, "/api/v1/sync/tickets", world["auth"], limit=2)
    expected = sorted(world["tickets"], key=lambda t: (t.updated_at, str(t.id)))
    assert [row["id"] for row in seen] == [str(t.id) for t in expected]
    assert pages == 3


def test_the_last_cursor_resumes_with_only_what_changed_later(client, db, world):
    _seen, cursor, _ = _walk(client, "/api/v1/sync/tickets", world["auth"], limit=50)
    r = client.get("/api/v1/sync/tickets", params={"cursor": cursor}, headers=world["auth"])
    assert r.json()["data"] == [] and r.json()["next_cursor"] == cursor  # nothing new: keep the same cursor

    target = world["tickets"][2]
    tickets_svc.void_ticket(db, owner_ctx(world["org"]), ticket_id=target.id, reason="chargeback", now=T0 + timedelta(hours=1))
    r = client.get("/api/v1/sync/tickets", params={"cursor": cursor}, headers=world["auth"])
    assert [(row["id"], row["status"]) for row in r.json()["data"]] == [(str(target.id), "voided")]


def test_updated_since_is_inclusive_and_updated_before_exclusive(client, world):
    h = world["auth"]
    r = client.get("/api/v1/sync/tickets", params={"updated_since": (T0 + timedelta(minutes=1)).isoformat(),
                                                    "updated_before": (T0 + timedelta(minutes=3)).isoformat()}, headers=h)
    assert sorted(row["id"] for row in r.json()["data"]) == sorted(str(t.id) for t in world["tickets"][1:3])


def test_attendees_use_the_holder_name_where_set_and_the_buyer_otherwise(client, world):
    r = client.get("/api/v1/sync/attendees", params={"event_id": str(world["event"].id)}, headers=world["auth"])
    by_ticket = {row["ticket_id"]: row for row in r.json()["data"]}
    sipho = by_ticket[str(world["tickets"][1].id)]
    other = by_ticket[str(world["tickets"][0].id)]
    assert (sipho["name"], sipho["name_source"], sipho["email"]) == ("Sipho Nkosi", "holder", "naledi@example.com")
    assert (other["name"], other["name_source"], other["email_source"]) == ("Naledi Dlamini", "buyer", "buyer")


def test_orders_search_by_code_and_email_and_filter_by_status(client, db, world):
    h, order = world["auth"], world["order"]
    assert [o["id"] for o in client.get("/api/v1/sync/orders", params={"search": order.order_code.lower()},
                                        headers=h).json()["data"]] == [str(order.id)]
    assert client.get("/api/v1/sync/orders", params={"search": "NALEDI@EXAMPLE"}, headers=h).json()["data"][0]["tickets"] == 5
    assert client.get("/api/v1/sync/orders", params={"status": "pending"}, headers=h).json()["data"] == []
    assert client.get("/api/v1/sync/orders", params={"search": "%"}, headers=h).json()["data"] == []  # LIKE wildcards escaped


def test_events_status_filter_is_the_effective_status(client, db, world):
    h = world["auth"]
    later = make_event(db, world["org"], starts_in=timedelta(days=3))
    live = client.get("/api/v1/sync/events", params={"status": "live"}, headers=h).json()["data"]
    published = client.get("/api/v1/sync/events", params={"status": "published"}, headers=h).json()["data"]
    assert [e["id"] for e in live] == [str(world["event"].id)]
    assert [e["id"] for e in published] == [str(later.id)]
    assert live[0]["timezone"] == "Africa/Johannesburg"


def test_scans_list_check_ins_and_a_relabelled_scan_moves_forward(client, db, world):
    device, token = make_device(db, world["event"])
    t = world["tickets"][0]
    dev = {"Authorization": f"Bearer {token}"}
    now = datetime.now(UTC)
    r = client.post("/api/v1/scanner/scans", json={"qr": t.qr_payload, "client_scan_id": "live-1"}, headers=dev)
    assert r.json()["result"] == "accepted"
    first = client.get("/api/v1/sync/scans", params={"result": "accepted"}, headers=world["auth"]).json()
    assert [(s["ticket_code"], s["device_name"]) for s in first["data"]] == [(t.ticket_code, device.name)]
    # an offline scan from before takes the admission over: the live scan is re-labelled and shows up again
    earlier = (now - timedelta(minutes=10)).isoformat()
    client.post("/api/v1/scanner/sync", json={"scans": [{"client_scan_id": "off-1", "qr": t.qr_payload,
                                                         "scanned_at": earlier, "local_result": "accepted"}]}, headers=dev)
    r = client.get("/api/v1/sync/scans", params={"cursor": first["next_cursor"], "result": "invalid"},
                   headers=world["auth"])
    assert r.status_code == 422 and r.json()["error"]["details"]["fields"]["cursor"]  # cursor bound to its filters
    changed = client.get("/api/v1/sync/scans", params={"updated_since": first["data"][0]["updated_at"]},
                         headers=world["auth"]).json()["data"]
    assert sorted(s["result"] for s in changed) == ["accepted", "duplicate_offline"]
    one = client.get(f"/api/v1/scans/{first['data'][0]['id']}", headers=world["auth"]).json()
    assert one["result"] == "duplicate_offline"


def test_another_organisations_rows_never_appear_and_its_event_id_is_not_found(client, db, world):
    other = make_org(db)
    other_auth = _auth(db, other)
    for path in ("events", "orders", "tickets", "attendees", "scans"):
        assert client.get(f"/api/v1/sync/{path}", headers=other_auth).json()["data"] == [], path
        r = client.get(f"/api/v1/sync/{path}", params={"event_id": str(world["event"].id)}, headers=other_auth)
        if path != "events":
            assert r.status_code == 404 and r.json()["error"]["code"] == "not_found", (path, r.text)
    assert client.get(f"/api/v1/tickets/{world['tickets'][0].id}", headers=other_auth).status_code == 404
    # a cursor of organisation A is refused with B's key (it cannot be used to probe A's positions)
    cursor = client.get("/api/v1/sync/tickets", params={"limit": 1}, headers=world["auth"]).json()["next_cursor"]
    r = client.get("/api/v1/sync/tickets", params={"cursor": cursor}, headers=other_auth)
    assert r.status_code == 422 and "cursor" in r.json()["error"]["details"]["fields"]


@pytest.mark.parametrize("params", [
    {"limit": 0}, {"limit": 201}, {"limit": "ten"},
    {"updated_since": "2026-11-01T08:00:00"},  # no offset
    {"updated_since": "yesterday"},
    {"created_from": "2026-11-02T00:00:00Z", "created_to": "2026-11-01T00:00:00Z"},
    {"updated_since": "2026-11-02T00:00:00Z", "updated_before": "2026-11-02T00:00:00Z"},
    {"status": "lost"},
    {"cursor": "garbage"}, {"cursor": "a.b"}, {"cursor": "x" * 600},
    {"search": "x" * 121},
])
def test_every_bad_parameter_is_a_422_envelope_with_fields(client, world, params):
    for path in ("tickets", "orders", "attendees"):
        r = client.get(f"/api/v1/sync/{path}", params=params, headers=world["auth"])
        assert r.status_code == 422, (path, params, r.status_code, r.text)
        error = r.json()["error"]
        assert error["code"] == "validation_failed" and error["details"]["fields"], error


def test_a_tampered_cursor_is_refused(client, world):
    cursor = client.get("/api/v1/sync/tickets", params={"limit": 1}, headers=world["auth"]).json()["next_cursor"]
    body, sig = cursor.split(".")
    forged = body[:-2] + ("AA" if body[-2:] != "AA" else "BB") + "." + sig
    r = client.get("/api/v1/sync/tickets", params={"cursor": forged}, headers=world["auth"])
    assert r.status_code == 422 and r.json()["error"]["details"]["fields"]["cursor"]


def test_without_a_key_the_lists_are_401(client, world):
    r = client.get("/api/v1/sync/tickets")
    assert r.status_code == 401 and r.json()["error"]["code"] == "unauthenticated"


def test_every_read_route_declares_its_scopes_and_documents_its_response():
    api = create_api()
    spec = api.openapi()
    read_paths = [p for p in spec["paths"] if p.startswith("/api/v1/sync/") or p in
                  ("/api/v1/tickets/{ticket_id}", "/api/v1/scans/{scan_id}")]
    assert len(read_paths) == 7
    for path in read_paths:
        ok = spec["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        name = ok["$ref"].rsplit("/", 1)[-1]
        assert spec["components"]["schemas"][name].get("examples"), name
    scoped = {path: dep.call.required_scopes for path, route, _extra in _walk_routes(api.routes) if path in read_paths
              for dep in route.dependant.dependencies if hasattr(dep.call, "required_scopes")}
    assert scoped["/api/v1/sync/tickets"] == ("tickets:read",)
    assert scoped["/api/v1/sync/attendees"] == ("tickets:read", "orders:read")
    assert set(scoped) == set(read_paths)


@pytest.mark.parametrize("url", [
    "/api/v1/sync/orders?search=%00", "/api/v1/sync/scans?gate_code=a%00", "/api/v1/sync/tickets?search=x%01y",
    "/api/v1/orders?search=%00", "/api/v1/events?search=%00",  # found while building the contract run: were 503
    "/api/v1/public/orders/VG-%00/tickets/x.pdf?access_token=x", "/api/v1/public/organisations/%00/events.ics",
])
def test_control_characters_in_a_parameter_are_a_422_never_a_5xx(client, world, url):
    r = client.get(url, headers=world["auth"])
    assert r.status_code in (404, 422), (url, r.status_code, r.text)
    if r.status_code == 422:
        assert r.json()["error"]["code"] == "validation_failed" and r.json()["error"]["details"]["fields"]
