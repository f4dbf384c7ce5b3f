"""The read API for integrators (API key; docs/api.md): cursor-paginated lists for incremental sync.

- ``GET /api/v1/sync/events``    (scope ``events:read``)   → :class:`EventPage`
- ``GET /api/v1/sync/orders``    (scope ``orders:read``)   → :class:`OrderPage`
- ``GET /api/v1/sync/tickets``   (scope ``tickets:read``)  → :class:`TicketPage`
- ``GET /api/v1/sync/attendees`` (scopes ``tickets:read`` + ``orders:read``: names and e-mails) → :class:`AttendeePage`
- ``GET /api/v1/sync/scans``     (scope ``scans:read``)    → :class:`ScanPage`
- ``GET /api/v1/tickets/{ticket_id}`` (``tickets:read``), ``GET /api/v1/scans/{scan_id}`` (``scans:read``)

Every list is ordered by ``(updated_at, id)``; ``limit`` 1..200; ``cursor`` is opaque and signed.
Routes parse and call one service (:mod:`voelgoed.services.insights.read_api`, ``read_tickets``); errors are the api-v1 envelope
(422 ``validation_failed`` with ``details.fields``; 404 for another organisation's ids).
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query
from pydantic import AwareDatetime

from voelgoed.services.insights import MAX_LIMIT, Window, read_tickets
from voelgoed.services.insights import read_api as read_svc
from voelgoed.services.platform import TenantContext, session_scope

from .deps import require_scope
from .read_models import AttendeePage, EventPage, OrderPage, ScanOut, ScanPage, TicketOut, TicketPage

router = APIRouter(prefix="/api/v1", tags=["read"])

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="rows per page (1..200)")]
Cursor = Annotated[str | None, Query(max_length=512, description="next_cursor of the previous page (same filters)")]
Since = Annotated[AwareDatetime | None, Query(description="only rows with updated_at ≥ this time (RFC 3339 with offset)")]
Before = Annotated[AwareDatetime | None, Query(description="only rows with updated_at < this time")]
CreatedFrom = Annotated[AwareDatetime | None, Query(description="only rows created at or after this time")]
CreatedTo = Annotated[AwareDatetime | None, Query(description="only rows created before this time")]
EventId = Annotated[str | None, Query(max_length=64, description="only this event's rows (404 if not yours)")]

EventStatus = Literal["draft", "published", "live", "ended", "archived", "cancelled"]
OrderStatus = Literal["pending", "paid", "cancelled", "expired", "refund_required", "refunded"]
TicketStatus = Literal["valid", "checked_in", "voided", "refunded"]
ScanResult = Literal["accepted", "already_scanned", "invalid", "wrong_event", "revoked", "not_valid_now",
                     "duplicate_offline", "event_cancelled"]


def _window(limit, cursor, updated_since, updated_before, created_from, created_to) -> Window:
    return Window(limit=limit, cursor=cursor, updated_since=updated_since, updated_before=updated_before,
                           created_from=created_from, created_to=created_to)


@router.get("/sync/events", response_model=EventPage, summary="Events, by (updated_at, id), cursor-paginated")
def sync_events(ctx: Annotated[TenantContext, Depends(require_scope("events:read"))], limit: Limit = 50,
                cursor: Cursor = None, updated_since: Since = None, updated_before: Before = None,
                created_from: CreatedFrom = None, created_to: CreatedTo = None, status: EventStatus | None = None,
                search: Annotated[str, Query(max_length=120, description="name or slug contains")] = "") -> dict:
    with session_scope() as s:
        return read_svc.list_events(s, ctx, _window(limit, cursor, updated_since, updated_before, created_from, created_to),
                                    status=status, search=search)


@router.get("/sync/orders", response_model=OrderPage, summary="Orders, by (updated_at, id), cursor-paginated")
def sync_orders(ctx: Annotated[TenantContext, Depends(require_scope("orders:read"))], limit: Limit = 50,
                cursor: Cursor = None, updated_since: Since = None, updated_before: Before = None,
                created_from: CreatedFrom = None, created_to: CreatedTo = None, event_id: EventId = None,
                status: OrderStatus | None = None,
                search: Annotated[str, Query(max_length=120, description="order code, buyer e-mail or name contains")] = ""
                ) -> dict:
    with session_scope() as s:
        return read_svc.list_orders(s, ctx, _window(limit, cursor, updated_since, updated_before, created_from, created_to),
                                    event_id=event_id, status=status, search=search)


@router.get("/sync/tickets", response_model=TicketPage, summary="Tickets, by (updated_at, id), cursor-paginated")
def sync_tickets(ctx: Annotated[TenantContext, Depends(require_scope("tickets:read"))], limit: Limit = 50,
                 cursor: Cursor = None, updated_since: Since = None, updated_before: Before = None,
                 created_from: CreatedFrom = None, created_to: CreatedTo = None, event_id: EventId = None,
                 status: TicketStatus | None = None, ticket_type_id: Annotated[str | None, Query(max_length=64)] = None,
                 search: Annotated[str, Query(max_length=120, description="ticket code, order code, holder or buyer e-mail")] = ""
                 ) -> dict:
    with session_scope() as s:
        return read_tickets.list_tickets(s, ctx, _window(limit, cursor, updated_since, updated_before, created_from, created_to),
                                     event_id=event_id, status=status, ticket_type_id=ticket_type_id, search=search)


@router.get("/sync/attendees", response_model=AttendeePage,
            summary="Attendees (one per ticket: holder name where set, else the buyer), cursor-paginated")
def sync_attendees(ctx: Annotated[TenantContext, Depends(require_scope("tickets:read", "orders:read"))], limit: Limit = 50,
                   cursor: Cursor = None, updated_since: Since = None, updated_before: Before = None,
                   created_from: CreatedFrom = None, created_to: CreatedTo = None, event_id: EventId = None,
                   status: TicketStatus | None = None, ticket_type_id: Annotated[str | None, Query(max_length=64)] = None,
                   search: Annotated[str, Query(max_length=120, description="ticket code, order code, name or e-mail")] = ""
                   ) -> dict:
    with session_scope() as s:
        return read_tickets.list_attendees(s, ctx, _window(limit, cursor, updated_since, updated_before, created_from, created_to),
                                       event_id=event_id, status=status, ticket_type_id=ticket_type_id, search=search)


@router.get("/sync/scans", response_model=ScanPage, summary="Scans and check-ins (result=accepted), cursor-paginated")
def sync_scans(ctx: Annotated[TenantContext, Depends(require_scope("scans:read"))], limit: Limit = 50,
               cursor: Cursor = None, updated_since: Since = None, updated_before: Before = None,
               created_from: Annotated[AwareDatetime | None, Query(description="scanned at or after")] = None,
               created_to: Annotated[AwareDatetime | None, Query(description="scanned before")] = None,
               event_id: EventId = None, result: ScanResult | None = None,
               gate_code: Annotated[str | None, Query(max_length=32)] = None,
               search: Annotated[str, Query(max_length=120, description="ticket code contains")] = "") -> dict:
    with session_scope() as s:
        return read_tickets.list_scans(s, ctx, _window(limit, cursor, updated_since, updated_before, created_from, created_to),
                                   event_id=event_id, result=result, gate_code=gate_code, search=search)


@router.get("/tickets/{ticket_id}", response_model=TicketOut, summary="One ticket")
def get_ticket(ticket_id: Annotated[str, Path(max_length=64)],
               ctx: Annotated[TenantContext, Depends(require_scope("tickets:read"))]) -> dict:
    with session_scope() as s:
        return read_tickets.get_ticket(s, ctx, ticket_id)


@router.get("/scans/{scan_id}", response_model=ScanOut, summary="One scan")
def get_scan(scan_id: Annotated[str, Path(max_length=64)],
             ctx: Annotated[TenantContext, Depends(require_scope("scans:read"))]) -> dict:
    with session_scope() as s:
        return read_tickets.get_scan(s, ctx, scan_id)
