"""The sandbox provider's refunds: immediate (processed at once, ledger and e-mail outbox in that commit),
and its signed refund webhooks go through the same webhook processing (a late delivery changes nothing)."""

from __future__ import annotations

import pytest
from sqlmodel import select

from tests.refund_helpers import ctx, new_event, tickets_of
from voelgoed.models import LedgerEntry, Order, OutboxEntry, Payment, WebhookEndpoint
from voelgoed.services.integrations import signing
from voelgoed.services.payments import build_refund_webhook
from voelgoed.services.platform import VoelgoedError
from voelgoed.services.sales import checkout, complete, inventory, ledger, process_webhook, refunds


def test_sandbox_refund_is_immediate_and_its_webhook_is_idempotent(db, redis_client):
    org, event, tt = new_event(db, price_cents=12000)
    # an integrator listens for order.refunded (the webhook row is only written when someone listens)
    db.add(WebhookEndpoint(organization_id=org.id, url="https://hooks.example.com/in", event_types=["order.refunded"],
                           secret_enc=signing.seal(signing.new_secret())))
    db.flush()
    hold = inventory.create_hold(db, event_id=event.id, items=[(tt.id, 2)])
    order = checkout.start_checkout(db, hold_id=hold.id, buyer_name="Sipho", buyer_email="sipho@example.com")
    payment = db.exec(select(Payment).where(Payment.order_id == order.id)).one()
    assert payment.provider == "sandbox"
    assert complete(db, reference=payment.reference, outcome="success")["status"] == "paid"
    t1, _t2 = tickets_of(db, order)

    r = refunds.request_refund(db, ctx(org), order_id=order.id, ticket_ids=[t1.id], reason="Sick")
    assert (r.status, r.provider_reference) == ("processed", f"sbr_{r.id}")
    assert ledger.order_balance(db, order.id) == 12000
    assert [e.amount_cents for e in db.exec(select(LedgerEntry).where(LedgerEntry.order_id == order.id)
                                            .order_by(LedgerEntry.amount_cents.desc()))] == [24000, -12000]
    assert {e.topic for e in db.exec(select(OutboxEntry).where(OutboxEntry.organization_id == org.id))} >= {
        "refund.processed", "order.refunded"}

    headers, raw = build_refund_webhook(payment, amount_cents=12000, refund_reference=r.provider_reference)
    # a late delivery for a refund that is already final is acknowledged and changes nothing
    assert process_webhook(db, provider="sandbox", headers=headers, raw_body=raw)["outcome"] == "unknown_refund"
    assert process_webhook(db, provider="sandbox", headers=headers, raw_body=raw)["outcome"] == "duplicate"
    headers["x-sandbox-signature"] = "0" * 128
    with pytest.raises(VoelgoedError) as err:
        process_webhook(db, provider="sandbox", headers=headers, raw_body=raw)
    assert err.value.code == "bad_signature"
    assert ledger.order_balance(db, order.id) == 12000 and db.get(Order, order.id).status == "paid"
