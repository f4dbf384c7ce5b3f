"""Public buyer endpoints (no auth; rate-limited per client address) — api-v1.md "Public endpoints".

Unknown, hidden or inactive ticket types answer 404 ``not_found`` (indistinguishable on purpose);
events outside their sale window answer 409 ``not_on_sale``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr

from voelgoed.api.deps import client_address
from voelgoed.api.marketing import record_step
from voelgoed.config import get_settings
from voelgoed.services.marketing import TOUCH_COOKIE
from voelgoed.services.platform import buyer_order_url, ratelimit, session_scope
from voelgoed.services.sales import checkout, inventory, orders, storefront

router = APIRouter(prefix="/api/v1/public", tags=["public"])


class HoldItemIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    ticket_type_id: StrictStr = Field(max_length=64)
    quantity: StrictInt


class HoldIn(BaseModel):
    items: list[HoldItemIn] = Field(min_length=1, max_length=inventory.MAX_LINES)
    promo_code: StrictStr | None = Field(None, max_length=40, description="discount or access code (issue 15)")


class CodeIn(BaseModel):
    code: StrictStr = Field(max_length=40, description="promo or access code as the buyer typed it")


class AttendeeIn(BaseModel):
    """One ticket's attendee (issue 13): entries of a ticket type fill its tickets in the hold's order."""

    model_config = ConfigDict(extra="ignore")
    ticket_type_id: StrictStr = Field(max_length=64)
    name: StrictStr = Field("", max_length=400)
    email: StrictStr = Field("", max_length=400)


class CheckoutIn(BaseModel):
    """``provider`` (or any other extra field) is ignored: the server chooses the provider (api-v1.md).
    ``attendees`` is optional; ticket types whose ``attendee_mode`` is ``required`` need one per ticket."""

    model_config = ConfigDict(extra="ignore")
    buyer_name: StrictStr = Field(max_length=400)
    buyer_email: StrictStr = Field(max_length=400)
    attendees: list[AttendeeIn] | None = Field(None, max_length=500)


def _public_limit(address: str) -> None:
    ratelimit.hit("public", address, get_settings().public_rate_limit)


@router.get("/events/{slug}")
def get_event(slug: str, request: Request, address: Annotated[str, Depends(client_address)]) -> dict[str, Any]:
    """The published event with live availability per ticket type (lapsed holds don't count)."""
    _public_limit(address)
    with session_scope() as session:
        view = storefront.public_event_view(session, slug)
    record_step(request, view["id"], "page_view", address)  # Redis only, never raises (issue 15 funnel)
    return view


@router.post("/events/{slug}/codes")
def apply_code(slug: str, body: CodeIn, address: Annotated[str, Depends(client_address)]) -> dict[str, Any]:
    """The event view after a promo / access code (issue 15): the hidden ticket types an access code unlocks are
    listed (``unlocked: true``) and ``code`` says what it does. 404 ``promo_code_invalid``, 409
    ``promo_code_deactivated`` / ``promo_code_expired`` / ``promo_code_not_active`` / ``promo_code_exhausted``,
    429 ``rate_limited`` (failed codes per address, shared with the hold's). Hold with ``promo_code`` to buy them."""
    _public_limit(address)
    with session_scope() as session:
        return storefront.view_with_code(session, slug, body.code, client_address=address)


@router.post("/events/{slug}/holds", status_code=201)
def create_hold(slug: str, body: HoldIn, request: Request, address: Annotated[str, Depends(client_address)],
                x_waiting_room_pass: Annotated[str | None, Header()] = None) -> dict[str, Any]:
    """Reserve tickets for HOLD_TTL_SECONDS. 409 ``sold_out`` / ``insufficient_inventory`` (``details.available``),
    409 ``not_on_sale``, 404 ``not_found``, 422 ``validation_failed``, 429 ``rate_limited``, 403 ``waiting_room_pass_required``."""
    ratelimit.hit("hold", address, get_settings().hold_rate_limit)
    with session_scope() as session:
        hold = inventory.place_hold(session, event_slug=slug, items=[(i.ticket_type_id, i.quantity) for i in body.items],
                                    client_address=address, pass_token=x_waiting_room_pass, promo_code=body.promo_code,
                                    touch=request.cookies.get(TOUCH_COOKIE))
    record_step(request, hold["event_id"], "hold", address)
    return hold


@router.get("/holds/{hold_id}")
def get_hold(hold_id: str, address: Annotated[str, Depends(client_address)]) -> dict[str, Any]:
    """The hold with its items, total and ``seconds_left``. ``hold_id``: a GA hold's id, or a seat hold's
    ``hold_token`` (a seat hold's bare id → 403 ``hold_token_required``; a forged token → 404 ``not_found``)."""
    _public_limit(address)
    with session_scope() as session:
        return storefront.hold_view(session, hold_id)


@router.delete("/holds/{hold_id}", status_code=204)
def delete_hold(hold_id: str, address: Annotated[str, Depends(client_address)]) -> Response:
    """Release the hold; its tickets are available again at once. 409 ``already_checked_out``; ``hold_id`` as for
    ``GET /holds/{hold_id}`` (403 ``hold_token_required`` for a seat hold's bare id, nothing released)."""
    _public_limit(address)
    with session_scope() as session:
        inventory.release_hold(session, hold_id=hold_id)
    return Response(status_code=204)


@router.post("/holds/{hold_id}/checkout", status_code=201)
def start_checkout(hold_id: str, body: CheckoutIn, request: Request,
                   address: Annotated[str, Depends(client_address)]) -> dict[str, Any]:
    """Create the pending order and the payment at the provider the server chooses for the event (a
    client-sent ``provider`` is ignored). 409 ``hold_expired`` / ``already_checked_out``, 422 ``validation_failed``
    (buyer fields, or an attendee missing / with a bad e-mail: ``details.fields`` + ``details.tickets`` name the ticket), 503.
    ``hold_id``: a GA hold's id, or a seat hold's ``hold_token`` (its bare id → 403 ``hold_token_required``, no
    order created; a forged token → 404 ``not_found``)."""
    _public_limit(address)
    with session_scope() as session:
        order = checkout.start_checkout(session, hold_id=hold_id, buyer_name=body.buyer_name, buyer_email=body.buyer_email,
                                        attendees=None if body.attendees is None else [a.model_dump() for a in body.attendees])
        payment = checkout.payment_for_order(session, order)
        record_step(request, order.event_id, "checkout_started", address)
        return {
            "order_id": str(order.id), "order_code": order.order_code, "access_token": order.access_token,
            "status": order.status, "total_cents": order.total_cents, "currency": order.currency,
            "payment": {"provider": payment.provider if payment else "free",
                        "reference": payment.reference if payment else "",
                        "redirect_url": payment.redirect_url if payment else buyer_order_url(order)},
        }


@router.get("/orders/{order_code}")
def get_order(order_code: str, address: Annotated[str, Depends(client_address)],
              access_token: Annotated[str | None, Query(max_length=200)] = None) -> dict[str, Any]:
    """The buyer's order with its tickets; a wrong or missing ``access_token`` → 404."""
    _public_limit(address)
    with session_scope() as session:
        return orders.public_order_view(session, order_code, access_token)
