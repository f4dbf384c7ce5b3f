"""Ticket types, holds, orders, order items and tickets."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Index, UniqueConstraint, false
from sqlmodel import Field, SQLModel

from .base import id_field, org_field, ts_field


class TicketType(SQLModel, table=True):
    """General-admission ticket type. available = quantity - sold_count - held_count (never < 0)."""

    id: uuid.UUID = id_field()
    organization_id: uuid.UUID = org_field()
    event_id: uuid.UUID = Field(foreign_key="event.id", index=True)
    name: str = Field(max_length=120)
    description: str = Field(default="", max_length=2000)
    price_cents: int = Field(ge=0)
    currency: str = Field(default="ZAR", max_length=3)
    quantity: int = Field(ge=0)
    sold_count: int = 0
    held_count: int = 0
    # True while the event has a capacity; written by capacity edits (sales.stock.ga.flag_capacity) so a racing
    # one-statement hold re-evaluates on the new row version (sales/stock/ga_fast.py)
    capped_by_event: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    max_per_order: int = 10
    sale_starts_at: datetime | None = ts_field()
    sale_ends_at: datetime | None = ts_field()
    is_active: bool = True
    is_hidden: bool = False
    sort_order: int = 0
    # attendee name and e-mail per ticket at checkout: off | optional | required (issue 13, item 4)
    attendee_mode: str = Field(default="off", max_length=10, sa_column_kwargs={"server_default": "off"})
    created_at: datetime = ts_field(default_now=True)
    updated_at: datetime = ts_field(default_now=True)


class HoldStatus(StrEnum):
    active = "active"
    converted = "converted"  # checkout started: the hold now belongs to an order
    released = "released"
    expired = "expired"
    completed = "completed"  # order paid, inventory became sold


class Hold(SQLModel, table=True):
    id: uuid.UUID = id_field()
    organization_id: uuid.UUID = org_field()
    event_id: uuid.UUID = Field(foreign_key="event.id", index=True)
    status: str = Field(default=HoldStatus.active.value, max_length=20, index=True)
    expires_at: datetime = ts_field(nullable=False, index=True)
    total_cents: int = 0
    currency: str = Field(default="ZAR", max_length=3)
    client_address: str = Field(default="", max_length=64, description="unused since wroom_0002 (raw address not stored)")
    client_hash: str | None = Field(default=None, max_length=64, index=True,
                                    description="keyed hash (HMAC, SECRET_KEY) of the client address, for the hold caps")
    pass_id: str | None = Field(default=None, max_length=64, index=True, description="waiting-room pass that backed it")
    created_at: datetime = ts_field(default_now=True)
    ended_at: datetime | None = ts_field()


class HoldItem(SQLModel, table=True):
    id: uuid.UUID = id_field()
    organization_id: uuid.UUID = org_field()
    hold_id: uuid.UUID = Field(foreign_key="hold.id", index=True)
    ticket_type_id: uuid.UUID = Field(foreign_key="tickettype.id", index=True)
    quantity: int
    unit_price_cents: int
    seat_id: uuid.UUID | None = None  # assigned seating: the event_seat id (issue 12)
    area_id: uuid.UUID | None = Field(default=None, index=True,
                                      description="a standing area's places: the event_area id (seated GA)")


class OrderStatus(StrEnum):
    pending = "pending"
    paid = "paid"
    expired = "expired"
    cancelled = "cancelled"
    refund_required = "refund_required"  # paid after its inventory was gone: organiser must refund
    refunded = "refunded"


class Order(SQLModel, table=True):
    # read API: (updated_at, id) cursor order per organisation (readapi_0003)
    __table_args__ = (Index("ix_order_org_updated", "organization_id", "updated_at", "id"),)
    id: uuid.UUID = id_field()
    organization_id: uuid.UUID = org_field()
    event_id: uuid.UUID = Field(foreign_key="event.id", index=True)
    hold_id: uuid.UUID | None = Field(default=None, foreign_key="hold.id", unique=True)
    order_code: str = Field(max_length=16, unique=True, index=True, description="e.g. VG-7K3Q9M")
    access_token: str = Field(max_length=64, description="secret for the buyer's links")
    status: str = Field(default=OrderStatus.pending.value, max_length=20, index=True)
    buyer_name: str = Field(max_length=200)
    buyer_email: str = Field(max_length=320, index=True)
    total_cents: int = 0
    currency: str = Field(default="ZAR", max_length=3)
    provider: str = Field(default="sandbox", max_length=20)
    created_at: datetime = ts_field(default_now=True, index=True)
    updated_at: datetime = ts_field(default_now=True)
    expires_at: datetime | None = ts_field()
    paid_at: datetime | None = ts_field()
    # set when a payment could not be confirmed (e.g. Paystack's verify disagrees): the organiser must look
    attention_reason: str | None = Field(default=None, max_length=200)


class OrderItem(SQLModel, table=True):
    id: uuid.UUID = id_field()
    organization_id: uuid.UUID = org_field()
    order_id: uuid.UUID = Field(foreign_key="order.id", index=True)
    ticket_type_id: uuid.UUID = Field(foreign_key="tickettype.id", index=True)
    quantity: int
    unit_price_cents: int = Field(description="captured at hold time")
    seat_id: uuid.UUID | None = None
    # per unit (position) ``{"name", "email"}`` the buyer gave at checkout (issue 13 item 4); None = none asked
    attendees: list | None = Field(default=None, sa_type=JSON)
    area_id: uuid.UUID | None = Field(default=None, description="a standing area's places: the event_area id")


class TicketStatus(StrEnum):
    valid = "valid"
    checked_in = "checked_in"
    voided = "voided"
    refunded = "refunded"


class Ticket(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("order_item_id", "position"),
                      Index("ix_ticket_org_updated", "organization_id", "updated_at", "id"))  # read API cursor order
    id: uuid.UUID = id_field()
    organization_id: uuid.UUID = org_field()
    event_id: uuid.UUID = Field(foreign_key="event.id", index=True)
    order_id: uuid.UUID = Field(foreign_key="order.id", index=True)
    order_item_id: uuid.UUID = Field(foreign_key="orderitem.id")
    position: int = Field(default=0, description="0-based unit within the order item (issuance idempotency)")
    ticket_type_id: uuid.UUID = Field(foreign_key="tickettype.id", index=True)
    ticket_code: str = Field(max_length=16, unique=True, index=True)
    status: str = Field(default=TicketStatus.valid.value, max_length=20, index=True)
    holder_name: str = Field(default="", max_length=200)
    holder_email: str = Field(default="", max_length=320, sa_column_kwargs={"server_default": ""})
    seat_id: uuid.UUID | None = None  # assigned seating (later slice)
    valid_from: datetime | None = ts_field()
    valid_until: datetime | None = ts_field()
    qr_payload: str = Field(default="", max_length=400)
    pdf_path: str = Field(default="", max_length=400)
    version: int = Field(default=1, description="bumped when the ticket changes (PDF regenerated)")
    checked_in_at: datetime | None = ts_field()
    checked_in_gate_code: str | None = Field(default=None, max_length=32)
    void_reason: str = Field(default="", max_length=500)
    issued_at: datetime = ts_field(default_now=True)
    updated_at: datetime = ts_field(default_now=True)
