"""Seating plan API (API key) and the builder's cookie routes: the full flow, bad input (no 500s, nothing
changed), ETags, tenant isolation."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlmodel import select

from tests.factories import make_org, make_user, make_venue
from tests.seating_factories import block_layout
from voelgoed.models import SeatingPlan, SeatingPlanVersion
from voelgoed.services.accounts import accounts, apikeys


def auth(db, org):
    _key, secret = apikeys.create_api_key(db, organization_id=org.id, name="test")
    return {"Authorization": f"Bearer {secret}"}


def setup(db):
    org = make_org(db)
    return org, make_venue(db, org), auth(db, org)


def test_plan_flow_create_put_validate_publish_versions_export(client, db):
    _org, venue, h = setup(db)
    r = client.post(f"/api/v1/venues/{venue.id}/seating-plans", json={"name": "Main hall"}, headers=h)
    assert r.status_code == 201, r.text
    plan = r.json()
    assert plan["draft_revision"] == 0 and plan["summary"]["seats"] == 0
    pid = plan["id"]

    r = client.post(f"/api/v1/seating-plans/{pid}/validate", headers=h)
    assert r.status_code == 200 and not r.json()["publishable"]
    assert {p["code"] for p in r.json()["problems"]} == {"no_seats", "no_focal_point"}
    r = client.post(f"/api/v1/seating-plans/{pid}/publish", headers=h)
    assert r.status_code == 409 and r.json()["error"]["code"] == "plan_invalid"
    assert r.json()["error"]["details"]["problems"]

    r = client.put(f"/api/v1/seating-plans/{pid}/draft?base_revision=0", content=json.dumps(block_layout()),
                   headers={**h, "Content-Type": "application/json"})
    assert r.status_code == 200, r.text
    assert r.json()["draft_revision"] == 1 and r.json()["summary"]["seats"] == 10
    r = client.put(f"/api/v1/seating-plans/{pid}/draft?base_revision=0", content=json.dumps(block_layout()), headers=h)
    assert r.status_code == 409 and r.json()["error"]["code"] == "stale_draft"

    r = client.post(f"/api/v1/seating-plans/{pid}/publish", json={"base_revision": 1}, headers=h)
    assert r.status_code == 201, r.text
    assert r.json()["version"]["number"] == 1 and r.json()["diff"]["counts"]["added"] == 10
    r = client.post(f"/api/v1/seating-plans/{pid}/publish", headers=h)
    assert r.status_code == 409 and r.json()["error"]["code"] == "unchanged"

    r = client.get(f"/api/v1/seating-plans/{pid}/versions", headers=h)
    assert [v["number"] for v in r.json()["items"]] == [1]
    r = client.get(f"/api/v1/seating-plans/{pid}/export?version=1", headers=h)
    assert r.status_code == 200 and r.json() == block_layout()
    assert "immutable" in r.headers["cache-control"] and "attachment" in r.headers["content-disposition"]
    etag = r.headers["etag"]
    r = client.get(f"/api/v1/seating-plans/{pid}/export?version=1", headers={**h, "If-None-Match": etag})
    assert r.status_code == 304
    r = client.get(f"/api/v1/seating-plans/{pid}/export?version=7", headers=h)
    assert r.status_code == 404
    r = client.get(f"/api/v1/seating-plans/{pid}", headers=h)
    assert r.json()["layout"] == block_layout() and r.json()["latest_version"] == 1
    r = client.get(f"/api/v1/venues/{venue.id}/seating-plans", headers=h)
    assert [p["id"] for p in r.json()["items"]] == [pid]


def test_bad_layouts_are_clear_errors_and_change_nothing(client, db):
    _org, venue, h = setup(db)
    pid = client.post(f"/api/v1/venues/{venue.id}/seating-plans", json={"name": "Hall"}, headers=h).json()["id"]
    bad_schema = block_layout()
    bad_schema["sections"][0]["rows"][0]["seats"][0]["flags"] = ["vip"]
    cases = [
        (b"{oops", 400, "malformed"),
        (b"", 400, "malformed"),
        (json.dumps(bad_schema).encode(), 422, "layout_invalid"),
        (b"[1, 2]", 422, "layout_invalid"),
        (b"x" * (10 * 1024 * 1024), 413, "too_large"),   # refused at the edge, before it is read
    ]
    for body, status, code in cases:
        r = client.put(f"/api/v1/seating-plans/{pid}/draft", content=body, headers=h)
        assert (r.status_code, r.json()["error"]["code"]) == (status, code), r.text[:300]
    assert db.get(SeatingPlan, pid).draft_revision == 0
    r = client.post(f"/api/v1/venues/{venue.id}/seating-plans", json={"name": "", "layout": {"schema_version": 1}}, headers=h)
    assert r.status_code == 422
    r = client.post(f"/api/v1/venues/{venue.id}/seating-plans", json={"name": "X", "layout": {"schema_version": 1}}, headers=h)
    assert r.status_code == 422 and r.json()["error"]["code"] == "layout_invalid"
    r = client.put("/api/v1/seating-plans/not-a-uuid/draft", content=json.dumps(block_layout()), headers=h)
    assert r.status_code == 404
    r = client.put(f"/api/v1/seating-plans/{pid}/draft", content=json.dumps(block_layout()))
    assert r.status_code == 401


def test_an_arena_layout_over_the_default_body_limit_is_accepted(client, db):
    _org, venue, h = setup(db)
    pid = client.post(f"/api/v1/venues/{venue.id}/seating-plans", json={"name": "Arena"}, headers=h).json()["id"]
    body = json.dumps(block_layout(tuple((f"R{i}", 180) for i in range(100))))
    assert len(body) > 1_000_000, "bigger than MAX_BODY_BYTES' default"
    r = client.put(f"/api/v1/seating-plans/{pid}/draft", content=body, headers=h)
    assert r.status_code == 200, r.text[:300]
    assert r.json()["summary"]["seats"] == 18_000
    r = client.post("/api/v1/venues", content=body, headers={**h, "Content-Type": "application/json"})
    assert r.status_code == 413, "other routes keep the default limit"


def test_another_organisation_gets_404_everywhere(client, db):
    _org, venue, h = setup(db)
    pid = client.post(f"/api/v1/venues/{venue.id}/seating-plans", json={"name": "Hall", "layout": block_layout()},
                      headers=h).json()["id"]
    other = make_org(db)
    oh = auth(db, other)
    for method, path, kw in [("get", f"/api/v1/seating-plans/{pid}", {}),
                             ("put", f"/api/v1/seating-plans/{pid}/draft", {"content": json.dumps(block_layout())}),
                             ("post", f"/api/v1/seating-plans/{pid}/validate", {}),
                             ("post", f"/api/v1/seating-plans/{pid}/publish", {}),
                             ("get", f"/api/v1/seating-plans/{pid}/versions", {}),
                             ("get", f"/api/v1/seating-plans/{pid}/export", {}),
                             ("get", f"/api/v1/venues/{venue.id}/seating-plans", {}),
                             ("post", f"/api/v1/venues/{venue.id}/seating-plans", {"json": {"name": "Mine"}})]:
        r = getattr(client, method)(path, headers=oh, **kw)
        assert r.status_code == 404 and r.json()["error"]["code"] == "not_found", (path, r.text)
    assert db.exec(select(SeatingPlanVersion)).all() == []


def test_builder_routes_use_the_session_cookie_and_need_the_builder_header(client, db):
    org, venue, h = setup(db)
    staff = make_user(db, org=org, role="staff")
    _row, token = accounts.new_session(db, staff, organization_id=org.id, now=datetime.now(UTC))
    pid = client.post(f"/api/v1/venues/{venue.id}/seating-plans", json={"name": "Hall"}, headers=h).json()["id"]
    client.cookies.set("vg_session", token)
    r = client.get(f"/api/builder/seating-plans/{pid}")
    assert r.status_code == 200 and r.json()["may_edit"] is True and r.json()["layout"]["schema_version"] == 1
    r = client.put(f"/api/builder/seating-plans/{pid}/draft?base_revision=0", content=json.dumps(block_layout()))
    assert r.status_code == 403, "a write without the builder header is refused"
    bh = {"X-Voelgoed-Builder": "1"}
    r = client.put(f"/api/builder/seating-plans/{pid}/draft?base_revision=0", content=json.dumps(block_layout()), headers=bh)
    assert r.status_code == 200 and r.json()["draft_revision"] == 1
    assert client.post(f"/api/builder/seating-plans/{pid}/validate").json()["publishable"] is True
    r = client.post(f"/api/builder/seating-plans/{pid}/publish", json={"base_revision": 1}, headers=bh)
    assert r.status_code == 201 and r.json()["version"]["number"] == 1
    client.cookies.set("vg_session", "forged")
    assert client.get(f"/api/builder/seating-plans/{pid}").status_code == 401
    viewer = make_user(db, org=org, role="viewer")
    _row, vtoken = accounts.new_session(db, viewer, organization_id=org.id, now=datetime.now(UTC))
    client.cookies.set("vg_session", vtoken)
    assert client.get(f"/api/builder/seating-plans/{pid}").json()["may_edit"] is False
    r = client.put(f"/api/builder/seating-plans/{pid}/draft", content=json.dumps(block_layout()), headers=bh)
    assert r.status_code == 403
    other = make_org(db)
    outsider = make_user(db, org=other, role="owner")
    _row, otoken = accounts.new_session(db, outsider, organization_id=other.id, now=datetime.now(UTC))
    client.cookies.set("vg_session", otoken)
    assert client.get(f"/api/builder/seating-plans/{pid}").status_code == 404


def test_seating_routes_declare_their_scopes_and_are_in_openapi(client):
    from voelgoed.api.seating import router

    for route in router.routes:
        scopes = {s for d in route.dependant.dependencies for s in getattr(d.call, "required_scopes", ())}
        assert scopes & {"events:write", "events:read"}, route.path
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/seating-plans/{plan_id}/publish" in paths and "/api/v1/venues/{venue_id}/seating-plans" in paths


def test_templates_rename_duplicate_and_attach_to_an_event_over_the_api(client, db):
    from tests.factories import make_event
    from voelgoed.models import Event

    org, venue, h = setup(db)
    event = make_event(db, org, venue=venue)
    r = client.post(f"/api/v1/venues/{venue.id}/seating-plans", json={"name": "Cabaret night", "template": "cabaret"}, headers=h)
    assert r.status_code == 201, r.text
    pid = r.json()["id"]
    assert r.json()["summary"]["tables"] == 12 and r.json()["summary"]["seats"] == 96
    r = client.post(f"/api/v1/venues/{venue.id}/seating-plans", json={"name": "X", "template": "colosseum"}, headers=h)
    assert r.status_code == 422 and "template" in r.json()["error"]["details"]["fields"]
    r = client.post(f"/api/v1/venues/{venue.id}/seating-plans", json={"name": "X", "template": "arena",
                                                                       "layout": block_layout()}, headers=h)
    assert r.status_code == 400
    r = client.patch(f"/api/v1/seating-plans/{pid}", json={"name": "Cabaret (winter)"}, headers=h)
    assert r.status_code == 200 and r.json()["name"] == "Cabaret (winter)"
    r = client.post(f"/api/v1/seating-plans/{pid}/duplicate", json={}, headers=h)
    assert r.status_code == 201 and r.json()["name"] == "Cabaret (winter) (copy)" and r.json()["summary"]["seats"] == 96

    r = client.get(f"/api/v1/events/{event.id}/seating-plan", headers=h)
    assert r.status_code == 200 and r.json() == {"current": None, "options": [], "protected": 0}
    version = client.post(f"/api/v1/seating-plans/{pid}/publish", headers=h).json()["version"]
    r = client.put(f"/api/v1/events/{event.id}/seating-plan", json={"version_id": version["id"]}, headers=h)
    assert r.status_code == 200, r.text
    assert r.json()["current"]["id"] == version["id"] and r.json()["current"]["number"] == 1
    db.expire_all()
    assert str(db.get(Event, event.id).seating_plan_version_id) == version["id"]

    # another organisation's event or version: 404, nothing changed
    other_org, other_venue, other_h = setup(db)
    r = client.put(f"/api/v1/events/{event.id}/seating-plan", json={"version_id": None}, headers=other_h)
    assert r.status_code == 404
    foreign_event = make_event(db, other_org, venue=other_venue)
    r = client.put(f"/api/v1/events/{foreign_event.id}/seating-plan", json={"version_id": version["id"]}, headers=other_h)
    assert r.status_code == 404
    r = client.put(f"/api/v1/events/{event.id}/seating-plan", json={"version_id": "not-a-uuid"}, headers=h)
    assert r.status_code == 404
    r = client.put(f"/api/v1/events/{event.id}/seating-plan", json={"version_id": None}, headers=h)
    assert r.status_code == 200 and r.json()["current"] is None
