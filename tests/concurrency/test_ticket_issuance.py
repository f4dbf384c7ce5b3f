"""Issuance is exactly-once per order unit: repeated calls and concurrent transactions on PostgreSQL."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, func, select

from tests.ticket_factories import make_paid_order_setup
from voelgoed.models import Order, OrderItem, Ticket
from voelgoed.services.tickets import tickets


def _count(engine, order_id) -> int:
    with Session(engine) as s:
        return s.exec(select(func.count()).select_from(Ticket).where(Ticket.order_id == order_id)).one()


def test_repeated_issue_returns_the_same_tickets(db):
    org, event, tt, order = make_paid_order_setup(db, quantity=3)
    first = tickets.issue_for_order(db, order)
    db.commit()
    second = tickets.issue_for_order(db, order)
    db.commit()
    assert len(first) == 3
    assert [t.id for t in first] == [t.id for t in second]
    assert [t.qr_payload for t in first] == [t.qr_payload for t in second]
    assert len({t.ticket_code for t in first}) == 3
    assert db.exec(select(func.count()).select_from(Ticket).where(Ticket.order_id == order.id)).one() == 3


def _wait_until_blocked(engine, pid: int) -> None:
    with Session(engine) as s:
        for _ in range(2000):
            waiting = s.execute(text("SELECT wait_event_type FROM pg_stat_activity WHERE pid = :p"), {"p": pid}).scalar()
            if waiting == "Lock":
                return
            s.rollback()
            time.sleep(0.01)
    pytest.fail("the second transaction never waited on the order lock")


def test_concurrent_transactions_issue_once(committed_db):
    engine = committed_db.get_bind()
    org, event, tt, order = make_paid_order_setup(committed_db, quantity=2)
    committed_db.commit()

    a = Session(engine, expire_on_commit=False)
    b = Session(engine, expire_on_commit=False)
    try:
        first = tickets.issue_for_order(a, a.get(Order, order.id))  # holds the order lock, not committed
        b_pid = b.execute(text("SELECT pg_backend_pid()")).scalar()
        result: dict = {}

        def second():
            try:
                result["tickets"] = tickets.issue_for_order(b, b.get(Order, order.id))
                b.commit()
            except Exception as exc:  # pragma: no cover - reported by the assertion below
                result["error"] = exc

        thread = threading.Thread(target=second)
        thread.start()
        _wait_until_blocked(engine, b_pid)  # B really is racing A for the same order
        a.commit()
        thread.join()
        assert "error" not in result, result.get("error")
        assert [t.id for t in result["tickets"]] == [t.id for t in first]
        assert _count(engine, order.id) == 2
    finally:
        a.close()
        b.close()


def test_many_threads_issue_once(committed_db):
    engine = committed_db.get_bind()
    org, event, tt, order = make_paid_order_setup(committed_db, quantity=4)
    committed_db.commit()
    barrier = threading.Barrier(6)
    errors: list[Exception] = []
    ids: list[list] = []

    def worker():
        with Session(engine, expire_on_commit=False) as s:
            try:
                barrier.wait()
                issued = tickets.issue_for_order(s, s.get(Order, order.id))
                s.commit()
                ids.append(sorted(str(t.id) for t in issued))
            except Exception as exc:  # pragma: no cover
                errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(ids) == 6 and all(x == ids[0] for x in ids)
    assert _count(engine, order.id) == 4


def test_control_the_unique_constraint_is_the_backstop(committed_db):
    """Control: without the service's lock, a second insert of the same unit is refused by PostgreSQL."""
    org, event, tt, order = make_paid_order_setup(committed_db, quantity=1)
    committed_db.commit()
    (issued,) = tickets.issue_for_order(committed_db, order)
    committed_db.commit()
    item = committed_db.exec(select(OrderItem).where(OrderItem.order_id == order.id)).one()
    committed_db.add(Ticket(organization_id=org.id, event_id=event.id, order_id=order.id, order_item_id=item.id,
                            position=0, ticket_type_id=tt.id, ticket_code=tickets.new_ticket_code()))
    with pytest.raises(IntegrityError):
        committed_db.commit()
    committed_db.rollback()


def test_concurrent_mark_paid_deliveries_issue_once(committed_db, redis_client):
    """The sales path: 6 webhook deliveries for one payment at once → one order, its tickets once."""
    from tests.factories import make_event, make_org, make_ticket_type
    from voelgoed.services.sales import checkout, inventory, orders

    engine = committed_db.get_bind()
    org = make_org(committed_db)
    event = make_event(committed_db, org)
    tt = make_ticket_type(committed_db, event, quantity=50, price_cents=15000)
    committed_db.commit()
    hold = inventory.create_hold(committed_db, event_id=event.id, items=[(tt.id, 3)])
    order = checkout.start_checkout(committed_db, hold_id=hold.id, buyer_name="Sipho Dlamini",
                                    buyer_email="sipho@example.co.za")
    payment = checkout.payment_for_order(committed_db, order)
    barrier = threading.Barrier(6)
    errors: list[Exception] = []

    def deliver():
        with Session(engine, expire_on_commit=False) as s:
            try:
                barrier.wait()
                orders.mark_paid(s, reference=payment.reference, amount_cents=payment.amount_cents,
                                 currency=payment.currency, provider=payment.provider)
            except Exception as exc:  # pragma: no cover
                errors.append(exc)

    threads = [threading.Thread(target=deliver) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert _count(engine, order.id) == 3
    with Session(engine) as s:
        issued = s.exec(select(Ticket).where(Ticket.order_id == order.id)).all()
        assert all(t.qr_payload.startswith("VG1:") for t in issued)
        assert s.get(Order, order.id).status == "paid"
