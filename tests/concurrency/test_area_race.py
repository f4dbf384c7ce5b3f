"""A standing area's capacity under a real race on PostgreSQL (issue 12 item 1, seated GA): many buyers each
holding places of one standing area (some together with a seat) and paying at once, on their own connections
with real commits.

- With the guard (the area keeper counts the other live holds' places under the area row lock): exactly the
  capacity is sold, never more; every refused hold left nothing (all or none, its seat free again); no
  deadlock or lock timeout (no ``busy``).
- The control switches the guard off (``AreaKeeper.GUARD = False``: the count is read without the lock, with
  a pause after it to widen the window) and must see more places sold than the area has — proof the test
  can fail.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from tests.conftest import TEST_DATABASE_URL
from tests.race_helpers import pay_hold, rush
from tests.seated_factories import ga_layout, seated_event
from voelgoed.models import EventArea, EventSeat, HoldItem, Order, OrderItem
from voelgoed.services import seating
from voelgoed.services.platform import db as dbmod
from voelgoed.services.sales import stock

THREADS = 12
CAPACITY = 7


@pytest.fixture
def race_engine(engine):
    eng = dbmod.make_engine(TEST_DATABASE_URL, pool_size=THREADS + 2, max_overflow=2)
    yield eng
    eng.dispose()


def _rush(race_engine, event) -> list[str]:
    """Each buyer i holds 1 place (odd i: 2 places and seat A-i, lock-order bait) and pays at once."""
    def attempt(s, i):
        odd = i % 2 == 1
        h = seating.hold_seats(s, event_slug=event.slug, seat_keys=[f"A-{i + 1}"] if odd else None,
                               areas=[{"key": "floor", "quantity": 2 if odd else 1}], client_address=f"10.2.0.{i}")
        return pay_hold(s, h["hold_token"], i)

    return rush(race_engine, THREADS, attempt)


def _sold_places(db, event) -> int:
    db.expire_all()
    paid = select(Order.id).where(Order.event_id == event.id, Order.status == "paid")
    return sum(i.quantity for i in db.exec(select(OrderItem).where(OrderItem.order_id.in_(paid),
                                                                  OrderItem.area_id.is_not(None))).all())


def test_a_standing_area_is_never_oversold(committed_db, race_engine, redis_client):
    event, _, _ = seated_event(committed_db, layout=ga_layout(CAPACITY, rows=(("A", 12),)))
    results = _rush(race_engine, event)
    assert set(results) <= {"paid", "area_full"}, results  # no busy: no deadlock, no lock timeout
    assert "area_full" in results  # 18 places wanted, 7 there
    sold = _sold_places(committed_db, event)
    area = committed_db.exec(select(EventArea).where(EventArea.event_id == event.id, EventArea.area_key == "floor")).one()
    assert sold == area.sold_count <= CAPACITY
    assert sold >= CAPACITY - 1  # the area filled up (a last single place may be left when only pairs came after)
    assert stock.area_remaining(committed_db, event.id, datetime.now(UTC))["floor"]["remaining"] == CAPACITY - sold
    # all or none: refused buyers left no hold items and their seats are free
    paid_holds = {o.hold_id for o in committed_db.exec(select(Order).where(Order.event_id == event.id,
                                                                         Order.status == "paid"))}
    assert {i.hold_id for i in committed_db.exec(select(HoldItem))} == paid_holds
    seats = {s.seat_key: s for s in committed_db.exec(select(EventSeat).where(EventSeat.event_id == event.id))}
    sold_seats = {k for k, s in seats.items() if s.status == "sold"}
    assert all(s.status in ("free", "sold") for s in seats.values())
    assert len(sold_seats) == sum(1 for i in committed_db.exec(select(HoldItem)) if i.seat_id is not None)


def test_control_without_the_guard_oversells_the_area(committed_db, race_engine, redis_client, monkeypatch):
    monkeypatch.setattr(stock.AreaKeeper, "GUARD", False)
    monkeypatch.setattr(stock.AreaKeeper, "CONTROL_PAUSE", 0.3)
    event, _, _ = seated_event(committed_db, layout=ga_layout(CAPACITY, rows=(("A", 12),)))
    results = _rush(race_engine, event)
    assert _sold_places(committed_db, event) > CAPACITY, results  # the oversale the guard prevents
