"""Delivering webhook messages: claim → POST (no lock held) → settle; retries for about 24 h.

- ``deliver_due(now=None, limit=50) -> {"delivered", "retried", "dead"}``: one pass.
  *Claim* (one short transaction): the due endpoints' rows are locked ``FOR UPDATE SKIP LOCKED`` (so two
  workers never count in-flight deliveries of one endpoint at the same time); per endpoint at most
  ``WEBHOOKS_MAX_IN_FLIGHT`` minus those already in flight are taken, oldest first, and never a message
  while an older pending message of the same object (``object_key``) waits — deliveries of one object
  go in order. Each claimed row gets ``attempts + 1`` and a lease (``locked_until`` = ``next_attempt_at``
  = now + 4 × timeout + 5 s), then **commit**. *Send*: ``POST`` the stored body with the Standard Webhooks
  headers through :class:`ssrf.GuardedTransport`, redirects not followed, ``WEBHOOKS_TIMEOUT_SECONDS``.
  *Settle* (one short transaction per row, only if the row is still this claim's): an attempt row
  (status code, latency ms, first 500 characters of the answer, error); a 2xx → ``delivered``; anything
  else → retry after :func:`retry_delay`, or ``dead`` after ``MAX_ATTEMPTS``.
- A worker killed mid-delivery loses nothing: the row stays ``pending`` and is due again when its lease ends.
- The endpoint is disabled when a message dies and the endpoint has not succeeded since its failures began
  (``failing_since``; so it failed for the whole ~24 h schedule): ``enabled=False``, ``disabled_reason``,
  audit ``webhook_endpoint.disabled`` and the outbox entry ``webhook.endpoint_disabled`` (e-mail to the owners).
- ``deliver_due_job()``: RQ job, passes until nothing is due (bounded).
"""

from __future__ import annotations

import logging
import random
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from sqlalchemy import and_, exists, func, or_, update
from sqlalchemy.orm import aliased
from sqlmodel import select

from voelgoed.config import get_settings
from voelgoed.models import DeliveryAttempt, DeliveryStatus, EndpointDelivery, WebhookEndpoint
from voelgoed.services.integrations import endpoints, signing, ssrf
from voelgoed.services.platform import audit, clock, outbox, session_scope, webhook_events

log = logging.getLogger(__name__)
# delay after attempt n (1-based), before jitter: 15 s, 1 min, 4 min, 16 min, 64 min, 4.3 h, then 6 h × 3
SCHEDULE_SECONDS = (15, 60, 240, 960, 3840, 15360, 21600, 21600, 21600)
MAX_ATTEMPTS = len(SCHEDULE_SECONDS) + 1  # 10 attempts over ≈ 23.7 h (19–28 h with jitter)
JITTER = (0.8, 1.2)
EXCERPT_CHARS = 500
_ED = EndpointDelivery.__table__
_EP = WebhookEndpoint.__table__


def retry_delay(attempt: int, *, rng: random.Random | None = None) -> float:
    """Seconds before attempt ``attempt + 1``: :data:`SCHEDULE_SECONDS` times a jitter in [0.8, 1.2]."""
    base = SCHEDULE_SECONDS[min(attempt, len(SCHEDULE_SECONDS)) - 1]
    return base * (JITTER[0] + (JITTER[1] - JITTER[0]) * (rng or random).random())


def lease_seconds() -> float:
    """How long a claimed delivery is reserved: longer than one attempt can take (connect, write and read
    each have the timeout; the answer is read only up to 2 KB)."""
    return 4 * get_settings().webhooks_timeout_seconds + 5


@dataclass(frozen=True)
class Claim:
    id: object
    endpoint_id: object
    attempt: int


def _claim(now: datetime, limit: int) -> list[Claim]:
    limit_per_endpoint = max(1, get_settings().webhooks_max_in_flight)
    lease = timedelta(seconds=lease_seconds())
    older = aliased(EndpointDelivery)
    due = and_(EndpointDelivery.status == DeliveryStatus.pending.value, EndpointDelivery.next_attempt_at <= now)
    claimed: list[Claim] = []
    with session_scope() as session:
        eps = session.exec(select(WebhookEndpoint).where(
            WebhookEndpoint.enabled.is_(True), WebhookEndpoint.deleted_at.is_(None),
            exists().where(EndpointDelivery.endpoint_id == WebhookEndpoint.id, due))
            .order_by(WebhookEndpoint.id).with_for_update(skip_locked=True)).all()
        for ep in eps:
            if len(claimed) >= limit:
                break
            in_flight = session.exec(select(func.count()).select_from(EndpointDelivery).where(
                EndpointDelivery.endpoint_id == ep.id, EndpointDelivery.status == DeliveryStatus.pending.value,
                EndpointDelivery.locked_until > now)).one()
            free = min(limit_per_endpoint - int(in_flight), limit - len(claimed))
            if free <= 0:
                continue
            waits_behind_older = exists().where(
                older.endpoint_id == EndpointDelivery.endpoint_id, older.object_key == EndpointDelivery.object_key,
                older.status == DeliveryStatus.pending.value, older.id != EndpointDelivery.id,
                or_(older.occurred_at < EndpointDelivery.occurred_at,
                    and_(older.occurred_at == EndpointDelivery.occurred_at,
                         or_(older.rank < EndpointDelivery.rank,
                             and_(older.rank == EndpointDelivery.rank, older.created_at < EndpointDelivery.created_at)))))
            rows = session.exec(select(EndpointDelivery).where(
                EndpointDelivery.endpoint_id == ep.id, due, ~waits_behind_older)
                .order_by(EndpointDelivery.occurred_at, EndpointDelivery.rank, EndpointDelivery.created_at)
                .limit(free).with_for_update(skip_locked=True)).all()
            for row in rows:
                row.attempts += 1
                row.locked_until = row.next_attempt_at = now + lease
                session.add(row)
                claimed.append(Claim(row.id, ep.id, row.attempts))
        session.commit()
    return claimed


@dataclass
class Outcome:
    status_code: int | None = None
    latency_ms: int = 0
    excerpt: str = ""
    error: str = ""

    @property
    def success(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def _send(claim: Claim, now: datetime) -> Outcome:
    with session_scope() as session:
        row = session.get(EndpointDelivery, claim.id)
        ep = session.get(WebhookEndpoint, claim.endpoint_id)
        url, body, msg_id = ep.url, row.body, row.message_id
        secrets = endpoints.signing_secrets(ep, now=now)
    headers = signing.headers(msg_id, body, secrets, at=clock.utcnow())  # the attempt's real time (spec)
    timeout = get_settings().webhooks_timeout_seconds
    started = time.monotonic()
    out = Outcome()
    try:
        with httpx.Client(transport=ssrf.GuardedTransport(), timeout=timeout, follow_redirects=False) as client:
            with client.stream("POST", url, content=body.encode(), headers=headers) as answer:
                out.status_code = answer.status_code
                chunk = b""
                for part in answer.iter_bytes():
                    chunk += part
                    if len(chunk) >= 4 * EXCERPT_CHARS:
                        break
                out.excerpt = chunk.decode("utf-8", "replace")[:EXCERPT_CHARS]
        if not out.success:
            out.error = (f"redirect to {answer.headers.get('location', '')[:200]} (not followed)"
                         if 300 <= answer.status_code < 400 else f"HTTP {answer.status_code}")
    except httpx.TimeoutException as exc:
        out.error = f"timeout after {timeout:g} s ({type(exc).__name__})"
    except httpx.HTTPError as exc:
        out.error = f"{type(exc).__name__}: {(str(exc).splitlines() or [''])[0]}"[:300]
    out.latency_ms = int((time.monotonic() - started) * 1000)
    return out


def _settle(claim: Claim, out: Outcome, now: datetime) -> str:
    with session_scope() as session:
        ep = session.exec(select(WebhookEndpoint).where(WebhookEndpoint.id == claim.endpoint_id).with_for_update()).one()
        mine = and_(_ED.c.id == claim.id, _ED.c.status == DeliveryStatus.pending.value, _ED.c.attempts == claim.attempt)
        session.add(DeliveryAttempt(organization_id=ep.organization_id, delivery_id=claim.id, endpoint_id=ep.id,
                                    attempted_at=now, status_code=out.status_code, latency_ms=out.latency_ms,
                                    response_excerpt=out.excerpt, error=out.error[:300], success=out.success))
        if out.success:
            session.execute(update(_ED).where(mine).values(status=DeliveryStatus.delivered.value, delivered_at=now,
                                                           locked_until=None, last_status_code=out.status_code,
                                                           last_error=""))
            ep.failing_since = None
            session.add(ep)
            session.commit()
            return "delivered"
        if ep.failing_since is None:
            ep.failing_since = now
        dead = claim.attempt >= MAX_ATTEMPTS
        values = {"locked_until": None, "last_status_code": out.status_code, "last_error": out.error[:300]}
        if dead:
            values["status"] = DeliveryStatus.dead.value
        else:
            values["next_attempt_at"] = now + timedelta(seconds=retry_delay(claim.attempt))
        changed = session.execute(update(_ED).where(mine).values(**values)).rowcount
        disabled = False
        if dead and changed and ep.enabled:
            ep.enabled, disabled = False, True
            ep.disabled_reason = (f"Disabled after failing since {clock.aware(ep.failing_since).isoformat()} "
                                  f"(last error: {out.error[:120]})")[:300]
            audit.record(session, None, "webhook_endpoint.disabled", ep, {"reason": ep.disabled_reason})
            outbox.add_entry(session, topic="webhook.endpoint_disabled", payload={"endpoint_id": ep.id},
                             organization_id=ep.organization_id, now=now)
        session.add(ep)
        session.commit()
    if disabled:
        webhook_events.forget(ep.organization_id)
        outbox.nudge()
    return "dead" if dead else "retried"


def deliver_due(now: datetime | None = None, limit: int = 50) -> dict:
    now = clock.resolve(now)
    result = {"delivered": 0, "retried": 0, "dead": 0}
    for claim in _claim(now, limit):
        try:
            out = _send(claim, now)
        except Exception as exc:  # noqa: BLE001 - e.g. an unreadable secret: recorded and retried like a failure
            out = Outcome(error=f"{type(exc).__name__}: {(str(exc).splitlines() or [''])[0]}"[:300])
        result[_settle(claim, out, now)] += 1
    return result


def deliver_due_job() -> dict:
    """RQ job: :func:`deliver_due` until a pass finds nothing (at most 20 passes)."""
    total = {"delivered": 0, "retried": 0, "dead": 0}
    for _ in range(20):
        result = deliver_due()
        for k in total:
            total[k] += result[k]
        if not any(result.values()):
            break
    return total
