"""Tenant isolation over the whole API-key surface (architecture decision 3, api-v1.md "404 … also for
another organisation's objects").

Every route of ``create_api()`` that authenticates with an API key (``deps.api_key_context`` anywhere in
its dependency tree) and has a path parameter ending in ``_id`` or named ``reference``/``order_code`` is
called with organisation A's key on organisation B's objects and must answer 404 ``not_found`` — and,
as the control that shows the 404 comes from tenancy, with B's own key it must not be 404.
Routes other helpers add are picked up automatically; a route with a path parameter this test has no
factory for FAILS (add the factory to ``OBJECT_FOR_PARAM``). Request bodies are generated from the
route's OpenAPI schema (required fields only); ``BODY_OVERRIDES`` fixes routes where that is not enough.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from tests.factories import make_event, make_org, make_ticket_type, make_user, make_venue
from voelgoed.api import create_api, deps
from voelgoed.models import (
    ApiKey,
    Campaign,
    Device,
    EndpointDelivery,
    ExportJob,
    Gate,
    Hold,
    HoldItem,
    Invitation,
    Membership,
    Order,
    OrderItem,
    Payment,
    PromoCode,
    Refund,
    Scan,
    SeatingPlan,
    Ticket,
    TrackedLink,
    WebhookEndpoint,
)
from voelgoed.services.accounts import apikeys
from voelgoed.services.integrations import signing
from voelgoed.services.platform import hash_token, new_code, new_token
from voelgoed.services.seating import empty_layout

PARAM_RE = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(?::[^}]*)?\}")


def _is_tenant_param(name: str) -> bool:
    return name.endswith("_id") or name in ("reference", "order_code")


# path parameter → how to read the value for organisation B's world (see ``make_world``)
OBJECT_FOR_PARAM = {
    "venue_id": lambda w: str(w["venue"].id),
    "gate_id": lambda w: str(w["gate"].id),
    "event_id": lambda w: str(w["event"].id),
    "ticket_type_id": lambda w: str(w["ticket_type"].id),
    "hold_id": lambda w: str(w["hold"].id),
    "order_id": lambda w: str(w["order"].id),
    "order_code": lambda w: w["order"].order_code,
    "ticket_id": lambda w: str(w["ticket"].id),
    "payment_id": lambda w: str(w["payment"].id),
    "refund_id": lambda w: str(w["refund"].id),
    "reference": lambda w: w["payment"].reference,
    "device_id": lambda w: str(w["device"].id),
    "scan_id": lambda w: str(w["scan"].id),
    "membership_id": lambda w: str(w["membership"].id),
    "invitation_id": lambda w: str(w["invitation"].id),
    "key_id": lambda w: str(w["api_key"].id),
    "api_key_id": lambda w: str(w["api_key"].id),
    "user_id": lambda w: str(w["user"].id),
    "slug": lambda w: w["event"].slug,
    "endpoint_id": lambda w: str(w["webhook_endpoint"].id),
    "delivery_id": lambda w: str(w["webhook_delivery"].id),
    "plan_id": lambda w: str(w["seating_plan"].id),
    "export_id": lambda w: str(w["export"].id),
    "campaign_id": lambda w: str(w["campaign"].id),
    "link_id": lambda w: str(w["tracked_link"].id),
    "promo_id": lambda w: str(w["promo_code"].id),
}

# (METHOD, path) → JSON body, for routes whose generated body is not accepted
BODY_OVERRIDES: dict[tuple[str, str], dict] = {
    # the draft body is the layout document (its schema is referenced by $id, not inlined)
    ("PUT", "/api/v1/seating-plans/{plan_id}/draft"): empty_layout("Main hall"),
}


def _walk_routes(routes, prefix="", extra_deps=()):
    """Yield ``(path, route, dependency callables of the include chain)`` through nested routers.

    Works with FastAPI's flat ``APIRoute`` lists and with the newer lazily-included routers.
    """
    for route in routes:
        original = getattr(route, "original_router", None)
        if original is not None:
            ctx = getattr(route, "include_context", None)
            sub_prefix = prefix + (getattr(ctx, "prefix", "") or "")
            sub_deps = tuple(extra_deps) + tuple(getattr(d, "dependency", None) for d in (getattr(ctx, "dependencies", None) or []))
            yield from _walk_routes(original.routes, sub_prefix, sub_deps)
        elif hasattr(route, "dependant") and hasattr(route, "methods"):
            yield prefix + route.path, route, extra_deps


def _dependency_calls(dependant):
    for dep in dependant.dependencies:
        yield dep.call
        yield from _dependency_calls(dep)


def _authenticates_with_api_key(calls) -> bool:
    """``deps.api_key_context`` itself, or a ``deps.require_scope(...)`` dependency (it carries
    ``required_scopes`` and authenticates inside, so it does not show up as a sub-dependency)."""
    return any(c is deps.api_key_context or hasattr(c, "required_scopes") for c in calls)


def api_key_routes():
    """``[(method, path)]`` of every API-key route with a tenant-object path parameter."""
    found = []
    for path, route, extra in _walk_routes(create_api().routes):
        calls = set(_dependency_calls(route.dependant)) | set(extra)
        if not _authenticates_with_api_key(calls):
            continue
        if not any(_is_tenant_param(p) for p in PARAM_RE.findall(path)):
            continue
        for method in sorted(route.methods - {"HEAD", "OPTIONS"}):
            found.append((method, path))
    return sorted(set(found))


ROUTES = api_key_routes()


def api_key_query_routes():
    """``[(path, query parameter)]`` of every API-key GET route with a tenant-object query parameter
    (the read API's ``?event_id=`` filters): another organisation's id there must be 404 as well."""
    found = []
    for path, route, extra in _walk_routes(create_api().routes):
        calls = set(_dependency_calls(route.dependant)) | set(extra)
        if "GET" not in route.methods or not _authenticates_with_api_key(calls):
            continue
        for param in route.dependant.query_params:
            if param.name in OBJECT_FOR_PARAM and _is_tenant_param(param.name):
                found.append((path, param.name))
    return sorted(set(found))


QUERY_ROUTES = api_key_query_routes()


def test_the_enumeration_finds_the_contract_routes():
    """Guards the walker itself: the api-v1.md routes with ids must be among those checked."""
    must = {("POST", "/api/v1/venues/{venue_id}/gates"), ("POST", "/api/v1/events/{event_id}/ticket-types"),
            ("POST", "/api/v1/events/{event_id}/publish"), ("GET", "/api/v1/events/{event_id}/stats"),
            ("POST", "/api/v1/events/{event_id}/devices"), ("GET", "/api/v1/orders/{order_id}"),
            ("POST", "/api/v1/tickets/{ticket_id}/void")}
    assert must <= set(ROUTES), must - set(ROUTES)
    # routes behind deps.require_scope(...) are found too, and so are the read API's ?event_id= filters
    assert ("GET", "/api/v1/tickets/{ticket_id}") in ROUTES
    assert ("/api/v1/sync/tickets", "event_id") in QUERY_ROUTES


def make_world(session: Session) -> dict:
    """One organisation with one of everything (flushed, inside the test's rolled-back transaction)."""
    now = datetime.now(UTC)
    org = make_org(session)
    user = make_user(session, org=org)
    venue = make_venue(session, org, gates=("B1",))
    gate = session.exec(select(Gate).where(Gate.venue_id == venue.id)).one()
    event = make_event(session, org, venue=venue)
    tt = make_ticket_type(session, event, quantity=50)
    hold = Hold(organization_id=org.id, event_id=event.id, expires_at=now + timedelta(minutes=5), total_cents=25000)
    session.add(hold)
    session.flush()
    session.add(HoldItem(organization_id=org.id, hold_id=hold.id, ticket_type_id=tt.id, quantity=1, unit_price_cents=25000))
    order = Order(organization_id=org.id, event_id=event.id, order_code=f"VG-{new_code(6)}", access_token=new_token(16),
                  status="paid", buyer_name="B Buyer", buyer_email="b@example.com", total_cents=25000, paid_at=now)
    session.add(order)
    session.flush()
    item = OrderItem(organization_id=org.id, order_id=order.id, ticket_type_id=tt.id, quantity=1, unit_price_cents=25000)
    session.add(item)
    session.flush()
    ticket = Ticket(organization_id=org.id, event_id=event.id, order_id=order.id, order_item_id=item.id,
                    ticket_type_id=tt.id, ticket_code=new_code(10), holder_name="B Buyer")
    payment = Payment(organization_id=org.id, order_id=order.id, provider="sandbox", reference=f"sbx_{uuid.uuid4().hex}",
                      status="succeeded", amount_cents=25000)
    device = Device(organization_id=org.id, event_id=event.id, gate_id=gate.id, name="B door", token_hash=hash_token(new_token()))
    session.add_all([ticket, payment, device])
    session.flush()
    scan = Scan(organization_id=org.id, event_id=event.id, device_id=device.id, ticket_id=ticket.id,
                client_scan_id=uuid.uuid4().hex, result="accepted", scanned_at=now)
    invitation = Invitation(organization_id=org.id, email="inv@example.com", role="staff", token_hash=hash_token(new_token()),
                            expires_at=now + timedelta(days=7))
    refund = Refund(organization_id=org.id, order_id=order.id, event_id=event.id, payment_id=payment.id, provider="sandbox",
                    status="failed", amount_cents=1000, request_key=uuid.uuid4().hex)
    session.add_all([scan, invitation, refund])
    endpoint = WebhookEndpoint(organization_id=org.id, url="https://hooks.example.com/in", event_types=["order.paid"],
                               secret_enc=signing.seal(signing.new_secret()))
    session.add(endpoint)
    session.flush()
    delivery = EndpointDelivery(organization_id=org.id, endpoint_id=endpoint.id, message_id=f"msg_{uuid.uuid4().hex}",
                                event_type="order.paid", object_key=f"order:{order.id}", body="{}", status="delivered")
    session.add(delivery)
    plan = SeatingPlan(organization_id=org.id, venue_id=venue.id, name="Main hall")
    session.add(plan)
    export = ExportJob(organization_id=org.id, event_id=event.id, kind="orders")
    session.add(export)
    session.flush()
    plan = SeatingPlan(organization_id=org.id, venue_id=venue.id, name="Hall", draft_layout=empty_layout("Hall"))
    session.add(plan)
    session.flush()
    membership = session.exec(select(Membership).where(Membership.user_id == user.id)).one()
    api_key, secret = apikeys.create_api_key(session, organization_id=org.id, name="org key")
    campaign = Campaign(organization_id=org.id, event_id=event.id, name="B campaign")
    session.add(campaign)
    session.flush()
    link = TrackedLink(organization_id=org.id, campaign_id=campaign.id, event_id=event.id, short_code=new_code(8))
    session.add(link)
    session.flush()
    promo = PromoCode(organization_id=org.id, event_id=event.id, code="BPROMO", percent_off=10)
    session.add(promo)
    session.flush()
    return {"promo_code": promo, "campaign": campaign, "tracked_link": link, "org": org, "user": user, "venue": venue, "gate": gate, "event": event, "ticket_type": tt, "hold": hold,
            "order": order, "ticket": ticket, "payment": payment, "device": device, "scan": scan,
            "invitation": invitation, "membership": membership, "refund": refund, "webhook_endpoint": endpoint,
            "webhook_delivery": delivery, "seating_plan": plan, "export": export,
            "api_key": session.get(ApiKey, api_key.id), "secret": secret}


def _sample(schema: dict, components: dict):
    if "$ref" in schema:
        return _sample(components[schema["$ref"].rsplit("/", 1)[-1]], components)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            options = [s for s in schema[key] if s.get("type") != "null"]
            return _sample(options[0], components) if options else None
    if "default" in schema:
        return schema["default"]
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        props = schema.get("properties", {})
        return {name: _sample(props[name], components) for name in schema.get("required", [])}
    if kind == "array":
        return [_sample(schema.get("items", {}), components) for _ in range(schema.get("minItems", 0))]
    if kind == "integer" or kind == "number":
        return max(schema.get("minimum", 1), 1) if schema.get("maximum", 2) >= 1 else schema.get("minimum", 0)
    if kind == "boolean":
        return False
    if kind == "string":
        if schema.get("format") == "date-time":
            return (datetime.now(UTC) + timedelta(days=40)).isoformat()
        if schema.get("format") == "uuid":
            return str(uuid.uuid4())
        return "x" * max(schema.get("minLength", 6), 1)
    return None


def request_body(method: str, path: str) -> dict | None:
    if (method, path) in BODY_OVERRIDES:
        return BODY_OVERRIDES[(method, path)]
    spec = _OPENAPI.get("paths", {}).get(path, {}).get(method.lower(), {})
    content = spec.get("requestBody", {}).get("content", {}).get("application/json")
    if not content:
        return None
    return _sample(content["schema"], _OPENAPI.get("components", {}).get("schemas", {}))


_OPENAPI = create_api().openapi()


def _fill(path: str, world: dict) -> str:
    def value(match: re.Match) -> str:
        name = match.group(1)
        if name not in OBJECT_FOR_PARAM:
            pytest.fail(f"{path}: no factory for path parameter '{{{name}}}' — add it to OBJECT_FOR_PARAM")
        return OBJECT_FOR_PARAM[name](world)
    return PARAM_RE.sub(value, path)


@pytest.mark.parametrize(("method", "path"), ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
def test_api_key_of_another_organisation_gets_not_found(client, db, method, path):
    world_b = make_world(db)
    world_a = make_world(db)
    url = _fill(path, world_b)
    body = request_body(method, path)

    answer = client.request(method, url, json=body, headers={"Authorization": f"Bearer {world_a['secret']}"})
    assert answer.status_code == 404, (method, url, answer.status_code, answer.text)
    assert answer.json()["error"]["code"] == "not_found"

    # control: the owner's key reaches the same object (so the 404 above is tenancy, not a bad URL or body)
    own = client.request(method, url, json=body, headers={"Authorization": f"Bearer {world_b['secret']}"})
    assert own.status_code != 404 and own.status_code < 500, (method, url, own.status_code, own.text)


def test_a_path_parameter_without_a_factory_fails_loudly(db):
    world = {"event": make_event(db, make_org(db))}
    with pytest.raises(pytest.fail.Exception, match="no factory for path parameter '{mystery_id}'"):
        _fill("/api/v1/events/{event_id}/mystery/{mystery_id}", world)


@pytest.mark.parametrize(("path", "param"), QUERY_ROUTES, ids=[f"GET {p}?{q}=" for p, q in QUERY_ROUTES])
def test_query_parameter_of_another_organisation_gets_not_found(client, db, path, param):
    world_b = make_world(db)
    world_a = make_world(db)
    url = _fill(path, world_b)
    params = {param: OBJECT_FOR_PARAM[param](world_b)}

    answer = client.get(url, params=params, headers={"Authorization": f"Bearer {world_a['secret']}"})
    assert answer.status_code == 404, (path, params, answer.status_code, answer.text)
    assert answer.json()["error"]["code"] == "not_found"

    own = client.get(url, params=params, headers={"Authorization": f"Bearer {world_b['secret']}"})
    assert own.status_code == 200, (path, params, own.status_code, own.text)
