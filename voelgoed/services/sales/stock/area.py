"""Standing areas of a seated event (seated GA, issue 12 item 1): the stock interface routes lines with an
``area_key`` here (:data:`AREAS`).

An area line is ``Line(ticket_type_id, quantity, area_key=..., hold_id=...)``: ``quantity`` places of the
``event_area`` row (``kind='standing'``) of that key. The area's figures:

- ``capacity`` — from the version's standing area (copied at configure time / version change);
- ``sold_count`` — places sold; written only here (``sell`` +, ``release_sold`` −);
- places **held** are not a stored counter: they are the quantities of the live holds' items
  (``holditem.area_id``; hold ``active`` or ``converted`` with ``expires_at > now``). A lapsed hold frees its
  places at read time, like a lapsed seat hold (no worker needed, GA reclaim skips area items), and extending
  a hold extends its places with it.

**Never oversold**: every ``reserve`` / ``sell`` locks the area row (``SELECT … FOR UPDATE``, in ascending area
key, after the ticket types and before any seat) and only then counts ``sold_count`` + the other live holds'
places; the caller's hold items are already inserted, and the lock is held to the end of the transaction, so
the next writer's count (a new statement under READ COMMITTED) sees them. ``lock_timeout`` bounds the wait
(the caller answers 503 ``busy``). ``GUARD`` / ``CONTROL_PAUSE`` are for the concurrency test's control only:
off, the count is read without the lock (check-then-book).

Typed :class:`Short` reasons: ``area_full`` (not that many places left), ``area_unknown`` (no such standing
area at the event) — ``key`` = the area key. No function commits. Every change of places takes the event's
next changes-feed seq (``sales/seat_seq.py``, no seat stamped), so open seat maps hear of it.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlmodel import Session

from voelgoed.models import EventArea, Hold, HoldItem
from voelgoed.services.platform import clock
from voelgoed.services.sales.seat_seq import bump_seq
from voelgoed.services.sales.stock.base import Line, Short

AREA_FULL, AREA_UNKNOWN = "area_full", "area_unknown"
STANDING = "standing"
_AREA, _HOLD, _ITEM = EventArea.__table__, Hold.__table__, HoldItem.__table__
_LIVE = ("active", "converted")


def _live_places(now: datetime):
    """SELECT area_id, SUM(quantity) of live holds' area items (lapsed holds do not count)."""
    return (select(_ITEM.c.area_id, func.coalesce(func.sum(_ITEM.c.quantity), 0).label("n"))
            .select_from(_ITEM.join(_HOLD, _HOLD.c.id == _ITEM.c.hold_id))
            .where(_ITEM.c.area_id.is_not(None), _HOLD.c.status.in_(_LIVE), _HOLD.c.expires_at > now)
            .group_by(_ITEM.c.area_id))


def _merged(lines: Sequence[Line]) -> list[Line]:
    """One line per (area key, hold), quantities summed, ascending area key (the lock order)."""
    out: dict[tuple[str, uuid.UUID | None], Line] = {}
    for ln in lines:
        k = (ln.area_key, ln.hold_id)
        prev = out.get(k)
        out[k] = Line(ln.ticket_type_id, ln.quantity + (prev.quantity if prev else 0), area_key=ln.area_key,
                      hold_id=ln.hold_id)
    return [out[k] for k in sorted(out, key=lambda k: (k[0], str(k[1])))]


class AreaKeeper:
    """Standing places: available → held (a live hold's items; ``reserve`` checks) → sold (``sell``) →
    available (``release_sold``)."""

    kind = "area"
    GUARD = True  # tests only: False = count without the row lock (the control that must see an oversale)
    CONTROL_PAUSE = 0.0  # tests only: seconds after the unlocked count while GUARD is off

    def _row(self, session: Session, event_id: uuid.UUID, key: str):
        q = select(_AREA.c.id, _AREA.c.capacity, _AREA.c.sold_count).where(
            _AREA.c.event_id == event_id, _AREA.c.area_key == key, _AREA.c.kind == STANDING)
        return session.execute(q.with_for_update() if self.GUARD else q).first()

    def _room(self, session: Session, event_id: uuid.UUID, line: Line, now: datetime) -> tuple[object, int]:
        """Lock the area row and return ``(row, places left for line.hold_id)``; Short ``area_unknown``."""
        row = self._row(session, event_id, line.area_key)
        if row is None:
            raise Short(AREA_UNKNOWN, ticket_type_id=line.ticket_type_id, key=line.area_key)
        where = [_ITEM.c.area_id == row.id, _HOLD.c.status.in_(_LIVE), _HOLD.c.expires_at > now]
        if line.hold_id is not None:
            where.append(_HOLD.c.id != line.hold_id)
        others = session.execute(select(func.coalesce(func.sum(_ITEM.c.quantity), 0)).select_from(
            _ITEM.join(_HOLD, _HOLD.c.id == _ITEM.c.hold_id)).where(*where)).scalar_one()
        if not self.GUARD:
            time.sleep(self.CONTROL_PAUSE)
        return row, row.capacity - row.sold_count - int(others)

    def reserve(self, session: Session, event_id: uuid.UUID, lines: Sequence[Line]) -> None:
        """Check that every line's places are free for its hold (whose items with ``area_id`` are already
        inserted in this transaction; its ``created_at`` is "now"); :class:`Short` ``area_full`` /
        ``area_unknown`` on the first that is not. Writes nothing: the hold items are the held places."""
        for line in _merged(lines):
            created = session.execute(select(_HOLD.c.created_at).where(_HOLD.c.id == line.hold_id)).scalar_one()
            _, left = self._room(session, event_id, line, clock.aware(created))
            if line.quantity > left:
                raise Short(AREA_FULL, ticket_type_id=line.ticket_type_id, key=line.area_key)
        if lines:
            bump_seq(session, event_id)  # places changed: the changes feed (and pushed maps) show the figures

    def release(self, session: Session, event_id: uuid.UUID, lines: Sequence[Line]) -> None:
        """held → available: nothing to write (the hold's status ends its places); the feed's seq moves."""
        if lines:
            bump_seq(session, event_id)

    def sell(self, session: Session, event_id: uuid.UUID, lines: Sequence[Line], *, from_held: bool) -> bool:
        """held (or, for a lapsed hold, available) → sold: ``sold_count += quantity`` if the places are still
        there for ``line.hold_id`` (other live holds and sales counted under the row lock); all lines or none
        (savepoint); False when an area has not enough left (the late-payment path: no re-seat for places)."""
        now = clock.resolve(None)
        nested = session.begin_nested()
        for line in _merged(lines):
            try:
                row, left = self._room(session, event_id, line, now)
            except Short:
                nested.rollback()
                return False
            if line.quantity > left and (self.GUARD or not from_held):  # the control trusts the hold
                nested.rollback()
                return False
            session.execute(update(_AREA).where(_AREA.c.id == row.id)
                            .values(sold_count=_AREA.c.sold_count + line.quantity))
        nested.commit()
        if lines:
            bump_seq(session, event_id)
        return True

    def release_sold(self, session: Session, event_id: uuid.UUID, lines: Sequence[Line]) -> None:
        """sold → available (refunds, cancellations); ``ValueError`` if fewer places were sold."""
        for line in _merged(lines):
            got = session.execute(update(_AREA).where(
                _AREA.c.event_id == event_id, _AREA.c.area_key == line.area_key, _AREA.c.kind == STANDING,
                _AREA.c.sold_count >= line.quantity).values(sold_count=_AREA.c.sold_count - line.quantity)
                .returning(_AREA.c.id)).scalar_one_or_none()
            if got is None:
                raise ValueError(f"area {line.area_key}: fewer than {line.quantity} places were sold")
        if lines:
            bump_seq(session, event_id)


AREAS = AreaKeeper()


def area_remaining(session: Session, event_id: uuid.UUID, now: datetime) -> dict[str, dict[str, Any]]:
    """``{area key: {capacity, sold, held, remaining, category}}`` of the event's standing areas at ``now`` (a read: no
    lock; ``remaining`` never below 0 — a version that shrank an area below its sales shows 0)."""
    rows = session.execute(select(_AREA.c.id, _AREA.c.area_key, _AREA.c.capacity, _AREA.c.sold_count,
                                  _AREA.c.category_key).where(
        _AREA.c.event_id == event_id, _AREA.c.kind == STANDING)).all()
    if not rows:
        return {}
    held = dict(session.execute(_live_places(now).where(_ITEM.c.area_id.in_([r.id for r in rows]))).all())
    out = {}
    for r in rows:
        h = int(held.get(r.id, 0))
        out[r.area_key] = {"capacity": r.capacity, "sold": r.sold_count, "held": h,
                           "remaining": max(0, r.capacity - r.sold_count - h), "category": r.category_key}
    return out
