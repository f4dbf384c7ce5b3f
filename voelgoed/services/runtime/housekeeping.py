"""Periodic housekeeping (safe to run any number of times), enqueued every
``HOUSEKEEPING_INTERVAL_SECONDS`` by RQ's cron scheduler in the worker (:mod:`voelgoed.services.runtime.worker`)
— not by a job that re-schedules itself, which a crash would stop. Without Redis the web process runs it
on a timer (:func:`inprocess_ticker`).

Scheduled jobs (hold expiry, status changes at an event's start and end) live in Redis, which may be
lost; this sweep makes PostgreSQL consistent again from its own data:

- :func:`voelgoed.services.catalog.events.sync_statuses` persists ``live``/``ended`` for events whose clock moved;
- every event with lapsed active holds gets :func:`voelgoed.services.sales.inventory.reclaim_lapsed`;
- :func:`voelgoed.services.platform.outbox.drain_outbox` runs due outbox entries (the safety net behind the
  after-commit nudges).

Readers never depend on it (availability and status are computed at read time); it only keeps the
stored counters and statuses tidy and the side effects flowing.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from sqlmodel import Session, select

from voelgoed.config import get_settings
from voelgoed.models import Hold, HoldStatus
from voelgoed.services.catalog import events
from voelgoed.services.integrations import deliver_due_job
from voelgoed.services.platform import clock, get_redis, queue, session_scope
from voelgoed.services.platform.outbox import drain_outbox_job
from voelgoed.services.sales import inventory, reconcile_job

log = logging.getLogger(__name__)


def sweep(session: Session, *, now: datetime | None = None) -> dict:
    """Returns ``{"events_changed": n, "tickets_released": m}``; commits."""
    now = clock.resolve(now)
    changed = events.sync_statuses(session, now=now)
    lapsed_events = session.exec(
        select(Hold.event_id).where(Hold.status == HoldStatus.active.value, Hold.expires_at <= now).distinct()
    ).all()
    released = 0
    for event_id in lapsed_events:
        released += inventory.reclaim_lapsed(session, event_id=event_id, now=now)
    return {"events_changed": changed, "tickets_released": released}


def housekeeping_job() -> dict:
    """RQ job (enqueued by the cron scheduler): :func:`sweep` in its own session, then the outbox drain.
    Returns ``{"events_changed", "tickets_released", "outbox": {"done", "retried", "dead"}}``."""
    result: dict = {"events_changed": 0, "tickets_released": 0}
    try:
        with session_scope() as session:
            result = sweep(session)
    finally:
        result["outbox"] = drain_outbox_job()  # side effects flow even if the sweep failed
        queue.enqueue(deliver_due_job, retry=None)  # webhook retries that came due (their own job: slow receivers)
    if result["events_changed"] or result["tickets_released"] or any(result["outbox"].values()):
        log.info("housekeeping: %s", result)
    return result


async def inprocess_ticker() -> None:
    """Reflex lifespan task of the web process: every ``HOUSEKEEPING_INTERVAL_SECONDS``, run
    :func:`housekeeping_job` here when Redis is unreachable (no worker can get jobs then); when Redis
    answers, the worker's cron does it and this tick does nothing."""
    while True:
        await asyncio.sleep(max(1, get_settings().housekeeping_interval_seconds))
        if get_redis() is None:
            for job in (housekeeping_job, reconcile_job):  # the worker's cron jobs, while no worker can run them
                try:
                    await asyncio.to_thread(job)
                except Exception:  # pragma: no cover - logged; the next tick tries again
                    log.exception("in-process %s failed", job.__name__)
