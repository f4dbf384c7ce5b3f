"""Seated sales under a real race on PostgreSQL (issue 12): many buyers grabbing overlapping seat sets, each
holding and paying at once, on their own connections with real commits.

- With the guard (the keeper's conditional updates in sorted seat-key order): no seat is sold twice, every hold
  got all its seats or none, no deadlock or lock timeout (no ``busy``).
- The control switches the guard off (``SeatKeeper.GUARD = False``: check-then-book, with a pause between the
  check and the write to widen the window) and must see a seat sold twice — proof the test can fail.
- Simultaneous best-available requests get disjoint seats.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlmodel import Session, select

from tests.conftest import TEST_DATABASE_URL
from tests.race_helpers import pay_hold, rush, sold_per_seat
from tests.seated_factories import seated_event
from voelgoed.models import EventSeat, HoldItem
from voelgoed.services import seating
from voelgoed.services.platform import VoelgoedError
from voelgoed.services.platform import db as dbmod
from voelgoed.services.sales import seat_keeper

THREADS = 12


@pytest.fixture
def race_engine(engine):
    eng = dbmod.make_engine(TEST_DATABASE_URL, pool_size=THREADS + 2, max_overflow=2)
    yield eng
    eng.dispose()


def _selections(seed: int = 7) -> list[list[str]]:
    """Overlapping sets of 2–4 seats in row A (1–12), some listed in descending order (lock-order bait)."""
    rng = random.Random(seed)
    out = []
    for i in range(THREADS):
        start, n = rng.randint(1, 9), rng.randint(2, 4)
        keys = [f"A-{k}" for k in range(start, min(start + n, 13))]
        out.append(keys[::-1] if i % 2 else keys)
    return out


def _grab(race_engine, event, selections) -> list[str]:
    def attempt(s, i):
        h = seating.hold_seats(s, event_slug=event.slug, seat_keys=selections[i], client_address=f"10.0.0.{i}")
        return pay_hold(s, h["hold_token"], i)

    return rush(race_engine, THREADS, attempt)


def test_overlapping_seat_grabs_never_sell_a_seat_twice(committed_db, race_engine, redis_client):
    event, _, _ = seated_event(committed_db, rows=(("A", 12),))
    results = _grab(race_engine, event, _selections())
    assert set(results) <= {"paid", "seat_held", "seat_sold"}, results  # no busy: no deadlock, no lock timeout
    assert results.count("paid") >= 1
    per_seat = sold_per_seat(committed_db, event)
    assert per_seat and max(per_seat.values()) == 1
    sold = committed_db.exec(select(EventSeat).where(EventSeat.event_id == event.id, EventSeat.status == "sold")).all()
    assert {s.id for s in sold} == set(per_seat)
    # all or nothing: every hold that exists holds exactly its seats; refused holds left nothing
    items = committed_db.exec(select(HoldItem)).all()
    assert len({i.hold_id for i in items}) == results.count("paid")
    by_hold = Counter(i.hold_id for i in items)
    sold_by_hold = Counter(s.hold_id for s in sold)
    assert by_hold == sold_by_hold


def test_control_without_the_guard_sells_a_seat_twice(committed_db, race_engine, redis_client, monkeypatch):
    monkeypatch.setattr(seat_keeper.SeatKeeper, "GUARD", False)
    monkeypatch.setattr(seat_keeper.SeatKeeper, "CONTROL_PAUSE", 0.2)
    event, _, _ = seated_event(committed_db, rows=(("A", 12),))
    same = [["A-5"]] * THREADS
    results = _grab(race_engine, event, same)
    per_seat = sold_per_seat(committed_db, event)
    assert max(per_seat.values()) > 1, results  # the double sale the guard prevents


def test_simultaneous_best_available_requests_get_disjoint_seats(committed_db, race_engine, redis_client):
    event, _, _ = seated_event(committed_db, rows=(("A", 10), ("B", 10), ("C", 10), ("D", 10)), max_per_buyer=10)
    barrier = threading.Barrier(THREADS)
    got: list = []
    lock = threading.Lock()

    def worker(i):
        barrier.wait()
        with Session(race_engine, expire_on_commit=False) as s:
            try:
                out = seating.choose_best_available(s, event_slug=event.slug, quantity=3, category="std",
                                                    client_address=f"10.1.0.{i}")
                res = [x["key"] for x in out["seats"]]
            except VoelgoedError as exc:
                s.rollback()
                res = exc.code
        with lock:
            got.append(res)

    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(worker, range(THREADS)))
    held = [g for g in got if isinstance(g, list)]
    assert all(len(g) == 3 for g in held) and {g for g in got if not isinstance(g, list)} <= {"sold_out", "busy"}
    flat = [k for g in held for k in g]
    assert len(flat) == len(set(flat)) and len(held) >= THREADS // 2
    committed_db.expire_all()
    rows = committed_db.exec(select(EventSeat).where(EventSeat.event_id == event.id, EventSeat.status == "held")).all()
    assert sorted(r.seat_key for r in rows) == sorted(flat)
