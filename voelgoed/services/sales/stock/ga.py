"""General admission: counters on the ticket type rows and, while ``event.capacity`` is set, on the event row.

``tickettype.available = quantity - sold_count - held_count``; ``event.available = capacity - sold_count -
held_count`` (the event counters are maintained only while it has a capacity; setting one recomputes them,
:func:`set_event_counters`). Every change is one conditional ``UPDATE`` per row — availability is enforced
inside the write, never by a prior read — ticket types in ascending id order, then the event row.

:data:`GA` is the :class:`~voelgoed.services.sales.stock.base.Keeper` for lines without a seat key.
The PostgreSQL one-statement hold lives in :mod:`.ga_fast`, the reclaim of lapsed holds in :mod:`.reclaim`.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import func, select, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session

from voelgoed.models import Event, TicketType
from voelgoed.services.sales.stock import hot_row
from voelgoed.services.sales.stock.base import EVENT_CAPACITY, TICKET_TYPE, Line, Short, per_type

_TT, _EVENT = TicketType.__table__, Event.__table__

# TESTS ONLY (the holds race control, tests/concurrency/test_holds_race.py): False takes the availability
# condition out of the reserving UPDATE and decides on a prior read of the counters instead (the classic
# read-then-write), and sends every hold to the locked path, so the control shows the oversell that the
# conditional UPDATE prevents. Never changed by the app.
AVAILABILITY_GUARD = True


def counter_available(tt) -> int:
    """What a ticket type's counters say is left: ``max(0, quantity - sold_count - held_count)`` (lapsed holds
    still counted; :func:`voelgoed.services.sales.stock.reads.available` is the live figure)."""
    return max(0, tt.quantity - tt.sold_count - tt.held_count)


def _reserve_event(session: Session, event_id: uuid.UUID, qty: int, *, column: str) -> bool:
    """The event-capacity part, decided on a fresh read *after* the ticket type locks (never on a capacity
    read before them: a concurrent edit may have set or cleared it). ``column += qty`` when a capacity is set
    and has room → True; no capacity → True (nothing to count); no room → False."""
    result = session.execute(
        update(_EVENT).where(_EVENT.c.id == event_id, _EVENT.c.capacity.is_not(None),
                             _EVENT.c.capacity - _EVENT.c.sold_count - _EVENT.c.held_count >= qty)
        .values({column: _EVENT.c[column] + qty}))
    if result.rowcount == 1:
        return True
    return session.execute(select(_EVENT.c.capacity).where(_EVENT.c.id == event_id)).scalar() is None


class GeneralAdmission:
    kind = "ga"

    def reserve(self, session: Session, event_id: uuid.UUID, lines: Sequence[Line]) -> None:
        """available → held: ``held_count += n`` where ``quantity - sold - held >= n`` per type (ascending id),
        then the event capacity. Raises :class:`Short` (``ticket_type`` / ``event_capacity``); no commit."""
        wanted = per_type(lines)
        for tid, qty in wanted.items():
            if not AVAILABILITY_GUARD:  # tests only: read, then write without a condition
                left = session.execute(select(_TT.c.quantity - _TT.c.sold_count - _TT.c.held_count)
                                       .where(_TT.c.id == tid)).scalar()
                if left is None or left < qty:
                    raise Short(TICKET_TYPE, ticket_type_id=tid)
                session.execute(update(_TT).where(_TT.c.id == tid).values(held_count=_TT.c.held_count + qty))
                continue
            r = session.execute(update(_TT).where(_TT.c.id == tid, _TT.c.quantity - _TT.c.sold_count - _TT.c.held_count >= qty)
                                .values(held_count=_TT.c.held_count + qty))
            if r.rowcount != 1:
                raise Short(TICKET_TYPE, ticket_type_id=tid)
        if not _reserve_event(session, event_id, sum(wanted.values()), column="held_count"):
            raise Short(EVENT_CAPACITY)

    def release(self, session: Session, event_id: uuid.UUID, lines: Sequence[Line]) -> None:
        """held → available (a hold ended: released, expired, payment failed); no commit."""
        wanted = per_type(lines)
        hot_row.forget(hot_row.type_key(t) for t in wanted)
        for tid, qty in wanted.items():
            session.execute(update(_TT).where(_TT.c.id == tid).values(held_count=_TT.c.held_count - qty))
        total = sum(wanted.values())
        if total:
            session.execute(update(_EVENT).where(_EVENT.c.id == event_id, _EVENT.c.capacity.is_not(None))
                            .values(held_count=_EVENT.c.held_count - total))

    def sell(self, session: Session, event_id: uuid.UUID, lines: Sequence[Line], *, from_held: bool) -> bool:
        """``from_held``: held → sold (the caller holds the hold's row lock and the hold still counts).
        Otherwise available → sold, all lines or none (savepoint): False when that is no longer possible.
        No commit."""
        wanted = per_type(lines)
        total = sum(wanted.values())
        if from_held:
            for tid, qty in wanted.items():
                session.execute(update(_TT).where(_TT.c.id == tid).values(held_count=_TT.c.held_count - qty,
                                                                         sold_count=_TT.c.sold_count + qty))
            session.execute(update(_EVENT).where(_EVENT.c.id == event_id, _EVENT.c.capacity.is_not(None))
                            .values(held_count=_EVENT.c.held_count - total, sold_count=_EVENT.c.sold_count + total))
            return True
        nested = session.begin_nested()
        for tid, qty in wanted.items():
            r = session.execute(update(_TT).where(_TT.c.id == tid, _TT.c.quantity - _TT.c.sold_count - _TT.c.held_count >= qty)
                                .values(sold_count=_TT.c.sold_count + qty))
            if r.rowcount != 1:
                nested.rollback()
                return False
        if not _reserve_event(session, event_id, total, column="sold_count"):
            nested.rollback()
            return False
        nested.commit()
        return True

    def release_sold(self, session: Session, event_id: uuid.UUID, lines: Sequence[Line]) -> None:
        """sold → available (refunded or cancelled tickets go back on sale); no commit. Raises
        :class:`ValueError` when a counter would go below zero (the caller's data is wrong: nothing changes
        once the caller rolls back)."""
        wanted = per_type(lines)
        hot_row.forget(hot_row.type_key(t) for t in wanted)
        for tid, qty in wanted.items():
            r = session.execute(update(_TT).where(_TT.c.id == tid, _TT.c.sold_count >= qty)
                                .values(sold_count=_TT.c.sold_count - qty))
            if r.rowcount != 1:
                raise ValueError(f"ticket type {tid}: fewer than {qty} sold")
        total = sum(wanted.values())
        if total:
            session.execute(update(_EVENT).where(_EVENT.c.id == event_id, _EVENT.c.capacity.is_not(None))
                            .values(sold_count=_EVENT.c.sold_count - total))


GA = GeneralAdmission()


# --------------------------------------------------------------------------- capacity edits

def lock_types(session: Session, event_id: uuid.UUID) -> tuple[int, int]:
    """Lock the event's ticket type rows ``FOR NO KEY UPDATE`` in ascending id; ``(sum sold, sum held)``."""
    hot_row.forget()  # a capacity or quantity edit: this process re-reads availability
    rows = session.execute(select(_TT.c.id, _TT.c.sold_count, _TT.c.held_count).where(_TT.c.event_id == event_id)
                           .order_by(_TT.c.id).with_for_update(key_share=True)).all()
    return sum(r.sold_count for r in rows), sum(r.held_count for r in rows)


def flag_capacity(session: Session, event_id: uuid.UUID, capped: bool) -> tuple[int, int]:
    """Write ``tickettype.capped_by_event`` on every ticket type of the event (ascending id; the caller locked
    them with :func:`lock_types`) and return the committed ``(sum sold, sum held)``.

    Writing the rows is what makes a racing one-statement hold safe without a lock on the event row: a hold
    whose ``UPDATE tickettype`` waited for this edit re-evaluates on the new row version and sees the flag
    (:mod:`.ga_fast`). A ticket type created meanwhile (the creator locks the event row) is included."""
    ids = session.execute(select(_TT.c.id).where(_TT.c.event_id == event_id).order_by(_TT.c.id)).scalars().all()
    for tid in ids:
        session.execute(update(_TT).where(_TT.c.id == tid).values(capped_by_event=capped))
    return lock_types(session, event_id)


def new_type_flags(session: Session, event_id: uuid.UUID) -> dict:
    """Stock columns for a ticket type about to be inserted: ``{"capped_by_event": bool}``, read with the event
    row locked ``FOR NO KEY UPDATE`` (so a concurrent capacity edit either commits first and is seen here,
    or waits and then flags the new row too). No commit."""
    cap = session.execute(select(_EVENT.c.capacity).where(_EVENT.c.id == event_id).with_for_update(key_share=True)).scalar()
    return {"capped_by_event": cap is not None}


def set_event_counters(session: Session, event: Event, capacity: int | None, sold: int, held: int) -> None:
    """Store the event's capacity with its counters recomputed from its ticket types (``sold``/``held`` from
    :func:`flag_capacity`, read under the locks); the ORM ``event`` shows the stored values. No commit."""
    session.execute(update(_EVENT).where(_EVENT.c.id == event.id).values(capacity=capacity, sold_count=sold, held_count=held))
    for name, value in (("capacity", capacity), ("sold_count", sold), ("held_count", held)):
        set_committed_value(event, name, value)


def committed_total(session: Session, event_id: uuid.UUID) -> int:
    """``sum(sold + held)`` over the event's ticket types (a read, for views and tests)."""
    return int(session.execute(select(func.coalesce(func.sum(_TT.c.sold_count + _TT.c.held_count), 0))
                               .where(_TT.c.event_id == event_id)).scalar_one())
