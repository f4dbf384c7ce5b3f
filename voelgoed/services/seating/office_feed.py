"""The organiser seat map's changes feed and its pushed stream (docs/seated-sales.md "Organiser views").

The public feed (``event_seats.changes_since`` / ``seat_stream.open_stream``) is keyed by slug, answers 404 for a
draft and tells buyers an allocated seat is ``blocked``; the organiser map needs allocations (and what they are
kept for) and works on any event of its organisation. So this is the same feed — the same ``event_seat.seq``
stamps, the same Redis signal, the same stream machinery (``seat_stream.subscribe``) — read with the
organiser's statuses, behind the organiser's authorisation (``can_view_events``, ``get_owned``: another
organisation's event is 404 ``not_found``; an event without seated sales 409 ``not_seated``).

- :func:`office_changes` ``(session, ctx, event_id, since)`` → ``{seq, refetch, changes: [{key, status,
  allocation}], areas: {standing area key: {capacity, sold, held, free}}, tables: {whole table key: status}}``
  — ``status`` is free | held | sold | blocked | allocated (a lapsed hold reads free), ``allocation`` the label
  of an allocated seat (else null); ``areas`` / ``tables`` always whole, as in ``organiser_status``;
  ``refetch`` when ``since`` is ahead of the feed or more than ``limit`` seats changed (take a new snapshot).
  422 ``validation_failed`` ``details.fields.since`` for a ``since`` that is not a whole number ≥ 0.
- :func:`open_office_stream` ``(ctx, event_id, since=, last_event_id=)`` → a ``seat_stream.SeatStream`` of
  those answers (frames as the public stream: ``id: <seq>``, ``data: {since, …}``); errors before any byte:
  422, 404, 409 as above, 503 ``busy`` / ``stream_unavailable``. Authorised once, when it opens: a stream lives
  at most ``SEAT_STREAM_LIFETIME_S`` (300 s) and each reconnect is authorised again.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from functools import partial
from typing import Any

import anyio.to_thread
from sqlmodel import Session

from voelgoed.models import EventSeat, EventSeating
from voelgoed.services.platform import NotFound, TenantContext, clock, rbac, session_scope
from voelgoed.services.sales import seat_keeper
from voelgoed.services.seating import event_seats, seat_stream
from voelgoed.services.seating.seat_office import STATUSES, organiser_places

_SEAT = EventSeat.__table__


def _authorised_event(session: Session, ctx: TenantContext, event_id: Any) -> uuid.UUID:
    rbac.require(ctx, rbac.can_view_events, "view the seat map")
    event, _settings = event_seats.seated_for_organiser(session, ctx, event_id)
    return event.id


def office_changes(session: Session, ctx: TenantContext, event_id: Any, since: Any, *,
                   now: datetime | None = None, limit: int = 5000) -> dict[str, Any]:
    """The organiser's changes since ``since`` (module docstring)."""
    start = event_seats.parse_since(since)
    return changes_of(session, _authorised_event(session, ctx, event_id), start, now=now, limit=limit)


def changes_of(session: Session, event_id: uuid.UUID, since: int, *, now: datetime | None = None,
               limit: int = 5000) -> dict[str, Any]:
    """:func:`office_changes` for an event already authorised (the stream's reads); 404 if it stopped being
    seated."""
    now = clock.resolve(now)
    settings = session.get(EventSeating, event_id)
    if settings is None:
        raise NotFound("not_found", "No such seated event")
    rows = event_seats.changed_rows(session, event_id, settings.seq, since, limit, _SEAT.c.allocation)
    if rows is None:
        return {"seq": settings.seq, "changes": [], "refetch": True}
    changes = []
    for r in rows:
        status = seat_keeper.live_status(r.status, r.hold_expires_at, now)
        status = status if status in STATUSES else "blocked"
        changes.append({"key": r.seat_key, "status": status,
                        "allocation": (r.allocation or "") if status == "allocated" else None})
    areas, tables = organiser_places(session, event_id, now)
    return {"seq": max([since, settings.seq, *(r.seq for r in rows)]), "refetch": False, "changes": changes,
            "areas": areas, "tables": tables}


def _check(ctx: TenantContext, event_id: Any) -> uuid.UUID:
    with session_scope() as session:
        return _authorised_event(session, ctx, event_id)


def _read(event_id: uuid.UUID, since: int) -> dict[str, Any]:
    with session_scope() as session:
        return changes_of(session, event_id, since)


async def open_office_stream(ctx: TenantContext, event_id: Any, *, since: Any = "0",
                             last_event_id: str | None = None) -> seat_stream.SeatStream:
    """Validate, authorise, take a slot and subscribe (module docstring for the errors)."""
    start = event_seats.parse_since(last_event_id if last_event_id not in (None, "") else since)
    eid = await anyio.to_thread.run_sync(_check, ctx, event_id)
    return await seat_stream.subscribe(f"office:{eid}", eid, start, partial(_read, eid), title=f"event {eid}")
