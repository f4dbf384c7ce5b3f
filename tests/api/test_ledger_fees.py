"""Provider fees in the money ledger (issue 13, item 3): Paystack's ``data.fees`` on the verified charge is
recorded once as a ``fee`` entry with the payment; the reconciliation shows gross, fees, refunds and net;
fees never lower what the buyer can get back."""

from __future__ import annotations

from sqlmodel import select

from tests import refund_helpers
from tests.refund_helpers import buy, new_event, standin_refund_id
from voelgoed.models import LedgerEntry, Order, Payment
from voelgoed.services.accounts import apikeys
from voelgoed.services.platform import clock
from voelgoed.services.sales import ledger

standin, paystack_env = refund_helpers.standin, refund_helpers.paystack_env  # fixtures


def _auth(db, org):
    _key, secret = apikeys.create_api_key(db, organization_id=org.id, name="test")
    db.commit()
    return {"Authorization": f"Bearer {secret}"}


def _entries(db, order):
    db.expire_all()
    return [(e.kind, e.amount_cents, e.provider, e.provider_reference)
            for e in db.exec(select(LedgerEntry).where(LedgerEntry.order_id == order.id)
                             .order_by(LedgerEntry.created_at, LedgerEntry.amount_cents.desc()))]


def test_paystack_fee_is_a_ledger_entry_and_in_the_reconciliation(client, db, paystack_env):
    org, event, tt = new_event(db)
    order = buy(client, db, paystack_env, event, tt, quantity=2, fees=1115)
    payment = db.exec(select(Payment).where(Payment.order_id == order.id)).one()
    assert _entries(db, order) == [("payment", 70000, "paystack", payment.reference),
                                   ("fee", -1115, "paystack", payment.reference)]
    # the verify answer kept the fee (and no card or customer data)
    assert payment.provider_data["verify"]["fees"] == 1115 and "authorization" not in payment.provider_data["verify"]
    h = _auth(db, org)
    recon = client.get(f"/api/v1/events/{event.id}/reconciliation", headers=h).json()
    assert (recon["sold_cents"], recon["fees_cents"], recon["refunded_cents"], recon["net_cents"], recon["entries"]) == (
        70000, 1115, 0, 68885, 2)
    # the buyer can still get everything back: the fee is the organiser's cost
    view = client.get(f"/api/v1/orders/{order.id}/refunds", headers=h).json()
    assert (view["balance_cents"], view["refundable_cents"]) == (70000, 70000)

    # a replayed charge webhook (or a second verify) never records the fee twice
    headers, raw = paystack_env.charge(payment.reference, fees=1115)
    assert client.post("/api/v1/payments/paystack/webhook", content=raw, headers=headers).json()["outcome"] == "duplicate"
    assert len(_entries(db, order)) == 2

    # a full refund: the order is refunded, the fee stays with the organiser
    r = client.post(f"/api/v1/orders/{order.id}/refunds", headers=h, json={"amount_cents": 70000, "reason": "Sick"})
    assert r.status_code == 201, r.text
    headers, raw = paystack_env.refund_webhook(standin_refund_id(paystack_env, payment.reference))
    assert client.post("/api/v1/payments/paystack/webhook", content=raw, headers=headers).json()["outcome"] == "refund_processed"
    db.expire_all()
    assert db.get(Order, order.id).status == "refunded" and ledger.order_balance(db, order.id) == 0
    recon = client.get(f"/api/v1/events/{event.id}/reconciliation", headers=h).json()
    assert (recon["sold_cents"], recon["fees_cents"], recon["refunded_cents"], recon["net_cents"]) == (70000, 1115, 70000, -1115)
    # the ledger balances: every entry summed is the net
    assert sum(e[1] for e in _entries(db, order)) == recon["net_cents"]


def test_no_fee_field_writes_no_fee_entry(client, db, paystack_env):
    _org, event, tt = new_event(db)
    order = buy(client, db, paystack_env, event, tt, quantity=1)
    assert [e[0] for e in _entries(db, order)] == ["payment"]


def test_record_fee_refuses_unbelievable_fees(client, db, paystack_env):
    _org, event, tt = new_event(db)
    order = buy(client, db, paystack_env, event, tt, quantity=1)
    payment = db.exec(select(Payment).where(Payment.order_id == order.id)).one()
    now = clock.utcnow()
    for fee in (None, 0, -5, 35001):
        assert ledger.record_fee(db, order, payment, fee, now=now) is False
    assert ledger.record_fee(db, order, payment, 500, now=now) is True
    assert ledger.record_fee(db, order, payment, 500, now=now) is False  # once per payment
    db.commit()
    assert [e[:2] for e in _entries(db, order)] == [("payment", 35000), ("fee", -500)]
