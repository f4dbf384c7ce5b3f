"""RQ job functions (architecture decision 6): ids in, own session, idempotent, safe to retry.

Enqueue them only after the transaction that made them necessary has committed
(``voelgoed.services.platform.queue.enqueue`` / ``enqueue_in``).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from voelgoed.models import Hold
from voelgoed.services.platform import NotFound, clock, enqueue_in, get_redis, parse_id, session_scope
from voelgoed.services.sales import hold_release

_scheduled_buckets: dict[tuple, None] = {}


def schedule_expiry(event_id: uuid.UUID, expires_at: datetime) -> None:
    """Schedule the RQ job that reclaims the event's holds lapsing by ``expires_at`` (after commit).

    Holds are grouped per event and per second of expiry: one job
    (:func:`expire_due_holds`, idempotent) serves every hold of that second, so a
    flash sale of 500 holds/s costs the worker ~1 job/s instead of 500 (RQ forks per job). Deduplicated
    in-process and across processes (Redis ``SET NX``); costs no Redis call for the 2nd..nth hold of a
    second in a process. If Redis is down nothing is scheduled: read-time expiry still protects inventory.
    """
    bucket = int(expires_at.timestamp()) + 1
    key = (event_id, bucket)
    if key in _scheduled_buckets:
        return
    if len(_scheduled_buckets) > 4096:
        _scheduled_buckets.clear()
    _scheduled_buckets[key] = None
    try:
        client = get_redis()
        job_id = f"expire-holds-{event_id}-{bucket}"
        if client is not None and not client.set(f"vg:{job_id}", 1, nx=True, ex=max(60, bucket - int(clock.utcnow().timestamp()) + 600)):
            return
        enqueue_in(max(0.0, bucket - clock.utcnow().timestamp()) + 0.5, expire_due_holds, str(event_id), job_id=job_id)
    except Exception:  # Redis trouble must not fail a sale
        _scheduled_buckets.pop(key, None)


def expire_due_holds(event_id: str) -> int:
    """Reclaim every lapsed hold of the event (scheduled per event and second of expiry by
    :func:`schedule_expiry`). Idempotent; returns what it reclaimed."""
    with session_scope() as session:
        try:
            return hold_release.reclaim_lapsed(session, event_id=event_id)
        except NotFound:
            return 0


def expire_hold(hold_id: str) -> bool:
    """Expire a lapsed hold (and its pending order) and give its tickets back; no-op otherwise.

    Scheduled by :func:`voelgoed.services.sales.inventory.create_hold` ``hold_ttl_seconds`` after the
    hold was made. If the scheduler fires a moment early the hold is left alone and the job
    re-schedules itself for the remaining time. Returns True when something changed.
    """
    with session_scope() as session:
        try:
            changed = hold_release.expire_hold(session, hold_id=hold_id)
        except NotFound:
            return False
        if changed:
            return True
        hold = session.get(Hold, parse_id(hold_id, "hold"))
        if hold is not None and hold.status in ("active", "converted"):
            remaining = (clock.aware(hold.expires_at) - clock.utcnow()).total_seconds()
            if remaining > 0:
                enqueue_in(remaining + 0.5, expire_hold, hold_id)
        return False
