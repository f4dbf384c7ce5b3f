"""The transactional outbox (architecture decision 6): side effects written with the change, drained later.

- ``add_entry(session, *, topic, payload, organization_id, now=None) -> OutboxEntry``: adds a row to the
  caller's transaction (no commit). ``payload`` is ids only (a JSON-able dict, no personal data or secrets).
- ``nudge()``: call after the commit; asks the worker to drain now (best effort: if Redis is down or
  absent, the web process drains in-process). The periodic drain (:mod:`voelgoed.services.runtime.housekeeping`,
  scheduled by the worker's cron) catches anything a lost nudge missed.
- ``drain_outbox(now=None, limit=100) -> {"done", "retried", "dead"}``: claims due entries
  (``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL, so drainers never wait on each other; plain on
  SQLite), pushes each claimed entry's ``next_attempt_at`` to the end of a lease
  (``OUTBOX_LEASE_SECONDS``) and counts the attempt, **commits**, and only then runs the handlers —
  never SMTP or a provider call under a row lock. Each outcome is written in its own short transaction:
  ``done``; or a retry after exponential backoff with jitter (:func:`backoff_seconds`); or ``dead``
  after ``OUTBOX_MAX_ATTEMPTS`` (audit ``outbox.dead_lettered``). A drainer that dies mid-run leaves the
  entry pending: it is due again when the lease ends (at-least-once; handlers are idempotent).
- ``register(topic)``: decorator for handlers ``fn(entry: Claimed) -> None``; the built-in handlers live
  in :mod:`voelgoed.services.runtime.outbox_handlers`. A topic with no handler fails (and ends up dead).
- Ops view: ``dead_entries(session, ctx)``, ``dead_count(session, ctx)``, ``retry_entry(session, ctx, *, entry_id)``.
"""

from __future__ import annotations

import importlib
import logging
import random
import threading
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, update
from sqlmodel import Session, select

from voelgoed.config import get_settings
from voelgoed.models import OutboxEntry, OutboxStatus
from voelgoed.services.platform import audit, clock, rbac
from voelgoed.services.platform.db import session_scope
from voelgoed.services.platform.errors import NotFound, VoelgoedError
from voelgoed.services.platform.rbac import TenantContext

log = logging.getLogger(__name__)
BACKOFF_BASE_SECONDS = 10
BACKOFF_CAP_SECONDS = 3600
_OE = OutboxEntry.__table__


@dataclass(frozen=True)
class Claimed:
    """What a handler gets: the entry's id (a stable idempotency key), topic, payload, organisation, attempt (1-based)."""
    id: uuid.UUID
    topic: str
    payload: dict
    organization_id: uuid.UUID
    attempt: int


HANDLERS_MODULE = "voelgoed.services.runtime.outbox_handlers"
Handler = Callable[[Claimed], object]
_handlers: dict[str, Handler] = {}


def register(topic: str) -> Callable[[Handler], Handler]:
    """Register ``fn`` as the handler of ``topic`` (one per topic; later webhooks plug in here)."""
    def deco(fn: Handler) -> Handler:
        _handlers[topic] = fn
        return fn
    return deco


def handler_for(topic: str) -> Handler | None:
    # The built-in topics' handlers live above every package (they call tickets, accounts, insights); they
    # are loaded by name, like RQ loads job functions, so the bottom layer never imports a higher one.
    importlib.import_module(HANDLERS_MODULE)

    return _handlers.get(topic)


def add_entry(session: Session, *, topic: str, payload: dict, organization_id, now: datetime | None = None) -> OutboxEntry:
    """Add a pending entry to the caller's transaction (flush/commit is the caller's). Returns it."""
    now = clock.resolve(now)
    entry = OutboxEntry(organization_id=organization_id, topic=topic, payload=audit._jsonable(payload),
                        status=OutboxStatus.pending.value, next_attempt_at=now, created_at=now)
    session.add(entry)
    return entry


_deferred = threading.local()


@contextmanager
def deferred_nudges():
    """Inside this block :func:`nudge` does nothing: a bulk writer (the demo history's hundreds of orders)
    leaves its committed entries to the worker or the periodic drain instead of draining after every commit
    (which, without Redis, would render every PDF and send every e-mail in the writer's own process)."""
    before = getattr(_deferred, "on", False)
    _deferred.on = True
    try:
        yield
    finally:
        _deferred.on = before


def nudge() -> None:
    """After commit: drain soon. Enqueues :func:`drain_outbox_job` (no retry: the periodic drain is the
    safety net); without Redis this runs the drain in this process at once (``queue.enqueue``).
    A no-op inside :func:`deferred_nudges`."""
    from voelgoed.services.platform import queue

    if getattr(_deferred, "on", False):
        return
    try:
        queue.enqueue(drain_outbox_job, retry=None)
    except Exception:  # pragma: no cover - best effort by design; the rows are committed
        log.exception("outbox nudge failed; the periodic drain will pick the entries up")


def drain_outbox_job() -> dict:
    """RQ job: :func:`drain_outbox` until nothing due is left (bounded)."""
    total = {"done": 0, "retried": 0, "dead": 0}
    for _ in range(20):
        result = drain_outbox()
        for k in total:
            total[k] += result[k]
        if sum(result.values()) < 100:
            break
    return total


def backoff_seconds(attempt: int, *, rng: random.Random | None = None) -> float:
    """Delay before retry ``attempt`` + 1: ``min(cap, base · 2^(attempt-1))`` scaled by a jitter in [0.5, 1]
    (base 10 s, cap 1 h), so a burst of failures does not retry in lock-step."""
    ceiling = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** max(0, attempt - 1))
    return ceiling * (0.5 + 0.5 * (rng or random).random())


def _claim(now: datetime, limit: int) -> list[Claimed]:
    lease = timedelta(seconds=get_settings().outbox_lease_seconds)
    with session_scope() as session:
        rows = session.exec(select(OutboxEntry).where(
            OutboxEntry.status == OutboxStatus.pending.value, OutboxEntry.next_attempt_at <= now)
            .order_by(OutboxEntry.next_attempt_at).limit(limit)
            .with_for_update(skip_locked=True).execution_options(populate_existing=True)).all()
        claimed = []
        for row in rows:
            row.attempts += 1
            row.next_attempt_at = now + lease
            session.add(row)
            claimed.append(Claimed(row.id, row.topic, dict(row.payload or {}), row.organization_id, row.attempts))
        session.commit()
    return claimed


def _short_error(exc: BaseException) -> str:
    """Type and first line of the message, 300 characters at most (no tracebacks, no payloads)."""
    first = (str(exc).splitlines() or [""])[0]
    return f"{type(exc).__name__}: {first}"[:300]


def _settle(entry: Claimed, error: BaseException | None, now: datetime) -> str:
    with session_scope() as session:
        if error is None:
            session.execute(update(_OE).where(_OE.c.id == entry.id, _OE.c.status == OutboxStatus.pending.value)
                            .values(status=OutboxStatus.done.value, processed_at=clock.utcnow(), last_error=""))
            session.commit()
            return "done"
        message = _short_error(error)
        if entry.attempt >= get_settings().outbox_max_attempts:
            session.execute(update(_OE).where(_OE.c.id == entry.id, _OE.c.status == OutboxStatus.pending.value)
                            .values(status=OutboxStatus.dead.value, last_error=message, processed_at=clock.utcnow()))
            row = session.get(OutboxEntry, entry.id)
            audit.record(session, None, "outbox.dead_lettered", row,
                         {"topic": entry.topic, "attempts": entry.attempt, "error": message})
            session.commit()
            return "dead"
        session.execute(update(_OE).where(_OE.c.id == entry.id, _OE.c.status == OutboxStatus.pending.value)
                        .values(last_error=message,
                                next_attempt_at=now + timedelta(seconds=backoff_seconds(entry.attempt))))
        session.commit()
        return "retried"


def drain_outbox(now: datetime | None = None, limit: int = 100) -> dict:
    """Run the handlers of up to ``limit`` due entries; returns ``{"done": n, "retried": n, "dead": n}``.
    ``now`` (UTC) decides what is due and anchors the lease and the backoff."""
    now = clock.resolve(now)
    result = {"done": 0, "retried": 0, "dead": 0}
    for entry in _claim(now, limit):
        handler = handler_for(entry.topic)
        error: BaseException | None = None
        try:
            if handler is None:
                raise LookupError(f"no handler for topic {entry.topic!r}")
            handler(entry)
        except Exception as exc:  # noqa: BLE001 - any failure is recorded and retried
            error = exc
            log.warning("outbox %s (%s) attempt %d failed: %s", entry.id, entry.topic, entry.attempt, _short_error(exc))
        outcome = _settle(entry, error, now)
        result[outcome] += 1
    return result


# --- the organiser's ops view -------------------------------------------------------------------

def dead_count(session: Session, ctx: TenantContext) -> int:
    """How many of ``ctx``'s outbox entries are dead-lettered."""
    return int(session.exec(select(func.count()).select_from(OutboxEntry).where(
        OutboxEntry.organization_id == ctx.organization_id, OutboxEntry.status == OutboxStatus.dead.value)).one())


def dead_entries(session: Session, ctx: TenantContext, *, limit: int = 50) -> list[dict]:
    """``ctx``'s dead-lettered entries, newest first:
    ``[{"id", "topic", "attempts", "last_error", "created_at", "processed_at"}]`` (ISO 8601 UTC)."""
    rows = session.exec(select(OutboxEntry).where(
        OutboxEntry.organization_id == ctx.organization_id, OutboxEntry.status == OutboxStatus.dead.value)
        .order_by(OutboxEntry.created_at.desc()).limit(limit)).all()
    iso = lambda dt: clock.aware(dt).isoformat() if dt else ""  # noqa: E731
    return [{"id": str(r.id), "topic": r.topic, "attempts": r.attempts, "last_error": r.last_error,
             "created_at": iso(r.created_at), "processed_at": iso(r.processed_at)} for r in rows]


def retry_entry(session: Session, ctx: TenantContext, *, entry_id, now: datetime | None = None) -> OutboxEntry:
    """Put a dead entry of ``ctx``'s organisation back in the queue (attempts reset); commits; audit
    ``outbox.retried``. Errors: 404 ``not_found`` (unknown or another organisation's), 403 ``forbidden``
    (role may not manage orders), 409 ``invalid_state`` (not dead)."""
    try:
        eid = entry_id if isinstance(entry_id, uuid.UUID) else uuid.UUID(str(entry_id))
    except (ValueError, TypeError):
        raise NotFound("not_found", "Outbox entry not found") from None
    entry = session.exec(select(OutboxEntry).where(OutboxEntry.id == eid,
                                                   OutboxEntry.organization_id == ctx.organization_id)
                         .with_for_update()).first()
    if entry is None:
        raise NotFound("not_found", "Outbox entry not found")
    rbac.require(ctx, rbac.can_manage_orders, "retry deliveries")
    if entry.status != OutboxStatus.dead.value:
        raise VoelgoedError("invalid_state", "Only a failed delivery can be retried", {"status": entry.status})
    entry.status, entry.attempts, entry.next_attempt_at = OutboxStatus.pending.value, 0, clock.resolve(now)
    entry.processed_at = None
    session.add(entry)
    audit.record(session, ctx.actor, "outbox.retried", entry, {"topic": entry.topic})
    session.commit()
    nudge()
    return entry


def ops_overview(session: Session, ctx: TenantContext) -> dict:
    """The settings page's "Failed deliveries" section: ``{"dead_count": n, "entries": dead_entries(...),
    "can_retry": bool}`` for ``ctx``'s organisation."""
    return {"dead_count": dead_count(session, ctx), "entries": dead_entries(session, ctx),
            "can_retry": rbac.can_manage_orders(ctx)}
