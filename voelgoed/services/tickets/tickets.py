"""Tickets: issuance (exactly once per unit of a paid order), void, resend.

- ``issue_for_order(session, order, *, now=None) -> list[Ticket]`` runs inside the caller's
  transaction (the one that marks the order paid) and does not commit. It locks the order row
  (``SELECT … FOR UPDATE``) and keys tickets by (order_item_id, position) with a unique constraint,
  so repeated or concurrent webhook deliveries never issue twice. Each new ticket gets its signed
  QR (``qr_payload``, see :mod:`voelgoed.services.tickets.ticket_identity`) and its validity window. When it
  creates tickets it also writes the outbox entry ``order.paid`` (PDFs, then the confirmation e-mail,
  then the stats signal) in that same transaction (:mod:`voelgoed.services.platform.outbox`).
- ``after_order_paid(order_id)``: kept for callers written before the outbox; only :func:`outbox.nudge`.
- ``void_ticket(session, ctx, *, ticket_id, reason)``: 404 ``not_found`` (also another
  organisation's), 409 ``already_voided``, 403 ``forbidden`` for roles that may not manage orders.
- ``resend_order_email(session, ctx, *, order_id)`` / ``resend_order_email_for_buyer(session, *,
  order_code, access_token)``: write an outbox entry ``tickets.resend`` (sent once per request) with the
  audit entry (404 ``not_found``; 409 ``invalid_state`` unless the order is paid).
- ``void_ticket`` writes ``ticket.voided`` (PDF re-render, stats signal) with the change.
- ``reissue_for_seats(session, seat_ids, *, now=None) -> int``: the seats' labels changed (a plan version that
  relabels sold seats): their valid / checked-in tickets get a new signed ``VG2:`` QR with the new labels (same
  identity and validity window), ``version`` + 1, audit ``ticket.seat_relabelled`` and the outbox entry
  ``ticket.reissued`` (PDF re-render) in the caller's transaction (no commit).
"""

from __future__ import annotations

import hmac
from datetime import datetime

from sqlmodel import Session, select

from voelgoed.models import Order, OrderItem, OrderStatus, Ticket, TicketStatus
from voelgoed.services.platform import (
    NotFound,
    TenantContext,
    VoelgoedError,
    as_uuid,
    audit,
    clock,
    new_code,
    outbox,
    ratelimit,
    rbac,
    webhook_events,
)
from voelgoed.services.tickets.ticket_identity import sign_ticket

TICKET_CODE_LENGTH = 10
BUYER_RESEND_RATE = "3/10 minutes"


def new_ticket_code() -> str:
    """10 characters from the unambiguous alphabet (no 0/O/1/I/L): ~49 bits."""
    return new_code(TICKET_CODE_LENGTH)


def issue_for_order(session: Session, order: Order, *, now: datetime | None = None) -> list[Ticket]:
    """Create the order's missing tickets (one per unit of each item) and return all of them.

    Preconditions: ``order`` is being marked paid in this transaction. Effects: inserts tickets with
    status ``valid``, a unique ``ticket_code``, the holder = the attendee the buyer gave for that unit at
    checkout (``OrderItem.attendees[position]``, issue 13) or else the buyer's name, a signed ``qr_payload``
    valid from ``now`` to the event's end + grace; writes ``ticket.issued`` audit entries; flushes,
    never commits. Idempotent per (order_item_id, position).
    """
    now = clock.resolve(now)
    session.exec(select(Order.id).where(Order.id == order.id).with_for_update()).first()
    existing = {(t.order_item_id, t.position): t
                for t in session.exec(select(Ticket).where(Ticket.order_id == order.id)
                                      .execution_options(populate_existing=True))}
    items = session.exec(select(OrderItem).where(OrderItem.order_id == order.id).order_by(OrderItem.id)).all()
    tickets: list[Ticket] = []
    created = 0
    new_ids: list = []
    for item in items:
        for position in range(item.quantity):
            ticket = existing.get((item.id, position))
            if ticket is None:
                person = _attendee(item, position)
                ticket = Ticket(
                    organization_id=order.organization_id, event_id=order.event_id, order_id=order.id,
                    order_item_id=item.id, position=position, ticket_type_id=item.ticket_type_id,
                    ticket_code=new_ticket_code(), status=TicketStatus.valid.value,
                    holder_name=person.get("name") or order.buyer_name, holder_email=person.get("email") or "",
                    seat_id=item.seat_id, issued_at=now, updated_at=now,
                )
                ticket.qr_payload = sign_ticket(session, ticket)
                session.add(ticket)
                created += 1
                new_ids.append(ticket.id)
            tickets.append(ticket)
    if created:
        audit.record(session, None, "ticket.issued", order, {"order_code": order.order_code, "count": created})
        outbox.add_entry(session, topic="order.paid", payload={"order_id": order.id, "event_id": order.event_id},
                         organization_id=order.organization_id, now=now)
        webhook_events.emit(session, event_type="ticket.issued", organization_id=order.organization_id, now=now,
                            payload={"order_id": order.id, "event_id": order.event_id, "ticket_ids": new_ids})
    session.flush()
    return tickets


def reissue_for_seats(session: Session, seat_ids, *, now: datetime | None = None) -> int:
    """Re-sign the valid / checked-in tickets of the event seats ``seat_ids`` with their current labels (the
    seat rows are already updated in this transaction); returns how many tickets got a new QR. No commit."""
    ids = [s for s in seat_ids if s is not None]
    if not ids:
        return 0
    now = clock.resolve(now)
    rows = session.exec(select(Ticket).where(Ticket.seat_id.in_(ids), Ticket.status.in_(
        (TicketStatus.valid.value, TicketStatus.checked_in.value))).with_for_update()).all()
    changed = 0
    for ticket in rows:
        before = ticket.qr_payload
        ticket.qr_payload = sign_ticket(session, ticket)
        if ticket.qr_payload == before:  # Ed25519 is deterministic: same labels, same string
            continue
        changed += 1
        ticket.version += 1
        ticket.updated_at = now
        session.add(ticket)
        audit.record(session, None, "ticket.seat_relabelled", ticket, {"ticket_code": ticket.ticket_code})
        outbox.add_entry(session, topic="ticket.reissued", organization_id=ticket.organization_id, now=now,
                         payload={"ticket_id": ticket.id, "order_id": ticket.order_id, "event_id": ticket.event_id})
    session.flush()
    return changed


def _attendee(item: OrderItem, position: int) -> dict:
    """``{"name", "email"}`` given at checkout for unit ``position`` of ``item`` (``{}`` when none)."""
    people = item.attendees if isinstance(item.attendees, list) else []
    person = people[position] if position < len(people) else None
    return person if isinstance(person, dict) else {}


def after_order_paid(order_id=None) -> None:
    """Deprecated: the side effects are the ``order.paid`` outbox entry written by :func:`issue_for_order`;
    this only nudges the drain (:func:`voelgoed.services.platform.outbox.nudge`). Call after commit."""
    outbox.nudge()


def void_ticket(session: Session, ctx: TenantContext, *, ticket_id, reason: str = "",
                now: datetime | None = None) -> Ticket:
    """Void a ticket of ``ctx``'s organisation: status ``voided``, ``version`` + 1, PDF regenerated.

    Errors: 404 ``not_found`` (unknown id or another organisation's ticket), 403 ``forbidden``
    (role may not manage orders), 409 ``already_voided``, 409 ``invalid_state`` (refunded).
    Commits; audit ``ticket.voided`` and outbox ``ticket.voided`` (PDF re-render) in that transaction.
    """
    now = clock.resolve(now)
    tid = as_uuid(ticket_id)
    ticket = None if tid is None else session.exec(
        select(Ticket).where(Ticket.id == tid, Ticket.organization_id == ctx.organization_id)
        .with_for_update().execution_options(populate_existing=True)).first()
    if ticket is None:
        raise NotFound("not_found", "Ticket not found")
    rbac.require(ctx, rbac.can_manage_orders, "void tickets")
    if ticket.status == TicketStatus.voided.value:
        raise VoelgoedError("already_voided", "This ticket is already void", {"ticket_id": str(ticket.id)})
    if ticket.status == TicketStatus.refunded.value:
        raise VoelgoedError("invalid_state", "A refunded ticket cannot be voided", {"status": ticket.status})
    previous = ticket.status
    ticket.status = TicketStatus.voided.value
    ticket.void_reason = (reason or "").strip()[:500]
    ticket.version += 1
    ticket.updated_at = now
    session.add(ticket)
    audit.record(session, ctx.actor, "ticket.voided", ticket,
                 {"ticket_code": ticket.ticket_code, "reason": ticket.void_reason, "previous_status": previous})
    outbox.add_entry(session, topic="ticket.voided", organization_id=ticket.organization_id, now=now,
                     payload={"ticket_id": ticket.id, "order_id": ticket.order_id, "event_id": ticket.event_id})
    session.commit()
    outbox.nudge()
    return ticket


def _paid_or_conflict(order: Order) -> None:
    if order.status != OrderStatus.paid.value:
        raise VoelgoedError("invalid_state", "Tickets are sent once the order is paid", {"status": order.status})


def resend_order_email(session: Session, ctx: TenantContext, *, order_id) -> Order:
    """Send the order confirmation (with the ticket PDFs) to the buyer again.

    Errors: 404 ``not_found`` (unknown or another organisation's order), 403 ``forbidden``,
    409 ``invalid_state`` (order not paid). Commits the audit entry ``order.confirmation_resent``.
    """
    oid = as_uuid(order_id)
    order = None if oid is None else session.exec(
        select(Order).where(Order.id == oid, Order.organization_id == ctx.organization_id)).first()
    if order is None:
        raise NotFound("not_found", "Order not found")
    rbac.require(ctx, rbac.can_manage_orders, "resend tickets")
    _paid_or_conflict(order)
    audit.record(session, ctx.actor, "order.confirmation_resent", order, {"to": order.buyer_email})
    _add_resend(session, order)
    session.commit()
    outbox.nudge()
    return order


def find_buyer_order(session: Session, *, order_code: str, access_token: str) -> Order:
    """The order for the buyer's secret link; 404 ``not_found`` for an unknown code OR a wrong token."""
    if not isinstance(order_code, str) or not isinstance(access_token, str) or not access_token or len(order_code) > 32:
        raise NotFound("not_found", "Order not found")
    order = session.exec(select(Order).where(Order.order_code == order_code.strip().upper())).first()
    if order is None or not hmac.compare_digest(order.access_token.encode(), access_token.encode("utf-8", "replace")):
        raise NotFound("not_found", "Order not found")
    return order


def resend_order_email_for_buyer(session: Session, *, order_code: str, access_token: str) -> Order:
    """The buyer's "e-mail my tickets again" button: 404 ``not_found``, 409 ``invalid_state``,
    429 ``rate_limited`` (3 per 10 minutes per order). Audit ``order.confirmation_resent`` (actor buyer)."""
    order = find_buyer_order(session, order_code=order_code, access_token=access_token)
    _paid_or_conflict(order)
    ratelimit.hit("resend-email", str(order.id), BUYER_RESEND_RATE)
    audit.record(session, audit.Actor("buyer", order.buyer_email), "order.confirmation_resent", order,
                 {"to": order.buyer_email})
    _add_resend(session, order)
    session.commit()
    outbox.nudge()
    return order


def _add_resend(session: Session, order: Order) -> None:
    outbox.add_entry(session, topic="tickets.resend", payload={"order_id": order.id},
                     organization_id=order.organization_id)
