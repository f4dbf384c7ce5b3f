"""Organiser endpoints (API key, ``Authorization: Bearer vg_live_…``) — see api-v1.md.

Contract endpoints: ``POST /api/v1/venues``, ``POST /api/v1/venues/{venue_id}/gates``,
``POST /api/v1/events``, ``POST /api/v1/events/{event_id}/ticket-types``,
``POST /api/v1/events/{event_id}/publish``, ``GET /api/v1/orders/{order_id}``.
Extensions: list/get/patch of venues, events and ticket types, cancel/archive, ``GET /api/v1/orders``.
Routes only parse (pydantic), call one service and present its dict; another organisation's
objects are 404 ``not_found``.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import AwareDatetime, BaseModel, Field

from voelgoed.services.accounts import apikeys
from voelgoed.services.catalog import events as events_svc
from voelgoed.services.catalog import ticket_types as tt_svc
from voelgoed.services.catalog import venues as venues_svc
from voelgoed.services.platform import TenantContext, session_scope
from voelgoed.services.sales import orders_admin

from .deps import require_scope

router = APIRouter(prefix="/api/v1", tags=["organiser"])
# scopes (docs/webhooks.md "Scopes"): venues, gates and ticket types belong to event set-up
EventsRead = Depends(require_scope("events:read"))
EventsWrite = Depends(require_scope("events:write"))
OrdersRead = Depends(require_scope("orders:read"))


class VenueIn(BaseModel):
    name: str = Field(max_length=200)
    address: str = Field("", max_length=400)
    city: str = Field("", max_length=120)
    country: str = Field("ZA", max_length=2)
    timezone: str = Field("Africa/Johannesburg", max_length=64)
    capacity: int | None = Field(None, ge=0, le=10_000_000)


class VenuePatch(BaseModel):
    name: str | None = Field(None, max_length=200)
    address: str | None = Field(None, max_length=400)
    city: str | None = Field(None, max_length=120)
    country: str | None = Field(None, max_length=2)
    timezone: str | None = Field(None, max_length=64)
    capacity: int | None = Field(None, ge=0, le=10_000_000)


class GateIn(BaseModel):
    gate_code: str = Field(max_length=32)
    name: str = Field("", max_length=120)


class EventIn(BaseModel):
    venue_id: str = Field(max_length=64)
    name: str = Field(max_length=200)
    slug: str | None = Field(None, max_length=120)
    description: str = Field("", max_length=5000)
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    sale_starts_at: AwareDatetime | None = None
    sale_ends_at: AwareDatetime | None = None
    capacity: int | None = Field(None, ge=0, le=10_000_000)
    currency: str | None = Field(None, min_length=3, max_length=3)


class EventPatch(BaseModel):
    venue_id: str | None = Field(None, max_length=64)
    name: str | None = Field(None, max_length=200)
    slug: str | None = Field(None, max_length=120)
    description: str | None = Field(None, max_length=5000)
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None
    sale_starts_at: AwareDatetime | None = None
    sale_ends_at: AwareDatetime | None = None
    capacity: int | None = Field(None, ge=0, le=10_000_000)
    currency: str | None = Field(None, min_length=3, max_length=3)


class TicketTypeIn(BaseModel):
    name: str = Field(max_length=120)
    description: str = Field("", max_length=2000)
    price_cents: int = Field(ge=0, le=tt_svc.MAX_PRICE_CENTS)
    quantity: int = Field(ge=0, le=tt_svc.MAX_QUANTITY)
    max_per_order: int = Field(10, ge=1, le=100)
    sale_starts_at: AwareDatetime | None = None
    sale_ends_at: AwareDatetime | None = None
    is_active: bool = True
    is_hidden: bool = False
    currency: str | None = Field(None, max_length=3)
    attendee_mode: Literal["off", "optional", "required"] = "off"


class TicketTypePatch(BaseModel):
    name: str | None = Field(None, max_length=120)
    description: str | None = Field(None, max_length=2000)
    price_cents: int | None = Field(None, ge=0, le=tt_svc.MAX_PRICE_CENTS)
    quantity: int | None = Field(None, ge=0, le=tt_svc.MAX_QUANTITY)
    max_per_order: int | None = Field(None, ge=1, le=100)
    sale_starts_at: AwareDatetime | None = None
    sale_ends_at: AwareDatetime | None = None
    is_active: bool | None = None
    is_hidden: bool | None = None
    sort_order: int | None = Field(None, ge=-10_000, le=10_000)
    attendee_mode: Literal["off", "optional", "required"] | None = None


class CancelIn(BaseModel):
    reason: str = Field("", max_length=500)


def _set(model: BaseModel) -> dict[str, Any]:
    """Only the fields the client sent (``null`` for non-nullable fields is dropped)."""
    nullable = {"capacity", "sale_starts_at", "sale_ends_at"}
    return {k: v for k, v in model.model_dump(exclude_unset=True).items() if v is not None or k in nullable}


# --- venues ---------------------------------------------------------------------------------


@router.post("/venues", status_code=201, summary="Create a venue")
def create_venue(body: VenueIn, ctx: TenantContext = EventsWrite) -> dict:
    with session_scope() as s:
        return venues_svc.venue_dict(venues_svc.create_venue(s, ctx, **body.model_dump()), [])


@router.get("/venues", summary="List venues with their gates")
def list_venues(include_archived: bool = False, ctx: TenantContext = EventsRead) -> dict:
    with session_scope() as s:
        rows = venues_svc.list_venues(s, ctx, include_archived=include_archived)
        return {"venues": [venues_svc.venue_dict(v, venues_svc.list_gates(s, ctx, v.id)) for v in rows]}


@router.get("/venues/{venue_id}", summary="One venue with its gates")
def get_venue(venue_id: str, ctx: TenantContext = EventsRead) -> dict:
    with session_scope() as s:
        venue = venues_svc.get_venue(s, ctx, venue_id)
        return venues_svc.venue_dict(venue, venues_svc.list_gates(s, ctx, venue.id))


@router.patch("/venues/{venue_id}", summary="Edit a venue")
def patch_venue(venue_id: str, body: VenuePatch, ctx: TenantContext = EventsWrite) -> dict:
    with session_scope() as s:
        return venues_svc.venue_dict(venues_svc.update_venue(s, ctx, venue_id, **_set(body)))


@router.post("/venues/{venue_id}/gates", status_code=201, summary="Add a gate (gate_code unique per venue, upper-cased)")
def create_gate(venue_id: str, body: GateIn, ctx: TenantContext = EventsWrite) -> dict:
    with session_scope() as s:
        return venues_svc.gate_dict(venues_svc.create_gate(s, ctx, venue_id, gate_code=body.gate_code, name=body.name))


# --- events ---------------------------------------------------------------------------------


@router.post("/events", status_code=201, summary="Create a draft event")
def create_event(body: EventIn, ctx: TenantContext = EventsWrite) -> dict:
    with session_scope() as s:
        return events_svc.event_dict(events_svc.create_event(s, ctx, **body.model_dump()))


@router.get("/events", summary="List events (status is the effective, clock-derived one)")
def list_events(status: Literal["draft", "published", "live", "ended", "archived", "cancelled"] | None = None,
                search: str = Query("", max_length=100), ctx: TenantContext = EventsRead) -> dict:
    with session_scope() as s:
        found = events_svc.list_events(s, ctx, status=status, search=search)
        if ctx.event_ids is not None:  # a key limited to some events sees only those
            found = [e for e in found if e.id in ctx.event_ids]
        return {"events": [events_svc.event_dict(e) for e in found]}


@router.get("/events/{event_id}", summary="One event with its ticket types")
def get_event(event_id: str, ctx: TenantContext = EventsRead) -> dict:
    with session_scope() as s:
        event = events_svc.get_event(s, ctx, event_id)
        out = events_svc.event_dict(event)
        out["ticket_types"] = [tt_svc.ticket_type_dict(t) for t in tt_svc.list_ticket_types(s, ctx, event.id)]
        return out


@router.patch("/events/{event_id}", summary="Edit an event (until it has ended)")
def patch_event(event_id: str, body: EventPatch, ctx: TenantContext = EventsWrite) -> dict:
    with session_scope() as s:
        return events_svc.event_dict(events_svc.update_event(s, ctx, event_id, **_set(body)))


@router.post("/events/{event_id}/publish", summary="draft → published; 409 not_publishable with details.reasons")
def publish_event(event_id: str, ctx: TenantContext = EventsWrite) -> dict:
    with session_scope() as s:
        return events_svc.event_dict(events_svc.publish(s, ctx, event_id))


@router.post("/events/{event_id}/cancel", summary="Cancel an event (stops sales)")
def cancel_event(event_id: str, body: CancelIn | None = None, ctx: TenantContext = EventsWrite) -> dict:
    with session_scope() as s:
        return events_svc.event_dict(events_svc.cancel(s, ctx, event_id, reason=body.reason if body else ""))


@router.post("/events/{event_id}/archive", summary="Archive a draft, ended or cancelled event")
def archive_event(event_id: str, ctx: TenantContext = EventsWrite) -> dict:
    with session_scope() as s:
        return events_svc.event_dict(events_svc.archive(s, ctx, event_id))


@router.post("/events/{event_id}/ticket-types", status_code=201, summary="Add a ticket type (currency = the event's)")
def create_ticket_type(event_id: str, body: TicketTypeIn, ctx: TenantContext = EventsWrite) -> dict:
    with session_scope() as s:
        return tt_svc.ticket_type_dict(tt_svc.create_ticket_type(s, ctx, event_id, **body.model_dump()))


@router.get("/events/{event_id}/ticket-types", summary="An event's ticket types with sold/held/available")
def list_ticket_types(event_id: str, ctx: TenantContext = EventsRead) -> dict:
    with session_scope() as s:
        return {"ticket_types": [tt_svc.ticket_type_dict(t) for t in tt_svc.list_ticket_types(s, ctx, event_id)]}


@router.patch("/ticket-types/{ticket_type_id}", summary="Edit a ticket type (quantity never below sold + held)")
def patch_ticket_type(ticket_type_id: str, body: TicketTypePatch, ctx: TenantContext = EventsWrite) -> dict:
    with session_scope() as s:
        return tt_svc.ticket_type_dict(tt_svc.update_ticket_type(s, ctx, ticket_type_id, **_set(body)))


# --- orders ---------------------------------------------------------------------------------


@router.get("/orders", summary="Orders, newest first; search by code, buyer name or email")
def list_orders(search: str = Query("", max_length=120), status: str | None = Query(None, max_length=20),
                event_id: str | None = Query(None, max_length=64), limit: int = Query(50, ge=1, le=200),
                offset: int = Query(0, ge=0, le=1_000_000), ctx: TenantContext = OrdersRead) -> dict:
    apikeys.require_event_filter(ctx, event_id)
    with session_scope() as s:
        return orders_admin.list_orders(s, ctx, search=search, status=status, event_id=event_id, limit=limit, offset=offset)


@router.get("/orders/{order_id}", summary="The order with its items, payments and tickets")
def get_order(order_id: str, ctx: TenantContext = OrdersRead) -> dict:
    with session_scope() as s:
        return orders_admin.order_detail(s, ctx, order_id)
