"""Waiting-room endpoints (issue #6). Thin: parse, call ``services.waiting_room``, present.

- ``POST /api/v1/public/events/{slug}/queue`` ``{visitor_token?}`` → ``200`` status dict (see
  ``waiting_room.status``); every join is rate-limited per client address with ``PUBLIC_RATE_LIMIT``
  and a join without a valid token (a new place) also with ``WAITING_ROOM_JOIN_RATE_LIMIT`` (429 + Retry-After).
- ``GET /api/v1/public/events/{slug}/queue/{visitor_token}`` → ``200`` status dict; ``404
  visitor_token_invalid``; cheap (process-cached event settings + one O(log n) Redis call).
- ``PUT /api/v1/events/{event_id}/waiting-room`` (API key) ``{enabled, opens_at?, rate_per_minute?}`` →
  ``200 {event_id, enabled, opens_at, rate_per_minute}``.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from fastapi import APIRouter, Body, Depends, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field
from sqlmodel import Session

from voelgoed.api.deps import client_address, get_session, require_scope
from voelgoed.config import get_settings
from voelgoed.services.platform import NotFound, TenantContext, ratelimit, session_scope
from voelgoed.services.sales import waiting_room

router = APIRouter(tags=["waiting room"])


class JoinBody(BaseModel):
    visitor_token: str | None = Field(default=None, max_length=200)


class ConfigureBody(BaseModel):
    enabled: bool
    opens_at: datetime | None = None
    rate_per_minute: int | None = Field(default=None, ge=1, le=waiting_room.MAX_RATE_PER_MINUTE)


@router.post("/api/v1/public/events/{slug}/queue")
async def join_queue(slug: str, request: Request, body: JoinBody | None = Body(default=None)) -> dict:
    # async like the status route: a rate-limit hit and one EVALSHA, both sub-millisecond Redis calls
    address = client_address(request)
    ratelimit.hit("waiting_room_join", address, get_settings().public_rate_limit)  # every join, before any lookup
    room = waiting_room.cached_room(slug) or await run_in_threadpool(_load_room, slug)
    return waiting_room.join(room, body.visitor_token if body else None, client_address=address)


@router.get("/api/v1/public/events/{slug}/queue/{visitor_token}")
async def queue_status(slug: str, visitor_token: str) -> dict:
    # async on purpose: the hot path is one sub-millisecond Redis call, so it skips the thread pool;
    # the database is read (in a thread) only when the 2-second settings cache is cold.
    room = waiting_room.cached_room(slug) or await run_in_threadpool(_load_room, slug)
    return waiting_room.status(room, visitor_token)


def _load_room(slug: str) -> waiting_room.Room:
    with session_scope() as session:
        return waiting_room.load_room(session, slug=slug)


@router.put("/api/v1/events/{event_id}/waiting-room")
def configure(event_id: str, body: ConfigureBody, ctx: TenantContext = Depends(require_scope("events:write")),
              session: Session = Depends(get_session)) -> dict:
    try:
        eid = uuid.UUID(event_id)
    except ValueError:
        raise NotFound("not_found", "Event not found") from None
    event = waiting_room.configure_waiting_room(session, ctx, event_id=eid, enabled=body.enabled,
                                                opens_at=body.opens_at, rate_per_minute=body.rate_per_minute)
    opens = event.waiting_room_opens_at
    return {"event_id": str(event.id), "enabled": event.waiting_room_enabled,
            "opens_at": opens.isoformat() if opens else None,
            "rate_per_minute": event.waiting_room_rate_per_minute}
