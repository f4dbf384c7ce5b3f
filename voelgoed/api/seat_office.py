"""The signed-in organiser's seat map routes (``vg_session`` cookie; not in the OpenAPI document): the same
handlers as the API-key routes in :mod:`voelgoed.api.event_seats`, under ``/api/organiser/events/{event_id}``.
The seat map component (``assets/seating/seatoffice.jsx``) loads the layout and statuses here — never
through Reflex state. Writes need the header ``X-Voelgoed-Builder: 1`` on top of the ``SameSite=Lax`` cookie
(as the builder's routes: a cross-site form cannot send it). Errors as api-v1 (401 ``session_expired``).

- ``GET  …/seats``, ``GET …/seats/layout``, ``GET …/seats/details?keys=a,b``
- ``POST …/seats/block``, ``…/seats/unblock``, ``…/seats/allocate``, ``…/seats/release``, ``…/box-office/orders``
"""

from __future__ import annotations

from fastapi import APIRouter, Query, Request, Response

from voelgoed.services.platform import TenantContext

from . import event_seats as h
from .seating_builder import Ctx, WriteCtx

router = APIRouter(prefix="/api/organiser", tags=["organiser seat map"], include_in_schema=False)


@router.get("/events/{event_id}/seats")
def office_seats(event_id: str, ctx: TenantContext = Ctx) -> dict:
    return h.statuses(ctx, event_id)


@router.get("/events/{event_id}/seats/layout")
def office_layout(event_id: str, request: Request, ctx: TenantContext = Ctx) -> Response:
    return h.layout(ctx, event_id, request)


@router.get("/events/{event_id}/seats/details")
def office_details(event_id: str, keys: str = Query("", max_length=40_000), ctx: TenantContext = Ctx) -> dict:
    return h.details(ctx, event_id, keys)


@router.post("/events/{event_id}/seats/block")
def office_block(event_id: str, body: h.SeatsIn, ctx: TenantContext = WriteCtx) -> dict:
    return h.block(ctx, event_id, body, True)


@router.post("/events/{event_id}/seats/unblock")
def office_unblock(event_id: str, body: h.SeatsIn, ctx: TenantContext = WriteCtx) -> dict:
    return h.block(ctx, event_id, body, False)


@router.post("/events/{event_id}/seats/allocate")
def office_allocate(event_id: str, body: h.AllocateIn, ctx: TenantContext = WriteCtx) -> dict:
    return h.allocate(ctx, event_id, body)


@router.post("/events/{event_id}/seats/release")
def office_release(event_id: str, body: h.SeatsIn, ctx: TenantContext = WriteCtx) -> dict:
    return h.release(ctx, event_id, body)


@router.post("/events/{event_id}/box-office/orders", status_code=201)
def office_sell(event_id: str, body: h.BoxOfficeIn, ctx: TenantContext = WriteCtx) -> dict:
    return h.sell(ctx, event_id, body)
