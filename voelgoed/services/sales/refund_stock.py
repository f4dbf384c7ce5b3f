"""Refunded tickets back on sale — the ONE place refunds change stock counters.

Kept as one small function so that it can be re-pointed at the single stock owner (``sales/stock``)
when that lands: the refund code calls only :func:`return_refunded_tickets`.
"""

from __future__ import annotations

import uuid

from sqlalchemy import update
from sqlmodel import Session

from voelgoed.models import Event, TicketType


def return_refunded_tickets(session: Session, *, event_id: uuid.UUID, per_type: dict[uuid.UUID, int]) -> None:
    """``sold_count -= n`` per ticket type (ascending id, the shared lock order) and on the event when it
    has a capacity, in the caller's transaction (no commit). ``per_type``: ticket type id → tickets
    refunded that were sold. Counters never go below zero."""
    tt, ev = TicketType.__table__, Event.__table__
    total = 0
    for tid in sorted(per_type, key=str):
        n = int(per_type[tid])
        if n <= 0:
            continue
        total += n
        session.execute(update(tt).where(tt.c.id == tid, tt.c.sold_count >= n).values(sold_count=tt.c.sold_count - n))
    if total:
        session.execute(update(ev).where(ev.c.id == event_id, ev.c.capacity.is_not(None), ev.c.sold_count >= total)
                        .values(sold_count=ev.c.sold_count - total))
