"""The built-in sandbox provider: a hosted page with Pay / Decline and Paystack-style signed webhooks.

- Hosted page: ``{BASE_URL}/pay/sandbox/<reference>`` (Reflex page ``voelgoed/pages/pay_sandbox.py``).
- ``complete(session, reference=…, outcome="success"|"failure")`` is what the buttons (and
  ``POST /api/v1/sandbox/payments/{reference}/complete``) do: it builds the webhook the sandbox
  "sends", signs it and hands it to :func:`voelgoed.services.sales.payment_webhooks.process_webhook` —
  the very function behind ``POST /api/v1/payments/sandbox/webhook`` — so it is verified and
  processed exactly like a real provider's.
- Webhook: body ``{"id", "event": "charge.success"|"charge.failed", "data": {"reference",
  "amount" (cents), "currency", "status"}}``; header ``x-sandbox-signature`` = hex HMAC-SHA512 of the
  raw body (Paystack's scheme) with ``SANDBOX_WEBHOOK_SECRET`` or, when empty, a key derived from
  ``SECRET_KEY``.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import datetime

from sqlmodel import Session, select

from voelgoed.config import get_settings
from voelgoed.models import Event, Order, Payment
from voelgoed.services.payments.base import (
    FAILURE,
    IGNORED,
    SUCCESS,
    VerifyResult,
    WebhookEvent,
    charge_event,
    hmac_sha512_hex,
    verified_body,
)
from voelgoed.services.platform import NotFound, ValidationFailed, VoelgoedError
from voelgoed.services.sales import clean_key

SIGNATURE_HEADER = "x-sandbox-signature"


def webhook_secret() -> str:
    """``SANDBOX_WEBHOOK_SECRET``, or hex SHA-256 of ``"sandbox-webhook:" + SECRET_KEY`` when it is empty."""
    settings = get_settings()
    return settings.sandbox_webhook_secret or hashlib.sha256(f"sandbox-webhook:{settings.effective_secret_key}".encode()).hexdigest()


def sign(raw_body: bytes) -> str:
    """The ``x-sandbox-signature`` of ``raw_body``: hex HMAC-SHA512 with :func:`webhook_secret`."""
    return hmac_sha512_hex(webhook_secret(), raw_body)


class SandboxProvider:
    name = "sandbox"

    def create_checkout(self, order: Order, payment: Payment) -> tuple[str, str]:
        return payment.reference, f"{get_settings().effective_base_url}/pay/sandbox/{payment.reference}"

    def verify_webhook(self, headers, raw_body: bytes) -> WebhookEvent:
        body, data = verified_body(webhook_secret(), headers, raw_body, SIGNATURE_HEADER)
        outcome = {"charge.success": SUCCESS, "charge.failed": FAILURE}.get(str(body.get("event", "")), IGNORED)
        return charge_event(body, data, delivery_key=str(body.get("id") or hashlib.sha256(raw_body).hexdigest()),
                            outcome=outcome)

    def verify(self, reference: str) -> VerifyResult:
        from voelgoed.services.platform import session_scope

        with session_scope() as session:
            payment = session.exec(select(Payment).where(Payment.reference == reference)).first()
            if payment is None:
                raise NotFound("not_found", "Unknown payment reference")
            status = {"succeeded": "success", "failed": "failed"}.get(payment.status, "pending")
            return VerifyResult(reference, status, payment.amount_cents, payment.currency)


def build_webhook(payment: Payment, outcome: str) -> tuple[dict[str, str], bytes]:
    """The signed delivery for ``outcome`` ("success"|"failure"): ``(headers, raw_body)``."""
    body = {
        "id": str(uuid.uuid4()),
        "event": "charge.success" if outcome == SUCCESS else "charge.failed",
        "data": {"reference": payment.reference, "amount": payment.amount_cents, "currency": payment.currency,
                 "status": "success" if outcome == SUCCESS else "failed"},
    }
    raw = json.dumps(body, separators=(",", ":")).encode()
    return {SIGNATURE_HEADER: sign(raw), "content-type": "application/json"}, raw


def complete(session: Session, *, reference: str, outcome: str, now: datetime | None = None) -> dict:
    """Play the provider: pay or decline ``reference`` → ``{"outcome", "order_code", "access_token", "status"}``.

    Errors: 404 ``not_found`` (unknown reference or sandbox disabled), 422 ``validation_failed``
    (outcome not success/failure), 409 ``invalid_state`` (payment already settled the other way).
    """
    if not get_settings().sandbox_enabled:
        raise NotFound("not_found", "The sandbox is disabled")
    if outcome not in (SUCCESS, FAILURE):
        raise ValidationFailed({"outcome": "outcome must be 'success' or 'failure'"})
    key = clean_key(reference, 100)
    payment = session.exec(select(Payment).where(Payment.reference == key, Payment.provider == "sandbox")).first() if key else None
    if payment is None:
        raise NotFound("not_found", "Unknown payment reference")
    if payment.status in ("succeeded", "failed") and (payment.status == "succeeded") != (outcome == SUCCESS):
        raise VoelgoedError("invalid_state", f"This payment has already {payment.status}", status=409)
    from voelgoed.services.sales import process_webhook

    headers, raw = build_webhook(payment, outcome)
    result = process_webhook(session, provider="sandbox", headers=headers, raw_body=raw, now=now)
    order = session.get(Order, payment.order_id)
    session.refresh(order)
    return {"outcome": result["outcome"], "order_code": order.order_code, "access_token": order.access_token,
            "status": order.status}


def sandbox_view(session: Session, reference: str) -> dict:
    """What the hosted page shows: ``{reference, status, amount_cents, currency, order_code, order_status,
    access_token, event_name, event_slug, buyer_email}`` (amount in cents). Raises 404 ``not_found``
    (unknown reference or not a sandbox payment)."""
    key = clean_key(reference, 100)
    row = None if key is None else session.exec(
        select(Payment, Order, Event).join(Order, Order.id == Payment.order_id).join(Event, Event.id == Order.event_id)
        .where(Payment.reference == key, Payment.provider == "sandbox")
    ).first()
    if row is None:
        raise NotFound("not_found", "Unknown payment reference")
    payment, order, event = row
    return {"reference": payment.reference, "status": payment.status, "amount_cents": payment.amount_cents,
            "currency": payment.currency, "order_code": order.order_code, "order_status": order.status,
            "access_token": order.access_token, "event_name": event.name, "event_slug": event.slug,
            "buyer_email": order.buyer_email}
