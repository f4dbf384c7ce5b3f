"""Refund webhooks and what the organiser sees of an order's refunds.

- :func:`apply_refund_webhook` (no commit; called by :func:`~.payment_webhooks.process_webhook` after the
  delivery was recorded, so a replay never gets here): ``refund.processed`` / ``refund.failed`` /
  ``refund.pending`` for the charge ``event.reference``. The refund is the one whose provider reference
  matches the delivery's ``data.id`` when it has one, else the oldest refund of that charge still
  ``pending`` (already accepted by the provider) with the same amount. Outcomes: ``refund_processed``,
  ``refund_failed``, ``refund_pending``, ``refund_already_final``, ``unknown_refund``, ``unknown_reference``.
- :func:`order_refunds` → ``{balance_cents, refundable_cents, currency, can_refund, refunds: [{id, status,
  amount_cents, currency, reason, origin, tickets, provider_reference, last_error, created_at,
  processed_at, retryable}], ledger: [...]}``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from voelgoed.models import Order, Payment, Refund, RefundStatus, Ticket
from voelgoed.services.payments import REFUND_FAILED, REFUND_PROCESSED, WebhookEvent
from voelgoed.services.platform import TenantContext, audit, clean_key, get_owned, iso, parse_id, rbac
from voelgoed.services.sales import ledger
from voelgoed.services.sales.refunds import _lock_order, mark_failed, mark_processed, refundable_cents


def _match(session: Session, payment: Payment, event: WebhookEvent) -> Refund | None:
    ref_id = clean_key(str((event.payload.get("data") or {}).get("id") or ""), 100)
    if ref_id:
        found = session.exec(select(Refund).where(Refund.payment_id == payment.id, Refund.provider_reference == ref_id)).first()
        if found is not None:
            return found
    candidates = session.exec(select(Refund).where(
        Refund.payment_id == payment.id, Refund.status == RefundStatus.pending.value,
        Refund.provider_reference.is_not(None)).order_by(Refund.created_at, Refund.id)).all()
    same = [r for r in candidates if event.amount_cents is None or r.amount_cents == event.amount_cents]
    return same[0] if same else None


def apply_refund_webhook(session: Session, *, provider: str, event: WebhookEvent, now: datetime) -> str:
    """See the module docstring. No commit; takes the order then the refund row lock."""
    key = clean_key(event.reference, 100)
    payment = None if key is None else session.exec(
        select(Payment).where(Payment.reference == key, Payment.provider == provider)).first()
    if payment is None:
        return "unknown_reference"
    refund = _match(session, payment, event)
    if refund is None:
        return "unknown_refund"
    order = _lock_order(session, refund.order_id)
    refund = session.exec(select(Refund).where(Refund.id == refund.id).with_for_update()
                          .execution_options(populate_existing=True)).one()
    if refund.status != RefundStatus.pending.value:
        return "refund_already_final"
    actor = audit.Actor("provider", provider)
    if event.outcome == REFUND_PROCESSED:
        mark_processed(session, order, refund, now=now, actor=actor)
        return "refund_processed"
    if event.outcome == REFUND_FAILED:
        mark_failed(session, order, refund, now=now, message=f"provider reported {event.event_type}")
        return "refund_failed"
    return "refund_pending"


def refund_row(refund: Refund, codes: dict[str, str] | None = None) -> dict[str, Any]:
    """One refund as the API and pages show it (``tickets`` = ticket codes when ``codes`` maps id → code)."""
    codes = codes or {}
    return {"id": str(refund.id), "order_id": str(refund.order_id), "status": refund.status, "amount_cents": refund.amount_cents,
            "currency": refund.currency, "reason": refund.reason, "origin": refund.origin,
            "ticket_ids": list(refund.ticket_ids or []), "tickets": [codes.get(t, "") for t in refund.ticket_ids or []],
            "provider_reference": refund.provider_reference, "last_error": refund.last_error,
            "created_at": iso(refund.created_at), "processed_at": iso(refund.processed_at),
            "retryable": refund.status == RefundStatus.failed.value or (
                refund.status == RefundStatus.pending.value and refund.provider_reference is None)}


def order_refunds(session: Session, ctx: TenantContext, order_id: Any) -> dict[str, Any]:
    """The refund panel of the order page (shape in the module docstring). 403 / 404 ``not_found``."""
    rbac.require(ctx, rbac.can_view_financials, "view orders")
    order = get_owned(session, ctx, Order, parse_id(order_id, "order"), "order")
    refunds = session.exec(select(Refund).where(Refund.order_id == order.id).order_by(Refund.created_at)).all()
    codes = {str(i): c for i, c in session.exec(select(Ticket.id, Ticket.ticket_code).where(Ticket.order_id == order.id)).all()}
    return {"balance_cents": ledger.order_balance(session, order.id),
            "refundable_cents": max(refundable_cents(session, order.id), 0), "currency": order.currency,
            "can_refund": rbac.can_refund(ctx), "refunds": [refund_row(r, codes) for r in refunds],
            "ledger": ledger.order_entries(session, order.id)}
