"""No external call under a lock (issue 10, item 4): checkout commits the pending order, then calls Paystack.

Against the Paystack stand-in made to fail: a 5xx, and a timeout after Paystack registered the reference.
Each leaves a retryable pending order (hold still reserved, no row lock), and the same checkout call retries
with a new payment attempt for the SAME order. One test watches the hold row from another connection while
Paystack is being called: it must be lockable (``FOR UPDATE NOWAIT``), i.e. checkout holds no lock then.
"""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import text
from sqlmodel import select

from tests.factories import make_event, make_org, make_ticket_type
from tests.paystack_standin import PaystackStandIn
from voelgoed.config import get_settings
from voelgoed.models import Hold, Order, Payment, TicketType
from voelgoed.services.payments import paystack as paystack_mod
from voelgoed.services.platform import VoelgoedError
from voelgoed.services.platform import db as dbmod
from voelgoed.services.sales import checkout, inventory, process_webhook

BUYER = {"buyer_name": "Naledi", "buyer_email": "naledi@example.co.za"}


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
    monkeypatch.setattr(paystack_mod, "TIMEOUT", httpx.Timeout(0.5, connect=0.5))
    standin.initialize_faults.clear()
    standin.on_initialize = None
    yield standin
    standin.initialize_faults.clear()
    standin.on_initialize = None


def _shop(session):
    org = make_org(session)
    event = make_event(session, org)
    tt = make_ticket_type(session, event, quantity=5, price_cents=35000)
    session.commit()
    return event, tt


def _orders_of(session, hold_id):
    session.expire_all()
    return session.exec(select(Order).where(Order.hold_id == hold_id)).all()


def _payments_of(session, order):
    return session.exec(select(Payment).where(Payment.order_id == order.id).order_by(Payment.created_at, Payment.id)).all()


@pytest.mark.parametrize("fault", ["500", "slow:1.5"])
def test_provider_failure_leaves_a_retryable_pending_order_and_the_retry_reuses_it(db, paystack, fault):
    event, tt = _shop(db)
    hold = inventory.create_hold(db, event_slug=event.slug, items=[(tt.id, 2)])
    paystack.initialize_faults.append(fault)
    with pytest.raises(VoelgoedError) as exc:
        checkout.start_checkout(db, hold_id=hold.id, **BUYER)
    assert exc.value.code == "provider_unavailable" and exc.value.status == 503
    assert exc.value.details["retryable"] is True
    [order] = _orders_of(db, hold.id)
    assert order.status == "pending" and exc.value.details["order_code"] == order.order_code
    [first] = _payments_of(db, order)
    assert first.status == "initiated" and first.redirect_url == ""
    assert db.get(Hold, hold.id).status == "converted"
    assert db.get(TicketType, tt.id).held_count == 2  # still reserved for this buyer until the hold expires

    again = checkout.start_checkout(db, hold_id=hold.id, **BUYER)  # the same call, retried
    assert again.id == order.id
    assert [o.id for o in _orders_of(db, hold.id)] == [order.id]  # never a second order
    payments = _payments_of(db, order)
    assert len(payments) == 2 and payments[1].reference != first.reference  # Paystack may hold the first one
    assert payments[1].redirect_url.startswith(paystack.base_url + "/checkout/")
    assert checkout.payment_for_order(db, order).id == payments[1].id
    assert db.get(TicketType, tt.id).held_count == 2

    with pytest.raises(VoelgoedError) as exc:  # a checkout whose provider call succeeded is not redone
        checkout.start_checkout(db, hold_id=hold.id, **BUYER)
    assert exc.value.code == "already_checked_out"

    headers, raw = paystack.charge(payments[1].reference)  # the buyer pays on the retried page
    assert process_webhook(db, provider="paystack", headers=headers, raw_body=raw)["outcome"] == "paid"
    db.expire_all()
    assert db.get(Order, order.id).status == "paid"
    t = db.get(TicketType, tt.id)
    assert (t.held_count, t.sold_count) == (0, 2)


def test_api_answers_503_then_the_same_call_succeeds_with_the_same_order(client, db, paystack):
    event, tt = _shop(db)
    hold = client.post(f"/api/v1/public/events/{event.slug}/holds",
                       json={"items": [{"ticket_type_id": str(tt.id), "quantity": 1}]}).json()
    paystack.initialize_faults.append("500")
    r = client.post(f"/api/v1/public/holds/{hold['hold_id']}/checkout", json=BUYER)
    assert r.status_code == 503 and r.json()["error"]["code"] == "provider_unavailable"
    code = r.json()["error"]["details"]["order_code"]
    r = client.post(f"/api/v1/public/holds/{hold['hold_id']}/checkout", json=BUYER)
    assert r.status_code == 201, r.text
    assert r.json()["order_code"] == code and r.json()["payment"]["redirect_url"].startswith(paystack.base_url)
    assert len(_orders_of(db, hold["hold_id"])) == 1


def test_no_row_lock_is_held_while_paystack_is_called(committed_db, paystack):
    """Real commits: while the stand-in handles initialize, another connection locks the hold and the order
    with NOWAIT (it would fail with 55P03 if checkout still held them) and sees the pending order."""
    event, tt = _shop(committed_db)
    hold = inventory.create_hold(committed_db, event_slug=event.slug, items=[(tt.id, 1)])
    seen: dict = {}

    def probe(reference):
        with dbmod.get_engine().connect() as conn:
            seen["hold"] = conn.execute(text("SELECT status FROM hold WHERE id = :h FOR UPDATE NOWAIT"),
                                        {"h": hold.id}).scalar_one()
            seen["order"] = conn.execute(text('SELECT status FROM "order" WHERE hold_id = :h FOR UPDATE NOWAIT'),
                                         {"h": hold.id}).scalar_one()
            seen["payment"] = conn.execute(text("SELECT status FROM payment WHERE reference = :r FOR UPDATE NOWAIT"),
                                           {"r": reference}).scalar_one()
            conn.rollback()

    paystack.on_initialize = probe
    paystack.initialize_faults.append("500")
    with pytest.raises(VoelgoedError):
        checkout.start_checkout(committed_db, hold_id=hold.id, **BUYER)
    assert seen == {"hold": "converted", "order": "pending", "payment": "initiated"}
    seen.clear()
    order = checkout.start_checkout(committed_db, hold_id=hold.id, **BUYER)  # the retry, watched the same way
    assert seen == {"hold": "converted", "order": "pending", "payment": "initiated"}
    assert checkout.payment_for_order(committed_db, order).redirect_url.startswith(paystack.base_url)
