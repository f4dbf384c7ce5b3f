"""Contract tests: a property-based run over the whole OpenAPI document (schemathesis, in-process on the ASGI app).

Every operation of ``GET /api/v1/openapi.json`` gets generated requests — path, query, headers and
bodies drawn from its schema — sent with a valid API key (organiser routes), a valid device token
(``/api/v1/scanner/…``) or nothing (public routes). Each answer must

- never be a 5xx (``not_a_server_error``; api-v1.md: no input may produce a 500 — nor a 503 from the
  last-resort handler that hides a crash),
- have a status code the document lists, a content type it lists, and a body matching the listed schema
  (``status_code_conformance``, ``content_type_conformance``, ``response_schema_conformance``).

Known objects exist (an organisation with a venue, a published event on sale, a ticket type, a paid order
with tickets, a device): their ids are fixed, and a share of the generated path parameters is replaced
by them (chosen by a CRC of the generated value, so still deterministic) so the runs reach the happy paths and not only 404s.
Deterministic: ``derandomize=True`` (the examples are a function of the test), a bounded number of
examples per operation (``CONTRACT_EXAMPLES``, default 10: about a minute of CPU on the 2-core machine), no deadline, and the database rolled back
after each operation (the ``db`` fixture).
"""

from __future__ import annotations

import os
import uuid
import zlib
from datetime import UTC, datetime, timedelta

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from voelgoed.api import create_api
from voelgoed.models import Device, Gate, Order, OrderItem, Organization, Ticket
from voelgoed.services.accounts import apikeys
from voelgoed.services.platform import hash_token

EXAMPLES = int(os.environ.get("CONTRACT_EXAMPLES", "10"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

ORG_ID = uuid.UUID("00000000-0000-4000-8000-00000000c0de")
IDS = {
    "venue_id": uuid.UUID("00000000-0000-4000-8000-000000000001"),
    "event_id": uuid.UUID("00000000-0000-4000-8000-000000000002"),
    "ticket_type_id": uuid.UUID("00000000-0000-4000-8000-000000000003"),
    "order_id": uuid.UUID("00000000-0000-4000-8000-000000000004"),
    "ticket_id": uuid.UUID("00000000-0000-4000-8000-000000000005"),
    "device_id": uuid.UUID("00000000-0000-4000-8000-000000000006"),
    "gate_id": uuid.UUID("00000000-0000-4000-8000-000000000007"),
}
SLUG = "contract-event"
ORG_SLUG = "contract-org"
ORDER_CODE = "VG-CONTRA"
ACCESS_TOKEN = "contract-access-token-0123456789"
DEVICE_TOKEN = "vgd_contract-device-token-0123456789abcdef"
KNOWN = {**{k: str(v) for k, v in IDS.items()}, "slug": SLUG, "order_code": ORDER_CODE}

schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", create_api())


def _world(session) -> str:
    """The known objects (fixed ids) and an API key for them; returns the key."""
    from tests.factories import make_event, make_ticket_type, make_venue

    now = datetime.now(UTC)
    org = Organization(id=ORG_ID, name="Contract Org", slug=ORG_SLUG)
    session.add(org)
    session.flush()
    venue = make_venue(session, org, gates=())
    venue.id = IDS["venue_id"]
    session.flush()
    session.add(Gate(id=IDS["gate_id"], organization_id=org.id, venue_id=venue.id, gate_code="A", name="Gate A"))
    event = make_event(session, org, venue=venue, slug=SLUG, starts_in=timedelta(days=20))
    event.id = IDS["event_id"]
    session.flush()
    tt = make_ticket_type(session, event, quantity=500)
    tt.id = IDS["ticket_type_id"]
    session.flush()
    order = Order(id=IDS["order_id"], organization_id=org.id, event_id=event.id, order_code=ORDER_CODE,
                  access_token=ACCESS_TOKEN, status="paid", buyer_name="Contract Buyer", buyer_email="buyer@example.com",
                  total_cents=tt.price_cents, paid_at=now)
    session.add(order)
    session.flush()
    item = OrderItem(organization_id=org.id, order_id=order.id, ticket_type_id=tt.id, quantity=1,
                     unit_price_cents=tt.price_cents)
    session.add(item)
    session.flush()
    session.add(Ticket(id=IDS["ticket_id"], organization_id=org.id, event_id=event.id, order_id=order.id,
                       order_item_id=item.id, ticket_type_id=tt.id, ticket_code="CNTRCT2345", holder_name="Contract Buyer"))
    session.add(Device(id=IDS["device_id"], organization_id=org.id, event_id=event.id, gate_id=IDS["gate_id"],
                       name="Contract phone", token_hash=hash_token(DEVICE_TOKEN)))
    session.flush()
    _key, secret = apikeys.create_api_key(session, organization_id=org.id, name="contract")
    session.commit()
    return secret


@pytest.fixture
def api_key(db, redis_client):
    return _world(db)


def _headers_for(path: str, api_key: str) -> dict[str, str]:
    if path.startswith("/api/v1/scanner/") and not path.endswith(("/pair", "/sign-in")):
        return {"Authorization": f"Bearer {DEVICE_TOKEN}"}
    if path.startswith("/api/v1/public/") or path.startswith("/api/v1/sandbox/") or path.startswith("/api/health"):
        return {}
    return {"Authorization": f"Bearer {api_key}"}


@schema.parametrize()
@settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
def test_every_operation_honours_its_contract(case, api_key):
    _use_known_objects(case)
    case.headers = {k: v for k, v in (case.headers or {}).items() if k.lower() != "authorization"}
    case.call_and_validate(headers=_headers_for(case.operation.path, api_key), checks=CHECKS)


def _use_known_objects(case) -> None:
    """Replace generated path parameters (and ``access_token``) by the known objects' half of the time,
    chosen by a CRC of the generated value: a deterministic function of the generated case."""
    params = case.path_parameters or {}
    for name in list(params):
        if name in KNOWN and zlib.crc32(f"{name}={params[name]}".encode()) % 2 == 0:
            params[name] = KNOWN[name]
    query = case.query if isinstance(case.query, dict) else None
    if query and "access_token" in query and zlib.crc32(str(query["access_token"]).encode()) % 2 == 0:
        query["access_token"] = ACCESS_TOKEN

