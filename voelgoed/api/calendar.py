"""iCalendar feeds (public, rate-limited per client address) — docs/api.md "Calendars".

- ``GET /api/v1/public/organisations/{slug}/events.ics`` → the organisation's published events
  (``text/calendar``; ``Cache-Control: public, max-age=300``, ``ETag`` and ``Last-Modified``; a matching
  ``If-None-Match`` → ``304``); 404 ``not_found`` for an unknown organisation.
- ``GET /api/v1/public/orders/{order_code}/calendar.ics?access_token=…`` → the buyer's "add to calendar"
  file (``private, no-store``); 404 ``not_found`` for a wrong or missing token.
"""

from __future__ import annotations

from datetime import UTC
from email.utils import format_datetime
from typing import Annotated

from fastapi import APIRouter, Header, Path, Query, Request
from fastapi.responses import Response

from voelgoed.config import get_settings
from voelgoed.services.catalog import organisation_feed
from voelgoed.services.platform import ratelimit, session_scope
from voelgoed.services.tickets import buyer_order_calendar

from .deps import client_address

router = APIRouter(prefix="/api/v1/public", tags=["calendar"])
ICS = "text/calendar; charset=utf-8"
_ICS_RESPONSE = {200: {"content": {"text/calendar": {"schema": {"type": "string"}}},
                       "description": "an iCalendar (RFC 5545) document"}}


def _limit(request: Request) -> None:
    ratelimit.hit("public", client_address(request), get_settings().public_rate_limit)


@router.get("/organisations/{slug}/events.ics", response_class=Response, summary="The organisation's events as iCalendar",
            responses={**_ICS_RESPONSE, 304: {"description": "not modified (If-None-Match matched the ETag)"}})
def organisation_events_ics(slug: Annotated[str, Path(max_length=80)], request: Request,
                            if_none_match: Annotated[str | None, Header(max_length=200)] = None) -> Response:
    _limit(request)
    with session_scope() as s:
        body, etag, last = organisation_feed(s, slug)
    headers = {"ETag": etag, "Cache-Control": "public, max-age=300", "X-Content-Type-Options": "nosniff"}
    if last is not None:
        headers["Last-Modified"] = format_datetime(last.astimezone(UTC), usegmt=True)  # RFC 9110 HTTP-date needs UTC
    if if_none_match and etag in [t.strip() for t in if_none_match.split(",")]:
        return Response(status_code=304, headers=headers)
    headers["Content-Disposition"] = 'inline; filename="events.ics"'
    return Response(body, media_type=ICS, headers=headers)


@router.get("/orders/{order_code}/calendar.ics", response_class=Response, summary="Add my order's event to a calendar",
            responses=_ICS_RESPONSE)
def order_ics(order_code: Annotated[str, Path(max_length=32)], request: Request,
              access_token: Annotated[str, Query(max_length=128)] = "") -> Response:
    _limit(request)
    with session_scope() as s:
        filename, body = buyer_order_calendar(s, order_code=order_code, access_token=access_token)
    return Response(body, media_type=ICS, headers={"Content-Disposition": f'attachment; filename="{filename}"',
                                                   "Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"})
