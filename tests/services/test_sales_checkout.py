"""Checkout, payment outcomes and webhooks (sandbox): codes, idempotency, proof that nothing changed."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import func, select

from tests.factories import make_event, make_org, make_ticket_type
from voelgoed.models import AuditLog, Hold, Order, OrderItem, Payment, Ticket, TicketType, WebhookDelivery
from voelgoed.services.payments import sandbox
from voelgoed.services.platform import VoelgoedError
from voelgoed.services.sales import checkout, inventory, orders, process_webhook, sandbox_checkout


@pytest.fixture
def shop(db):
    org = make_org(db)
    event = make_event(db, org)
    tt = make_ticket_type(db, event, quantity=5, max_per_order=5, price_cents=12000)
    db.commit()
    return event, tt


def _tt(db, tt):
    db.expire_all()
    t = db.get(TicketType, tt.id)
    return t.held_count, t.sold_count


def _checkout(db, event, tt, qty=2, now=None):
    hold = inventory.create_hold(db, event_slug=event.slug, items=[(tt.id, qty)], now=now)
    order = checkout.start_checkout(db, hold_id=hold.id, buyer_name=" Thandi ", buyer_email="thandi@example.co.za", now=now)
    return hold, order, checkout.payment_for_order(db, order)


def test_checkout_creates_pending_order_and_payment(db, shop):
    event, tt = shop
    hold, order, payment = _checkout(db, event, tt)
    assert order.status == "pending" and order.order_code.startswith("VG-") and len(order.order_code) == 9
    assert set(order.order_code[3:]) <= set("23456789ABCDEFGHJKMNPQRSTUVWXYZ")
    assert order.total_cents == 24000 and order.buyer_name == "Thandi" and len(order.access_token) >= 40
    assert payment.status == "initiated" and payment.amount_cents == 24000 and payment.redirect_url.endswith("/pay/sandbox/" + payment.reference)
    assert db.get(Hold, hold.id).status == "converted"
    assert [(i.quantity, i.unit_price_cents) for i in db.exec(select(OrderItem).where(OrderItem.order_id == order.id))] == [(2, 12000)]
    assert _tt(db, tt) == (2, 0)


def test_unit_price_is_captured_at_hold_time(db, shop):
    event, tt = shop
    hold = inventory.create_hold(db, event_slug=event.slug, items=[(tt.id, 1)])
    tt.price_cents = 99900
    db.add(tt)
    db.commit()
    order = checkout.start_checkout(db, hold_id=hold.id, buyer_name="A", buyer_email="a@example.com")
    assert order.total_cents == 12000


def test_second_checkout_and_expired_hold(db, shop):
    event, tt = shop
    hold, order, _ = _checkout(db, event, tt)
    n_orders = db.exec(select(func.count()).select_from(Order)).one()
    with pytest.raises(VoelgoedError) as exc:
        checkout.start_checkout(db, hold_id=hold.id, buyer_name="B", buyer_email="b@example.com")
    assert exc.value.code == "already_checked_out" and exc.value.status == 409
    assert db.exec(select(func.count()).select_from(Order)).one() == n_orders
    past = datetime.now(UTC) - timedelta(minutes=6)
    old = inventory.create_hold(db, event_slug=event.slug, items=[(tt.id, 3)], now=past)
    with pytest.raises(VoelgoedError) as exc:
        checkout.start_checkout(db, hold_id=old.id, buyer_name="C", buyer_email="c@example.com")
    assert exc.value.code == "hold_expired"
    assert db.exec(select(func.count()).select_from(Order)).one() == n_orders
    assert _tt(db, tt) == (2, 0)  # the lapsed hold's 3 went back


@pytest.mark.parametrize("name,email", [("", "a@example.com"), ("A", "not-an-email"), ("A", ""), (None, None), ("A" * 300, "a@example.com")])
def test_checkout_rejects_bad_buyer_details(db, shop, name, email):
    event, tt = shop
    hold = inventory.create_hold(db, event_slug=event.slug, items=[(tt.id, 1)])
    with pytest.raises(VoelgoedError) as exc:
        checkout.start_checkout(db, hold_id=hold.id, buyer_name=name, buyer_email=email)
    assert exc.value.code == "validation_failed"
    assert db.get(Hold, hold.id).status == "active"


def test_sandbox_success_pays_issues_tickets_and_replay_is_noop(db, shop):
    event, tt = shop
    _, order, payment = _checkout(db, event, tt)
    headers, raw = sandbox.build_webhook(payment, "success")
    assert process_webhook(db, provider="sandbox", headers=headers, raw_body=raw) == {"outcome": "paid"}
    db.expire_all()
    assert db.get(Order, order.id).status == "paid" and db.get(Payment, payment.id).status == "succeeded"
    assert _tt(db, tt) == (0, 2)
    assert db.exec(select(func.count()).select_from(Ticket).where(Ticket.order_id == order.id)).one() == 2
    assert process_webhook(db, provider="sandbox", headers=headers, raw_body=raw) == {"outcome": "duplicate"}
    # a fresh delivery of the same success is also a no-op
    h2, raw2 = sandbox.build_webhook(payment, "success")
    assert process_webhook(db, provider="sandbox", headers=h2, raw_body=raw2) == {"outcome": "already_paid"}
    assert _tt(db, tt) == (0, 2)
    assert db.exec(select(func.count()).select_from(Ticket).where(Ticket.order_id == order.id)).one() == 2
    assert db.exec(select(AuditLog).where(AuditLog.action == "order.paid", AuditLog.target_id == str(order.id))).first()


def _snapshot(db, order, payment, tt):
    db.expire_all()
    return (db.get(Order, order.id).status, db.get(Payment, payment.id).status, _tt(db, tt),
            db.exec(select(func.count()).select_from(Ticket)).one())


def test_bad_signature_changes_nothing(db, shop):
    event, tt = shop
    _, order, payment = _checkout(db, event, tt)
    headers, raw = sandbox.build_webhook(payment, "success")
    before = _snapshot(db, order, payment, tt)
    n = db.exec(select(func.count()).select_from(WebhookDelivery)).one()
    for hdrs, body in [({}, raw), ({"x-sandbox-signature": "00" * 64}, raw), (headers, raw + b" "), ({"x-sandbox-signature": ""}, b"garbage")]:
        with pytest.raises(VoelgoedError) as exc:
            process_webhook(db, provider="sandbox", headers=hdrs, raw_body=body)
        assert exc.value.code == "bad_signature" and exc.value.status == 401
    assert _snapshot(db, order, payment, tt) == before
    assert db.exec(select(func.count()).select_from(WebhookDelivery)).one() == n


@pytest.mark.parametrize("field,value", [("amount", 100), ("currency", "USD"), ("amount", "lots")])
def test_wrong_amount_or_currency_changes_nothing(db, shop, field, value):
    event, tt = shop
    _, order, payment = _checkout(db, event, tt)
    before = _snapshot(db, order, payment, tt)
    body = {"id": f"evt-{field}-{value}", "event": "charge.success",
            "data": {"reference": payment.reference, "amount": payment.amount_cents, "currency": payment.currency}}
    body["data"][field] = value
    raw = json.dumps(body).encode()
    result = process_webhook(db, provider="sandbox", headers={"x-sandbox-signature": sandbox.sign(raw)}, raw_body=raw)
    assert result == {"outcome": "amount_mismatch"}
    assert _snapshot(db, order, payment, tt) == before
    with pytest.raises(VoelgoedError) as exc:
        orders.mark_paid(db, reference=payment.reference, amount_cents=1, currency="ZAR", provider="sandbox")
    assert exc.value.code == "amount_mismatch"
    assert _snapshot(db, order, payment, tt) == before


def test_unknown_reference_is_acknowledged_and_ignored(db, shop):
    event, tt = shop
    _, order, payment = _checkout(db, event, tt)
    before = _snapshot(db, order, payment, tt)
    raw = json.dumps({"id": "evt-x", "event": "charge.success", "data": {"reference": "VGP-nope", "amount": 1, "currency": "ZAR"}}).encode()
    assert process_webhook(db, provider="sandbox", headers={"x-sandbox-signature": sandbox.sign(raw)}, raw_body=raw) == {"outcome": "unknown_reference"}
    assert _snapshot(db, order, payment, tt) == before
    with pytest.raises(VoelgoedError) as exc:
        orders.mark_paid(db, reference="VGP-nope", amount_cents=1, currency="ZAR", provider="sandbox")
    assert exc.value.code == "not_found"


def test_decline_cancels_order_and_releases_tickets(db, shop):
    event, tt = shop
    hold, order, payment = _checkout(db, event, tt)
    result = sandbox_checkout.complete(db, reference=payment.reference, outcome="failure")
    assert result["outcome"] == "failed" and result["status"] == "cancelled"
    assert _tt(db, tt) == (0, 0)
    assert db.get(Hold, hold.id).status == "released"
    with pytest.raises(VoelgoedError) as exc:
        sandbox_checkout.complete(db, reference=payment.reference, outcome="success")
    assert exc.value.code == "invalid_state"


def test_late_payment_re_reserves_or_requires_refund(db, shop):
    event, tt = shop
    past = datetime.now(UTC) - timedelta(minutes=6)
    _, late_ok, pay_ok = _checkout(db, event, tt, qty=2, now=past)
    _, late_gone, pay_gone = _checkout(db, event, tt, qty=3, now=past)
    # both holds lapsed; someone takes all 5 → reclaim happens at read time
    inventory.create_hold(db, event_slug=event.slug, items=[(tt.id, 5)])
    db.expire_all()
    assert db.get(Order, late_ok.id).status == "expired"
    assert orders.mark_paid(db, reference=pay_gone.reference, amount_cents=36000, currency="ZAR", provider="sandbox").status == "refund_required"
    assert _tt(db, tt) == (5, 0)
    assert db.exec(select(func.count()).select_from(Ticket).where(Ticket.order_id == late_gone.id)).one() == 0
    assert db.exec(select(AuditLog).where(AuditLog.action == "order.refund_required")).first()
    # release the 5 → the other late payment can be re-reserved as sold
    hold5 = db.exec(select(Hold).where(Hold.status == "active")).one()
    inventory.release_hold(db, hold_id=hold5.id)
    assert orders.mark_paid(db, reference=pay_ok.reference, amount_cents=24000, currency="ZAR", provider="sandbox").status == "paid"
    assert _tt(db, tt) == (0, 2)


def test_free_order_is_paid_at_once(db):
    org = make_org(db)
    event = make_event(db, org)
    free = make_ticket_type(db, event, name="Free", price_cents=0, quantity=3)
    hold = inventory.create_hold(db, event_slug=event.slug, items=[(free.id, 2)])
    order = checkout.start_checkout(db, hold_id=hold.id, buyer_name="F", buyer_email="f@example.com")
    assert order.status == "paid" and order.provider == "free" and checkout.payment_for_order(db, order) is None
    assert _tt(db, free) == (0, 2)
    view = orders.public_order_view(db, order.order_code, order.access_token)
    assert view["status"] == "paid" and len(view["tickets"]) == 2
    for token in (None, "", "wrong", order.access_token + "x"):
        with pytest.raises(VoelgoedError) as exc:
            orders.public_order_view(db, order.order_code, token)
        assert exc.value.code == "not_found"


def test_checkout_redirect_is_site_relative_for_sandbox_and_free_orders(db, shop):
    event, tt = shop
    hold = inventory.create_hold(db, event_slug=event.slug, items=[(tt.id, 1)])
    target = checkout.checkout_redirect(db, hold_id=hold.id, buyer_name="A", buyer_email="a@example.com")
    payment = db.exec(select(Payment).where(Payment.reference == target.rsplit("/", 1)[-1])).one()
    assert target == "/pay/sandbox/" + payment.reference
    free = make_ticket_type(db, event, name="Free", price_cents=0, quantity=3)
    hold = inventory.create_hold(db, event_slug=event.slug, items=[(free.id, 1)])
    target = checkout.checkout_redirect(db, hold_id=hold.id, buyer_name="F", buyer_email="f@example.com")
    order = db.exec(select(Order).where(Order.hold_id == hold.id)).one()
    assert target == f"/orders/{order.order_code}?token={order.access_token}"
    with pytest.raises(VoelgoedError) as exc:
        checkout.checkout_redirect(db, hold_id=hold.id, buyer_name="F", buyer_email="f@example.com")
    assert exc.value.code == "already_checked_out"
