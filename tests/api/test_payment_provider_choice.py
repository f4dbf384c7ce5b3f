"""Issue 9 item 1: the server chooses the payment provider; the sandbox never exists next to a real one.

Attack tests: a buyer asking for the sandbox on a Paystack deployment, completing a sandbox payment
there, a correctly signed sandbox webhook for a Paystack order, and every sandbox route with the
sandbox disabled. Paystack is the local stand-in (``tests/paystack_standin.py``).
"""

from __future__ import annotations

import uuid

import pytest
from sqlmodel import select

from tests.factories import make_event, make_org, make_ticket_type
from tests.paystack_standin import PaystackStandIn
from voelgoed.config import get_settings
from voelgoed.models import AuditLog, Order, Payment, Ticket, TicketType, WebhookDelivery
from voelgoed.services.payments import resolve_provider_name, sandbox, set_payment_provider
from voelgoed.services.platform import Actor, Forbidden, NotFound, TenantContext, ValidationFailed, VoelgoedError
from voelgoed.services.sales import sandbox_checkout

BUYER = {"buyer_name": "Naledi", "buyer_email": "naledi@example.co.za"}


@pytest.fixture(scope="module")
def standin():
    server = PaystackStandIn().start()
    yield server
    server.stop()


def _use_paystack(monkeypatch, standin) -> None:
    """A Paystack deployment that an operator also (wrongly) left SANDBOX_ENABLED on."""
    settings = get_settings()
    monkeypatch.setattr(settings, "sandbox_enabled", True)
    monkeypatch.setattr(settings, "paystack_secret_key", standin.secret_key)
    monkeypatch.setattr(settings, "paystack_base_url", standin.base_url)
    monkeypatch.setattr(settings, "payment_provider", "paystack")


def _use_sandbox(monkeypatch) -> None:
    settings = get_settings()
    monkeypatch.setattr(settings, "sandbox_enabled", True)
    monkeypatch.setattr(settings, "paystack_secret_key", "")
    monkeypatch.setattr(settings, "payment_provider", "")


@pytest.fixture
def shop(db):
    org = make_org(db)
    event = make_event(db, org)
    tt = make_ticket_type(db, event, quantity=5, price_cents=35000)
    db.commit()
    return org, event, tt


def _buy(client, event, tt, body=None):
    hold = client.post(f"/api/v1/public/events/{event.slug}/holds",
                       json={"items": [{"ticket_type_id": str(tt.id), "quantity": 2}]}).json()
    r = client.post(f"/api/v1/public/holds/{hold['hold_id']}/checkout", json=body or BUYER)
    assert r.status_code == 201, r.text
    return r.json()


def _state(db, co, tt):
    db.expire_all()
    order = db.exec(select(Order).where(Order.order_code == co["order_code"])).one()
    payment = db.exec(select(Payment).where(Payment.order_id == order.id)).one()
    t = db.get(TicketType, tt.id)
    n = len(db.exec(select(Ticket).where(Ticket.order_id == order.id)).all())
    return order.status, payment.status, t.held_count, t.sold_count, n


def test_buyer_asking_for_the_sandbox_gets_paystack(client, db, shop, standin, monkeypatch):
    _use_paystack(monkeypatch, standin)
    _, event, tt = shop
    co = _buy(client, event, tt, {**BUYER, "provider": "sandbox"})
    assert co["payment"]["provider"] == "paystack"
    assert co["payment"]["redirect_url"].startswith(standin.base_url + "/checkout/")
    assert co["payment"]["reference"] in standin.transactions
    db.expire_all()
    order = db.exec(select(Order).where(Order.order_code == co["order_code"])).one()
    assert order.provider == "paystack"
    assert db.exec(select(Payment).where(Payment.order_id == order.id)).one().provider == "paystack"


def test_completing_a_sandbox_payment_on_a_paystack_deployment_is_404(client, db, shop, standin, monkeypatch):
    _, event, tt = shop
    # a sandbox payment left from before the deployment got Paystack, and a Paystack one
    _use_sandbox(monkeypatch)
    old = _buy(client, event, tt)
    assert old["payment"]["provider"] == "sandbox"
    _use_paystack(monkeypatch, standin)
    new = _buy(client, event, tt)
    for co in (old, new):
        for body in ({"outcome": "success"}, {"outcome": "nonsense"}, None):
            r = client.post(f"/api/v1/sandbox/payments/{co['payment']['reference']}/complete", json=body)
            assert r.status_code == 404 and r.json()["error"]["code"] == "not_found", r.text
        with pytest.raises(NotFound):
            sandbox_checkout.complete(db, reference=co["payment"]["reference"], outcome="success")
        with pytest.raises(NotFound):  # what the hosted page (pay_sandbox) shows: not found
            sandbox.sandbox_view(db, co["payment"]["reference"])
        assert _state(db, co, tt) == ("pending", "initiated", 4, 0, 0)


def test_signed_sandbox_webhook_never_settles_a_paystack_order(client, db, shop, standin, monkeypatch):
    _, event, tt = shop
    _use_paystack(monkeypatch, standin)
    co = _buy(client, event, tt)
    payment = db.exec(select(Payment).where(Payment.reference == co["payment"]["reference"])).one()
    headers, raw = sandbox.build_webhook(payment, "success")  # correctly signed with the sandbox secret
    r = client.post("/api/v1/payments/sandbox/webhook", content=raw, headers=headers)
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    # even where the sandbox exists, its webhook only matches payments created with the sandbox
    _use_sandbox(monkeypatch)
    r = client.post("/api/v1/payments/sandbox/webhook", content=raw, headers=headers)
    assert r.status_code == 200 and r.json()["outcome"] == "unknown_reference"
    assert _state(db, co, tt) == ("pending", "initiated", 2, 0, 0)
    assert not db.exec(select(AuditLog).where(AuditLog.action == "order.paid")).first()


def test_sandbox_disabled_every_sandbox_route_is_404(client, db, shop, monkeypatch):
    _, event, tt = shop
    _use_sandbox(monkeypatch)
    co = _buy(client, event, tt)
    payment = db.exec(select(Payment).where(Payment.reference == co["payment"]["reference"])).one()
    headers, raw = sandbox.build_webhook(payment, "success")
    monkeypatch.setattr(get_settings(), "sandbox_enabled", False)
    for body in ({"outcome": "success"}, {"outcome": "failure"}, {}):
        r = client.post(f"/api/v1/sandbox/payments/{payment.reference}/complete", json=body)
        assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    r = client.post("/api/v1/payments/sandbox/webhook", content=raw, headers=headers)
    assert r.status_code == 404
    with pytest.raises(NotFound):
        sandbox.sandbox_view(db, payment.reference)
    assert _state(db, co, tt) == ("pending", "initiated", 2, 0, 0)
    assert db.exec(select(WebhookDelivery)).first() is None
    # no provider at all: checkout refuses (503) instead of inventing one, the hold stays
    hold = client.post(f"/api/v1/public/events/{event.slug}/holds",
                       json={"items": [{"ticket_type_id": str(tt.id), "quantity": 1}]}).json()
    r = client.post(f"/api/v1/public/holds/{hold['hold_id']}/checkout", json={**BUYER, "provider": "sandbox"})
    assert r.status_code == 503 and r.json()["error"]["code"] == "payments_unavailable"


def test_sandbox_still_works_where_it_is_enabled(client, db, shop, monkeypatch):
    """The control: with the sandbox available, the same calls do settle the order."""
    _, event, tt = shop
    _use_sandbox(monkeypatch)
    co = _buy(client, event, tt)
    r = client.post(f"/api/v1/sandbox/payments/{co['payment']['reference']}/complete", json={"outcome": "success"})
    assert r.status_code == 200 and r.json()["status"] == "paid"
    assert _state(db, co, tt) == ("paid", "succeeded", 0, 2, 2)


def test_resolution_event_then_org_then_deployment(db, shop, standin, monkeypatch):
    org, event, _ = shop
    _use_sandbox(monkeypatch)
    assert resolve_provider_name(db, event_id=event.id) == "sandbox"
    org.payment_provider = "paystack"  # not configured here: skipped
    db.add(org)
    db.commit()
    assert resolve_provider_name(db, event_id=event.id) == "sandbox"
    _use_paystack(monkeypatch, standin)
    assert resolve_provider_name(db, event_id=event.id) == "paystack"
    org.payment_provider, event.payment_provider = None, "sandbox"  # the sandbox next to Paystack: skipped
    db.add_all([org, event])
    db.commit()
    assert resolve_provider_name(db, event_id=event.id) == "paystack"
    monkeypatch.setattr(get_settings(), "payment_provider", "")  # only the secret key: still Paystack
    assert resolve_provider_name(db, event_id=event.id) == "paystack"
    with pytest.raises(NotFound):
        resolve_provider_name(db, event_id=uuid.uuid4())


def test_set_payment_provider_rules(db, shop):
    org, event, _ = shop
    owner = TenantContext(org.id, Actor("user", str(uuid.uuid4())), "owner")
    staff = TenantContext(org.id, Actor("user", str(uuid.uuid4())), "staff")
    other = TenantContext(make_org(db).id, Actor("user", str(uuid.uuid4())), "owner")
    assert set_payment_provider(db, owner, provider="Paystack") == {"scope": "organisation", "payment_provider": "paystack"}
    assert set_payment_provider(db, owner, provider="sandbox", event_id=event.id)["scope"] == "event"
    db.expire_all()
    assert (db.get(type(org), org.id).payment_provider, db.get(type(event), event.id).payment_provider) == ("paystack", "sandbox")
    with pytest.raises(Forbidden):
        set_payment_provider(db, staff, provider="paystack")
    with pytest.raises(ValidationFailed):
        set_payment_provider(db, owner, provider="bitcoin")
    with pytest.raises(VoelgoedError) as exc:
        set_payment_provider(db, other, provider="paystack", event_id=event.id)
    assert exc.value.code == "not_found"
    assert set_payment_provider(db, owner, provider=None)["payment_provider"] is None
