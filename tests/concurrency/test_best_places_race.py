"""Best available's table and standing steps under a real race on PostgreSQL (issue 12, seated GA): many
buyers asking for the same party size at once, each on its own connection with real commits, released together.

- Tables: 12 parties of 3 for 6 tables of 4 → exactly 6 holds, each of a different whole table (all its seats),
  the other 6 ``sold_out``; no ``busy`` (no deadlock, no lock timeout).
- Standing: 12 parties of 3 for two areas of 7 places (and only 2 loose seats) → exactly 4 holds, never more
  places held in an area than it has; the rest ``sold_out``.
- Mixed: parties asking for tables and for standing places at once do not block each other into ``busy``.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pytest
from sqlmodel import select

from tests.conftest import TEST_DATABASE_URL
from tests.race_helpers import rush
from tests.seated_factories import party_layout, seated_event
from voelgoed.models import EventSeat, HoldItem
from voelgoed.services import seating
from voelgoed.services.platform import db as dbmod
from voelgoed.services.sales import stock

THREADS = 12
TABLES = tuple((f"T{i}", 4, 300 + 60 * i, 300 + 80 * (i % 3)) for i in range(1, 7))


@pytest.fixture
def race_engine(engine):
    eng = dbmod.make_engine(TEST_DATABASE_URL, pool_size=THREADS + 2, max_overflow=2)
    yield eng
    eng.dispose()


def _ask(race_engine, event, wants):
    def attempt(s, i):
        qty, cat = wants(i)
        out = seating.choose_best_available(s, event_slug=event.slug, quantity=qty, category=cat,
                                            client_address=f"10.4.0.{i}")
        return out["step"], tuple(out["tables"]), tuple((a["key"], a["quantity"]) for a in out["areas"]), \
            tuple(x["key"] for x in out["seats"])

    return rush(race_engine, THREADS, attempt)


def _held(db, event):
    db.expire_all()
    return {s.seat_key: s.hold_id for s in db.exec(select(EventSeat).where(EventSeat.event_id == event.id,
                                                                          EventSeat.status == "held"))}


def test_simultaneous_parties_get_different_whole_tables(committed_db, race_engine, redis_client):
    event, _, _ = seated_event(committed_db, layout=party_layout(tables=TABLES, areas=()))
    results = _ask(race_engine, event, lambda i: (3, "vip"))
    held = [r for r in results if isinstance(r, tuple)]
    assert Counter(r if isinstance(r, str) else "held" for r in results) == {"held": 6, "sold_out": 6}, results
    assert all(r[0] == "table" and len(r[1]) == 1 and len(r[3]) == 4 for r in held)
    tables = [r[1][0] for r in held]
    assert sorted(tables) == [f"T{i}" for i in range(1, 7)]               # every table once
    assert all(all(k.startswith(t + "-") for k in r[3]) for t, r in zip(tables, held, strict=True))
    seats = _held(committed_db, event)
    assert len(seats) == 24 and len(set(seats.values())) == 6              # one hold per table, all 4 seats


def test_simultaneous_parties_never_overfill_a_standing_area(committed_db, race_engine, redis_client):
    event, _, _ = seated_event(committed_db, layout=party_layout(tables=()))   # floor 7, balcony 7, 2 loose seats
    results = _ask(race_engine, event, lambda i: (3, "std"))
    held = [r for r in results if isinstance(r, tuple)]
    assert Counter(r if isinstance(r, str) else r[0] for r in results) == {"standing": 4, "sold_out": 8}, results
    assert Counter(r[2][0][0] for r in held) == {"floor": 2, "balcony": 2}
    committed_db.expire_all()
    left = stock.area_remaining(committed_db, event.id, datetime.now(UTC))
    assert {k: (v["held"], v["remaining"]) for k, v in left.items()} == {"floor": (6, 1), "balcony": (6, 1)}
    items = committed_db.exec(select(HoldItem).where(HoldItem.area_id.is_not(None))).all()
    assert sorted(i.quantity for i in items) == [3, 3, 3, 3]


def test_tables_and_standing_requests_at_once(committed_db, race_engine, redis_client):
    event, _, _ = seated_event(committed_db, layout=party_layout(tables=TABLES[:3]))
    results = _ask(race_engine, event, lambda i: (3, "vip") if i % 2 else (3, "std"))
    steps = Counter(r if isinstance(r, str) else r[0] for r in results)
    assert steps == {"table": 3, "standing": 4, "sold_out": 5}, results
    assert len(_held(committed_db, event)) == 12
