"""The signed-in organiser's seat map routes (``vg_session`` cookie; not in the OpenAPI document): the same
handlers as the API-key routes in :mod:`voelgoed.api.event_seats`, under ``/api/organiser/events/{event_id}``.
The seat map component (``assets/seating/seatoffice.jsx``) loads the layout and statuses here — never
through Reflex state. Writes need the header ``X-Voelgoed-Builder: 1`` on top of the ``SameSite=Lax`` cookie
(as the builder's routes: a cross-site form cannot send it). Errors as api-v1 (401 ``session_expired``).

- ``GET  …/seats``, ``GET …/seats/layout``, ``GET …/seats/details?keys=a,b``
- ``GET  …/seats/changes?since=N`` → ``{seq, refetch, changes: [{key, status, allocation}], areas, tables}`` (the
  organiser's statuses: allocated is not blocked here; ``seating.office_feed``), ``no-store``; 422
  ``validation_failed`` for a bad ``since``
- ``GET  …/seats/stream?since=N`` (or ``Last-Event-ID: N``) → the same answers pushed as Server-Sent Events
  (``id: <seq>``, ``data: {since, …}``, ``: keep-alive`` every 15 s, ends after 5 min), as the public seat
  stream; before any byte: 401, 404, 409 ``not_seated``, 422, 503 ``busy`` / ``stream_unavailable``
- ``POST …/seats/block``, ``…/seats/unblock``, ``…/seats/allocate``, ``…/seats/release``, ``…/box-office/orders``
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response

from voelgoed.services.platform import TenantContext, session_scope
from voelgoed.services.seating import office_changes, open_office_stream

from . import event_seats as h
from .seat_sse import SeatStreamResponse
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


@router.get("/events/{event_id}/seats/changes")
def office_changes_feed(event_id: str, response: Response, since: Annotated[str, Query(max_length=12)] = "0",
                        ctx: TenantContext = Ctx) -> dict:
    response.headers["Cache-Control"] = "no-store"
    with session_scope() as s:
        return office_changes(s, ctx, event_id, since)


@router.get("/events/{event_id}/seats/stream")
async def office_stream(event_id: str, since: Annotated[str, Query(max_length=12)] = "0",
                        last_event_id: Annotated[str | None, Header(max_length=12)] = None,
                        ctx: TenantContext = Ctx) -> Response:
    """``Last-Event-ID`` (the browser's reconnect) wins over ``since``; errors come before the stream starts."""
    return SeatStreamResponse(await open_office_stream(ctx, event_id, since=since, last_event_id=last_event_id))


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
