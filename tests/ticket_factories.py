"""Test arrangements for tickets: a paid order with its items (inserted directly, flushed, not committed)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session

from tests.factories import make_event, make_org, make_ticket_type
from voelgoed.models import Order, OrderItem, TicketType
from voelgoed.services.platform import new_code, new_token


def make_order(session: Session, tt: TicketType, *, quantity: int = 2, status: str = "paid",
               buyer_name: str = "Thandi Mokoena", buyer_email: str = "thandi@example.co.za") -> Order:
    now = datetime.now(UTC)
    order = Order(organization_id=tt.organization_id, event_id=tt.event_id, order_code=f"VG-{new_code(6)}",
                  access_token=new_token(24), status=status, buyer_name=buyer_name, buyer_email=buyer_email,
                  total_cents=tt.price_cents * quantity, currency=tt.currency, paid_at=now if status == "paid" else None)
    session.add(order)
    session.flush()
    session.add(OrderItem(organization_id=tt.organization_id, order_id=order.id, ticket_type_id=tt.id,
                          quantity=quantity, unit_price_cents=tt.price_cents))
    session.flush()
    return order


def make_paid_order_setup(session: Session, *, quantity: int = 2):
    """(org, event, ticket_type, order) with a paid order whose tickets are NOT issued yet."""
    org = make_org(session)
    event = make_event(session, org)
    tt = make_ticket_type(session, event, name="General Admission")
    order = make_order(session, tt, quantity=quantity)
    return org, event, tt, order
