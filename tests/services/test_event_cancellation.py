"""Cancelling an event with paid orders: tickets voided, pending orders cancelled, every paid order refunded
in the background (outbox), one provider failure reported and completed by a retry, every buyer e-mailed;
and cancelling single orders (unpaid → released; paid → refunded; a late payment → refund_required)."""

from __future__ import annotations

import pytest
from sqlmodel import select

from tests import refund_helpers
from tests.refund_helpers import buy, ctx, new_event, standin_refund_id
from voelgoed.models import Hold, LedgerEntry, Order, OutboxEntry, Payment, Refund, Ticket, TicketType
from voelgoed.services.catalog import events
from voelgoed.services.platform import Forbidden, outbox
from voelgoed.services.sales import (
    cancel_order,
    cancellation_preview,
    event_cancellation_report,
    event_reconciliation,
    ledger,
    retry_event_refunds,
)

standin, paystack_env = refund_helpers.standin, refund_helpers.paystack_env  # fixtures


def _drain():
    total = 0
    while True:
        done = outbox.drain_outbox(limit=500)
        total += done["done"]
        if not done["done"] and not done["retried"]:
            return total


def _process_all(client, standin, db, event):
    """Paystack finishes every refund it accepted: one signed refund.processed per pending refund."""
    db.expire_all()
    for r in db.exec(select(Refund).where(Refund.event_id == event.id, Refund.status == "pending",
                                          Refund.provider_reference.is_not(None))).all():
        ref = db.get(Payment, r.payment_id).reference
        headers, raw = standin.refund_webhook(standin_refund_id(standin, ref))
        assert client.post("/api/v1/payments/paystack/webhook", content=raw, headers=headers).json()["outcome"] == "refund_processed"


def _pending_checkout(client, event, tt):
    hold = client.post(f"/api/v1/public/events/{event.slug}/holds",
                       json={"items": [{"ticket_type_id": str(tt.id), "quantity": 1}]}).json()
    r = client.post(f"/api/v1/public/holds/{hold['hold_id']}/checkout", json={"buyer_name": "Late", "buyer_email": "late@example.com"})
    assert r.status_code == 201
    return r.json()


def test_cancel_event_refunds_every_paid_order_with_one_failure_then_retry(client, db, paystack_env):
    standin = paystack_env
    org, event, tt = new_event(db)
    paid = [buy(client, db, standin, event, tt, quantity=q, email_addr=f"buyer{i}@example.com")
            for i, q in enumerate((1, 2, 3, 1))]
    co = _pending_checkout(client, event, tt)
    failing = db.exec(select(Payment).where(Payment.order_id == paid[1].id)).one().reference
    standin.refuse_references.add(failing)

    preview = cancellation_preview(db, ctx(org), event.id)
    assert (preview["paid_orders"], preview["amount_cents"], preview["live_tickets"], preview["pending_orders"]) == (
        4, 7 * 35000, 7, 1)
    with pytest.raises(Forbidden):
        events.cancel(db, ctx(org, "staff"), event.id)
    events.cancel(db, ctx(org), event.id, reason="Storm")
    db.expire_all()
    assert {t.status for t in db.exec(select(Ticket).where(Ticket.event_id == event.id))} == {"voided"}
    pending = db.exec(select(Order).where(Order.order_code == co["order_code"])).one()
    assert pending.status == "cancelled" and db.get(Hold, pending.hold_id).status == "released"
    assert db.get(TicketType, tt.id).held_count == 0
    topics = [e.topic for e in db.exec(select(OutboxEntry).where(OutboxEntry.organization_id == org.id))]
    assert topics.count("refund.event_order") == 4 and topics.count("event.cancelled.buyer_mail") == 4

    calls = standin.refund_calls
    _drain()
    assert standin.refund_calls == calls + 4
    _process_all(client, standin, db, event)
    report = event_cancellation_report(db, ctx(org), event.id)
    assert (report["orders"], report["refunded"], report["in_progress"], report["waiting"]) == (4, 3, 0, 0)
    assert [f["order_code"] for f in report["failed"]] == [paid[1].order_code] and not report["done"]
    assert report["remaining_cents"] == 2 * 35000

    _drain()  # running the queue again never refunds twice
    assert standin.refund_calls == calls + 4
    standin.refuse_references.discard(failing)
    assert retry_event_refunds(db, ctx(org), event.id) == 1
    _drain()
    _process_all(client, standin, db, event)
    report = event_cancellation_report(db, ctx(org), event.id)
    assert report["done"] and report["failed"] == [] and report["refunded"] == 4
    assert standin.refund_calls == calls + 5

    # the ledger balances and equals what the provider paid back
    recon = event_reconciliation(db, ctx(org), event.id)
    assert (recon["sold_cents"], recon["refunded_cents"], recon["net_cents"]) == (7 * 35000, 7 * 35000, 0)
    paid_back = sum(r["amount"] for r in standin.refunds.values() if r["status"] == "processed"
                    and r["transaction"]["reference"] in {db.exec(select(Payment.reference).where(Payment.order_id == o.id)).one() for o in paid})
    assert paid_back == recon["refunded_cents"]
    db.expire_all()
    assert all(db.get(Order, o.id).status == "refunded" for o in paid)

    _drain()
    for i in range(len(paid)):
        subjects = standin.inbox.subjects(f"buyer{i}@example.com")
        assert sum(s.startswith("Cancelled:") for s in subjects) == 1
        assert sum(s.startswith("Refund of") for s in subjects) == 1
    assert standin.inbox.subjects("late@example.com") == []


def test_cancel_unpaid_order_releases_and_late_payment_needs_refund(client, db, paystack_env):
    org, event, tt = new_event(db)
    co = _pending_checkout(client, event, tt)
    order = db.exec(select(Order).where(Order.order_code == co["order_code"])).one()
    db.expire_all()
    assert db.get(TicketType, tt.id).held_count == 1
    with pytest.raises(Forbidden):
        cancel_order(db, ctx(org, "viewer"), order_id=order.id)
    assert cancel_order(db, ctx(org, "staff"), order_id=order.id)["order_status"] == "cancelled"
    db.expire_all()
    assert (db.get(TicketType, tt.id).held_count, db.get(TicketType, tt.id).sold_count) == (0, 0)
    headers, raw = paystack_env.charge(co["payment"]["reference"])
    assert client.post("/api/v1/payments/paystack/webhook", content=raw, headers=headers).json()["outcome"] == "refund_required"
    db.expire_all()
    assert db.get(TicketType, tt.id).sold_count == 0 and ledger.order_balance(db, order.id) == 35000


def test_cancel_paid_order_refunds_it(client, db, paystack_env):
    org, event, tt = new_event(db)
    order = buy(client, db, paystack_env, event, tt, quantity=2)
    with pytest.raises(Forbidden):
        cancel_order(db, ctx(org, "staff"), order_id=order.id)  # money leaves: financial roles only
    out = cancel_order(db, ctx(org), order_id=order.id, reason="Duplicate order")
    assert out["refund_status"] == "pending"
    db.expire_all()
    assert db.get(TicketType, tt.id).sold_count == 0  # back on sale by default
    assert {t.status for t in db.exec(select(Ticket).where(Ticket.order_id == order.id))} == {"refunded"}
    assert db.exec(select(LedgerEntry).where(LedgerEntry.order_id == order.id)).one().amount_cents == 70000
