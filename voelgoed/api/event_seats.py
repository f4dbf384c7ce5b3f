"""The organiser's seated event over the API (API key; in the OpenAPI document) — docs/seated-sales.md
"Organiser views". The same handlers serve the signed-in organiser's seat map (``api/seat_office.py``).

| route | scope |
| --- | --- |
| ``GET /api/v1/events/{event_id}/seated-sales`` — settings (or what to set up) | events:read |
| ``POST /api/v1/events/{event_id}/seated-sales`` — set up seated sales (201) | events:write |
| ``PATCH /api/v1/events/{event_id}/seated-sales`` — change rule, caps, category map | events:write |
| ``GET /api/v1/events/{event_id}/seats`` — every seat's status, counts by status and section | events:read |
| ``GET /api/v1/events/{event_id}/seats/layout`` — layout + legend with an ``ETag`` | events:read |
| ``GET /api/v1/events/{event_id}/seats/details?keys=a,b`` — who holds what | events:read |
| ``POST /api/v1/events/{event_id}/seats/block`` / ``unblock`` ``{seat_keys}`` | events:write |
| ``POST /api/v1/events/{event_id}/seats/allocate`` ``{seat_keys, label}`` / ``release`` ``{seat_keys}`` | events:write |
| ``POST /api/v1/events/{event_id}/box-office/orders`` ``{seat_keys?, areas?: [{key, quantity}], tables?, buyer_name, buyer_email, payment_method}`` | orders:write |

Another organisation's event is 404 ``not_found``; an event without seated sales 409 ``not_seated``.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, Field

from voelgoed.services.platform import TenantContext, session_scope
from voelgoed.services.seating import (
    MAX_SELECTION,
    allocate_seats,
    box_office_sale,
    configure_seated_sales,
    organiser_layout,
    organiser_status,
    release_allocation,
    seat_details,
    seated_sales_view,
    set_blocked,
    update_seated_sales,
)

from .deps import require_scope
from .public_seats import AreaPlacesIn
from .seating import layout_response

router = APIRouter(prefix="/api/v1", tags=["seated events (organiser)"])
Read = Depends(require_scope("events:read"))
Write = Depends(require_scope("events:write"))
Sell = Depends(require_scope("orders:write"))

Keys = Field(min_length=1, max_length=MAX_SELECTION, description="permanent seat keys of the event's plan")


class SeatedSalesIn(BaseModel):
    version_id: str | None = Field(None, max_length=64, description="default: the version attached to the event")
    category_types: dict[str, str] = Field(description="every category key of the version → a ticket type id of the event")
    isolated_rule: str = Field("lenient", max_length=10, description="strict | lenient | off")
    max_per_order: int = Field(10, description="1–100 seats per order")
    max_per_buyer: int = Field(10, description="1–100 seats held at once per buyer")


class SeatedSalesPatch(BaseModel):
    category_types: dict[str, str] | None = None
    isolated_rule: str | None = Field(None, max_length=10)
    max_per_order: int | None = None
    max_per_buyer: int | None = None


class SeatsIn(BaseModel):
    seat_keys: list[str] = Keys


class AllocateIn(BaseModel):
    seat_keys: list[str] = Keys
    label: str = Field(max_length=200, description="what the seats are kept for: Sponsor, Press, Box office …")


class BoxOfficeIn(BaseModel):
    """Seats, standing places and whole tables sold together in one order (at least one of them)."""

    seat_keys: list[str] | None = Field(None, max_length=MAX_SELECTION, description="permanent seat keys of the event's plan")
    areas: list[AreaPlacesIn] | None = Field(None, max_length=50, description="standing places: [{key, quantity}]")
    tables: list[str] | None = Field(None, max_length=50, description="keys of tables sold whole (all their seats)")
    buyer_name: str = Field(max_length=400)
    buyer_email: str = Field(max_length=400)
    payment_method: str = Field("cash", max_length=20, description="cash | card (paid at the desk)")


# ------------------------------------------------------------------ handlers (shared with api/seat_office.py)


def settings_of(ctx: TenantContext, event_id: str) -> dict:
    with session_scope() as s:
        return seated_sales_view(s, ctx, event_id)


def set_up(ctx: TenantContext, event_id: str, body: SeatedSalesIn) -> dict:
    with session_scope() as s:
        configure_seated_sales(s, ctx, event_id=event_id, version_id=body.version_id, category_types=body.category_types,
                               isolated_rule=body.isolated_rule, max_per_order=body.max_per_order,
                               max_per_buyer=body.max_per_buyer)
        return seated_sales_view(s, ctx, event_id)


def change(ctx: TenantContext, event_id: str, body: SeatedSalesPatch) -> dict:
    with session_scope() as s:
        update_seated_sales(s, ctx, event_id=event_id, isolated_rule=body.isolated_rule, max_per_order=body.max_per_order,
                            max_per_buyer=body.max_per_buyer, category_types=body.category_types)
        return seated_sales_view(s, ctx, event_id)


def statuses(ctx: TenantContext, event_id: str) -> dict:
    with session_scope() as s:
        return organiser_status(s, ctx, event_id)


def layout(ctx: TenantContext, event_id: str, request: Request) -> Response:
    with session_scope() as s:
        doc, etag = organiser_layout(s, ctx, event_id)
    return layout_response(request, doc, etag, immutable=False)


def details(ctx: TenantContext, event_id: str, keys: str) -> dict:
    with session_scope() as s:
        return {"seats": seat_details(s, ctx, event_id, [k for k in (keys or "").split(",") if k])}


def block(ctx: TenantContext, event_id: str, body: SeatsIn, blocked: bool) -> dict:
    with session_scope() as s:
        return {"changed": set_blocked(s, ctx, event_id=event_id, seat_keys=body.seat_keys, blocked=blocked)}


def allocate(ctx: TenantContext, event_id: str, body: AllocateIn) -> dict:
    with session_scope() as s:
        return allocate_seats(s, ctx, event_id=event_id, seat_keys=body.seat_keys, label=body.label)


def release(ctx: TenantContext, event_id: str, body: SeatsIn) -> dict:
    with session_scope() as s:
        return release_allocation(s, ctx, event_id=event_id, seat_keys=body.seat_keys)


def sell(ctx: TenantContext, event_id: str, body: BoxOfficeIn) -> dict:
    with session_scope() as s:
        return box_office_sale(s, ctx, event_id=event_id, seat_keys=body.seat_keys, buyer_name=body.buyer_name,
                               buyer_email=body.buyer_email, payment_method=body.payment_method,
                               areas=None if body.areas is None else [a.model_dump() for a in body.areas],
                               tables=body.tables)


# ------------------------------------------------------------------ API-key routes


@router.get("/events/{event_id}/seated-sales", summary="The event's seated-sales settings (or what to set up)")
def get_seated_sales(event_id: str, ctx: TenantContext = Read) -> dict:
    return settings_of(ctx, event_id)


@router.post("/events/{event_id}/seated-sales", status_code=201,
             summary="Set up seated sales: category → ticket type, isolated-seat rule, caps; one event seat per seat")
def post_seated_sales(event_id: str, body: SeatedSalesIn, ctx: TenantContext = Write) -> dict:
    return set_up(ctx, event_id, body)


@router.patch("/events/{event_id}/seated-sales", summary="Change the isolated-seat rule, the caps or the category map")
def patch_seated_sales(event_id: str, body: SeatedSalesPatch, ctx: TenantContext = Write) -> dict:
    return change(ctx, event_id, body)


@router.get("/events/{event_id}/seats", summary="Every seat's live status (free is not listed), counts by status and section")
def get_seats(event_id: str, ctx: TenantContext = Read) -> dict:
    return statuses(ctx, event_id)


@router.get("/events/{event_id}/seats/layout", summary="The event's seat map layout and legend (ETag)")
def get_seats_layout(event_id: str, request: Request, ctx: TenantContext = Read) -> Response:
    return layout(ctx, event_id, request)


@router.get("/events/{event_id}/seats/details", summary="Who holds what: status, allocation, hold, order per seat")
def get_seat_details(event_id: str, keys: str = Query("", max_length=40_000, description="comma-separated seat keys"),
                     ctx: TenantContext = Read) -> dict:
    return details(ctx, event_id, keys)


@router.post("/events/{event_id}/seats/block", summary="Block free seats (not for sale)")
def post_block(event_id: str, body: SeatsIn, ctx: TenantContext = Write) -> dict:
    return block(ctx, event_id, body, True)


@router.post("/events/{event_id}/seats/unblock", summary="Put blocked seats back on sale")
def post_unblock(event_id: str, body: SeatsIn, ctx: TenantContext = Write) -> dict:
    return block(ctx, event_id, body, False)


@router.post("/events/{event_id}/seats/allocate", summary="Keep free seats for a named purpose (sponsor, press …)")
def post_allocate(event_id: str, body: AllocateIn, ctx: TenantContext = Write) -> dict:
    return allocate(ctx, event_id, body)


@router.post("/events/{event_id}/seats/release", summary="Release allocated seats back on sale")
def post_release(event_id: str, body: SeatsIn, ctx: TenantContext = Write) -> dict:
    return release(ctx, event_id, body)


@router.post("/events/{event_id}/box-office/orders", status_code=201,
             summary="Sell chosen free or allocated seats, standing places and whole tables at the box office "
                     "(paid at the desk); issues the tickets")
def post_box_office_order(event_id: str, body: BoxOfficeIn, ctx: TenantContext = Sell) -> dict:
    return sell(ctx, event_id, body)
