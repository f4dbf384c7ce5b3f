"""Refunds through Paystack (the stand-in): partial then full, pending → processed by webhook, failed then
retried, provider unreachable then retried, limits, roles, tenancy, the scanner's answer, the ledger and
the buyer's e-mail (real SMTP)."""

from __future__ import annotations

import pytest
from sqlmodel import select

from tests import refund_helpers
from tests.factories import make_org
from tests.refund_helpers import buy, ctx, new_event, standin_refund_id, tickets_of
from tests.scan_factories import make_device
from voelgoed.models import AuditLog, LedgerEntry, Order, OutboxEntry, Payment, Refund, TicketType, WebhookEndpoint
from voelgoed.services.gate import scanning
from voelgoed.services.integrations import signing
from voelgoed.services.platform import Forbidden, NotFound, ValidationFailed, VoelgoedError, outbox
from voelgoed.services.sales import ledger, order_refunds, refunds

standin, paystack_env = refund_helpers.standin, refund_helpers.paystack_env  # fixtures


def _webhook(client, standin, reference, event="refund.processed"):
    headers, raw = standin.refund_webhook(standin_refund_id(standin, reference), event)
    r = client.post("/api/v1/payments/paystack/webhook", content=raw, headers=headers)
    assert r.status_code == 200, r.text
    return r.json()["outcome"], (headers, raw)


def _ledger(db, order):
    db.expire_all()
    return [(e.kind, e.amount_cents) for e in db.exec(select(LedgerEntry).where(LedgerEntry.order_id == order.id)
                                                       .order_by(LedgerEntry.created_at, LedgerEntry.kind.desc()))]


def test_partial_then_full_refund_pending_then_processed_ledger_and_one_email_each(client, db, paystack_env):
    standin = paystack_env
    org, event, tt = new_event(db)
    # an integrator listens for order.refunded (the webhook row is only written when someone listens)
    db.add(WebhookEndpoint(organization_id=org.id, url="https://hooks.example.com/in", event_types=["order.refunded"],
                           secret_enc=signing.seal(signing.new_secret())))
    db.flush()
    order = buy(client, db, standin, event, tt, quantity=2)
    ref = db.exec(select(Payment).where(Payment.order_id == order.id)).one().reference
    assert _ledger(db, order) == [("payment", 70000)]
    t1, t2 = tickets_of(db, order)

    r1 = refunds.request_refund(db, ctx(org), order_id=order.id, ticket_ids=[str(t1.id)], reason="Can't make it",
                                return_to_sale=True)
    assert (r1.status, r1.amount_cents, r1.provider_reference is not None) == ("pending", 35000, True)
    assert [t.status for t in tickets_of(db, order)] == ["refunded", "valid"]
    assert db.get(TicketType, tt.id).sold_count == 1  # back on sale
    assert refunds.refundable_cents(db, order.id) == 35000  # the pending refund is reserved
    assert _ledger(db, order) == [("payment", 70000)]  # no money moved yet

    outcome, replay = _webhook(client, standin, ref)
    assert outcome == "refund_processed"
    assert client.post("/api/v1/payments/paystack/webhook", content=replay[1], headers=replay[0]).json()["outcome"] == "duplicate"
    db.expire_all()
    assert db.get(Refund, r1.id).status == "processed" and db.get(Order, order.id).status == "paid"
    assert _ledger(db, order) == [("payment", 70000), ("refund", -35000)]

    r2 = refunds.request_refund(db, ctx(org, "admin"), order_id=order.id, reason="Rest", return_to_sale=False)
    assert r2.amount_cents == 35000 and [t.status for t in tickets_of(db, order)] == ["refunded", "refunded"]
    assert db.get(TicketType, tt.id).sold_count == 1  # not returned this time
    assert _webhook(client, standin, ref)[0] == "refund_processed"
    db.expire_all()
    assert db.get(Order, order.id).status == "refunded" and ledger.order_balance(db, order.id) == 0
    # the ledger equals what the provider paid back
    assert sum(r["amount"] for r in standin.refunds.values() if r["transaction"]["reference"] == ref) == 70000
    assert -sum(a for k, a in _ledger(db, order) if k == "refund") == 70000

    topics = [e.topic for e in db.exec(select(OutboxEntry).where(OutboxEntry.organization_id == org.id))]
    assert topics.count("refund.processed") == 2 and topics.count("order.refunded") == 2
    hook = db.exec(select(OutboxEntry).where(OutboxEntry.topic == "order.refunded")).first()
    assert set(hook.payload) == {"order_id", "refund_id", "amount_cents", "currency"}
    while outbox.drain_outbox()["done"]:
        pass
    outbox.drain_outbox()
    refund_mails = [s for s in standin.inbox.subjects(order.buyer_email) if s.startswith("Refund of")]
    assert len(refund_mails) == 2 and all(order.order_code in s for s in refund_mails)
    actions = {a.action for a in db.exec(select(AuditLog).where(AuditLog.target_id == str(order.id)))}
    assert {"refund.requested", "refund.pending", "refund.processed", "order.refunded", "refund.email_sent"} <= actions

    with pytest.raises(VoelgoedError) as err:
        refunds.request_refund(db, ctx(org), order_id=order.id, amount_cents=1)
    assert (err.value.code, err.value.status) == ("nothing_to_refund", 409)


def test_limits_roles_and_tenancy(client, db, paystack_env):
    org, event, tt = new_event(db)
    order = buy(client, db, paystack_env, event, tt, quantity=2)
    calls = paystack_env.refund_calls
    with pytest.raises(VoelgoedError) as err:
        refunds.request_refund(db, ctx(org), order_id=order.id, amount_cents=70001)
    assert (err.value.code, err.value.status, err.value.details["refundable_cents"]) == ("refund_exceeds_balance", 409, 70000)
    for bad in (0, -5, "100", 1.5, True):
        with pytest.raises(ValidationFailed):
            refunds.request_refund(db, ctx(org), order_id=order.id, amount_cents=bad)
    for role in ("staff", "viewer", "scanner_only"):
        with pytest.raises(Forbidden):
            refunds.request_refund(db, ctx(org, role), order_id=order.id)
    with pytest.raises(NotFound):
        refunds.request_refund(db, ctx(make_org(db)), order_id=order.id)
    with pytest.raises(NotFound):
        refunds.request_refund(db, ctx(org), order_id=order.id, ticket_ids=["garbage"])
    assert paystack_env.refund_calls == calls and db.exec(select(Refund)).all() == []
    assert [t.status for t in tickets_of(db, order)] == ["valid", "valid"]
    # an amount refund leaves the tickets valid; afterwards a ticket worth more than what is left is refused
    refunds.request_refund(db, ctx(org), order_id=order.id, amount_cents=50000, reason="Goodwill")
    with pytest.raises(VoelgoedError) as err:
        refunds.request_refund(db, ctx(org), order_id=order.id, ticket_ids=[tickets_of(db, order)[0].id])
    assert err.value.code == "refund_exceeds_balance"
    assert [t.status for t in tickets_of(db, order)] == ["valid", "valid"]


def test_failed_refund_then_retry_and_unreachable_then_retry(client, db, paystack_env):
    standin = paystack_env
    org, event, tt = new_event(db)
    order = buy(client, db, standin, event, tt, quantity=2)
    ref = db.exec(select(Payment).where(Payment.order_id == order.id)).one().reference

    r = refunds.request_refund(db, ctx(org), order_id=order.id, amount_cents=10000)
    assert _webhook(client, standin, ref, "refund.failed")[0] == "refund_failed"
    db.expire_all()
    r = db.get(Refund, r.id)
    assert r.status == "failed" and refunds.refundable_cents(db, order.id) == 70000
    assert order_refunds(db, ctx(org), order.id)["refunds"][0]["retryable"] is True
    r = refunds.retry_refund(db, ctx(org), refund_id=r.id)
    assert r.status == "pending" and _webhook(client, standin, ref)[0] == "refund_processed"
    with pytest.raises(VoelgoedError) as err:
        refunds.retry_refund(db, ctx(org), refund_id=r.id)
    assert err.value.code == "invalid_state"

    standin.refund_mode = "down"
    calls = standin.refund_calls
    down = refunds.request_refund(db, ctx(org), order_id=order.id, amount_cents=20000)
    assert standin.refund_calls == calls + 1
    assert (down.status, down.provider_reference) == ("pending", None) and "provider_unavailable" in down.last_error
    assert refunds.refundable_cents(db, order.id) == 40000  # still reserved: it may yet be sent
    standin.refund_mode = "pending"
    down = refunds.retry_refund(db, ctx(org), refund_id=down.id)
    assert down.provider_reference is not None and down.attempts == 2
    assert _webhook(client, standin, ref)[0] == "refund_processed"
    assert ledger.order_balance(db, order.id) == 70000 - 10000 - 20000
    assert db.exec(select(AuditLog).where(AuditLog.action == "refund.provider_unreachable")).first() is not None

    standin.refund_mode = "refuse"
    refused = refunds.request_refund(db, ctx(org), order_id=order.id, amount_cents=100)
    assert refused.status == "failed" and "greater" in refused.last_error


def test_double_click_is_one_refund_and_one_provider_call(client, db, paystack_env):
    org, event, tt = new_event(db)
    order = buy(client, db, paystack_env, event, tt, quantity=2)
    calls = paystack_env.refund_calls
    a = refunds.request_refund(db, ctx(org), order_id=order.id, amount_cents=1000, request_key="dialog-1")
    b = refunds.request_refund(db, ctx(org), order_id=order.id, amount_cents=1000, request_key="dialog-1")
    assert a.id == b.id and paystack_env.refund_calls == calls + 1
    assert len(db.exec(select(Refund).where(Refund.order_id == order.id)).all()) == 1


def test_refunded_ticket_is_revoked_online_and_in_the_manifest(client, db, paystack_env):
    org, event, tt = new_event(db)
    order = buy(client, db, paystack_env, event, tt, quantity=2)
    t1, t2 = tickets_of(db, order)
    refunds.request_refund(db, ctx(org), order_id=order.id, ticket_ids=[t1.id])
    device, _token = make_device(db, event)
    db.commit()
    assert scanning.scan(db, device, qr=t1.qr_payload, client_scan_id="c-1")["result"] == "revoked"
    manifest = scanning.manifest(db, device)
    assert str(t1.id) in manifest["revoked"] and str(t2.id) not in manifest["revoked"]


def test_refund_required_order_one_click_refund(client, db, paystack_env):
    org, event, tt = new_event(db)
    order = buy(client, db, paystack_env, event, tt, quantity=1)
    db.expire_all()
    order = db.get(Order, order.id)
    order.status = "refund_required"  # as when the charge arrived after its tickets were sold
    for t in tickets_of(db, order):
        db.delete(t)
    db.commit()
    sold = db.get(TicketType, tt.id).sold_count
    r = refunds.request_refund(db, ctx(org), order_id=order.id, return_to_sale=True)
    assert r.amount_cents == 35000 and r.ticket_ids == []
    assert db.get(TicketType, tt.id).sold_count == sold  # nothing was sold, nothing returns
    ref = db.exec(select(Payment).where(Payment.order_id == order.id)).one().reference
    assert _webhook(client, paystack_env, ref)[0] == "refund_processed"
    db.expire_all()
    assert db.get(Order, order.id).status == "refunded"
