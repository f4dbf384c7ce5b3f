"""Fan-out: one outbox entry (a webhook event) → one delivery row per enabled endpoint that wants it.

``fan_out(entry) -> int`` (rows added) is the outbox handler step for every webhook event type (and part
of the ``order.paid`` / ``ticket.voided`` handlers). Idempotent: ``message_id`` is derived from the outbox
entry id and the object (uuid5), and ``(endpoint_id, message_id)`` is unique, so a second run — a retry of
the outbox entry after its mail step failed, a second drainer — inserts nothing. After the commit it asks
the worker to deliver (:func:`delivery.deliver_due_job`).
"""

from __future__ import annotations

import json
import uuid

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import select

from voelgoed.models import EndpointDelivery, OutboxEntry, WebhookEndpoint
from voelgoed.services.integrations import delivery, payloads
from voelgoed.services.platform import clock, is_postgres, queue, session_scope, webhook_events
from voelgoed.services.platform.outbox import Claimed

_ED = EndpointDelivery.__table__


def message_id(entry_id: uuid.UUID, object_key: str) -> str:
    return "msg_" + uuid.uuid5(entry_id, object_key).hex


def encode(body: dict) -> str:
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False)


def endpoints_for(session, organization_id, event_type: str) -> list[WebhookEndpoint]:
    rows = session.exec(select(WebhookEndpoint).where(
        WebhookEndpoint.organization_id == organization_id, WebhookEndpoint.enabled.is_(True),
        WebhookEndpoint.deleted_at.is_(None))).all()
    return [ep for ep in rows if event_type in (ep.event_types or ())]


def insert_deliveries(session, rows: list[dict]) -> int:
    if not rows:
        return 0
    dialect = postgresql if is_postgres(session) else sqlite
    result = session.execute(dialect.insert(_ED).values(rows).on_conflict_do_nothing(
        index_elements=["endpoint_id", "message_id"]))
    return result.rowcount or 0


def fan_out(entry: Claimed) -> int:
    event_type = entry.topic
    if event_type not in webhook_events.EVENT_TYPES:
        raise LookupError(f"{event_type!r} is not a webhook event type")
    with session_scope() as session:
        targets = [(ep.id, ep.organization_id) for ep in endpoints_for(session, entry.organization_id, event_type)]
        row = session.get(OutboxEntry, entry.id)
        occurred_at = clock.aware(row.created_at) if row is not None else clock.utcnow()
    if not targets:
        return 0
    bodies = payloads.messages(event_type, entry.payload, occurred_at, entry.organization_id)
    now = clock.utcnow()
    rows = [{"id": uuid.uuid4(), "organization_id": org_id, "endpoint_id": ep_id,
             "message_id": message_id(entry.id, key), "event_type": event_type, "object_key": key,
             "occurred_at": occurred_at, "rank": webhook_events.RANK.get(event_type, 0), "body": encode(body),
             "status": "pending", "attempts": 0, "next_attempt_at": min(now, occurred_at), "last_error": "",
             "created_at": now}
            for ep_id, org_id in targets for key, body in bodies]
    with session_scope() as session:
        added = insert_deliveries(session, rows)
        session.commit()
    if added:
        queue.enqueue(delivery.deliver_due_job, retry=None)
    return added
