"""The integrators' read API: tickets, attendees and scans (check-ins). Same rules, filters, errors
and page shape as :mod:`.read_api` (cursor order ``(updated_at, id)``, ``{data, next_cursor, has_more}``).

Shapes (ids strings, times RFC 3339 UTC):

- :func:`ticket_dict` / :func:`list_tickets` / :func:`get_ticket` → ``{id, ticket_code, status, event_id,
  order_id, order_code, ticket_type_id, ticket_type, holder_name, seat_id, valid_from, valid_until,
  checked_in_at, checked_in_gate_code, void_reason, version, issued_at, updated_at}``. The signed QR
  payload is not part of the read API (it admits its bearer; buyers get it through their order link).
- :func:`list_attendees` → one row per ticket: ``{ticket_id, ticket_code, ticket_status, event_id, order_id,
  order_code, ticket_type_id, ticket_type, name, email, name_source, email_source, checked_in_at,
  issued_at, updated_at}``: ``name`` is the ticket's holder name where present, else the buyer's;
  tickets carry no holder e-mail yet, so ``email`` is the buyer's (``*_source`` says which).
- :func:`scan_dict` / :func:`list_scans` / :func:`get_scan` → ``{id, event_id, device_id, device_name,
  ticket_id, ticket_code, gate_code, result, local_result, offline, scanned_at, received_at,
  updated_at}``. A scan's ``updated_at`` moves when an offline upload re-labels an admission
  ``duplicate_offline`` (``docs/scanner-contract.md``).

Created ranges (``created_from``/``created_to``) are on ``issued_at`` for tickets and attendees and
on ``scanned_at`` for scans.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, or_
from sqlmodel import Session, select

from voelgoed.models import Device, Order, Scan, ScanResult, Ticket, TicketStatus, TicketType
from voelgoed.services.insights.read_api import check_choice, clean_text, event_filter, like_term
from voelgoed.services.insights.read_cursor import Window, page
from voelgoed.services.platform import NotFound, TenantContext, as_uuid, iso, rbac

TICKET_STATUSES = [s.value for s in TicketStatus]
SCAN_RESULTS = [s.value for s in ScanResult]


def ticket_dict(ticket: Ticket, order_code: str, ticket_type: str) -> dict[str, Any]:
    """One ticket in the read API's shape (see the module docstring)."""
    return {
        "id": str(ticket.id), "ticket_code": ticket.ticket_code, "status": ticket.status,
        "event_id": str(ticket.event_id), "order_id": str(ticket.order_id), "order_code": order_code,
        "ticket_type_id": str(ticket.ticket_type_id), "ticket_type": ticket_type, "holder_name": ticket.holder_name,
        "seat_id": str(ticket.seat_id) if ticket.seat_id else None,
        "valid_from": iso(ticket.valid_from), "valid_until": iso(ticket.valid_until),
        "checked_in_at": iso(ticket.checked_in_at), "checked_in_gate_code": ticket.checked_in_gate_code,
        "void_reason": ticket.void_reason, "version": ticket.version,
        "issued_at": iso(ticket.issued_at), "updated_at": iso(ticket.updated_at),
    }


def _ticket_query():
    return (select(Ticket, Order.order_code, TicketType.name, Order.buyer_name, Order.buyer_email)
            .join(Order, Order.id == Ticket.order_id).join(TicketType, TicketType.id == Ticket.ticket_type_id))


def _ticket_where(session: Session, ctx: TenantContext, window: Window, event_id: Any, status: str | None,
                  ticket_type_id: Any, search: str) -> list:
    status = check_choice("status", status, TICKET_STATUSES)
    where = event_filter(session, ctx, event_id, Ticket.event_id)
    if status:
        where.append(Ticket.status == status)
    if ticket_type_id not in (None, ""):
        tt = as_uuid(ticket_type_id)
        row = session.get(TicketType, tt) if tt else None
        if row is None or row.organization_id != ctx.organization_id:
            raise NotFound("not_found", "Ticket type not found")
        where.append(Ticket.ticket_type_id == row.id)
    like = like_term(search)
    if like:
        where.append(or_(func.lower(Ticket.ticket_code).like(like, escape="\\"),
                         func.lower(Order.order_code).like(like, escape="\\"),
                         func.lower(Ticket.holder_name).like(like, escape="\\"),
                         func.lower(Order.buyer_email).like(like, escape="\\")))
    window.extra = {"event_id": str(event_id or ""), "status": status, "ticket_type_id": str(ticket_type_id or ""),
                    "search": like}
    return where


def list_tickets(session: Session, ctx: TenantContext, window: Window, *, event_id: Any = None,
                 status: str | None = None, ticket_type_id: Any = None, search: str = "") -> dict[str, Any]:
    """The organisation's tickets; ``search`` matches the ticket code, order code, holder name or buyer
    e-mail. Raises 403, 404 (event or ticket type of another organisation), 422."""
    rbac.require(ctx, rbac.can_view_events, "view tickets")
    where = _ticket_where(session, ctx, window, event_id, status, ticket_type_id, search)
    return page(session, ctx, "tickets", window, _ticket_query(), Ticket, where,
                lambda rows: [ticket_dict(t, code, tt) for t, code, tt, _n, _e in rows])


def get_ticket(session: Session, ctx: TenantContext, ticket_id: Any) -> dict[str, Any]:
    """One ticket (404 ``not_found`` for an unknown id or another organisation's ticket)."""
    rbac.require(ctx, rbac.can_view_events, "view tickets")
    tid = as_uuid(ticket_id)
    row = session.execute(_ticket_query().where(Ticket.id == tid, Ticket.organization_id == ctx.organization_id)).first() \
        if tid else None
    if row is None:
        raise NotFound("not_found", "Ticket not found")
    return ticket_dict(row[0], row[1], row[2])


def attendee_dict(ticket: Ticket, order_code: str, ticket_type: str, buyer_name: str, buyer_email: str) -> dict[str, Any]:
    """One attendee (a ticket and the person on it) in the read API's shape."""
    holder = (ticket.holder_name or "").strip()
    return {
        "ticket_id": str(ticket.id), "ticket_code": ticket.ticket_code, "ticket_status": ticket.status,
        "event_id": str(ticket.event_id), "order_id": str(ticket.order_id), "order_code": order_code,
        "ticket_type_id": str(ticket.ticket_type_id), "ticket_type": ticket_type,
        "name": holder or buyer_name, "email": buyer_email,
        "name_source": "holder" if holder else "buyer", "email_source": "buyer",
        "checked_in_at": iso(ticket.checked_in_at), "issued_at": iso(ticket.issued_at), "updated_at": iso(ticket.updated_at),
    }


def list_attendees(session: Session, ctx: TenantContext, window: Window, *, event_id: Any = None,
                   status: str | None = None, ticket_type_id: Any = None, search: str = "") -> dict[str, Any]:
    """The people on the organisation's tickets (one row per ticket; ``status`` is the ticket's).
    Personal data: needs the financial view (403 otherwise). Raises 403, 404, 422."""
    rbac.require(ctx, rbac.can_view_financials, "view attendees")
    where = _ticket_where(session, ctx, window, event_id, status, ticket_type_id, search)
    return page(session, ctx, "attendees", window, _ticket_query(), Ticket, where,
                lambda rows: [attendee_dict(*r) for r in rows])


def scan_dict(scan: Scan, ticket_code: str | None, device_name: str | None) -> dict[str, Any]:
    """One scan in the read API's shape (see the module docstring)."""
    return {
        "id": str(scan.id), "event_id": str(scan.event_id), "device_id": str(scan.device_id), "device_name": device_name,
        "ticket_id": str(scan.ticket_id) if scan.ticket_id else None, "ticket_code": ticket_code,
        "gate_code": scan.gate_code, "result": scan.result, "local_result": scan.local_result, "offline": scan.offline,
        "scanned_at": iso(scan.scanned_at), "received_at": iso(scan.received_at), "updated_at": iso(scan.updated_at),
    }


def _scan_query():
    return (select(Scan, Ticket.ticket_code, Device.name)
            .outerjoin(Ticket, Ticket.id == Scan.ticket_id).outerjoin(Device, Device.id == Scan.device_id))


def list_scans(session: Session, ctx: TenantContext, window: Window, *, event_id: Any = None,
               result: str | None = None, gate_code: str | None = None, search: str = "") -> dict[str, Any]:
    """Every recorded scan (accepted or not) of the organisation; ``result="accepted"`` lists the
    check-ins. ``gate_code`` is matched upper-cased; ``search`` matches the ticket code. Raises 403, 404, 422."""
    rbac.require(ctx, rbac.can_view_events, "view scans")
    result = check_choice("result", result, SCAN_RESULTS)
    where = event_filter(session, ctx, event_id, Scan.event_id)
    if result:
        where.append(Scan.result == result)
    gate = clean_text("gate_code", gate_code, 32).upper()
    if gate:
        where.append(Scan.gate_code == gate)
    like = like_term(search)
    if like:
        where.append(func.lower(Ticket.ticket_code).like(like, escape="\\"))
    window.extra = {"event_id": str(event_id or ""), "result": result, "gate_code": gate, "search": like}
    return page(session, ctx, "scans", window, _scan_query(), Scan, where,
                lambda rows: [scan_dict(s, code, name) for s, code, name in rows])


def get_scan(session: Session, ctx: TenantContext, scan_id: Any) -> dict[str, Any]:
    """One scan (404 ``not_found`` for an unknown id or another organisation's scan)."""
    rbac.require(ctx, rbac.can_view_events, "view scans")
    sid = as_uuid(scan_id)
    row = session.execute(_scan_query().where(Scan.id == sid, Scan.organization_id == ctx.organization_id)).first() \
        if sid else None
    if row is None:
        raise NotFound("not_found", "Scan not found")
    return scan_dict(*row)
