"""RQ job functions (architecture decision 6): ids in, own session, idempotent, safe to retry.

Enqueue them only after the transaction that made them necessary has committed
(``voelgoed.services.platform.queue.enqueue`` / ``enqueue_in``).
"""

from __future__ import annotations

from voelgoed.services.platform import session_scope


def expire_due_holds(event_id: str) -> int:
    """Reclaim every lapsed hold of the event (scheduled per event and second of expiry by
    :func:`voelgoed.services.sales.inventory.schedule_expiry`). Idempotent; returns what it reclaimed."""
    from voelgoed.services.sales import inventory

    with session_scope() as session:
        try:
            return inventory.reclaim_lapsed(session, event_id=event_id)
        except inventory.NotFound:
            return 0


def expire_hold(hold_id: str) -> bool:
    """Expire a lapsed hold (and its pending order) and give its tickets back; no-op otherwise.

    Scheduled by :func:`voelgoed.services.sales.inventory.create_hold` ``hold_ttl_seconds`` after the
    hold was made. If the scheduler fires a moment early the hold is left alone and the job
    re-schedules itself for the remaining time. Returns True when something changed.
    """
    from voelgoed.models import Hold
    from voelgoed.services.platform import clock, enqueue_in, parse_id
    from voelgoed.services.sales import inventory

    with session_scope() as session:
        try:
            changed = inventory.expire_hold(session, hold_id=hold_id)
        except inventory.NotFound:
            return False
        if changed:
            return True
        hold = session.get(Hold, parse_id(hold_id, "hold"))
        if hold is not None and hold.status in ("active", "converted"):
            remaining = (clock.aware(hold.expires_at) - clock.utcnow()).total_seconds()
            if remaining > 0:
                enqueue_in(remaining + 0.5, expire_hold, hold_id)
        return False
