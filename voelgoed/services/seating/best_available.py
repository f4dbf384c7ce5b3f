"""Best available (issue 12): quantity + category (optionally a section, or wheelchair seats) → seats, held.

The ladder (``../shared/docs/seating.md``, after seats.io), first step that finds seats wins:

1. ``row_no_gap`` — adjacent seats in one row, leaving no isolated seat, nearest the focal point;
2. ``row`` — adjacent seats in one row, an isolated seat allowed;
3. ``nearest`` — the N free seats nearest to each other around the best free seat (any rows);
4. with a ``section`` that had nothing: steps 1–3 across all sections (``step`` gets ``other_section:`` in front);
5. ``table`` — a whole table of the category with room for the party (its every seat held; the party pays for
   the table), then 6. ``standing`` — ``quantity`` places of a standing area of the category: chosen under the
   row locks and held in that same transaction (:mod:`voelgoed.services.seating.best_places`; not with
   ``accessible``);
7. refuse: 409 ``sold_out`` (``details.category``).

Categories are a hard filter. Candidates are ranked by the distance of the block's centre to the focal point
(the layout's ``focal_point``; else the top centre of the seats); blocks within one seat pitch of the best
are shuffled (``rng``), so simultaneous buyers don't all try the same "best" block. The chosen block is held
through :func:`voelgoed.services.seating.seat_holds.place` — sorted-key conditional updates under the row
locks decide; a block someone else took meanwhile is refused there, rolled back, and the next candidate
(from a fresh read, at most ``ATTEMPTS`` blocks) is tried. Returns the hold dict plus ``step``.

Errors: 422 ``validation_failed`` (quantity, unknown category), 409 ``over_cap``, ``sold_out``, 404, 503 ``busy``.
"""

from __future__ import annotations

import math
import random
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlmodel import Session

from voelgoed.models import EventArea, EventSeat, SeatingPlanVersion
from voelgoed.services.platform import ValidationFailed, VoelgoedError, clock
from voelgoed.services.sales import seat_keeper, stock
from voelgoed.services.seating import best_places, event_seats, seat_holds, seat_rows

ATTEMPTS = 8
_SEAT, _AREA = EventSeat.__table__, EventArea.__table__
_RETRY = (seat_keeper.SEAT_HELD, seat_keeper.SEAT_SOLD, seat_keeper.SEAT_BLOCKED, stock.AREA_FULL)


def best_available(session: Session, *, event_slug: str, quantity: Any, category: Any, section: Any = None,
                   accessible: bool = False, client_address: str = "", now: datetime | None = None,
                   rng: random.Random | None = None) -> dict[str, Any]:
    """Choose and hold ``quantity`` places of ``category`` (seats, else a whole table, else standing places);
    commits; ``{...hold, step}`` (see module docstring; a table's seats are in ``seats``, its key in ``tables``,
    standing places in ``areas``)."""
    now = clock.resolve(now)
    rng = rng or random.Random()
    event, settings = event_seats.seated_event(session, event_slug)
    event_seats.on_sale(event, now)
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
        raise ValidationFailed({"quantity": "A whole number of seats, at least 1"})
    if quantity > settings.max_per_order:
        raise VoelgoedError(seat_keeper.OVER_CAP, f"At most {settings.max_per_order} seats per order",
                            {"max_per_order": settings.max_per_order}, status=409)
    if not isinstance(category, str) or category not in settings.category_types:
        raise ValidationFailed({"category": "Choose one of the event's seat categories"})
    layout = session.get(SeatingPlanVersion, settings.version_id).layout
    tried: set[tuple[str, ...]] = set()
    for _ in range(ATTEMPTS):
        seats = _candidates_seats(session, event.id, category, accessible)
        found = _choose(seats, quantity, section if isinstance(section, str) and section else None,
                        _focal(layout, seats), now, rng, tried)
        try:
            if found is None:
                out = None if accessible else best_places.tables_then_standing(
                    session, event, settings, layout, quantity=quantity, category=category, focal=_focal(layout, seats),
                    client_address=client_address, now=now, rng=rng)
                if out is None:
                    raise VoelgoedError("sold_out", f"No {quantity} places left together or apart in this category",
                                        {"category": category}, status=409)
                return out
            step, block = found
            tried.add(tuple(sorted(s.seat_key for s in block)))
            out = seat_holds.place(session, event, settings, sorted(block, key=lambda s: s.seat_key),
                                   client_address=client_address, now=now, check_isolated=False)
        except VoelgoedError as exc:
            if exc.code in _RETRY:
                continue
            raise
        out["step"] = step
        return out
    raise VoelgoedError("busy", "Seats are in high demand right now; please try again", status=503)


def _candidates_seats(session: Session, event_id, category: str, accessible: bool) -> list:
    whole = select(_AREA.c.area_key).where(_AREA.c.event_id == event_id, _AREA.c.kind == "table")
    q = select(_SEAT).where(_SEAT.c.event_id == event_id, _SEAT.c.category_key == category,
                            or_(_SEAT.c.table_key.is_(None), _SEAT.c.table_key.not_in(whole)))  # tables sold whole: not here
    rows = session.execute(q).all()
    session.rollback()  # end the read transaction: the hold starts fresh
    return [r for r in rows if r.wheelchair] if accessible else rows


def _focal(layout: dict, seats: list) -> tuple[float, float]:
    fp = (layout or {}).get("focal_point")
    if isinstance(fp, dict) and isinstance(fp.get("x"), int | float) and isinstance(fp.get("y"), int | float):
        return float(fp["x"]), float(fp["y"])
    if not seats:
        return 0.0, 0.0
    return sum(s.x for s in seats) / len(seats), min(s.y for s in seats)


def _choose(seats: list, qty: int, section: str | None, focal, now, rng, tried) -> tuple[str, list] | None:
    scopes = [("", [s for s in seats if s.section_label == section])] if section else []
    scopes.append(("other_section:" if section else "", seats))
    for prefix, scope in scopes:
        rows = seat_rows.rows_of(scope)
        free = {rid: [seat_keeper.live_status(s.status, s.hold_expires_at, now) == "free" for s in row]
                for rid, row in rows.items()}
        for step, no_gap in (("row_no_gap", True), ("row", False)):
            blocks = _row_blocks(rows, free, qty, focal, no_gap)
            pick = _pick(blocks, tried, rng)
            if pick:
                return prefix + step, pick
        pick = _pick(_nearest_blocks(rows, free, qty, focal), tried, rng)
        if pick:
            return prefix + "nearest", pick
    return None


def _dist(block: list, focal) -> float:
    cx = sum(s.x for s in block) / len(block)
    cy = sum(s.y for s in block) / len(block)
    return math.hypot(cx - focal[0], cy - focal[1])


def _row_blocks(rows: dict, free: dict, qty: int, focal, no_gap: bool) -> list[tuple[float, float, list]]:
    out = []
    for rid, row in rows.items():
        flags = free[rid]
        for i in range(len(row) - qty + 1):
            if not all(flags[i:i + qty]):
                continue
            block = row[i:i + qty]
            if no_gap and seat_rows.new_isolated(row, flags, {s.seat_key for s in block}, "strict"):
                continue
            pitch = math.hypot(row[1].x - row[0].x, row[1].y - row[0].y) if len(row) > 1 else 1.0
            out.append((_dist(block, focal), pitch, block))
    return out


def _nearest_blocks(rows: dict, free: dict, qty: int, focal, seeds: int = 40) -> list[tuple[float, float, list]]:
    pool = [s for rid, row in rows.items() for s, f in zip(row, free[rid], strict=True) if f]
    if len(pool) < qty:
        return []
    pool.sort(key=lambda s: math.hypot(s.x - focal[0], s.y - focal[1]))
    out = []
    for seed in pool[:seeds]:
        group = sorted(pool, key=lambda s: (math.hypot(s.x - seed.x, s.y - seed.y), s.seat_key))[:qty]
        spread = max(math.hypot(s.x - seed.x, s.y - seed.y) for s in group)
        out.append((_dist(group, focal) + spread, 1.0, group))
    return out


def _pick(blocks: list, tried: set, rng: random.Random) -> list | None:
    blocks = [b for b in blocks if tuple(sorted(s.seat_key for s in b[2])) not in tried]
    if not blocks:
        return None
    blocks.sort(key=lambda b: (b[0], [s.seat_key for s in b[2]]))
    best, pitch = blocks[0][0], blocks[0][1]
    equal = [b for b in blocks if b[0] <= best + max(pitch, 1e-9)]
    return rng.choice(equal)[2]
