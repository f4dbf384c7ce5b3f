"""Webhook event types and the cheap "does anyone listen?" check every package can call (docs/webhooks.md).

Outbound webhooks live in ``services/integrations`` (above every capability); the code that makes a
change is lower, so it writes the outbox row here, in its own transaction:

- ``EVENT_TYPES``: the catalogue (``order.created``, ``order.paid``, ``order.cancelled``, ``order.refunded``,
  ``ticket.issued``, ``ticket.voided``, ``ticket.checked_in``, ``event.published``, ``event.cancelled``).
  The outbox topic of a webhook-only event is the event type itself.
- ``emit(session, *, event_type, organization_id, payload, now=None) -> OutboxEntry | None``: adds the
  outbox row (ids only) when the organisation has an enabled endpoint that wants ``event_type``;
  otherwise nothing (so a scan at a door whose organiser has no webhooks costs one Redis GET).
- ``wanted(session, organization_id, event_type) -> bool``: that check. The set of wanted types per
  organisation is cached in Redis for ``CACHE_SECONDS``; :func:`forget` (called on every endpoint
  change) drops it. Without Redis: one indexed query.

``order.paid`` and ``ticket.voided`` keep their unconditional outbox rows (PDFs and mail hang off them);
their handlers fan out to webhooks as well.

Payload of the outbox row per type (ids; the integrations package reads the rest at fan-out):

| type | payload |
| --- | --- |
| ``order.created`` / ``order.paid`` / ``order.cancelled`` | ``order_id``, ``event_id`` |
| ``order.refunded`` | ``order_id``, ``event_id``, ``refund_id`` (str, optional), ``amount_cents`` (int), ``currency`` |
| ``ticket.issued`` | ``order_id``, ``event_id``, ``ticket_ids`` (list) |
| ``ticket.voided`` | ``ticket_id``, ``order_id``, ``event_id`` |
| ``ticket.checked_in`` | ``ticket_id``, ``event_id``, ``scan_id`` (optional), ``gate_code``, ``checked_in_at`` (ISO 8601) |
| ``event.published`` / ``event.cancelled`` | ``event_id`` |
"""

from __future__ import annotations

import json
import logging
import uuid
from datetime import datetime

from sqlmodel import Session, select

from voelgoed.models import OutboxEntry, WebhookEndpoint
from voelgoed.services.platform.outbox import add_entry
from voelgoed.services.platform.redis_conn import get_redis, report_failure

log = logging.getLogger(__name__)

EVENT_TYPES: tuple[str, ...] = (
    "order.created", "order.paid", "order.cancelled", "order.refunded",
    "ticket.issued", "ticket.voided", "ticket.checked_in", "event.published", "event.cancelled",
)
# delivery order of types for one object at the same instant (created before paid before cancelled …)
RANK = {"order.created": 0, "order.paid": 1, "order.cancelled": 2, "order.refunded": 3,
        "ticket.issued": 0, "ticket.checked_in": 1, "ticket.voided": 2,
        "event.published": 0, "event.cancelled": 1, "webhook.test": 0}
CACHE_SECONDS = 60


def _cache_key(organization_id) -> str:
    return f"vg:whk:types:{organization_id}"


def wanted_types(session: Session, organization_id) -> set[str]:
    """Event types some enabled endpoint of the organisation wants (cached, see module doc)."""
    client = get_redis()
    if client is not None:
        try:
            raw = client.get(_cache_key(organization_id))
            if raw is not None:
                return set(json.loads(raw))
        except Exception:  # noqa: BLE001 - the database answers instead
            report_failure()
            client = None
    oid = organization_id if isinstance(organization_id, uuid.UUID) else uuid.UUID(str(organization_id))
    types: set[str] = set()
    for row in session.exec(select(WebhookEndpoint.event_types).where(
            WebhookEndpoint.organization_id == oid, WebhookEndpoint.enabled.is_(True),
            WebhookEndpoint.deleted_at.is_(None))):
        types.update(row or ())
    if client is not None:
        try:
            client.set(_cache_key(organization_id), json.dumps(sorted(types)), ex=CACHE_SECONDS)
        except Exception:  # noqa: BLE001
            report_failure()
    return types


def wanted(session: Session, organization_id, event_type: str) -> bool:
    return event_type in wanted_types(session, organization_id)


def forget(organization_id) -> None:
    """Drop the cached wanted types (call after committing an endpoint change)."""
    client = get_redis()
    if client is None:
        return
    try:
        client.delete(_cache_key(organization_id))
    except Exception:  # noqa: BLE001
        report_failure()


def emit(session: Session, *, event_type: str, organization_id, payload: dict,
         now: datetime | None = None) -> OutboxEntry | None:
    """Add the webhook event's outbox row to the caller's transaction when someone listens (no commit)."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown webhook event type {event_type!r}")
    if not wanted(session, organization_id, event_type):
        return None
    return add_entry(session, topic=event_type, payload=payload, organization_id=organization_id, now=now)
