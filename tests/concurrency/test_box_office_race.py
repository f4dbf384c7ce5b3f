"""The box office races buyers on PostgreSQL (issue 12 item 5): box-office sales and online buyers (hold →
checkout → pay) grab overlapping seats at the same moment, each on its own connection with real commits.

- With the seat keeper's guard (conditional updates in sorted seat-key order): no seat is sold twice, every
  sale got all its seats or none, nobody deadlocked or timed out.
- The control switches the keeper's guard off (``SeatKeeper.GUARD = False``, check-then-book with a pause) and
  must see the box office sell one seat twice — proof the test can fail.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlmodel import Session, select

from tests.conftest import TEST_DATABASE_URL
from tests.seated_factories import seated_event
from voelgoed.models import EventSeat, Order, OrderItem, Ticket
from voelgoed.services import seating
from voelgoed.services.platform import VoelgoedError
from voelgoed.services.platform import db as dbmod
from voelgoed.services.sales import checkout, orders, seat_keeper

THREADS = 10


@pytest.fixture
def race_engine(engine):
    eng = dbmod.make_engine(TEST_DATABASE_URL, pool_size=THREADS + 2, max_overflow=2)
    yield eng
    eng.dispose()


def _race(race_engine, event, ctx, selections, box_office: set[int]) -> list[tuple[str, str]]:
    barrier = threading.Barrier(THREADS)
    results: list[tuple[str, str]] = []
    lock = threading.Lock()

    def worker(i):
        who = "desk" if i in box_office else "buyer"
        with Session(race_engine, expire_on_commit=False) as s:
            s.execute(select(1)).all()  # connect before the start line
            s.rollback()
            barrier.wait()
            try:
                if who == "desk":
                    out = seating.box_office_sale(s, ctx, event_id=event.id, seat_keys=selections[i], buyer_name="Desk",
                                                  buyer_email=f"d{i}@example.com")["status"]
                else:
                    h = seating.hold_seats(s, event_slug=event.slug, seat_keys=selections[i], client_address=f"10.2.0.{i}")
                    order = checkout.start_checkout(s, hold_id=h["hold_id"], buyer_name="B", buyer_email=f"b{i}@example.com")
                    pay = checkout.payment_for_order(s, order)
                    out = orders.mark_paid(s, reference=pay.reference, amount_cents=order.total_cents, currency="ZAR",
                                           provider="sandbox").status
            except VoelgoedError as exc:
                s.rollback()
                out = exc.code
        with lock:
            results.append((who, out))

    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(worker, range(THREADS)))
    return results


def _sold_per_seat(db, event) -> Counter:
    db.expire_all()
    paid = select(Order.id).where(Order.event_id == event.id, Order.status == "paid")
    return Counter(db.exec(select(OrderItem.seat_id).where(OrderItem.order_id.in_(paid))).all())


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
    per_seat = _sold_per_seat(committed_db, event)
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
    assert max(_sold_per_seat(committed_db, event).values()) > 1, results  # the double sale the guard prevents
