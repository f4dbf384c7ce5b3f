"""Payments through a provider, and received webhook deliveries (for idempotency and audit)."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from .base import id_field, json_field, org_field, ts_field


class PaymentStatus(StrEnum):
    initiated = "initiated"
    succeeded = "succeeded"
    failed = "failed"
    refunded = "refunded"


class Payment(SQLModel, table=True):
    # the reconciliation job's look-up: initiated payments, oldest first
    __table_args__ = (Index("ix_payment_status_created_at", "status", "created_at"),)

    id: uuid.UUID = id_field()
    organization_id: uuid.UUID = org_field()
    order_id: uuid.UUID = Field(foreign_key="order.id", index=True)
    provider: str = Field(max_length=20)
    reference: str = Field(max_length=100, unique=True, index=True)
    status: str = Field(default=PaymentStatus.initiated.value, max_length=20)
    amount_cents: int
    currency: str = Field(default="ZAR", max_length=3)
    redirect_url: str = Field(default="", max_length=1000)
    provider_data: dict = json_field()
    created_at: datetime = ts_field(default_now=True)
    updated_at: datetime = ts_field(default_now=True)
    # when the reconciliation job may ask the provider again (NULL: created_at + RECONCILE_AFTER_SECONDS),
    # written when it claims the payment (sales/reconcile.py)
    next_verify_at: datetime | None = ts_field()


class WebhookDelivery(SQLModel, table=True):
    """A received provider webhook; (provider, delivery_key) is unique so a replay changes nothing."""

    __table_args__ = (UniqueConstraint("provider", "delivery_key"),)
    id: uuid.UUID = id_field()
    provider: str = Field(max_length=20)
    delivery_key: str = Field(max_length=200)
    reference: str = Field(default="", max_length=100, index=True)
    event_type: str = Field(default="", max_length=60)
    outcome: str = Field(default="", max_length=60)
    payload: dict = json_field()
    received_at: datetime = ts_field(default_now=True)
