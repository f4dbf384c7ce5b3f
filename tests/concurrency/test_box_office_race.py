"""The box office races buyers on PostgreSQL (issue 12 item 5): box-office sales and online buyers (hold →
checkout → pay) grab overlapping seats at the same moment, each on its own connection with real commits.

- With the seat keeper's guard (conditional updates in sorted seat-key order): no seat is sold twice, every
  sale got all its seats or none, nobody deadlocked or timed out.
- The control switches the keeper's guard off (``SeatKeeper.GUARD = False``, check-then-book with a pause) and
  must see the box office sell one seat twice — proof the test can fail.
"""

from __future__ import annotations

import random

import pytest
from sqlmodel import select

from tests.conftest import TEST_DATABASE_URL
from tests.race_helpers import pay_hold, rush, sold_per_seat
from tests.seated_factories import seated_event
from voelgoed.models import EventSeat, Order, OrderItem, Ticket
from voelgoed.services import seating
from voelgoed.services.platform import db as dbmod
from voelgoed.services.sales import seat_keeper

THREADS = 10


@pytest.fixture
def race_engine(engine):
    eng = dbmod.make_engine(TEST_DATABASE_URL, pool_size=THREADS + 2, max_overflow=2)
    yield eng
    eng.dispose()


def _race(race_engine, event, ctx, selections, box_office: set[int]) -> list[tuple[str, str]]:
    def attempt(s, i):
        if i in box_office:
            return seating.box_office_sale(s, ctx, event_id=event.id, seat_keys=selections[i], buyer_name="Desk",
                                           buyer_email=f"d{i}@example.com")["status"]
        h = seating.hold_seats(s, event_slug=event.slug, seat_keys=selections[i], client_address=f"10.2.0.{i}")
        return pay_hold(s, h["hold_token"], i)

    return [("desk" if i in box_office else "buyer", out) for i, out in enumerate(rush(race_engine, THREADS, attempt))]


def test_box_office_and_buyers_never_sell_a_seat_twice(committed_db, race_engine, redis_client):
    event, ctx, _ = seated_event(committed_db, rows=(("A", 10),))
    rng = random.Random(11)
    selections = []
    for i in range(THREADS):
        start = rng.randint(1, 8)
        keys = [f"A-{k}" for k in range(start, start + rng.randint(2, 3)) if k <= 10]
        selections.append(keys[::-1] if i % 3 == 0 else keys)
    results = _race(race_engine, event, ctx, selections, box_office=set(range(0, THREADS, 2)))
    assert {out for _, out in results} <= {"paid", "seat_held", "seat_sold"}, results  # no busy, no deadlock
    assert any(out == "paid" for _, out in results)
    per_seat = sold_per_seat(committed_db, event)
    assert per_seat and max(per_seat.values()) == 1
    sold = committed_db.exec(select(EventSeat).where(EventSeat.event_id == event.id, EventSeat.status == "sold")).all()
    assert {s.id for s in sold} == set(per_seat)
    # all or nothing: each paid order has exactly its seats, each seat's ticket points at it
    paid = committed_db.exec(select(Order).where(Order.event_id == event.id, Order.status == "paid")).all()
    for order in paid:
        seat_ids = {it.seat_id for it in committed_db.exec(select(OrderItem).where(OrderItem.order_id == order.id))}
        assert {s.id for s in sold if s.order_id == order.id} == seat_ids
        assert {t.seat_id for t in committed_db.exec(select(Ticket).where(Ticket.order_id == order.id))} == seat_ids
    assert sum(1 for _, out in results if out == "paid") == len(paid)


def test_control_without_the_guard_the_box_office_sells_a_seat_twice(committed_db, race_engine, redis_client,
                                                                     monkeypatch):
    monkeypatch.setattr(seat_keeper.SeatKeeper, "GUARD", False)
    monkeypatch.setattr(seat_keeper.SeatKeeper, "CONTROL_PAUSE", 0.2)
    event, ctx, _ = seated_event(committed_db, rows=(("A", 10),))
    results = _race(race_engine, event, ctx, [["A-5"]] * THREADS, box_office=set(range(THREADS)))
    assert max(sold_per_seat(committed_db, event).values()) > 1, results  # the double sale the guard prevents
