"""Arrangements for scanning tests: orders with signed tickets, devices (flushed, never committed)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from tests.factories import make_event, make_org, make_ticket_type
from voelgoed.models import Device, Event, Order, OrderItem, Ticket, TicketType
from voelgoed.services.platform import Actor, TenantContext, hash_token, new_code, new_token
from voelgoed.services.tickets import ticket_identity


def owner_ctx(org) -> TenantContext:
    return TenantContext(organization_id=org.id, actor=Actor("user", str(uuid.uuid4())), role="owner")


def make_order_with_tickets(session: Session, tt: TicketType, *, quantity: int = 2, holder_name: str = "Thandi Mokoena",
                            status: str = "valid") -> tuple[Order, list[Ticket]]:
    """A paid order of ``quantity`` tickets of ``tt``, each signed (``qr_payload`` set)."""
    now = datetime.now(UTC)
    order = Order(organization_id=tt.organization_id, event_id=tt.event_id, order_code=f"VG-{new_code(6)}",
                  access_token=new_token(24), status="paid", buyer_name=holder_name,
                  buyer_email="buyer@example.co.za", total_cents=tt.price_cents * quantity, currency=tt.currency, paid_at=now)
    session.add(order)
    session.flush()
    item = OrderItem(organization_id=tt.organization_id, order_id=order.id, ticket_type_id=tt.id,
                     quantity=quantity, unit_price_cents=tt.price_cents)
    session.add(item)
    session.flush()
    tickets = []
    for pos in range(quantity):
        t = Ticket(organization_id=tt.organization_id, event_id=tt.event_id, order_id=order.id, order_item_id=item.id,
                   position=pos, ticket_type_id=tt.id, ticket_code=new_code(10), status=status, holder_name=holder_name,
                   issued_at=now - timedelta(days=1))
        session.add(t)
        session.flush()
        t.qr_payload = ticket_identity.sign_ticket(session, t)
        tickets.append(t)
    tt.sold_count += quantity
    session.flush()
    return order, tickets


def make_device(session: Session, event: Event, *, name: str = "Gate phone", gate_id=None) -> tuple[Device, str]:
    token = "vgd_" + new_token(32)
    d = Device(organization_id=event.organization_id, event_id=event.id, gate_id=gate_id, name=name, token_hash=hash_token(token))
    session.add(d)
    session.flush()
    return d, token


def make_scan_setup(session: Session, *, quantity: int = 3, starts_in=None):
    """(org, event, ticket_type, tickets) for an event that is on now (started an hour ago)."""
    from datetime import timedelta

    org = make_org(session)
    event = make_event(session, org, starts_in=starts_in if starts_in is not None else timedelta(hours=-1))
    tt = make_ticket_type(session, event, name="General Admission")
    _order, tickets = make_order_with_tickets(session, tt, quantity=quantity)
    return org, event, tt, tickets
