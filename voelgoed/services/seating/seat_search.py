"""The search behind best available (issue 12): which block of free seats to offer, in time linear in the seats.

Two halves:

- **Geometry** (:func:`geometry`): an event's seats of one category as rows (``seat_rows`` order: same
  section, row and table, left to right), with prefix sums of x and y so a block's centre costs O(1), each
  row's pitch, the whole-table seats left out, and the focal point. It depends only on the event's plan version
  (``event_seating.version_id``: event seats are re-synced only when it changes), so it is cached per process,
  keyed by ``(event_id, version_id)``; an 18,000-seat event is read once, not per request.
- **Statuses** (:func:`taken_keys`): per request, only the seats that are not free at ``now``
  (``status <> 'free'``, a lapsed hold counts as free: expiry at read time).

:func:`choose` then walks the ladder of ``best_available`` (``row_no_gap`` → ``row`` → ``nearest``, per scope):
every window of ``quantity`` adjacent free seats of a row is a candidate; ``row_no_gap`` refuses a window
whose left or right neighbour would be left isolated (the strict rule: a free seat with both neighbours taken
or the row's end — only the window's two neighbours can become isolated, so that is an O(1) test); the
candidates are ranked by the distance of the window's centre to the focal point and the choice is random
among those within one seat pitch of the best (so simultaneous buyers spread out). Same answers as the
reference rules in ``seat_rows`` (``tests/services/test_seat_search.py`` compares them on random rows).
"""

from __future__ import annotations

import heapq
import math
import random
import threading
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlmodel import Session

from voelgoed.models import EventArea, EventSeat, SeatingPlanVersion
from voelgoed.services.sales import seat_keeper
from voelgoed.services.seating import seat_rows

_SEAT, _AREA, _VERSION = EventSeat.__table__, EventArea.__table__, SeatingPlanVersion.__table__
CACHE_SIZE = 32  # events per process


@dataclass
class Row:
    """One row of one category: seat keys left to right, their coordinates and prefix sums (``sx[i]`` = sum of
    the first ``i`` x values), the section label and the seat pitch (distance of the first two seats, else 1)."""

    section: str
    keys: list[str]
    xs: list[float]
    ys: list[float]
    wheelchair: list[bool]
    sx: list[float] = field(default_factory=list)
    sy: list[float] = field(default_factory=list)
    pitch: float = 1.0

    def __post_init__(self) -> None:
        self.sx, self.sy = [0.0], [0.0]
        for x, y in zip(self.xs, self.ys, strict=True):
            self.sx.append(self.sx[-1] + x)
            self.sy.append(self.sy[-1] + y)
        if len(self.xs) > 1:
            self.pitch = math.hypot(self.xs[1] - self.xs[0], self.ys[1] - self.ys[0])


@dataclass
class Geometry:
    """An event's rows per category (``rows[category]``; ``accessible_rows[category]``: the rows built from
    its wheelchair seats only) and the layout's focal point (``None``: none set)."""

    rows: dict[str, list[Row]]
    accessible_rows: dict[str, list[Row]]
    focal_point: tuple[float, float] | None


_cache: OrderedDict[tuple[uuid.UUID, uuid.UUID], Geometry] = OrderedDict()
_lock = threading.Lock()


def geometry(session: Session, event_id: uuid.UUID, version_id: uuid.UUID) -> Geometry:
    """The event's :class:`Geometry` (cached per process by ``(event_id, version_id)``)."""
    key = (event_id, version_id)
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    geo = _load(session, event_id, version_id)
    with _lock:
        _cache[key] = geo
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return geo


def forget(event_id: uuid.UUID | None = None) -> None:
    """Drop cached geometry (one event's, or all)."""
    with _lock:
        for key in [k for k in _cache if event_id is None or k[0] == event_id]:
            del _cache[key]


def _load(session: Session, event_id: uuid.UUID, version_id: uuid.UUID) -> Geometry:
    whole = select(_AREA.c.area_key).where(_AREA.c.event_id == event_id, _AREA.c.kind == "table")
    seats = session.execute(select(
        _SEAT.c.seat_key, _SEAT.c.category_key, _SEAT.c.section_label, _SEAT.c.row_label, _SEAT.c.table_key,
        _SEAT.c.x, _SEAT.c.y, _SEAT.c.wheelchair).where(
        _SEAT.c.event_id == event_id, or_(_SEAT.c.table_key.is_(None), _SEAT.c.table_key.not_in(whole)))).all()
    layout = session.execute(select(_VERSION.c.layout).where(_VERSION.c.id == version_id)).scalar_one_or_none()
    fp = (layout or {}).get("focal_point")
    focal = (float(fp["x"]), float(fp["y"])) if isinstance(fp, dict) and all(
        isinstance(fp.get(k), int | float) and not isinstance(fp.get(k), bool) for k in ("x", "y")) else None
    by_cat: dict[str, list] = {}
    for s in seats:
        by_cat.setdefault(s.category_key, []).append(s)
    rows = {c: _rows(ss) for c, ss in by_cat.items()}
    accessible = {c: _rows([s for s in ss if s.wheelchair]) for c, ss in by_cat.items()}
    return Geometry(rows, accessible, focal)


def _rows(seats: list) -> list[Row]:
    return [Row(rid[0], [s.seat_key for s in row], [float(s.x) for s in row], [float(s.y) for s in row],
                [bool(s.wheelchair) for s in row]) for rid, row in sorted(seat_rows.rows_of(seats).items())]


def taken_keys(session: Session, event_id: uuid.UUID, now: datetime) -> set[str]:
    """Keys of the event's seats that are not free at ``now`` (held and not lapsed, sold, blocked, allocated)."""
    return set(session.execute(select(_SEAT.c.seat_key).where(
        _SEAT.c.event_id == event_id, _SEAT.c.status != seat_keeper.FREE,
        or_(_SEAT.c.status != seat_keeper.HELD, and_(_SEAT.c.hold_expires_at.is_not(None),
                                                      _SEAT.c.hold_expires_at > now)))).scalars())


def focal_of(geo: Geometry, rows: list[Row]) -> tuple[float, float]:
    """The layout's focal point, else the top centre of ``rows`` (mean x, least y), else (0, 0)."""
    if geo.focal_point is not None:
        return geo.focal_point
    n = sum(len(r.keys) for r in rows)
    if not n:
        return 0.0, 0.0
    return sum(r.sx[-1] for r in rows) / n, min(min(r.ys) for r in rows)


def choose(rows: list[Row], taken: set[str], qty: int, section: str | None, focal: tuple[float, float],
           rng: random.Random, tried: set[tuple[str, ...]]) -> tuple[str, list[str]] | None:
    """``(step, seat keys)`` of the best block of ``qty`` free seats not in ``tried`` (sorted key tuples), or None.
    Scopes: ``section``'s rows first (when given), then all rows with ``other_section:`` before the step."""
    scopes = [("", [r for r in rows if r.section == section])] if section else []
    scopes.append(("other_section:" if section else "", rows))
    for prefix, scope in scopes:
        free = [[k not in taken for k in r.keys] for r in scope]

        def window_keys(b, scope=scope):
            return scope[b[2]].keys[b[3]:b[3] + qty]

        for step, no_gap in (("row_no_gap", True), ("row", False)):
            pick = _pick(_windows(scope, free, qty, focal, no_gap), window_keys, tried, rng)
            if pick:
                return prefix + step, pick
        pick = _pick(_nearest(scope, free, qty, focal), lambda b: b[2], tried, rng)
        if pick:
            return prefix + "nearest", pick
    return None


def _windows(rows: list[Row], free: list[list[bool]], qty: int, focal, no_gap: bool) -> list[tuple]:
    """Every run of ``qty`` adjacent free seats: ``(distance of its centre to focal, row pitch, row index, index
    of its first seat)``."""
    out = []
    fx, fy = focal
    hypot = math.hypot
    for ri, (row, flags) in enumerate(zip(rows, free, strict=True)):
        n, run = len(flags), 0
        sx, sy, pitch = row.sx, row.sy, row.pitch
        for j in range(n):  # j = the window's last seat
            run = run + 1 if flags[j] else 0
            if run < qty:
                continue
            i = j - qty + 1
            if no_gap and _leaves_isolated(flags, i, j + 1, n):
                continue
            out.append((hypot((sx[j + 1] - sx[i]) / qty - fx, (sy[j + 1] - sy[i]) / qty - fy), pitch, ri, i))
    return out


def _leaves_isolated(flags: list[bool], i: int, j: int, n: int) -> bool:
    """Would taking seats ``[i, j)`` leave seat ``i-1`` or ``j`` free with no free neighbour (strict rule)?"""
    if n == 1:
        return False
    left = i - 1 >= 0 and flags[i - 1] and (i - 2 < 0 or not flags[i - 2])
    right = j < n and flags[j] and (j + 1 >= n or not flags[j + 1])
    return left or right


def _nearest(rows: list[Row], free: list[list[bool]], qty: int, focal, seeds: int = 40) -> list[tuple[float, float, list[str]]]:
    """The ``qty`` free seats nearest each of the ``seeds`` free seats nearest the focal point (any rows)."""
    pool = [(x, y, k) for r, flags in zip(rows, free, strict=True)
            for x, y, k, f in zip(r.xs, r.ys, r.keys, flags, strict=True) if f]
    if len(pool) < qty:
        return []
    fx, fy = focal
    out = []
    for sx, sy, _ in heapq.nsmallest(seeds, pool, key=lambda p: (math.hypot(p[0] - fx, p[1] - fy), p[2])):
        group = heapq.nsmallest(qty, pool, key=lambda p: (math.hypot(p[0] - sx, p[1] - sy), p[2]))
        spread = max(math.hypot(x - sx, y - sy) for x, y, _ in group)
        cx, cy = sum(p[0] for p in group) / qty, sum(p[1] for p in group) / qty
        out.append((math.hypot(cx - fx, cy - fy) + spread, 1.0, [p[2] for p in group]))
    return out


def _pick(blocks: list[tuple], keys_of, tried: set, rng: random.Random) -> list[str] | None:
    """A random block among the untried ones within one pitch of the best untried one (``block[0]`` = distance,
    ``block[1]`` = pitch, ``keys_of(block)`` = its seat keys); ties ordered by keys, so a seeded ``rng`` repeats
    its answer."""
    if tried:
        blocks = [b for b in blocks if tuple(sorted(keys_of(b))) not in tried]
    if not blocks:
        return None
    best = min(blocks, key=lambda b: b[0])
    cut = best[0] + max(min(b[1] for b in blocks if b[0] == best[0]), 1e-9)
    equal = sorted((b[0], keys_of(b)) for b in blocks if b[0] <= cut)
    return list(rng.choice(equal)[1])
