"""Public seated-sales endpoints (issue 12; no auth, rate-limited per client address like the other public
routes). See docs/seated-sales.md.

- ``GET  /api/v1/public/events/{slug}/seating/layout`` — the plan version's layout with the legend (categories,
  prices); ``ETag`` (version hash + prices), ``If-None-Match`` → 304, ``Cache-Control: public, max-age=60``,
  gzip-compressed when ``Accept-Encoding`` allows (``Vary: Accept-Encoding``);
- ``GET  /api/v1/public/events/{slug}/seating/status`` — ``{seq, held, sold, blocked, areas, tables}`` (seat keys;
  the rest is free; ``areas`` = ``{standing area key: remaining places}``, ``tables`` = ``{whole table key: status}``);
- ``GET  /api/v1/public/events/{slug}/seating/changes?since=N`` — ``{seq, changes: [{key, status}], refetch, areas,
  tables}``;
- ``GET  /api/v1/public/events/{slug}/seating/stream?since=N`` (or ``Last-Event-ID: N``) — the same answers pushed as
  Server-Sent Events (``text/event-stream``: ``id: <seq>``, ``data: {since, seq, changes, refetch, areas, tables}``,
  ``: keep-alive`` every 15 s, ends after 5 min); 503 ``busy`` past ``SEAT_STREAM_MAX_PER_WORKER`` streams,
  503 ``stream_unavailable`` without Redis (poll the changes feed then);
- ``POST /api/v1/public/events/{slug}/seat-holds`` ``{seat_keys?, areas?: [{key, quantity}], tables?: [key]}`` → 201
  the hold with its ``hold_token`` (seats, standing places and whole tables in one hold);
- ``POST /api/v1/public/events/{slug}/seat-holds/best-available`` ``{quantity, category, section?, accessible?}`` → 201;
- ``POST /api/v1/public/seat-holds/extend`` ``{hold_token}`` → ``{hold_id, expires_at, max_expires_at}``;
- ``POST /api/v1/public/seat-holds/release`` ``{hold_token}`` → 204.

Checkout is the existing ``POST /api/v1/public/holds/{hold_token}/checkout`` with the hold token (also
``GET`` / ``DELETE /api/v1/public/holds/{hold_token}``); a seat hold named by its bare id answers 403
``hold_token_required`` and nothing changes (:mod:`voelgoed.services.sales.hold_tokens`).
Errors: 403 ``hold_token_required``; 409 ``seat_sold`` / ``seat_held`` / ``seat_blocked`` (``details.seat_key``), ``area_full``
(``details.area_key``), ``table_whole``, ``isolated_seat``,
``over_cap``, ``hold_expired``, ``extension_limit``, ``sold_out``, ``not_on_sale``; 404 ``not_found``;
422 ``validation_failed``; 429 ``rate_limited``; 503 ``busy``.
"""

from __future__ import annotations

import gzip
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr
from starlette.concurrency import run_in_threadpool

from voelgoed.api.deps import client_address
from voelgoed.api.seat_sse import SeatStreamResponse
from voelgoed.config import get_settings
from voelgoed.services.platform import ratelimit, session_scope
from voelgoed.services.seating import (
    changes_since,
    choose_best_available,
    extend_hold,
    hold_seats,
    open_seat_stream,
    public_layout,
    release_seat_hold,
    status_snapshot,
)

router = APIRouter(prefix="/api/v1/public", tags=["public", "seating"])


Key = Annotated[StrictStr, Field(min_length=1, max_length=64)]


class AreaPlacesIn(BaseModel):
    """Places of one standing area of the event's plan."""

    model_config = ConfigDict(extra="forbid")
    key: Key = Field(description="the standing area's key (layout ``standing_areas[].id``)")
    quantity: StrictInt = Field(ge=1, le=100, description="places wanted (the per-order cap counts them)")


class SeatHoldIn(BaseModel):
    """One hold for seats, standing places and whole tables together (all or none); at least one of them."""

    model_config = ConfigDict(extra="forbid")
    seat_keys: list[Key] | None = Field(default=None, max_length=100)
    areas: list[AreaPlacesIn] | None = Field(default=None, max_length=50)
    tables: list[Key] | None = Field(default=None, max_length=50,
                                     description="keys of tables sold whole (layout ``tables[].id`` with ``book_whole``)")


class BestAvailableIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    quantity: StrictInt = Field(ge=1, le=100)
    category: StrictStr = Field(min_length=1, max_length=64)
    section: StrictStr | None = Field(default=None, max_length=40)
    accessible: StrictBool = False


class TokenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    hold_token: StrictStr = Field(min_length=1, max_length=200)


def _limit(address: str, kind: str = "public") -> None:
    s = get_settings()
    ratelimit.hit(kind, address, s.hold_rate_limit if kind == "hold" else s.public_rate_limit)


@router.get("/events/{slug}/seating/layout", summary="The seat map's layout and legend (cacheable, ETag)")
def seating_layout(slug: str, request: Request, address: Annotated[str, Depends(client_address)]) -> Any:
    _limit(address)
    with session_scope() as session:
        doc, etag = public_layout(session, slug)
    quoted = f'"{etag}"'
    headers = {"ETag": quoted, "Cache-Control": "public, max-age=60"}
    headers["Vary"] = "Accept-Encoding"
    if quoted in [t.strip() for t in request.headers.get("if-none-match", "").split(",")]:
        return Response(status_code=304, headers=headers)
    if "gzip" in request.headers.get("accept-encoding", "").lower():
        return Response(_gzipped_layout(doc, etag), media_type="application/json",
                        headers={**headers, "Content-Encoding": "gzip"})
    return JSONResponse(doc, headers=headers)


_GZIPPED: dict[str, bytes] = {}   # layout ETag → its gzip body (an 18 504-seat layout: 1.56 MB → about 0.3 MB)
_GZIPPED_MAX = 32


def _gzipped_layout(doc: Any, etag: str) -> bytes:
    """The layout's JSON body compressed with gzip (RFC 1952, level 6), once per ETag (a plan version is
    immutable, so the ETag names the bytes); the newest :data:`_GZIPPED_MAX` are kept."""
    body = _GZIPPED.get(etag)
    if body is None:
        body = gzip.compress(JSONResponse(doc).body, compresslevel=6, mtime=0)
        if len(_GZIPPED) >= _GZIPPED_MAX:
            _GZIPPED.pop(next(iter(_GZIPPED)))
        _GZIPPED[etag] = body
    return body


@router.get("/events/{slug}/seating/status", summary="Seat statuses: a versioned snapshot")
def seating_status(slug: str, response: Response, address: Annotated[str, Depends(client_address)]) -> dict[str, Any]:
    _limit(address)
    response.headers["Cache-Control"] = "no-store"
    with session_scope() as session:
        return status_snapshot(session, slug)


@router.get("/events/{slug}/seating/changes", summary="Seat status changes after a sequence number")
def seating_changes(slug: str, response: Response, address: Annotated[str, Depends(client_address)],
                    since: Annotated[str, Query(max_length=12)] = "0") -> dict[str, Any]:
    _limit(address)
    response.headers["Cache-Control"] = "no-store"
    with session_scope() as session:
        return changes_since(session, slug, since)


_STREAM_DOC = {200: {"description": "Server-Sent Events: ``retry: 1000``; per change ``id: <seq>`` and ``data:`` "
                                    "``{since, seq, changes: [{key, status}], refetch, areas, tables}`` (the changes "
                                    "feed's answer since ``since``); ``: keep-alive`` comments every 15 s; the stream "
                                    "ends after ``SEAT_STREAM_LIFETIME_S`` (reconnect with ``Last-Event-ID``)",
                     "content": {"text/event-stream": {"schema": {"type": "string"}}}}}


@router.get("/events/{slug}/seating/stream", response_class=StreamingResponse, responses=_STREAM_DOC,
            summary="Seat status changes pushed as Server-Sent Events (after a sequence number)")
async def seating_stream(slug: str, address: Annotated[str, Depends(client_address)],
                         since: Annotated[str, Query(max_length=12)] = "0",
                         last_event_id: Annotated[str | None, Header(max_length=12)] = None) -> Response:
    """``Last-Event-ID`` (the browser's reconnect) wins over ``since``; errors are answered before the stream starts."""
    await run_in_threadpool(_limit, address)
    stream = await open_seat_stream(slug, since=since, last_event_id=last_event_id)
    return SeatStreamResponse(stream)


@router.post("/events/{slug}/seat-holds", status_code=201,
             summary="Hold chosen seats, standing places and whole tables (one hold, all or none)")
def create_seat_hold(slug: str, body: SeatHoldIn, address: Annotated[str, Depends(client_address)]) -> dict[str, Any]:
    _limit(address, "hold")
    with session_scope() as session:
        return hold_seats(session, event_slug=slug, seat_keys=body.seat_keys, client_address=address,
                          areas=[a.model_dump() for a in body.areas] if body.areas is not None else None,
                          tables=body.tables)


@router.post("/events/{slug}/seat-holds/best-available", status_code=201, summary="Choose and hold the best seats")
def best_available_hold(slug: str, body: BestAvailableIn, address: Annotated[str, Depends(client_address)]) -> dict[str, Any]:
    _limit(address, "hold")
    with session_scope() as session:
        return choose_best_available(session, event_slug=slug, quantity=body.quantity, category=body.category,
                                     section=body.section, accessible=body.accessible, client_address=address)


@router.post("/seat-holds/extend", summary="Extend a seat hold (capped)")
def extend_seat_hold(body: TokenIn, address: Annotated[str, Depends(client_address)]) -> dict[str, Any]:
    _limit(address)
    with session_scope() as session:
        return extend_hold(session, token=body.hold_token)


@router.post("/seat-holds/release", status_code=204, summary="Release a seat hold now")
def release_hold_route(body: TokenIn, address: Annotated[str, Depends(client_address)]) -> Response:
    _limit(address)
    with session_scope() as session:
        release_seat_hold(session, token=body.hold_token)
    return Response(status_code=204)
