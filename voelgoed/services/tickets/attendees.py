"""Attendees (issue 13, item 4): a ticket's holder (name, e-mail), changed by the organiser; attendee search.

- ``ATTENDEE_MODES`` = ``("off", "optional", "required")``: ``TicketType.attendee_mode``, whether checkout asks
  each ticket's attendee name and e-mail (see docs/exports.md → attendees; checkout collection still to come).
- ``change_holder(session, ctx, *, ticket_id, name, email="", now=None)`` → :class:`Ticket`: new holder,
  ``version`` + 1 (the QR payload carries no personal data, so it stays valid; the PDF is re-rendered),
  audit ``ticket.holder_changed`` (``{ticket_code, from: {name, email}, to: {name, email}}``) and the outbox
  entry ``ticket.reissued`` (PDF re-render) in one transaction. Errors: 404 ``not_found``, 403 ``forbidden``
  (``can_manage_orders``), 409 ``invalid_state`` (voided or refunded ticket), 422 ``validation_failed``
  (``name`` empty or over 200 characters, ``email`` not an address). Commits.
- ``search_attendees(session, ctx, query, *, limit=50)`` → ``[{ticket_id, ticket_code, status, holder_name,
  holder_email, order_id, order_code, buyer_name, buyer_email, event_id, event_name, starts_at}]`` across every
  event of ``ctx``'s organisation: ``query`` matches an order or ticket code exactly (any case) or a holder's
  or buyer's name or e-mail as a case-insensitive substring; newest events first. 403 without
  ``can_view_financials``; a query under 2 characters returns ``[]``.
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import or_
from sqlmodel import Session, select

from voelgoed.models import Event, Order, Ticket, TicketStatus
from voelgoed.services.platform import (
    NotFound,
    TenantContext,
    ValidationFailed,
    VoelgoedError,
    as_uuid,
    audit,
    clock,
    outbox,
    rbac,
)

ATTENDEE_MODES = ("off", "optional", "required")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def clean_holder(name: str, email: str) -> tuple[str, str]:
    """``(name, email)`` stripped (e-mail lower-cased); 422 ``validation_failed`` (``name`` / ``email``)."""
    name, email = (name or "").strip(), (email or "").strip().lower()
    errors = {}
    if not name or len(name) > 200:
        errors["name"] = "Give the attendee's name (at most 200 characters)"
    if email and (len(email) > 320 or not EMAIL_RE.match(email)):
        errors["email"] = "This is not an e-mail address"
    if errors:
        raise ValidationFailed(errors)
    return name, email


def change_holder(session: Session, ctx: TenantContext, *, ticket_id, name: str, email: str = "",
                  now: datetime | None = None) -> Ticket:
    """Give a ticket a new holder (module docstring)."""
    now = clock.resolve(now)
    tid = as_uuid(ticket_id)
    ticket = None if tid is None else session.exec(
        select(Ticket).where(Ticket.id == tid, Ticket.organization_id == ctx.organization_id)
        .with_for_update().execution_options(populate_existing=True)).first()
    if ticket is None:
        raise NotFound("not_found", "Ticket not found")
    rbac.require(ctx, rbac.can_manage_orders, "change ticket holders")
    if ticket.status in (TicketStatus.voided.value, TicketStatus.refunded.value):
        raise VoelgoedError("invalid_state", "A void or refunded ticket cannot change holder", {"status": ticket.status})
    name, email = clean_holder(name, email)
    before = {"name": ticket.holder_name, "email": ticket.holder_email}
    if before == {"name": name, "email": email}:
        return ticket
    ticket.holder_name, ticket.holder_email = name, email
    ticket.version += 1
    ticket.updated_at = now
    session.add(ticket)
    audit.record(session, ctx.actor, "ticket.holder_changed", ticket,
                 {"ticket_code": ticket.ticket_code, "from": before, "to": {"name": name, "email": email}})
    outbox.add_entry(session, topic="ticket.reissued", organization_id=ticket.organization_id, now=now,
                     payload={"ticket_id": ticket.id, "order_id": ticket.order_id, "event_id": ticket.event_id})
    session.commit()
    outbox.nudge()
    return ticket


def search_attendees(session: Session, ctx: TenantContext, query: str, *, limit: int = 50) -> list[dict]:
    """Tickets matching ``query`` across the organisation's events (module docstring)."""
    rbac.require(ctx, rbac.can_view_financials, "search attendees")
    q = (query or "").strip()[:200]
    if len(q) < 2:
        return []
    like = f"%{q}%"
    code = q.upper()
    rows = session.exec(
        select(Ticket, Order, Event).join(Order, Order.id == Ticket.order_id).join(Event, Event.id == Ticket.event_id)
        .where(Ticket.organization_id == ctx.organization_id,
               or_(Order.order_code == code, Ticket.ticket_code == code, Ticket.holder_name.ilike(like),
                   Ticket.holder_email.ilike(like), Order.buyer_name.ilike(like), Order.buyer_email.ilike(like)))
        .order_by(Event.starts_at.desc(), Order.order_code, Ticket.ticket_code).limit(max(1, min(limit, 200)))).all()
    return [{"ticket_id": str(t.id), "ticket_code": t.ticket_code, "status": t.status, "holder_name": t.holder_name,
             "holder_email": t.holder_email, "order_id": str(o.id), "order_code": o.order_code,
             "buyer_name": o.buyer_name, "buyer_email": o.buyer_email, "event_id": str(e.id), "event_name": e.name,
             "starts_at": clock.aware(e.starts_at).isoformat()} for t, o, e in rows]
