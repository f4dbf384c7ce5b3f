"""Guarded capacity edits: an event's ``capacity`` and a ticket type's ``quantity`` never go below
sold + held (live holds only), race-safely, and the event counters stay right across NULL ↔ number.

Counters (see :mod:`voelgoed.services.sales.inventory`): ``tickettype.sold_count/held_count`` are always
maintained; the event's ``sold_count/held_count`` are maintained only while ``event.capacity`` is set.
So every capacity change recomputes the event counters from its ticket types inside the locked
transaction.

Locking (the hold path's order: hold rows → ticket type rows ascending → event row):
1. lapsed holds of the event are reclaimed first (``hold_release._reclaim_expired``: hold rows
   ``SKIP LOCKED``, then ticket type rows in id order, then the event) — expired holds never count;
2. every ticket type row of the event is locked ``FOR NO KEY UPDATE`` in ascending id order (a hold
   that already reserved on one of them has committed before we read; one that comes later waits
   for us and then sees the new capacity: the hold path re-reads ``event.capacity`` after taking its
   ticket type locks, see :func:`reserve_event` and the fast path's locked re-read in ``inventory``);
3. the event row is locked ``FOR NO KEY UPDATE`` (compatible with the ``KEY SHARE`` locks that hold
   inserts take on it through their foreign key, so no deadlock with an in-flight hold).

Errors (409): ``capacity_below_sold`` and ``quantity_below_sold`` with ``details {sold, held,
requested, fields}``.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import func, select, update
from sqlmodel import Session

from voelgoed.models import Event, TicketType
from voelgoed.services.platform import VoelgoedError
from voelgoed.services.sales.hold_release import _reclaim_expired

_TT, _EVENT = TicketType.__table__, Event.__table__


def _below(code: str, what: str, sold: int, held: int, requested: int, field: str) -> VoelgoedError:
    committed = sold + held
    return VoelgoedError(code, f"{committed} tickets are already sold or held; the {what} can't go below that",
                         {"sold": sold, "held": held, "requested": requested, "fields": {field: f"At least {committed}"}},
                         status=409)


def _lock_types(session: Session, event_id: uuid.UUID) -> tuple[int, int]:
    """Lock the event's ticket type rows (ascending id) and return ``(sum sold, sum held)``."""
    rows = session.execute(select(_TT.c.id, _TT.c.sold_count, _TT.c.held_count).where(_TT.c.event_id == event_id)
                           .order_by(_TT.c.id).with_for_update(key_share=True)).all()
    return sum(r.sold_count for r in rows), sum(r.held_count for r in rows)


def lock_event_for_capacity_change(session: Session, event: Event, now: datetime) -> Event:
    """Steps 1–3 of the module docstring for ``event``; returns the refreshed, locked Event. No commit."""
    _reclaim_expired(session, event, now)
    _lock_types(session, event.id)
    return session.execute(select(Event).where(Event.id == event.id).with_for_update(key_share=True)
                           .execution_options(populate_existing=True)).scalar_one()


def apply_event_capacity(session: Session, event: Event, capacity: int | None) -> None:
    """Set ``event.capacity`` (caller locked with :func:`lock_event_for_capacity_change`) and recompute
    the event counters from its ticket types. Raises 409 ``capacity_below_sold``. No commit."""
    sold, held = _lock_types(session, event.id)  # already locked by us: re-read the committed sums
    if capacity is not None and capacity < sold + held:
        raise _below("capacity_below_sold", "capacity", sold, held, capacity, "capacity")
    session.execute(update(_EVENT).where(_EVENT.c.id == event.id).values(capacity=capacity, sold_count=sold, held_count=held))
    event.capacity, event.sold_count, event.held_count = capacity, sold, held
    session.flush()


def lock_ticket_type_for_quantity_change(session: Session, tt: TicketType, event: Event, now: datetime) -> TicketType:
    """Reclaim the event's lapsed holds, then lock the ticket type row (``FOR NO KEY UPDATE``); the
    refreshed row. No commit."""
    _reclaim_expired(session, event, now, extra_type_ids=[tt.id])
    return session.execute(select(TicketType).where(TicketType.id == tt.id).with_for_update(key_share=True)
                           .execution_options(populate_existing=True)).scalar_one()


def check_quantity(tt: TicketType, quantity: int) -> None:
    """Raise 409 ``quantity_below_sold`` when ``quantity < sold + held`` of the (locked) ticket type."""
    if quantity < tt.sold_count + tt.held_count:
        raise _below("quantity_below_sold", "quantity", tt.sold_count, tt.held_count, quantity, "quantity")


def reserve_event(session: Session, event_id: uuid.UUID, qty: int) -> bool:
    """The event-capacity part of a hold, decided on a fresh read *after* the ticket type locks (never on
    a capacity read before them: a concurrent edit may have set or cleared it meanwhile). ``held_count
    += qty`` when a capacity is set and has room → True; the event has no capacity → True (nothing to
    count); not enough room → False. No commit."""
    result = session.execute(
        update(_EVENT).where(_EVENT.c.id == event_id, _EVENT.c.capacity.is_not(None),
                             _EVENT.c.capacity - _EVENT.c.sold_count - _EVENT.c.held_count >= qty)
        .values(held_count=_EVENT.c.held_count + qty))
    if result.rowcount == 1:
        return True
    return session.execute(select(_EVENT.c.capacity).where(_EVENT.c.id == event_id)).scalar() is None


def committed_total(session: Session, event_id: uuid.UUID) -> int:
    """``sum(sold + held)`` over the event's ticket types (a read, for views and tests)."""
    return int(session.execute(select(func.coalesce(func.sum(_TT.c.sold_count + _TT.c.held_count), 0))
                               .where(_TT.c.event_id == event_id)).scalar_one())
