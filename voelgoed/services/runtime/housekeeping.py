"""Periodic housekeeping, run by the worker every minute (and safe to run any number of times).

Scheduled jobs (hold expiry, status changes at an event's start and end) live in Redis, which may be
lost; this sweep makes PostgreSQL consistent again from its own data:

- :func:`voelgoed.services.catalog.events.sync_statuses` persists ``live``/``ended`` for events whose clock moved;
- every event with lapsed active holds gets :func:`voelgoed.services.sales.inventory.reclaim_lapsed`.

Readers never depend on it (availability and status are computed at read time); it only keeps the
stored counters and statuses tidy.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlmodel import Session, select

from voelgoed.models import Hold, HoldStatus
from voelgoed.services.catalog import events
from voelgoed.services.platform import clock, enqueue_in, get_queue, session_scope
from voelgoed.services.sales import inventory

log = logging.getLogger(__name__)
INTERVAL_SECONDS = 60
JOB_ID = "voelgoed-housekeeping"


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


def housekeeping_job(reschedule: bool = True) -> dict:
    """RQ job: :func:`sweep` in its own session, then schedules itself again in a minute."""
    try:
        with session_scope() as session:
            result = sweep(session)
    finally:
        if reschedule and get_queue() is not None:
            enqueue_in(INTERVAL_SECONDS, housekeeping_job, job_id=JOB_ID)
    if any(result.values()):
        log.info("housekeeping: %s", result)
    return result
