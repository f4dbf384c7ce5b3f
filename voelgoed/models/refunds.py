"""Refunds through the provider and the append-only money ledger (issue 13, items 1–3)."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, UniqueConstraint
from sqlmodel import Field, SQLModel

from .base import id_field, json_field, org_field, ts_field


class RefundStatus(StrEnum):
    pending = "pending"  # recorded; the provider has not answered yet, answered "pending", or was unreachable
    processed = "processed"  # the money went back (ledger entry written)
    failed = "failed"  # the provider refused or reported refund.failed (retryable)


class Refund(SQLModel, table=True):
    """One refund of (part of) an order's payment. ``request_key`` makes a double click one refund."""

    __table_args__ = (UniqueConstraint("order_id", "request_key"),)
    id: uuid.UUID = id_field()
    organization_id: uuid.UUID = org_field()
    order_id: uuid.UUID = Field(foreign_key="order.id", index=True)
    event_id: uuid.UUID = Field(foreign_key="event.id", index=True)
    payment_id: uuid.UUID = Field(foreign_key="payment.id", index=True)
    provider: str = Field(max_length=20)
    status: str = Field(default=RefundStatus.pending.value, max_length=20, index=True)
    amount_cents: int
    currency: str = Field(default="ZAR", max_length=3)
    reason: str = Field(default="", max_length=500)
    origin: str = Field(default="manual", max_length=20, description="manual | order_cancel | event_cancel")
    request_key: str = Field(max_length=80)
    ticket_ids: list = Field(default_factory=list, sa_type=JSON)
    return_to_sale: bool = False
    requested_by: str = Field(default="", max_length=200)
    provider_reference: str | None = Field(default=None, max_length=100, index=True)
    provider_data: dict = json_field()
    attempts: int = 0
    claimed_until: datetime | None = ts_field()  # a sender's lease on the provider call (no double call)
    last_error: str | None = Field(default=None, max_length=300)
    created_at: datetime = ts_field(default_now=True)
    updated_at: datetime = ts_field(default_now=True)
    processed_at: datetime | None = ts_field()


class LedgerKind(StrEnum):
    payment = "payment"
    refund = "refund"
    fee = "fee"


class LedgerEntry(SQLModel, table=True):
    """Append-only money movement of an order: ``amount_cents`` signed (payment +, refund −, fee −).

    ``source_key`` (``payment:<id>``, ``refund:<id>``, ``fee:<payment id>``) is unique, so writing the
    same movement twice is impossible. Never updated or deleted."""

    id: uuid.UUID = id_field()
    organization_id: uuid.UUID = org_field()
    event_id: uuid.UUID = Field(foreign_key="event.id", index=True)
    order_id: uuid.UUID = Field(foreign_key="order.id", index=True)
    kind: str = Field(max_length=20)
    amount_cents: int
    currency: str = Field(default="ZAR", max_length=3)
    provider: str = Field(default="", max_length=20)
    provider_reference: str = Field(default="", max_length=100)
    source_key: str = Field(max_length=120, unique=True)
    created_at: datetime = ts_field(default_now=True, index=True)
