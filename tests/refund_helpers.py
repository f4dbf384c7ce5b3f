"""Shared arrangements for the refund tests: the Paystack stand-in configured through the environment,
a real SMTP inbox (aiosmtpd), and orders paid through the real checkout + signed charge webhook."""

from __future__ import annotations

import email
import uuid
from email import policy

import pytest
from aiosmtpd.controller import Controller
from sqlmodel import select

from tests.factories import make_event, make_org, make_ticket_type
from tests.outbox_helpers import free_port, set_env
from tests.paystack_standin import PaystackStandIn
from voelgoed.models import Order, Ticket
from voelgoed.services.platform import Actor, TenantContext


class Inbox:
    def __init__(self):
        self.messages: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd hook name
        self.messages.append((list(envelope.rcpt_tos), envelope.original_content or envelope.content))
        return "250 Message accepted for delivery"

    def subjects(self, to: str | None = None) -> list[str]:
        out = []
        for rcpts, raw in self.messages:
            if to is None or to in rcpts:
                out.append(str(email.message_from_bytes(raw, policy=policy.default)["Subject"]))
        return out


@pytest.fixture(scope="module")
def standin():
    server = PaystackStandIn().start()
    yield server
    server.stop()


@pytest.fixture
def paystack_env(standin, tmp_path):
    """Paystack (the stand-in) as the provider, mail through a real local SMTP server."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    old = set_env({"PAYMENT_PROVIDER": "paystack", "PAYSTACK_SECRET_KEY": standin.secret_key,
                   "PAYSTACK_BASE_URL": standin.base_url, "SANDBOX_ENABLED": "false",
                   "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(controller.port),
                   "MEDIA_DIR": str(tmp_path / "media"), "MAIL_DIR": str(tmp_path / "mail")})
    standin.refund_mode, standin.refund_delay = "pending", 0.0
    standin.inbox = inbox
    try:
        yield standin
    finally:
        set_env(old)
        controller.stop()


def ctx(org, role: str = "owner") -> TenantContext:
    return TenantContext(org.id, Actor("user", str(uuid.uuid4())), role)


def new_event(db, *, quantity: int = 20, price_cents: int = 35000):
    org = make_org(db)
    event = make_event(db, org)
    tt = make_ticket_type(db, event, quantity=quantity, price_cents=price_cents)
    db.commit()
    return org, event, tt


def buy(client, db, standin, event, tt, *, quantity: int = 2, email_addr: str = "naledi@example.co.za",
        fees: int | None = None) -> Order:
    """Hold → checkout (Paystack) → the customer pays (Paystack's fee ``fees`` in cents, if given) → signed
    charge.success webhook → paid."""
    hold = client.post(f"/api/v1/public/events/{event.slug}/holds",
                       json={"items": [{"ticket_type_id": str(tt.id), "quantity": quantity}]}).json()
    r = client.post(f"/api/v1/public/holds/{hold['hold_id']}/checkout",
                    json={"buyer_name": "Naledi", "buyer_email": email_addr})
    assert r.status_code == 201, r.text
    co = r.json()
    headers, raw = standin.charge(co["payment"]["reference"], fees=fees)
    r = client.post("/api/v1/payments/paystack/webhook", content=raw, headers=headers)
    assert r.status_code == 200 and r.json()["outcome"] == "paid", r.text
    db.expire_all()
    return db.exec(select(Order).where(Order.order_code == co["order_code"])).one()


def tickets_of(db, order) -> list[Ticket]:
    db.expire_all()
    return db.exec(select(Ticket).where(Ticket.order_id == order.id).order_by(Ticket.order_item_id, Ticket.position)).all()


def standin_refund_id(standin, reference: str) -> int:
    """The stand-in's newest refund id for the charge ``reference``."""
    return max(rid for rid, r in standin.refunds.items() if r["transaction"]["reference"] == reference)
