"""Shared set-up of the seated-sales race tests (seats, standing areas, box office) on real PostgreSQL."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlmodel import Session, select

from voelgoed.models import Order, OrderItem
from voelgoed.services.platform import VoelgoedError
from voelgoed.services.sales import checkout, orders


def rush(engine, threads: int, attempt: Callable[[Session, int], Any]) -> list[Any]:
    """Run ``attempt(session, i)`` for every ``i < threads``, each on its own connection (connected before the
    start line) and released together by a barrier; ``[result or VoelgoedError code]`` in ``i`` order."""
    barrier = threading.Barrier(threads)

    def worker(i: int):
        with Session(engine, expire_on_commit=False) as s:
            s.execute(select(1)).all()  # connect before the start line
            s.rollback()
            barrier.wait()
            try:
                return attempt(s, i)
            except VoelgoedError as exc:
                s.rollback()
                return exc.code

    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(worker, range(threads)))


def pay_hold(s: Session, hold_id: str, i: int) -> str:
    """Checkout and a sandbox payment of the hold; the order's status (``paid`` unless the stock was gone)."""
    order = checkout.start_checkout(s, hold_id=hold_id, buyer_name="B", buyer_email=f"b{i}@example.com")
    pay = checkout.payment_for_order(s, order)
    return orders.mark_paid(s, reference=pay.reference, amount_cents=order.total_cents, currency="ZAR",
                            provider="sandbox").status


def sold_per_seat(db, event) -> Counter:
    """How many paid order items name each event seat of ``event``."""
    db.expire_all()
    paid = select(Order.id).where(Order.event_id == event.id, Order.status == "paid")
    return Counter(db.exec(select(OrderItem.seat_id).where(OrderItem.order_id.in_(paid))).all())
