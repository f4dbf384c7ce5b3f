"""Guarded capacity edits: an event's ``capacity`` and a ticket type's ``quantity`` never go below
sold + held (live holds only), race-safely, and the event counters stay right across NULL ↔ number.

Counters (owned by :mod:`voelgoed.services.sales.stock`): ``tickettype.sold_count/held_count`` are always
maintained; the event's ``sold_count/held_count`` are maintained only while ``event.capacity`` is set.
So every capacity change recomputes the event counters from its ticket types inside the locked
transaction (``stock.set_event_counters``), and writes ``tickettype.capped_by_event`` on every ticket type
of the event (``stock.flag_capacity``), which is what a racing one-statement hold re-checks.

Locking (the hold path's order: hold rows → ticket type rows ascending → event row):
1. lapsed holds of the event are reclaimed first (``stock.reclaim_lapsed_holds``: hold rows
   ``SKIP LOCKED``, then ticket type rows in id order, then the event) — expired holds never count;
2. every ticket type row of the event is locked ``FOR NO KEY UPDATE`` in ascending id order (a hold
   that already reserved on one of them has committed before we read; one that comes later waits
   for us and then sees the new capacity: the locked hold path re-reads ``event.capacity`` after taking
   its ticket type locks, and the one-statement fast path sees ``capped_by_event`` on the row version
   this edit wrote, see :mod:`voelgoed.services.sales.stock.ga_fast`);
3. the event row is locked ``FOR NO KEY UPDATE`` (compatible with the ``KEY SHARE`` locks that hold
   inserts take on it through their foreign key, so no deadlock with an in-flight hold).

Errors (409): ``capacity_below_sold`` and ``quantity_below_sold`` with ``details {sold, held,
requested, fields}``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session

from voelgoed.models import Event, TicketType
from voelgoed.services.platform import VoelgoedError
from voelgoed.services.sales import stock


def _below(code: str, what: str, sold: int, held: int, requested: int, field: str) -> VoelgoedError:
    committed = sold + held
    return VoelgoedError(code, f"{committed} tickets are already sold or held; the {what} can't go below that",
                         {"sold": sold, "held": held, "requested": requested, "fields": {field: f"At least {committed}"}},
                         status=409)


def lock_event_for_capacity_change(session: Session, event: Event, now: datetime) -> Event:
    """Steps 1–3 of the module docstring for ``event``; returns the refreshed, locked Event. No commit."""
    stock.reclaim_lapsed_holds(session, event.id, now)
    stock.lock_types(session, event.id)
    return session.execute(select(Event).where(Event.id == event.id).with_for_update(key_share=True)
                           .execution_options(populate_existing=True)).scalar_one()


def apply_event_capacity(session: Session, event: Event, capacity: int | None) -> None:
    """Set ``event.capacity`` (caller locked with :func:`lock_event_for_capacity_change`) and recompute
    the event counters from its ticket types. Raises 409 ``capacity_below_sold``. No commit."""
    sold, held = stock.flag_capacity(session, event.id, capacity is not None)  # rows already locked by us
    if capacity is not None and capacity < sold + held:
        raise _below("capacity_below_sold", "capacity", sold, held, capacity, "capacity")
    stock.set_event_counters(session, event, capacity, sold, held)
    session.flush()


def lock_ticket_type_for_quantity_change(session: Session, tt: TicketType, event: Event, now: datetime) -> TicketType:
    """Reclaim the event's lapsed holds, then lock the ticket type row (``FOR NO KEY UPDATE``); the
    refreshed row. No commit."""
    stock.reclaim_lapsed_holds(session, event.id, now, extra_type_ids=[tt.id])
    return session.execute(select(TicketType).where(TicketType.id == tt.id).with_for_update(key_share=True)
                           .execution_options(populate_existing=True)).scalar_one()


def check_quantity(tt: TicketType, quantity: int) -> None:
    """Raise 409 ``quantity_below_sold`` when ``quantity < sold + held`` of the (locked) ticket type."""
    if quantity < tt.sold_count + tt.held_count:
        raise _below("quantity_below_sold", "quantity", tt.sold_count, tt.held_count, quantity, "quantity")


committed_total = stock.committed_total  # (kept for callers: sum(sold + held) over the event's ticket types)
