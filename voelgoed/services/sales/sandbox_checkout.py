"""The sandbox's Pay / Decline: what the hosted page buttons and
``POST /api/v1/sandbox/payments/{reference}/complete`` do.

It builds the webhook the sandbox provider "sends" (:func:`voelgoed.services.payments.sandbox.build_webhook`,
signed) and hands it to :func:`voelgoed.services.sales.payment_webhooks.process_webhook` — the very
function behind ``POST /api/v1/payments/sandbox/webhook`` — so it is verified and processed exactly
like a real provider's. Settling orders is sales; the provider adapter stays in ``payments``.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from voelgoed.models import Order, Payment
from voelgoed.services.payments import FAILURE, SUCCESS
from voelgoed.services.payments.sandbox import build_webhook, require_available
from voelgoed.services.platform import NotFound, ValidationFailed, VoelgoedError, clean_key
from voelgoed.services.sales.payment_webhooks import process_webhook


def complete(session: Session, *, reference: str, outcome: str, now: datetime | None = None) -> dict:
    """Play the provider: pay or decline ``reference`` → ``{"outcome", "order_code", "access_token", "status"}``.

    Errors: 404 ``not_found`` (unknown reference, not a sandbox payment, or the sandbox does not exist
    here — :func:`voelgoed.services.payments.sandbox.require_available`), 422 ``validation_failed``
    (outcome not success/failure), 409 ``invalid_state`` (payment already settled the other way).
    """
    require_available()
    if outcome not in (SUCCESS, FAILURE):
        raise ValidationFailed({"outcome": "outcome must be 'success' or 'failure'"})
    key = clean_key(reference, 100)
    payment = session.exec(select(Payment).where(Payment.reference == key, Payment.provider == "sandbox")).first() if key else None
    if payment is None:
        raise NotFound("not_found", "Unknown payment reference")
    if payment.status in ("succeeded", "failed") and (payment.status == "succeeded") != (outcome == SUCCESS):
        raise VoelgoedError("invalid_state", f"This payment has already {payment.status}", status=409)
    headers, raw = build_webhook(payment, outcome)
    result = process_webhook(session, provider="sandbox", headers=headers, raw_body=raw, now=now)
    order = session.get(Order, payment.order_id)
    session.refresh(order)
    return {"outcome": result["outcome"], "order_code": order.order_code, "access_token": order.access_token,
            "status": order.status}
