"""The built-in sandbox provider: a hosted page with Pay / Decline and Paystack-style signed webhooks.

The sandbox exists only where :func:`voelgoed.services.payments.selection.sandbox_available`
(``SANDBOX_ENABLED`` and no real provider configured). Elsewhere :func:`require_available` makes
every entry point — :func:`complete`, :func:`sandbox_view`, the webhook (via ``get_provider``) and
``verify`` — answer 404 ``not_found``, so the sandbox can never settle an order there.

- Hosted page: ``{BASE_URL}/pay/sandbox/<reference>`` (Reflex page ``voelgoed/pages/pay_sandbox.py``).
- Pay / Decline settle the order through :func:`voelgoed.services.sales.sandbox_checkout.complete`
  (sales: it builds the webhook with :func:`build_webhook` and hands it to the real webhook processing).
- Webhook: body ``{"id", "event": "charge.success"|"charge.failed", "data": {"reference",
  "amount" (cents), "currency", "status"}}``; header ``x-sandbox-signature`` = hex HMAC-SHA512 of the
  raw body (Paystack's scheme) with ``SANDBOX_WEBHOOK_SECRET`` or, when empty, a key derived from
  ``SECRET_KEY``.
- Refunds are immediate: :meth:`SandboxProvider.refund` answers ``processed`` with the reference
  ``sbr_<refund id>``; :func:`build_refund_webhook` builds the signed ``refund.processed`` /
  ``refund.failed`` delivery (Paystack's shape) for the sandbox webhook endpoint.
"""

from __future__ import annotations

import hashlib
import json
import uuid

from sqlmodel import Session, select

from voelgoed.config import get_settings
from voelgoed.models import Event, Order, Payment
from voelgoed.services.payments.base import (
    FAILURE,
    IGNORED,
    REFUND_OUTCOMES,
    REFUND_PROCESSED,
    SUCCESS,
    RefundResult,
    VerifyResult,
    WebhookEvent,
    charge_event,
    hmac_sha512_hex,
    refund_event,
    verified_body,
)
from voelgoed.services.payments.selection import sandbox_available
from voelgoed.services.platform import NotFound, clean_key, session_scope

SIGNATURE_HEADER = "x-sandbox-signature"


def require_available() -> None:
    """404 ``not_found`` unless the sandbox exists on this deployment (see the module docstring)."""
    if not sandbox_available():
        raise NotFound("not_found", "Not found")


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
        require_available()
        return payment.reference, f"{get_settings().effective_base_url}/pay/sandbox/{payment.reference}"

    def verify_webhook(self, headers, raw_body: bytes) -> WebhookEvent:
        require_available()
        body, data = verified_body(webhook_secret(), headers, raw_body, SIGNATURE_HEADER)
        if str(body.get("event", "")) in REFUND_OUTCOMES:
            return refund_event(body, data, delivery_key=str(body.get("id") or hashlib.sha256(raw_body).hexdigest()))
        outcome = {"charge.success": SUCCESS, "charge.failed": FAILURE}.get(str(body.get("event", "")), IGNORED)
        return charge_event(body, data, delivery_key=str(body.get("id") or hashlib.sha256(raw_body).hexdigest()),
                            outcome=outcome)

    def verify(self, reference: str) -> VerifyResult:
        require_available()
        with session_scope() as session:
            payment = session.exec(select(Payment).where(Payment.reference == reference)).first()
            if payment is None:
                raise NotFound("not_found", "Unknown payment reference")
            status = {"succeeded": "success", "failed": "failed"}.get(payment.status, "pending")
            return VerifyResult(reference, status, payment.amount_cents, payment.currency)


    def refund(self, payment: Payment, *, amount_cents: int, refund_id: str, reason: str = "") -> RefundResult:
        """Immediate: ``processed``, reference ``sbr_<refund id>`` (404 where the sandbox doesn't exist)."""
        require_available()
        ref = f"sbr_{refund_id}"[:100]
        return RefundResult("processed", ref, amount_cents, payment.currency, {"id": ref, "status": "processed"})


def build_refund_webhook(payment: Payment, *, amount_cents: int, event: str = REFUND_PROCESSED,
                         refund_reference: str = "") -> tuple[dict[str, str], bytes]:
    """The signed sandbox delivery of a refund outcome (``refund.pending|processed|failed``), Paystack's shape."""
    body = {"id": str(uuid.uuid4()), "event": event,
            "data": {"status": event.split(".", 1)[1], "transaction_reference": payment.reference,
                     "refund_reference": refund_reference, "amount": amount_cents, "currency": payment.currency}}
    raw = json.dumps(body, separators=(",", ":")).encode()
    return {SIGNATURE_HEADER: sign(raw), "content-type": "application/json"}, raw


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


def sandbox_view(session: Session, reference: str) -> dict:
    """What the hosted page shows: ``{reference, status, amount_cents, currency, order_code, order_status,
    access_token, event_name, event_slug, buyer_email}`` (amount in cents). Raises 404 ``not_found``
    (unknown reference, not a sandbox payment, or the sandbox does not exist here)."""
    require_available()
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
