"""Ticket endpoints — see api-v1.md.

Organiser (API key):
- ``POST /api/v1/tickets/{ticket_id}/void`` ``{reason?}`` → ``200 {status: "voided", ticket_id, version}``;
  409 ``already_voided``; 404 ``not_found`` (also another organisation's ticket).
- ``POST /api/v1/orders/{order_id}/resend-email`` → ``202 {status: "queued"}``; 404; 409 ``invalid_state``.

Public (buyer's secret link, rate-limited per client address):
- ``GET /api/v1/public/orders/{order_code}/tickets/{ticket_id}.pdf?access_token=…`` → the ticket PDF;
  404 ``not_found`` for a wrong/missing token, unknown order or a ticket of another order.
- ``POST /api/v1/public/orders/{order_code}/resend-email?access_token=…`` → ``202 {status: "queued"}``;
  404; 409 ``invalid_state``; 429 ``rate_limited``.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from voelgoed.config import get_settings
from voelgoed.services.platform import TenantContext, ratelimit, session_scope
from voelgoed.services.tickets import ticket_views, tickets

from .deps import client_address, require_scope

router = APIRouter(prefix="/api/v1", tags=["tickets"])


class VoidIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field("", max_length=500)


def _public_limit(request: Request) -> None:
    ratelimit.hit("public", client_address(request), get_settings().public_rate_limit)


@router.post("/tickets/{ticket_id}/void", summary="Void a ticket (it will be refused at the gate)")
def void_ticket(ticket_id: str, body: VoidIn | None = None, ctx: TenantContext = Depends(require_scope("tickets:write"))) -> dict:
    with session_scope() as s:
        ticket = tickets.void_ticket(s, ctx, ticket_id=ticket_id[:64], reason=(body.reason if body else ""))
        return {"status": ticket.status, "ticket_id": str(ticket.id), "version": ticket.version}


@router.post("/orders/{order_id}/resend-email", status_code=202, summary="E-mail the tickets to the buyer again")
def resend_order_email(order_id: str, ctx: TenantContext = Depends(require_scope("orders:write"))) -> dict:
    with session_scope() as s:
        tickets.resend_order_email(s, ctx, order_id=order_id[:64])
        return {"status": "queued"}


@router.get("/public/orders/{order_code}/tickets/{ticket_id}.pdf", summary="Download one ticket as PDF",
            response_class=Response, responses={200: {"content": {"application/pdf": {}}}})
def ticket_pdf(order_code: str, ticket_id: str, request: Request,
               access_token: str = Query("", max_length=128)) -> Response:
    _public_limit(request)
    with session_scope() as s:
        filename, data = ticket_views.buyer_ticket_pdf(s, order_code=order_code[:32], access_token=access_token,
                                                       ticket_id=ticket_id[:64])
    return Response(data, media_type="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"})


@router.post("/public/orders/{order_code}/resend-email", status_code=202, summary="E-mail my tickets again (buyer)")
def buyer_resend(order_code: str, request: Request, access_token: str = Query("", max_length=128)) -> dict:
    _public_limit(request)
    with session_scope() as s:
        tickets.resend_order_email_for_buyer(s, order_code=order_code[:32], access_token=access_token)
        return {"status": "queued"}
