"""Scoped API keys over the whole API-key surface (issue 14, item 2).

The sweep finds every route of ``create_api()`` that authenticates with an API key
(``deps.api_key_context`` anywhere in its dependency tree) — routes other helpers add are picked up
automatically — and FAILS for a route that authenticates a key without declaring its scopes through
``deps.require_scope(...)``. For each route:

- a key holding every scope except the route's → 403 ``insufficient_scope`` naming the missing scope;
- a key holding only the route's scopes → not 401/403/5xx (success, or 404/409/422 from the route itself);
- a key limited to another event → 403 ``event_not_allowed`` on every event-bound route.

Plus the key lifecycle: revoked keys, ``last_used_at`` (at most one write a minute), per-key rate
limits (429 with ``Retry-After``), the CLI's ``--scope``.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from tests.api.test_cross_tenant import PARAM_RE, _dependency_calls, _fill, _walk_routes, make_world, request_body
from tests.factories import make_event
from voelgoed.api import create_api, deps
from voelgoed.models import ApiKey
from voelgoed.services.accounts import apikeys
from voelgoed.services.platform import clock


def scoped_routes():
    """``[(method, path, required_scopes)]``; a key route without declared scopes fails the test run."""
    found, undeclared = [], []
    for path, route, extra in _walk_routes(create_api().routes):
        calls = list(_dependency_calls(route.dependant)) + list(extra)
        if deps.api_key_context not in calls:
            continue
        declared = [c for c in calls if getattr(c, "required_scopes", None)]
        for method in sorted(route.methods - {"HEAD", "OPTIONS"}):
            if not declared:
                undeclared.append(f"{method} {path}")
                continue
            scopes = tuple(sorted({s for c in declared for s in c.required_scopes}))
            found.append((method, path, scopes))
    return sorted(set(found)), undeclared


ROUTES, UNDECLARED = scoped_routes()
IDS = [f"{m} {p}" for m, p, _ in ROUTES]


def test_every_api_key_route_declares_its_scopes():
    assert ROUTES, "the sweep found no API-key route"
    assert UNDECLARED == [], f"API-key routes without require_scope(...): {UNDECLARED}"
    # guards the walker: the contract routes are among those checked, with the scopes docs/webhooks.md lists
    table = {(m, p): s for m, p, s in ROUTES}
    assert table[("POST", "/api/v1/tickets/{ticket_id}/void")] == ("tickets:write",)
    assert table[("GET", "/api/v1/orders")] == ("orders:read",)
    assert table[("POST", "/api/v1/events/{event_id}/devices")] == ("devices:write",)
    assert table[("POST", "/api/v1/webhooks/endpoints")] == ("webhooks:write",)


def test_require_scope_refuses_unknown_scope_names():
    with pytest.raises(ValueError, match="unknown"):
        deps.require_scope("events:raed")


def _key(db, world, scopes, event_ids=None) -> str:
    _row, secret = apikeys.create_api_key(db, organization_id=world["org"].id, name="scoped", scopes=scopes,
                                          event_ids=event_ids)
    return secret


@pytest.mark.parametrize(("method", "path", "scopes"), ROUTES, ids=IDS)
def test_route_needs_its_scope(client, db, method, path, scopes):
    world = make_world(db)
    url, body = _fill(path, world), request_body(method, path)
    without = _key(db, world, [s for s in apikeys.SCOPES if s not in scopes])
    answer = client.request(method, url, json=body, headers={"Authorization": f"Bearer {without}"})
    assert answer.status_code == 403, (method, url, answer.status_code, answer.text)
    error = answer.json()["error"]
    assert error["code"] == "insufficient_scope"
    assert set(error["details"]["missing"]) == set(scopes)

    only = _key(db, world, list(scopes))
    answer = client.request(method, url, json=body, headers={"Authorization": f"Bearer {only}"})
    assert answer.status_code not in (401, 403) and answer.status_code < 500, (method, url, answer.status_code, answer.text)


EVENT_BOUND = [r for r in ROUTES if {"event_id", "ticket_type_id", "order_id", "ticket_id"} & set(PARAM_RE.findall(r[1]))]


@pytest.mark.parametrize(("method", "path", "scopes"), EVENT_BOUND, ids=[f"{m} {p}" for m, p, _ in EVENT_BOUND])
def test_key_limited_to_another_event_is_refused(client, db, method, path, scopes):
    world = make_world(db)
    other = make_event(db, world["org"], venue=world["venue"])
    limited = _key(db, world, None, event_ids=[str(other.id)])
    answer = client.request(method, _fill(path, world), json=request_body(method, path),
                            headers={"Authorization": f"Bearer {limited}"})
    assert answer.status_code == 403, answer.text
    assert answer.json()["error"]["code"] == "event_not_allowed"


def test_event_limited_key_lists_only_its_events_and_must_filter_orders(client, db):
    world = make_world(db)
    other = make_event(db, world["org"], venue=world["venue"])
    limited = _key(db, world, None, event_ids=[str(other.id)])
    auth = {"Authorization": f"Bearer {limited}"}
    listed = client.get("/api/v1/events", headers=auth).json()["events"]
    assert [e["id"] for e in listed] == [str(other.id)]
    refused = client.get("/api/v1/orders", headers=auth)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "event_not_allowed"
    assert client.get(f"/api/v1/orders?event_id={other.id}", headers=auth).status_code == 200
    assert client.get(f"/api/v1/orders?event_id={world['event'].id}", headers=auth).status_code == 403


def test_revoked_key_is_told_it_was_revoked(client, db):
    world = make_world(db)
    key = db.exec(select(ApiKey).where(ApiKey.organization_id == world["org"].id)).first()
    key.revoked_at = clock.utcnow()
    db.add(key)
    db.flush()
    answer = client.get("/api/v1/events", headers={"Authorization": f"Bearer {world['secret']}"})
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "unauthenticated"
    assert answer.json()["error"]["details"]["reason"] == "revoked"


def test_unknown_scope_or_event_at_creation_is_a_validation_error(db):
    world = make_world(db)
    from voelgoed.services.platform import ValidationFailed

    with pytest.raises(ValidationFailed) as bad:
        apikeys.create_api_key(db, organization_id=world["org"].id, name="x", scopes=["orders:delete"])
    assert "orders:delete" in bad.value.details["fields"]["scopes"]
    with pytest.raises(ValidationFailed):
        apikeys.create_api_key(db, organization_id=world["org"].id, name="x", event_ids=["not-an-id"])


def test_last_used_at_is_written_at_most_once_a_minute(db):
    world = make_world(db)
    now = clock.utcnow()
    apikeys.authenticate(db, world["secret"], now=now)
    key = db.get(ApiKey, world["api_key"].id)
    db.refresh(key)
    assert clock.aware(key.last_used_at) == now
    apikeys.authenticate(db, world["secret"], now=now + timedelta(seconds=30))
    db.refresh(key)
    assert clock.aware(key.last_used_at) == now  # no write within the minute
    apikeys.authenticate(db, world["secret"], now=now + timedelta(seconds=61))
    db.refresh(key)
    assert clock.aware(key.last_used_at) == now + timedelta(seconds=61)


def test_per_key_rate_limit_answers_429_with_retry_after(client, db):
    world = make_world(db)
    _row, secret = apikeys.create_api_key(db, organization_id=world["org"].id, name="slow", rate_limit="3/minute")
    auth = {"Authorization": f"Bearer {secret}"}
    assert [client.get("/api/v1/events", headers=auth).status_code for _ in range(3)] == [200, 200, 200]
    limited = client.get("/api/v1/events", headers=auth)
    assert limited.status_code == 429
    assert limited.json()["error"]["code"] == "rate_limited"
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    # another key of the same organisation has its own budget
    assert client.get("/api/v1/events", headers={"Authorization": f"Bearer {world['secret']}"}).status_code == 200
