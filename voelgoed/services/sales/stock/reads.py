"""Stock reads: live availability for buyers and the figures the organiser's stats show.

Lapsed holds (``expires_at <= now``, status ``active``/``converted``) never count, even before the
expiry job or a reclaim ran: :func:`available` adds their quantities back to what the counters say, and
:func:`type_figures` counts live holds only.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import func, select
from sqlmodel import Session

from voelgoed.models import Event, Hold, HoldItem, TicketType
from voelgoed.services.platform import clock

LIVE_HOLD_STATUSES = ("active", "converted")
_HOLD, _ITEM, _TT, _EVENT = Hold.__table__, HoldItem.__table__, TicketType.__table__, Event.__table__


def _lapsed(event_id: uuid.UUID, now: datetime):
    """Lapsed holds' GA items (seat and standing-area items never took GA counters)."""
    return (_HOLD.c.event_id == event_id, _HOLD.c.status.in_(LIVE_HOLD_STATUSES), _HOLD.c.expires_at <= now,
            _ITEM.c.seat_id.is_(None), _ITEM.c.area_id.is_(None))


def available(session: Session, event, now: datetime | None = None) -> dict:
    """Live availability: ``{"types": {ticket_type_id: n}, "event": n | None}`` (``event``: what the
    capacity leaves, None without one). Per type the figure is already capped by the event capacity. Never
    negative. ``event`` needs ``id`` and ``capacity``."""
    now = clock.resolve(now)
    lapsed = (select(_ITEM.c.ticket_type_id, func.sum(_ITEM.c.quantity).label("n")).join(_HOLD, _HOLD.c.id == _ITEM.c.hold_id)
              .where(*_lapsed(event.id, now)).group_by(_ITEM.c.ticket_type_id).subquery())
    rows = session.execute(select(_TT.c.id, _TT.c.quantity - _TT.c.sold_count - _TT.c.held_count + func.coalesce(lapsed.c.n, 0))
                           .outerjoin(lapsed, lapsed.c.ticket_type_id == _TT.c.id).where(_TT.c.event_id == event.id)).all()
    types = {r[0]: max(0, int(r[1])) for r in rows}
    event_left = None
    if event.capacity is not None:
        lapsed_total = session.execute(select(func.coalesce(func.sum(_ITEM.c.quantity), 0))
                                       .join(_HOLD, _HOLD.c.id == _ITEM.c.hold_id).where(*_lapsed(event.id, now))).scalar_one()
        left = session.execute(select(_EVENT.c.capacity - _EVENT.c.sold_count - _EVENT.c.held_count)
                               .where(_EVENT.c.id == event.id)).scalar_one()
        if left is not None:  # (None: the capacity was removed since ``event`` was read)
            event_left = max(0, int(left) + int(lapsed_total))
            types = {k: min(v, event_left) for k, v in types.items()}
    return {"types": types, "event": event_left}


def type_figures(session: Session, event_id: uuid.UUID, now: datetime | None = None) -> dict[uuid.UUID, dict]:
    """Per ticket type of the event: ``{id: {"sold", "held", "available"}}`` — sold from the counter, held =
    units in live holds only (``expires_at > now``), available = ``max(0, quantity - sold - held)``. Two
    indexed reads."""
    now = clock.resolve(now)
    types = session.execute(select(_TT.c.id, _TT.c.quantity, _TT.c.sold_count).where(_TT.c.event_id == event_id)).all()
    held = dict(session.execute(
        select(_ITEM.c.ticket_type_id, func.coalesce(func.sum(_ITEM.c.quantity), 0)).join(_HOLD, _HOLD.c.id == _ITEM.c.hold_id)
        .where(_HOLD.c.event_id == event_id, _HOLD.c.status.in_(LIVE_HOLD_STATUSES), _HOLD.c.expires_at > now)
        .group_by(_ITEM.c.ticket_type_id)).all())
    out = {}
    for t in types:
        h = int(held.get(t.id, 0))
        out[t.id] = {"sold": int(t.sold_count), "held": h, "available": max(0, int(t.quantity) - int(t.sold_count) - h)}
    return out
