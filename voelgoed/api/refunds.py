"""Organiser money endpoints (API key): refunds, order cancellation, event refund progress, reconciliation.

- ``POST /api/v1/orders/{order_id}/refunds`` ``{ticket_ids?, amount_cents?, reason?, return_to_sale?,
  request_key?}`` → ``201 {refund}`` (whole order when neither tickets nor an amount is given;
  ``request_key`` makes a retried request the same refund) · 409 ``refund_exceeds_balance`` /
  ``nothing_to_refund`` / ``invalid_state`` / ``ticket_not_refundable`` · 422 · 403 · 404.
- ``GET /api/v1/orders/{order_id}/refunds`` → ``{balance_cents, refundable_cents, refunds, ledger, …}``.
- ``POST /api/v1/refunds/{refund_id}/retry`` → ``{refund}``.
- ``POST /api/v1/orders/{order_id}/cancel`` ``{reason?, return_to_sale?}`` → ``{order_status, refund_id, refund_status}``.
- ``GET /api/v1/events/{event_id}/refund-progress`` → the event cancellation report;
  ``POST /api/v1/events/{event_id}/refunds/retry`` → ``{queued}``.
- ``GET /api/v1/events/{event_id}/reconciliation`` → ``{sold_cents, refunded_cents, fees_cents, net_cents, …}``.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field, StrictInt

from voelgoed.services.platform import TenantContext, session_scope
from voelgoed.services.sales import (
    cancel_order,
    event_cancellation_report,
    event_reconciliation,
    order_refunds,
    refund_row,
    request_refund,
    retry_event_refunds,
    retry_refund,
)

from .deps import require_scope

router = APIRouter(prefix="/api/v1", tags=["refunds"])
RefundsRead = Depends(require_scope("refunds:read"))
RefundsWrite = Depends(require_scope("refunds:write"))


class RefundIn(BaseModel):
    ticket_ids: list[str] | None = Field(None, max_length=500)
    amount_cents: StrictInt | None = Field(None, ge=1, le=10**12)
    reason: str = Field("", max_length=500)
    return_to_sale: bool = False
    request_key: str | None = Field(None, max_length=80)


class CancelOrderIn(BaseModel):
    reason: str = Field("", max_length=500)
    return_to_sale: bool = True


@router.post("/orders/{order_id}/refunds", status_code=201, summary="Refund an order (whole, chosen tickets or an amount)")
def create_refund(order_id: str, body: RefundIn, ctx: TenantContext = RefundsWrite) -> dict:
    with session_scope() as s:
        refund = request_refund(s, ctx, order_id=order_id, ticket_ids=body.ticket_ids, amount_cents=body.amount_cents,
                                reason=body.reason, return_to_sale=body.return_to_sale, request_key=body.request_key)
        return {"refund": refund_row(refund)}


@router.get("/orders/{order_id}/refunds", summary="An order's refunds, balance and ledger")
def list_refunds(order_id: str, ctx: TenantContext = RefundsRead) -> dict:
    with session_scope() as s:
        return order_refunds(s, ctx, order_id)


@router.post("/refunds/{refund_id}/retry", summary="Send a failed or unsent refund again")
def retry(refund_id: str, ctx: TenantContext = RefundsWrite) -> dict:
    with session_scope() as s:
        return {"refund": refund_row(retry_refund(s, ctx, refund_id=refund_id))}


@router.post("/orders/{order_id}/cancel", summary="Cancel an order (unpaid: released; paid: refunded)")
def cancel(order_id: str, body: CancelOrderIn | None = None, ctx: TenantContext = RefundsWrite) -> dict:
    body = body or CancelOrderIn()
    with session_scope() as s:
        return cancel_order(s, ctx, order_id=order_id, reason=body.reason, return_to_sale=body.return_to_sale)


@router.get("/events/{event_id}/refund-progress", summary="Refund progress of a cancelled event")
def refund_progress(event_id: str, ctx: TenantContext = RefundsRead) -> dict:
    with session_scope() as s:
        return event_cancellation_report(s, ctx, event_id)


@router.post("/events/{event_id}/refunds/retry", summary="Queue a cancelled event's failed refunds again")
def retry_event(event_id: str, ctx: TenantContext = RefundsWrite) -> dict:
    with session_scope() as s:
        return {"queued": retry_event_refunds(s, ctx, event_id)}


@router.get("/events/{event_id}/reconciliation", summary="Sold, refunded, fees and net of an event (ledger sums)")
def reconciliation(event_id: str, ctx: TenantContext = RefundsRead) -> dict:
    with session_scope() as s:
        return event_reconciliation(s, ctx, event_id)
