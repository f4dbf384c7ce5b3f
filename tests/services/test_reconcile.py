"""Payment reconciliation (issue 10, item 5): a paid order whose webhook never arrived is settled or flagged.

Against the Paystack stand-in: the customer pays at "Paystack" (``standin.charge``) and the webhook is simply
never delivered. The job verifies only payments older than ``RECONCILE_AFTER_SECONDS``, is bounded per run,
spaces out repeated look-ups, holds no row lock while Paystack answers, and runs from the worker's RQ cron
(a real RQ worker executes what the cron scheduler enqueued).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from rq import SimpleWorker
from sqlalchemy import text
from sqlmodel import select

from tests.factories import make_event, make_org, make_ticket_type
from tests.paystack_standin import PaystackStandIn
from voelgoed.config import get_settings
from voelgoed.models import Order, OutboxEntry, Payment, Ticket, TicketType
from voelgoed.services.platform import QUEUE_NAME, clock
from voelgoed.services.platform import db as dbmod
from voelgoed.services.runtime.worker import cron_scheduler
from voelgoed.services.sales import checkout, inventory, reconcile_pending_payments

AFTER = 300


@pytest.fixture(scope="module")
def standin():
    server = PaystackStandIn().start()
    yield server
    server.stop()


@pytest.fixture
def paystack(standin, monkeypatch):
    settings = get_settings()
    monkeypatch.setattr(settings, "paystack_secret_key", standin.secret_key)
    monkeypatch.setattr(settings, "paystack_base_url", standin.base_url)
    monkeypatch.setattr(settings, "payment_provider", "paystack")
    monkeypatch.setattr(settings, "reconcile_after_seconds", AFTER)
    standin.on_verify = None
    yield standin
    standin.on_verify = None


def _bought(session, qty=2, quantity=5, now=None):
    org = make_org(session)
    event = make_event(session, org)
    tt = make_ticket_type(session, event, quantity=quantity, price_cents=35000)
    session.commit()
    hold = inventory.create_hold(session, event_slug=event.slug, items=[(tt.id, qty)], now=now)
    order = checkout.start_checkout(session, hold_id=hold.id, buyer_name="Naledi", buyer_email="naledi@example.co.za", now=now)
    return order, checkout.payment_for_order(session, order), tt


def _order(session, order):
    session.expire_all()
    return session.get(Order, order.id)


def test_a_paid_order_whose_webhook_never_came_is_settled_after_the_delay(db, paystack):
    t0 = clock.utcnow()
    order, payment, tt = _bought(db, now=t0)
    paystack.charge(payment.reference)  # paid at Paystack; the webhook is never delivered
    calls = paystack.verify_calls
    assert reconcile_pending_payments(db, now=t0 + timedelta(seconds=AFTER - 5))["checked"] == 0  # too young
    assert paystack.verify_calls == calls
    counts = reconcile_pending_payments(db, now=t0 + timedelta(seconds=AFTER + 1))
    assert counts["checked"] == 1 and counts["paid"] == 1
    got = _order(db, order)
    assert got.status == "paid" and got.paid_at is not None
    assert len(db.exec(select(Ticket).where(Ticket.order_id == order.id)).all()) == 2
    assert db.exec(select(OutboxEntry).where(OutboxEntry.topic == "order.paid")).all()  # mail + PDFs via the outbox
    t = db.get(TicketType, tt.id)
    assert (t.held_count, t.sold_count) == (0, 2)
    assert reconcile_pending_payments(db, now=t0 + timedelta(seconds=3 * AFTER))["checked"] == 0  # nothing left


def test_a_charge_that_disagrees_is_flagged_not_paid(db, paystack):
    t0 = clock.utcnow()
    order, payment, _ = _bought(db, now=t0)
    paystack.charge(payment.reference, amount=100)  # Paystack reports R1 for a R700 order
    counts = reconcile_pending_payments(db, now=t0 + timedelta(seconds=AFTER + 1))
    assert counts["flagged"] == 1 and counts["paid"] == 0
    got = _order(db, order)
    assert got.status == "pending" and got.attention_reason
    assert db.exec(select(Ticket).where(Ticket.order_id == order.id)).all() == []
    assert reconcile_pending_payments(db, now=t0 + timedelta(seconds=10 * AFTER))["checked"] == 0  # a person decides


def test_a_late_payment_after_expiry_takes_the_late_payment_path(db, paystack):
    t0 = clock.utcnow()
    order, payment, tt = _bought(db, now=t0)  # the hold (and order) lapse after HOLD_TTL_SECONDS (300)
    paystack.charge(payment.reference)
    later = t0 + timedelta(seconds=get_settings().hold_ttl_seconds + AFTER + 1)
    inventory.reclaim_lapsed(db, event_id=order.event_id, now=later)
    assert _order(db, order).status == "expired"
    assert reconcile_pending_payments(db, now=later)["paid"] == 1  # stock still free: re-reserved as sold
    assert _order(db, order).status == "paid"
    assert db.get(TicketType, tt.id).sold_count == 2


def test_unpaid_checkouts_are_asked_again_later_not_every_run(db, paystack):
    t0 = clock.utcnow()
    order, payment, _ = _bought(db, now=t0)  # the buyer abandoned Paystack's page
    first = t0 + timedelta(seconds=AFTER + 1)
    assert reconcile_pending_payments(db, now=first)["pending"] == 1
    assert reconcile_pending_payments(db, now=first + timedelta(seconds=60))["checked"] == 0
    assert reconcile_pending_payments(db, now=first + timedelta(seconds=AFTER + 1))["pending"] == 1
    db.expire_all()
    p = db.get(Payment, payment.id)
    assert clock.aware(p.next_verify_at) - (first + timedelta(seconds=AFTER + 1)) >= timedelta(seconds=2 * AFTER)  # gaps grow
    assert _order(db, order).status == "pending"


def test_each_run_is_bounded_and_the_next_run_takes_the_rest(db, paystack):
    t0 = clock.utcnow()
    bought = [_bought(db, qty=1, now=t0 + timedelta(seconds=i)) for i in range(3)]
    for _, payment, _ in bought:
        paystack.charge(payment.reference)
    now = t0 + timedelta(seconds=AFTER + 10)
    assert reconcile_pending_payments(db, now=now, limit=2)["paid"] == 2
    assert reconcile_pending_payments(db, now=now, limit=2)["paid"] == 1
    assert all(_order(db, o).status == "paid" for o, _, _ in bought)


def test_provider_unreachable_changes_nothing_and_it_is_asked_again(db, paystack, monkeypatch):
    t0 = clock.utcnow()
    order, payment, _ = _bought(db, now=t0)
    paystack.charge(payment.reference)
    monkeypatch.setattr(get_settings(), "paystack_base_url", "http://127.0.0.1:9")
    assert reconcile_pending_payments(db, now=t0 + timedelta(seconds=AFTER + 1))["errors"] == 1
    assert _order(db, order).status == "pending"
    monkeypatch.setattr(get_settings(), "paystack_base_url", paystack.base_url)
    assert reconcile_pending_payments(db, now=t0 + timedelta(seconds=3 * AFTER))["paid"] == 1


def test_no_row_lock_is_held_while_paystack_answers(committed_db, paystack):
    t0 = clock.utcnow()
    order, payment, _ = _bought(committed_db, now=t0)
    paystack.charge(payment.reference)
    seen = {}

    def probe(reference):
        with dbmod.get_engine().connect() as conn:
            seen["payment"] = conn.execute(text("SELECT status FROM payment WHERE reference = :r FOR UPDATE NOWAIT"),
                                           {"r": reference}).scalar_one()
            seen["order"] = conn.execute(text('SELECT status FROM "order" WHERE id = :o FOR UPDATE NOWAIT'),
                                         {"o": order.id}).scalar_one()
            conn.rollback()

    paystack.on_verify = probe
    assert reconcile_pending_payments(committed_db, now=t0 + timedelta(seconds=AFTER + 1))["paid"] == 1
    assert seen == {"payment": "initiated", "order": "pending"}


def test_the_worker_cron_runs_the_reconciliation(committed_db, paystack, redis_client, monkeypatch):
    """RQ's CronScheduler (as the worker registers it) enqueues the job; a real RQ worker runs it."""
    monkeypatch.setattr(get_settings(), "reconcile_after_seconds", 0)
    order, payment, _ = _bought(committed_db)
    paystack.charge(payment.reference)
    cron = cron_scheduler(redis_client)
    assert "voelgoed.services.sales.reconcile.reconcile_job" in {j.func_name for j in cron.get_jobs()}
    cron.enqueue_jobs()  # interval jobs are due at start
    SimpleWorker([QUEUE_NAME], connection=redis_client).work(burst=True)
    assert _order(committed_db, order).status == "paid"
