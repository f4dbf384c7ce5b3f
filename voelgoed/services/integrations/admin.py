"""The organiser's webhook console: recent deliveries, attempts, redeliver, replay, test event, dead letters,
and the e-mail to the owners when an endpoint is disabled.

All take a :class:`TenantContext` (owners/admins; 403 ``forbidden``); unknown or another organisation's
ids → 404 ``not_found``; they commit and ask the worker to deliver.

- ``recent_deliveries(session, ctx, *, endpoint_id=None, status=None, limit=50)`` →
  ``[{"id", "endpoint_id", "message_id", "event_type", "status", "attempts", "last_status_code",
  "last_error", "next_attempt_at", "delivered_at", "created_at"}]``, newest first.
- ``attempts_of(session, ctx, delivery_id)`` → ``[{"attempted_at", "status_code", "latency_ms",
  "response_excerpt", "error", "success"}]``.
- ``redeliver(session, ctx, delivery_id)``: send the same message (same ``webhook-id``) again, fresh schedule
  (409 ``invalid_state`` while it is in flight or its endpoint is deleted).
- ``replay(session, ctx, endpoint_id, *, since, until, only_failed=False) -> int``: redeliver every message of
  the endpoint created in ``[since, until)``; 422 ``validation_failed`` when ``until <= since`` or the range
  is longer than 31 days.
- ``send_test(session, ctx, endpoint_id)``: a ``webhook.test`` message to this endpoint only.
- ``dead_letters(session, ctx)`` / ``retry_all_dead(session, ctx) -> int``.
- ``notify_endpoint_disabled(endpoint_id) -> int``: outbox handler of ``webhook.endpoint_disabled``: one
  e-mail per owner (marker ``webhook_endpoint:<id>:disabled:<disabled at>``), returns messages sent.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, select

from voelgoed.config import get_settings
from voelgoed.models import (
    DeliveryAttempt,
    DeliveryStatus,
    EndpointDelivery,
    Membership,
    Organization,
    User,
    WebhookEndpoint,
)
from voelgoed.services.integrations import delivery, endpoints, fanout, payloads
from voelgoed.services.platform import (
    TenantContext,
    ValidationFailed,
    VoelgoedError,
    audit,
    clock,
    get_owned,
    iso,
    mail,
    queue,
    session_scope,
)

_ED = EndpointDelivery.__table__
MAX_REPLAY = timedelta(days=31)


def _row(d: EndpointDelivery) -> dict:
    return {"id": str(d.id), "endpoint_id": str(d.endpoint_id), "message_id": d.message_id, "event_type": d.event_type,
            "status": d.status, "attempts": d.attempts, "last_status_code": d.last_status_code, "last_error": d.last_error,
            "next_attempt_at": iso(d.next_attempt_at) if d.status == "pending" else None,
            "delivered_at": iso(d.delivered_at), "created_at": iso(d.created_at)}


def _kick() -> None:
    queue.enqueue(delivery.deliver_due_job, retry=None)


def recent_deliveries(session: Session, ctx: TenantContext, *, endpoint_id=None, status: str | None = None,
                      limit: int = 50) -> list[dict]:
    endpoints.list_endpoints(session, ctx)  # role check
    q = select(EndpointDelivery).where(EndpointDelivery.organization_id == ctx.organization_id)
    if endpoint_id:
        q = q.where(EndpointDelivery.endpoint_id == endpoints.get_endpoint(session, ctx, endpoint_id).id)
    if status:
        q = q.where(EndpointDelivery.status == status)
    return [_row(d) for d in session.exec(q.order_by(EndpointDelivery.created_at.desc()).limit(max(1, min(limit, 200))))]


def attempts_of(session: Session, ctx: TenantContext, delivery_id) -> list[dict]:
    endpoints.list_endpoints(session, ctx)
    d = get_owned(session, ctx, EndpointDelivery, delivery_id, "delivery")
    rows = session.exec(select(DeliveryAttempt).where(DeliveryAttempt.delivery_id == d.id)
                        .order_by(DeliveryAttempt.attempted_at.desc()))
    return [{"attempted_at": iso(a.attempted_at), "status_code": a.status_code, "latency_ms": a.latency_ms,
             "response_excerpt": a.response_excerpt, "error": a.error, "success": a.success} for a in rows]


def _reset(now: datetime):
    return {"status": DeliveryStatus.pending.value, "attempts": 0, "next_attempt_at": now, "locked_until": None}


def redeliver(session: Session, ctx: TenantContext, delivery_id, *, now: datetime | None = None) -> dict:
    endpoints.list_endpoints(session, ctx)
    now = clock.resolve(now)
    d = get_owned(session, ctx, EndpointDelivery, delivery_id, "delivery", lock=True)
    ep = session.get(WebhookEndpoint, d.endpoint_id)
    if ep.deleted_at is not None:
        raise VoelgoedError("invalid_state", "The endpoint of this delivery was deleted")
    if d.status == DeliveryStatus.pending.value and d.locked_until and clock.aware(d.locked_until) > now:
        raise VoelgoedError("invalid_state", "This delivery is being sent right now")
    for k, v in _reset(now).items():
        setattr(d, k, v)
    session.add(d)
    audit.record(session, ctx.actor, "webhook_delivery.redelivered", d, {"message_id": d.message_id})
    session.commit()
    _kick()
    return _row(d)


def replay(session: Session, ctx: TenantContext, endpoint_id, *, since: datetime, until: datetime,
           only_failed: bool = False, now: datetime | None = None) -> int:
    now = clock.resolve(now)
    ep = endpoints.get_endpoint(session, ctx, endpoint_id)
    endpoints.list_endpoints(session, ctx)
    since, until = clock.aware(since), clock.aware(until)
    if since is None or until is None or until <= since or until - since > MAX_REPLAY:
        raise ValidationFailed({"until": "Choose a range that ends after it starts, at most 31 days long"})
    statuses = [DeliveryStatus.dead.value] if only_failed else [DeliveryStatus.dead.value, DeliveryStatus.delivered.value]
    count = session.execute(update(_ED).where(
        _ED.c.endpoint_id == ep.id, _ED.c.created_at >= since, _ED.c.created_at < until, _ED.c.status.in_(statuses))
        .values(**_reset(now))).rowcount
    audit.record(session, ctx.actor, "webhook_endpoint.replayed", ep,
                 {"since": iso(since), "until": iso(until), "only_failed": only_failed, "count": count})
    session.commit()
    _kick()
    return count


def send_test(session: Session, ctx: TenantContext, endpoint_id, *, now: datetime | None = None) -> dict:
    now = clock.resolve(now)
    ep = endpoints.get_endpoint(session, ctx, endpoint_id)
    endpoints.list_endpoints(session, ctx)
    test_id = uuid.uuid4()
    (key, body), = payloads.messages("webhook.test", {"test_id": str(test_id)}, now, ctx.organization_id)
    d = EndpointDelivery(organization_id=ctx.organization_id, endpoint_id=ep.id, message_id=fanout.message_id(test_id, key),
                         event_type="webhook.test", object_key=key, occurred_at=now, body=fanout.encode(body),
                         next_attempt_at=now, created_at=now)
    session.add(d)
    audit.record(session, ctx.actor, "webhook_endpoint.test_sent", ep, {"message_id": d.message_id})
    session.commit()
    _kick()
    return _row(d)


def dead_letters(session: Session, ctx: TenantContext, *, limit: int = 100) -> list[dict]:
    return recent_deliveries(session, ctx, status=DeliveryStatus.dead.value, limit=limit)


def retry_all_dead(session: Session, ctx: TenantContext, *, now: datetime | None = None) -> int:
    endpoints.list_endpoints(session, ctx)
    now = clock.resolve(now)
    live = select(WebhookEndpoint.id).where(WebhookEndpoint.organization_id == ctx.organization_id,
                                            WebhookEndpoint.deleted_at.is_(None))
    count = session.execute(update(_ED).where(_ED.c.organization_id == ctx.organization_id,
                                              _ED.c.status == DeliveryStatus.dead.value, _ED.c.endpoint_id.in_(live))
                            .values(**_reset(now))).rowcount
    session.commit()
    _kick()
    return count


def notify_endpoint_disabled(endpoint_id) -> int:
    sent = 0
    with session_scope() as session:
        ep = session.get(WebhookEndpoint, uuid.UUID(str(endpoint_id)))
        if ep is None or ep.enabled:
            return 0
        org = session.get(Organization, ep.organization_id)
        owners = session.exec(select(User.email).join(Membership, Membership.user_id == User.id).where(
            Membership.organization_id == ep.organization_id, Membership.role == "owner")).all()
        stamp = iso(ep.updated_at)
        url, reason, org_id, org_name = ep.url, ep.disabled_reason, ep.organization_id, org.name
    link = f"{get_settings().effective_base_url}/settings/webhooks"
    text = (f"The webhook endpoint {url} of {org_name} was disabled.\n\n{reason}\n\n"
            f"Deliveries are kept. Fix the receiver, then enable the endpoint and use \"Retry all\" on {link}\n")
    for to in owners:
        key = f"webhook_endpoint:{endpoint_id}:disabled:{stamp}:{to}"[:160]
        with session_scope() as session:
            if mail.already_sent(session, key):
                continue
        message_id = mail.send_email(to, f"Webhook endpoint disabled: {url[:80]}", text)
        with session_scope() as session:
            mail.mark_sent(session, key=key, organization_id=org_id, to=to, message_id=message_id)
            session.commit()
        sent += 1
    return sent
