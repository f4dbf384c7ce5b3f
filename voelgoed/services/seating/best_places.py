"""Best available, the last two steps of the ladder (``../shared/docs/seating.md``: "… → across sections → tables
→ standing areas → refuse"; issue 12, seated GA). Called by :mod:`voelgoed.services.seating.best_available` only
when the loose seats of the category cannot seat the party (fewer free seats than ``quantity``).

- ``table`` — a whole table (``event_area`` ``kind='table'``) whose seats are all of the category and all
  free, with room for the party (``capacity >= quantity``, ``capacity <= max_per_order``); the fewest empty
  chairs first, then the nearest to the focal point. The hold takes **every seat of the table** (a table sold
  whole cannot be split), priced per seat like a table chosen on the map, so the party pays for the table.
- ``standing`` — ``quantity`` places of a standing area (``kind='standing'``) of the category with that many
  places left, the nearest (area centroid) to the focal point first.

**Chosen under the lock, held in the same transaction**: the buyer's hold-caps advisory lock, then the candidate
rows locked (``SELECT … FOR UPDATE``: the tables' seat rows in ascending seat key / the areas' rows in ascending
area key — the stock lock order), then the free tables / places left are read under those locks, one is picked
at random among the equally good (same empty chairs and within one seat pitch of the best distance), and
:func:`voelgoed.services.seating.seat_holds.place` holds it (the keepers' conditional writes and counts decide
again) and commits. Simultaneous requests queue on the locks and each sees the previous one's committed hold.
Neither step is offered for ``accessible`` (tables and standing areas have no wheelchair flag).

Returns the hold dict plus ``step`` (``table`` / ``standing``), or None when neither step has room.
Errors: 409 ``over_cap`` (buyer cap), 503 ``busy`` (a lock wait beyond ``DB_LOCK_TIMEOUT_MS``).
"""

from __future__ import annotations

import math
import random
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from voelgoed.models import EventArea, EventSeat
from voelgoed.services.platform import Busy
from voelgoed.services.sales import hold_caps, seat_keeper, stock
from voelgoed.services.seating import seat_holds

_AREA, _SEAT = EventArea.__table__, EventSeat.__table__


def tables_then_standing(session: Session, event, settings, layout: dict, *, quantity: int, category: str,
                         focal: tuple[float, float], client_address: str, now: datetime,
                         rng: random.Random) -> dict[str, Any] | None:
    """The ``table`` step, else the ``standing`` step (see the module docstring); commits when it holds."""
    pitch = 2.0 * float((layout or {}).get("seat_radius") or 10)
    who = hold_caps.Who(hold_caps.client_hash(client_address), None)
    try:
        for step in (_table, _standing):
            hold_caps.lock_for_transaction(session, who)  # place() takes it again (re-entrant): same order as a hold
            out = step(session, event, settings, layout, quantity, category, focal, pitch, client_address, now, rng)
            if out is not None:
                return out
            session.rollback()  # nothing fitted: end this step's locks
    except OperationalError as exc:
        session.rollback()
        raise Busy("busy", "Seats are in high demand right now; please try again") from exc
    return None


def _equal(ranked: list, pitch: float, rng: random.Random):
    """``ranked`` = ``[(waste, distance, tie key, choice)]`` → one choice at random among the equally good."""
    ranked.sort(key=lambda r: (r[0], r[1], r[2]))
    waste, best = ranked[0][0], ranked[0][1]
    return rng.choice([r for r in ranked if r[0] == waste and r[1] <= best + pitch])[3]


def _table(session, event, settings, layout, quantity, category, focal, pitch, client_address, now, rng):
    keys = session.execute(select(_AREA.c.area_key).where(
        _AREA.c.event_id == event.id, _AREA.c.kind == "table", _AREA.c.capacity >= quantity,
        _AREA.c.capacity <= settings.max_per_order)).scalars().all()
    if not keys:
        return None
    seats = session.execute(select(_SEAT).where(_SEAT.c.event_id == event.id, _SEAT.c.table_key.in_(keys))
                            .order_by(_SEAT.c.seat_key).with_for_update()).all()
    by_table: dict[str, list] = {}
    for s in seats:
        by_table.setdefault(s.table_key, []).append(s)
    ranked = []
    for key, group in by_table.items():
        if len(group) < quantity or any(s.category_key != category for s in group):
            continue
        if any(seat_keeper.live_status(s.status, s.hold_expires_at, now) != "free" for s in group):
            continue
        cx, cy = sum(s.x for s in group) / len(group), sum(s.y for s in group) / len(group)
        ranked.append((len(group) - quantity, math.hypot(cx - focal[0], cy - focal[1]), key, (key, group)))
    if not ranked:
        return None
    key, group = _equal(ranked, pitch, rng)
    out = seat_holds.place(session, event, settings, group, tables=[key], client_address=client_address, now=now,
                           check_isolated=False)
    return {**out, "step": "table"}


def _centroids(layout: dict) -> dict[str, tuple[float, float]]:
    out = {}
    for a in (layout or {}).get("standing_areas") or []:
        pts = [p for p in a.get("points") or [] if isinstance(p, dict)]
        if pts:
            out[a.get("id")] = (sum(float(p.get("x", 0)) for p in pts) / len(pts),
                                sum(float(p.get("y", 0)) for p in pts) / len(pts))
    return out


def _standing(session, event, settings, layout, quantity, category, focal, pitch, client_address, now, rng):
    rows = session.execute(select(_AREA).where(
        _AREA.c.event_id == event.id, _AREA.c.kind == stock.area.STANDING, _AREA.c.category_key == category)
        .order_by(_AREA.c.area_key).with_for_update()).all()
    if not rows:
        return None
    left = stock.area_remaining(session, event.id, now)  # under the row locks: every committed hold counted
    centres = _centroids(layout)
    ranked = []
    for r in rows:
        if left.get(r.area_key, {}).get("remaining", 0) >= quantity:
            cx, cy = centres.get(r.area_key, focal)
            ranked.append((0, math.hypot(cx - focal[0], cy - focal[1]), r.area_key, r))
    if not ranked:
        return None
    area = _equal(ranked, pitch, rng)
    out = seat_holds.place(session, event, settings, [], areas=[(area, quantity)], client_address=client_address,
                           now=now, check_isolated=False)
    return {**out, "step": "standing"}
