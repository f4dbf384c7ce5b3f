"""Seated GA (issue 12 item 1): standing areas and tables sold whole in the same hold as seats.

A seat-hold request may name ``seat_keys``, ``areas`` (``[{key, quantity}]``: places of standing areas) and
``tables`` (keys of tables sold whole). This module validates and resolves them; the hold itself is
:func:`voelgoed.services.seating.seat_holds.place` (one hold, one token, one expiry, all or none):

- a **standing area** is an ``event_area`` row (``kind='standing'``, ``capacity``), priced by its category's
  ticket type, its places counted by the stock owner (``sales/stock/area.py``: row lock, never oversold);
- a **table sold whole** is an ``event_area`` row (``kind='table'``); holding it holds every seat whose
  ``table_key`` is that key, together with any chosen seats, in ascending seat key, all or none; each seat is
  priced by its own category (the layout has no table price), so the table costs the sum of its seats. Its
  seats cannot be chosen one by one (409 ``table_whole``) and best available skips them.

Errors: 422 ``validation_failed`` (``seat_keys`` / ``areas.<i>.key`` / ``areas.<i>.quantity`` / ``tables.<i>``:
not a list, a quantity that is not a whole number ≥ 1, a repeated area, nothing chosen), 409 ``over_cap``,
404 ``not_found`` (``details.area_key`` / ``table_key``: no such standing area / whole table at this event),
409 ``table_whole`` (``details.seat_key``, ``table_key``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from voelgoed.models import EventArea, EventSeat, Hold, HoldItem
from voelgoed.services.platform import NotFound, ValidationFailed, VoelgoedError
from voelgoed.services.sales import seat_keeper, stock

_AREA, _SEAT, _HOLD, _ITEM = EventArea.__table__, EventSeat.__table__, Hold.__table__, HoldItem.__table__
MAX_PLACES = 100_000  # a quantity above this is not a request (the caps refuse far less anyway)
TABLE_WHOLE = "table_whole"


@dataclass(frozen=True)
class Selection:
    seat_keys: list[str]
    areas: list[tuple[str, int]]
    tables: list[str]


def _key(value: Any) -> bool:
    return isinstance(value, str) and 1 <= len(value) <= 64 and not any(ord(c) < 32 for c in value)


def parse_selection(seat_keys: Any, areas: Any, tables: Any, cap: int) -> Selection:
    """The request's parts, validated and sorted (see the module errors). ``seat_keys`` alone behaves as
    before (at least one, each a key, ≤ ``cap`` → else 409 ``over_cap``)."""
    fields: dict[str, str] = {}
    keys: list[str] = []
    if seat_keys is not None and seat_keys != [] or (areas is None and tables is None):
        if isinstance(seat_keys, str | bytes) or not isinstance(seat_keys, list | tuple) or not seat_keys:
            raise ValidationFailed({"seat_keys": "Choose at least one seat"})
        for i, k in enumerate(seat_keys):
            if not _key(k):
                raise ValidationFailed({f"seat_keys.{i}": "A seat key"})
        keys = sorted(set(seat_keys))
    places: dict[str, int] = {}
    if areas is not None:
        if not isinstance(areas, list | tuple):
            raise ValidationFailed({"areas": "A list of {key, quantity}"})
        for i, a in enumerate(areas):
            key = a.get("key") if isinstance(a, dict) else None
            qty = a.get("quantity") if isinstance(a, dict) else None
            if not _key(key):
                fields[f"areas.{i}.key"] = "A standing area key"
            elif key in places:
                fields[f"areas.{i}.key"] = "This area is listed twice"
            if isinstance(qty, bool) or not isinstance(qty, int) or not 1 <= qty <= MAX_PLACES:
                fields[f"areas.{i}.quantity"] = "A whole number of places, at least 1"
            if f"areas.{i}.key" not in fields and f"areas.{i}.quantity" not in fields:
                places[key] = qty
    table_keys: set[str] = set()
    if tables is not None:
        if isinstance(tables, str | bytes) or not isinstance(tables, list | tuple):
            raise ValidationFailed({"tables": "A list of table keys"})
        for i, t in enumerate(tables):
            if not _key(t):
                fields[f"tables.{i}"] = "A table key"
            else:
                table_keys.add(t)
    if fields:
        raise ValidationFailed(fields)
    if not keys and not places and not table_keys:
        raise ValidationFailed({"seat_keys": "Choose at least one seat, standing place or table"})
    total = len(keys) + sum(places.values())
    if total > cap:
        raise VoelgoedError(seat_keeper.OVER_CAP, f"At most {cap} places per order", {"max_per_order": cap}, status=409)
    return Selection(keys, sorted(places.items()), sorted(table_keys))


def resolve(session: Session, event_id: uuid.UUID, sel: Selection, seats: list) -> tuple[list, list]:
    """``([(event_area row, places)], [seat rows of the chosen whole tables])``; 404 / 409 per the module."""
    rows = session.execute(select(_AREA).where(_AREA.c.event_id == event_id)).all()
    standing = {r.area_key: r for r in rows if r.kind == stock.area.STANDING}
    whole = {r.area_key: r for r in rows if r.kind == "table"}
    for key, _ in sel.areas:
        if key not in standing:
            raise NotFound("not_found", "No such standing area at this event", {"area_key": key})
    for key in sel.tables:
        if key not in whole:
            raise NotFound("not_found", "No such table at this event (or it is not sold whole)", {"table_key": key})
    for s in seats:
        if s.table_key is not None and s.table_key in whole:
            raise VoelgoedError(TABLE_WHOLE, "This table is sold whole: choose the table",
                                {"seat_key": s.seat_key, "table_key": s.table_key}, status=409)
    table_seats = session.execute(select(_SEAT).where(_SEAT.c.event_id == event_id, _SEAT.c.table_key.in_(sel.tables))
                                  .order_by(_SEAT.c.seat_key)).all() if sel.tables else []
    return [(standing[k], q) for k, q in sel.areas], list(table_seats)


def places_held_by(session: Session, event_id: uuid.UUID, client_hash: str, now: datetime) -> int:
    """Standing places in this buyer's live holds at the event (for the per-buyer cap)."""
    return int(session.execute(select(func.coalesce(func.sum(_ITEM.c.quantity), 0)).select_from(
        _ITEM.join(_HOLD, _HOLD.c.id == _ITEM.c.hold_id)).where(
        _HOLD.c.event_id == event_id, _HOLD.c.client_hash == client_hash, _ITEM.c.area_id.is_not(None),
        _HOLD.c.status.in_(("active", "converted")), _HOLD.c.expires_at > now)).scalar_one())


def availability(session: Session, event_id: uuid.UUID, now: datetime) -> dict[str, Any]:
    """``{areas: {key: remaining places}, tables: {key: free | held | sold | blocked}}`` at ``now`` — a table
    is free when every seat is free, else sold if any seat is sold, held if any is held, otherwise blocked."""
    areas = {k: v["remaining"] for k, v in stock.area_remaining(session, event_id, now).items()}
    keys = session.execute(select(_AREA.c.area_key).where(_AREA.c.event_id == event_id, _AREA.c.kind == "table")).scalars().all()
    tables: dict[str, set[str]] = {k: set() for k in keys}
    if keys:
        for r in session.execute(select(_SEAT.c.table_key, _SEAT.c.status, _SEAT.c.hold_expires_at).where(
                _SEAT.c.event_id == event_id, _SEAT.c.table_key.in_(keys))).all():
            tables[r.table_key].add(seat_keeper.live_status(r.status, r.hold_expires_at, now))
    out = {}
    for k, st in tables.items():
        out[k] = next((s for s in ("sold", "held") if s in st), "free" if st <= {"free"} else "blocked")
    return {"areas": areas, "tables": out}


def area_legend(session: Session, event_id: uuid.UUID) -> list[dict[str, Any]]:
    """``[{key, kind, label, category, capacity}]`` of the event's standing areas and whole tables (for the map)."""
    return [{"key": r.area_key, "kind": r.kind, "label": r.label, "category": r.category_key, "capacity": r.capacity}
            for r in session.execute(select(_AREA).where(_AREA.c.event_id == event_id).order_by(_AREA.c.area_key)).all()]
