"""The seat implementation of the stock interface (issue 12): ``stock.register_keeper("seat", SEATS)``.

Seated lines are ``stock.Line(ticket_type_id, 1, seat_key=..., hold_id=...)``; they change only
``event_seat`` rows (never the ticket type counters: for a seated ticket type, capacity = its seats).

- Rows are changed one seat at a time in **ascending seat key** (the interface sorts them), each by a
  conditional ``UPDATE … WHERE status allows it`` — availability is decided inside the write, on the
  locked row, never by a prior read; the connection's ``lock_timeout`` (``DB_LOCK_TIMEOUT_MS``) bounds
  every wait (the caller answers 503 ``busy``). All seats or none: on the first refusal :class:`Short`
  is raised and the caller rolls back.
- A held seat whose ``hold_expires_at <= now`` is free (expiry at read time); nothing needs to run for it.
- Every changing transaction ends (``before_commit``) by bumping ``event_seating.seq`` — its last lock, taken
  after every seat lock, so sequence order is commit order and seat writers never wait on each other through
  it — and stamping the changed rows with it: the changes feed reads ``seq > since``. After the commit
  (``after_commit``) the event id and its new seq are published (``platform.seat_signals``) for the pushed
  seat map stream; a failed publish is logged and never fails or undoes the sale (maps catch up from the feed).
  That machinery is ``sales/seat_seq.py`` (``bump_seq`` is re-exported here); standing-area places take a seq too.

Typed :class:`Short` reasons: ``seat_sold``, ``seat_held``, ``seat_blocked``, ``seat_unknown``
(``key`` = the seat key). An **allocated** seat (kept back for a named purpose: sponsor, press, box office) is
never free: buyers' holds, best available and the late-payment re-seat skip it and are told ``seat_blocked``;
only the box office reserves it (``reserve(..., include_allocated=True)``). ``GUARD`` is a switch for the concurrency tests' control only: off, a reserve
reads the seat and then writes it unconditionally (check-then-book) — the race the guard prevents.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, or_, select, update
from sqlmodel import Session

from voelgoed.models import EventArea, EventSeat, Hold, HoldStatus, Order, OrderItem
from voelgoed.services.platform import clock
from voelgoed.services.sales import stock
from voelgoed.services.sales.seat_seq import bump_seq
from voelgoed.services.sales.stock.base import Line, Short

SEAT_SOLD, SEAT_HELD, SEAT_BLOCKED, SEAT_UNKNOWN = "seat_sold", "seat_held", "seat_blocked", "seat_unknown"
OVER_CAP, HOLD_EXPIRED, ISOLATED_SEAT = "over_cap", "hold_expired", "isolated_seat"
FREE, HELD, SOLD, BLOCKED, ALLOCATED = "free", "held", "sold", "blocked", "allocated"
_SEAT, _AREA = EventSeat.__table__, EventArea.__table__
LIVE_HOLDS = (HoldStatus.active.value, HoldStatus.converted.value)


def free_clause(now: datetime):
    """SQL: the seat is free at ``now`` (free, or held by a hold that has lapsed)."""
    return or_(_SEAT.c.status == FREE, and_(_SEAT.c.status == HELD, _SEAT.c.hold_expires_at <= now))


def live_status(status: str, hold_expires_at: datetime | None, now: datetime) -> str:
    """A seat's status at ``now`` (a lapsed hold reads as free)."""
    if status == HELD and (hold_expires_at is None or clock.aware(hold_expires_at) <= now):
        return FREE
    return status


class SeatKeeper:
    """Seats: free → held (reserve) → sold (sell) → free (release_sold); held → free (release)."""

    kind = "seat"
    GUARD = True  # tests only: False = check-then-book (the control that must see a double sale)
    CONTROL_PAUSE = 0.0  # tests only: seconds between the check and the write while GUARD is off

    def _why(self, session: Session, event_id: uuid.UUID, key: str, now: datetime) -> str:
        row = session.execute(select(_SEAT.c.status, _SEAT.c.hold_expires_at).where(
            _SEAT.c.event_id == event_id, _SEAT.c.seat_key == key)).first()
        if row is None:
            return SEAT_UNKNOWN
        return {SOLD: SEAT_SOLD, BLOCKED: SEAT_BLOCKED, ALLOCATED: SEAT_BLOCKED}.get(
            live_status(row.status, row.hold_expires_at, now), SEAT_HELD)

    def _write(self, session: Session, event_id: uuid.UUID, line: Line, allowed, values: dict, now: datetime,
               *, trust: bool = False):
        base = (_SEAT.c.event_id == event_id, _SEAT.c.seat_key == line.seat_key)
        if not self.GUARD:  # the control: check (a plain read, or trust the hold), then book unconditionally
            if not trust and session.execute(select(_SEAT.c.id).where(*base, allowed)).first() is None:
                return None
            time.sleep(self.CONTROL_PAUSE)
            return session.execute(update(_SEAT).where(*base).values(**values).returning(_SEAT.c.id)).scalar_one_or_none()
        return session.execute(update(_SEAT).where(*base, allowed).values(**values, version=_SEAT.c.version + 1)
                               .returning(_SEAT.c.id)).scalar_one_or_none()

    def reserve(self, session: Session, event_id: uuid.UUID, lines: Sequence[Line], *,
                include_allocated: bool = False) -> None:
        """free → held by ``line.hold_id`` until that hold's ``expires_at`` (the hold row must exist in this
        transaction; its ``created_at`` is "now"). Raises :class:`Short` on the first seat that is not free.
        ``include_allocated`` (the box office only): allocated seats may be held too (their label is cleared)."""
        holds: dict[uuid.UUID, tuple[datetime, datetime]] = {}
        changed = []
        for line in lines:
            if line.hold_id not in holds:
                h = session.execute(select(Hold.__table__.c.expires_at, Hold.__table__.c.created_at)
                                    .where(Hold.__table__.c.id == line.hold_id)).one()
                holds[line.hold_id] = (clock.aware(h.expires_at), clock.aware(h.created_at))
            expires, now = holds[line.hold_id]
            allowed = or_(free_clause(now), _SEAT.c.status == ALLOCATED) if include_allocated else free_clause(now)
            sid = self._write(session, event_id, line, allowed,
                              {"status": HELD, "hold_id": line.hold_id, "hold_expires_at": expires, "order_id": None,
                               "allocation": None}, now)
            if sid is None:
                raise Short(self._why(session, event_id, line.seat_key, now), ticket_type_id=line.ticket_type_id,
                            key=line.seat_key)
            changed.append(sid)
        if changed:
            bump_seq(session, event_id, changed)

    def release(self, session: Session, event_id: uuid.UUID, lines: Sequence[Line]) -> None:
        """held by ``line.hold_id`` → free (a seat someone else took since is left alone)."""
        changed = []
        for line in lines:
            sid = session.execute(update(_SEAT).where(
                _SEAT.c.event_id == event_id, _SEAT.c.seat_key == line.seat_key, _SEAT.c.status == HELD,
                _SEAT.c.hold_id == line.hold_id).values(status=FREE, hold_id=None, hold_expires_at=None,
                                                        version=_SEAT.c.version + 1).returning(_SEAT.c.id)).scalar_one_or_none()
            if sid is not None:
                changed.append(sid)
        if changed:
            bump_seq(session, event_id, changed)

    def sell(self, session: Session, event_id: uuid.UUID, lines: Sequence[Line], *, from_held: bool) -> bool:
        """``from_held``: held by ``line.hold_id`` → sold (even if that hold lapsed, as long as nobody took the
        seat). Otherwise also from free. All seats or none (savepoint); False when a seat is gone."""
        now = clock.resolve(None)
        nested = session.begin_nested()
        changed = []
        for line in lines:
            mine = and_(_SEAT.c.status == HELD, _SEAT.c.hold_id == line.hold_id)
            allowed = mine if from_held else or_(mine, free_clause(now))
            sid = self._write(session, event_id, line, allowed,
                              {"status": SOLD, "hold_expires_at": None, "hold_id": line.hold_id}, now, trust=from_held)
            if sid is None:
                nested.rollback()
                return False
            changed.append(sid)
        if changed:
            bump_seq(session, event_id, changed)
        nested.commit()
        return True

    def release_sold(self, session: Session, event_id: uuid.UUID, lines: Sequence[Line]) -> None:
        """sold → free (refunds, cancellations); ``ValueError`` if a seat was not sold."""
        changed = []
        for line in lines:
            sid = session.execute(update(_SEAT).where(
                _SEAT.c.event_id == event_id, _SEAT.c.seat_key == line.seat_key, _SEAT.c.status == SOLD)
                .values(status=FREE, hold_id=None, order_id=None, version=_SEAT.c.version + 1)
                .returning(_SEAT.c.id)).scalar_one_or_none()
            if sid is None:
                raise ValueError(f"seat {line.seat_key} was not sold")
            changed.append(sid)
        if changed:
            bump_seq(session, event_id, changed)


SEATS = SeatKeeper()
stock.register_keeper("seat", SEATS)


def split_items(session: Session, items: Sequence, *, hold_id: uuid.UUID | None) -> tuple[dict, list[Line]]:
    """Hold or order items → ``({ticket_type_id: qty} for GA items, [seated and standing-area Line])``
    (``seat_id`` = event seat id → one line per seat; ``area_id`` = event_area id → ``quantity`` places)."""
    ga: dict[uuid.UUID, int] = {}
    seat_ids = {it.seat_id: it for it in items if it.seat_id is not None}
    for it in items:
        if it.seat_id is None and getattr(it, "area_id", None) is None:
            ga[it.ticket_type_id] = ga.get(it.ticket_type_id, 0) + it.quantity
    keys = dict(session.execute(select(_SEAT.c.id, _SEAT.c.seat_key).where(_SEAT.c.id.in_(list(seat_ids)))).all()) if seat_ids else {}
    seats = sorted((Line(it.ticket_type_id, 1, seat_key=keys[sid], hold_id=hold_id) for sid, it in seat_ids.items()),
                   key=lambda ln: ln.seat_key)
    areas = area_lines(session, [(it.ticket_type_id, it.area_id, it.quantity) for it in items
                                 if getattr(it, "area_id", None) is not None], hold_id=hold_id)
    return ga, areas + seats


def area_lines(session: Session, places: Sequence[tuple[uuid.UUID, uuid.UUID, int]], *,
               hold_id: uuid.UUID | None = None) -> list[Line]:
    """``[(ticket_type_id, event_area id, places)]`` → standing-area lines (ascending area key)."""
    if not places:
        return []
    keys = dict(session.execute(select(_AREA.c.id, _AREA.c.area_key).where(_AREA.c.id.in_({a for _, a, _ in places}))).all())
    return sorted((Line(tid, int(n), area_key=keys[aid], hold_id=hold_id) for tid, aid, n in places if int(n) > 0),
                  key=lambda ln: ln.area_key)


def seat_lines(session: Session, seats: Sequence[tuple[uuid.UUID, uuid.UUID]]) -> list[Line]:
    """``[(ticket_type_id, event seat id)]`` → seated lines (sorted by seat key) for ``release_sold``."""
    if not seats:
        return []
    keys = dict(session.execute(select(_SEAT.c.id, _SEAT.c.seat_key).where(_SEAT.c.id.in_([s for _, s in seats]))).all())
    return sorted((Line(tid, 1, seat_key=keys[sid]) for tid, sid in seats), key=lambda ln: ln.seat_key)


def settle_seated_order(session: Session, order: Order, hold: Hold | None, now: datetime) -> bool | None:
    """Payment settlement for an order with seats (None when it has none: the GA path decides). No commit.

    In one savepoint: GA items held → sold (or available → sold when the hold no longer counts); standing-area
    places → sold while the area still has them for this hold (else False: a place has no re-seat); each seat
    held by the order's hold → sold, else free → sold, else **re-seated** in the same category (nearest free
    seat to the lost one; the order item's ``seat_id`` moves). False (nothing changed) when any of it is not
    possible: the caller marks the order ``refund_required``."""
    items = session.execute(select(OrderItem).where(OrderItem.order_id == order.id)).scalars().all()
    if not any(it.seat_id is not None or it.area_id is not None for it in items):
        return None
    ga, lines = split_items(session, items, hold_id=order.hold_id)
    areas = [ln for ln in lines if ln.area_key is not None]
    seats = [ln for ln in lines if ln.seat_key is not None]
    live = hold is not None and hold.status in LIVE_HOLDS
    nested = session.begin_nested()
    ok = not ga or stock.sell(session, order.event_id, stock.lines_of(ga), from_held=live)
    # standing places: still there for this hold (or, lapsed, still free) — no re-seat for places
    ok = ok and (not areas or stock.sell(session, order.event_id, areas, from_held=live))
    for line in seats if ok else ():
        if not ((live and SEATS.sell(session, order.event_id, [line], from_held=True))
                or SEATS.sell(session, order.event_id, [line], from_held=False)):
            ok = _reseat(session, order, line, now)
    if not ok:
        nested.rollback()
        return False
    session.execute(update(_SEAT).where(_SEAT.c.event_id == order.event_id, _SEAT.c.status == SOLD,
                                        _SEAT.c.hold_id == order.hold_id).values(order_id=order.id))
    nested.commit()
    if live:
        hold.status, hold.ended_at = HoldStatus.completed.value, now
        session.add(hold)
    return True


def _reseat(session: Session, order: Order, line: Line, now: datetime) -> bool:
    """The seat of ``line`` is gone: sell the nearest free seat of the same category instead and move the order
    item to it (``seat.reseated`` in the audit trail is written by the caller's ``order`` audit)."""
    lost = session.execute(select(_SEAT).where(_SEAT.c.event_id == order.event_id, _SEAT.c.seat_key == line.seat_key)).one()
    dist = (_SEAT.c.x - lost.x) * (_SEAT.c.x - lost.x) + (_SEAT.c.y - lost.y) * (_SEAT.c.y - lost.y)
    for cand in session.execute(select(_SEAT.c.id, _SEAT.c.seat_key).where(
            _SEAT.c.event_id == order.event_id, _SEAT.c.category_key == lost.category_key, free_clause(now))
            .order_by(dist, _SEAT.c.seat_key).limit(20)).all():
        if SEATS.sell(session, order.event_id, [Line(line.ticket_type_id, 1, seat_key=cand.seat_key,
                                                     hold_id=order.hold_id)], from_held=False):
            session.execute(update(OrderItem.__table__).where(OrderItem.__table__.c.order_id == order.id,
                                                              OrderItem.__table__.c.seat_id == lost.id)
                            .values(seat_id=cand.id))
            for obj in list(session.identity_map.values()):  # ORM copies of the moved item are stale
                if isinstance(obj, OrderItem) and obj.order_id == order.id:
                    session.expire(obj)
            return True
    return False
