"""The fast best-available search (``seating/seat_search.py``) against a plain reference of the ladder's rules,
written the obvious way with ``seat_rows.new_isolated`` over every window, on random rows and statuses; and
the cached geometry against the event's seats. Pure functions except the last test (PostgreSQL)."""

from __future__ import annotations

import math
import random
from types import SimpleNamespace

import pytest

from tests.seated_factories import seated_event
from voelgoed.models import EventSeating
from voelgoed.services.seating import seat_rows, seat_search


def _reference_candidates(rows, taken, qty, focal, no_gap):
    """Every window of ``qty`` adjacent free seats (row_no_gap: leaving no new isolated seat, strict rule),
    as ``(distance of its centre to focal, pitch, keys)``."""
    out = []
    for row in rows:
        seats = [SimpleNamespace(seat_key=k, x=x, y=y) for k, x, y in zip(row.keys, row.xs, row.ys, strict=True)]
        flags = [k not in taken for k in row.keys]
        pitch = math.hypot(seats[1].x - seats[0].x, seats[1].y - seats[0].y) if len(seats) > 1 else 1.0
        for i in range(len(seats) - qty + 1):
            if not all(flags[i:i + qty]):
                continue
            block = seats[i:i + qty]
            if no_gap and seat_rows.new_isolated(seats, flags, {s.seat_key for s in block}, "strict"):
                continue
            cx, cy = sum(s.x for s in block) / qty, sum(s.y for s in block) / qty
            out.append((math.hypot(cx - focal[0], cy - focal[1]), pitch, [s.seat_key for s in block]))
    return out


def _equally_best(cands):
    """The set of key tuples the search may answer: within one pitch of the best."""
    if not cands:
        return set()
    cands = sorted(cands, key=lambda c: (c[0], c[2]))
    best, pitch = cands[0][0], cands[0][1]
    return {tuple(c[2]) for c in cands if c[0] <= best + max(pitch, 1e-9) + 1e-9}


def _random_rows(rng):
    rows = []
    for r in range(rng.randint(1, 6)):
        n = rng.randint(1, 14)
        curve = rng.choice([0.0, 0.8])
        xs = [10.0 * i for i in range(n)]
        ys = [40.0 * r + curve * (i - n / 2) ** 2 for i in range(n)]
        rows.append(seat_search.Row(rng.choice(["Stalls", "Circle"]), [f"{r}-{i}" for i in range(n)], xs, ys,
                                    [False] * n))
    return rows


@pytest.mark.parametrize("seed", range(60))
def test_the_search_answers_what_the_reference_rules_answer(seed):
    rng = random.Random(seed)
    rows = _random_rows(rng)
    keys = [k for r in rows for k in r.keys]
    taken = {k for k in keys if rng.random() < rng.choice([0.2, 0.5, 0.8])}
    qty = rng.randint(1, 4)
    focal = (rng.uniform(-20, 150), rng.uniform(-50, 100))
    found = seat_search.choose(rows, taken, qty, None, focal, random.Random(seed), set())
    for step, no_gap in (("row_no_gap", True), ("row", False)):
        allowed = _equally_best(_reference_candidates(rows, taken, qty, focal, no_gap))
        if allowed:
            assert found is not None and found[0] == step, (seed, found, step)
            assert tuple(found[1]) in allowed
            assert not set(found[1]) & taken
            return
    free = [k for k in keys if k not in taken]
    if len(free) >= qty:
        assert found is not None and found[0] == "nearest" and len(set(found[1])) == qty
        assert not set(found[1]) & taken
    else:
        assert found is None


def test_tried_blocks_are_skipped_and_a_section_is_searched_first():
    rows = [seat_search.Row("Stalls", ["S-1", "S-2", "S-3", "S-4"], [0, 10, 20, 30], [0, 0, 0, 0], [False] * 4),
            seat_search.Row("Circle", ["C-1", "C-2"], [0, 10], [100, 100], [False] * 2)]
    rng = random.Random(1)
    step, keys = seat_search.choose(rows, set(), 2, None, (15.0, 0.0), rng, set())
    assert step == "row_no_gap" and keys in (["S-1", "S-2"], ["S-3", "S-4"])  # S-2+S-3 would strand both ends
    other = ["S-3", "S-4"] if keys == ["S-1", "S-2"] else ["S-1", "S-2"]
    assert seat_search.choose(rows, set(), 2, None, (15.0, 0.0), rng, {tuple(keys)}) == ("row_no_gap", other)
    tried = {("S-1", "S-2"), ("S-3", "S-4"), ("C-1", "C-2")}
    assert seat_search.choose(rows, set(), 2, None, (15.0, 0.0), rng, tried) == ("row", ["S-2", "S-3"])
    assert seat_search.choose(rows, set(), 2, "Circle", (15.0, 0.0), rng, set()) == ("row_no_gap", ["C-1", "C-2"])
    assert seat_search.choose(rows, {"C-2"}, 2, "Circle", (15.0, 0.0), rng, set())[0] == "other_section:row_no_gap"
    assert seat_search.choose(rows, {"S-1", "S-3", "C-2"}, 2, None, (15.0, 0.0), rng, set())[0] == "nearest"
    assert seat_search.choose(rows, {"S-1", "S-2", "S-3", "S-4", "C-2"}, 2, None, (15.0, 0.0), rng, set()) is None


def test_geometry_is_the_events_seats_by_category_and_row(db):
    event, _, _ = seated_event(db, rows=(("A", 6), ("B", 4)))
    db.commit()
    version_id = db.get(EventSeating, event.id).version_id
    seat_search.forget()
    geo = seat_search.geometry(db, event.id, version_id)
    got = {c: [(r.section, r.keys) for r in rows] for c, rows in geo.rows.items()}
    assert sum(len(keys) for rows in got.values() for _, keys in rows) == 10
    assert all(keys == sorted(keys, key=lambda k: int(k.split("-")[1])) for rows in got.values() for _, keys in rows)
    assert seat_search.geometry(db, event.id, version_id) is geo  # cached per (event, version)
    seat_search.forget(event.id)
    assert seat_search.geometry(db, event.id, version_id) is not geo
