"""Outbound webhooks (issue 14, Standard Webhooks): endpoints, one delivery row per (endpoint, message), attempts.

- :class:`WebhookEndpoint`: an organisation's receiver URL, the event types it wants, enabled or not,
  its signing secret (``whsec_…``, stored encrypted with a key derived from ``SECRET_KEY``) and, during
  a rotation's overlap window, the previous secret (both signatures are sent until it expires).
- :class:`EndpointDelivery`: one message for one endpoint (``message_id`` = the ``webhook-id`` header,
  stable across retries and redeliveries; unique per endpoint, so fanning out twice adds nothing). ``body``
  is the exact JSON sent. Delivered per endpoint in order per object (``object_key``, ``occurred_at``, ``rank``).
- :class:`DeliveryAttempt`: every HTTP attempt: status code, latency, an excerpt of the answer, the error.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from .base import id_field, org_field, ts_field


class DeliveryStatus(StrEnum):
    pending = "pending"  # due at next_attempt_at; in flight while locked_until > now
    delivered = "delivered"
    dead = "dead"  # retry schedule exhausted (about 24 h); "retry all" puts it back
    cancelled = "cancelled"  # its endpoint was deleted


class WebhookEndpoint(SQLModel, table=True):
    id: uuid.UUID = id_field()
    organization_id: uuid.UUID = org_field()
    url: str = Field(max_length=2000)
    description: str = Field(default="", max_length=200)
    event_types: list = Field(default_factory=list, sa_type=JSON)
    enabled: bool = Field(default=True)
    disabled_reason: str = Field(default="", max_length=300)
    secret_enc: str = Field(max_length=400, description="AES-GCM of the whsec_ secret (key derived from SECRET_KEY)")
    previous_secret_enc: str = Field(default="", max_length=400)
    previous_secret_expires_at: datetime | None = ts_field()
    failing_since: datetime | None = ts_field()  # first failed attempt since the last success
    created_at: datetime = ts_field(default_now=True)
    updated_at: datetime = ts_field(default_now=True)
    deleted_at: datetime | None = ts_field()


class EndpointDelivery(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("endpoint_id", "message_id", name="uq_endpointdelivery_endpoint_message"),
        Index("ix_endpointdelivery_status_next_attempt_at", "status", "next_attempt_at"),
        Index("ix_endpointdelivery_endpoint_object", "endpoint_id", "object_key", "occurred_at"),
    )

    id: uuid.UUID = id_field()
    organization_id: uuid.UUID = org_field()
    endpoint_id: uuid.UUID = Field(foreign_key="webhookendpoint.id", index=True)
    message_id: str = Field(max_length=80)
    event_type: str = Field(max_length=60)
    object_key: str = Field(max_length=80, description="e.g. order:<id>; deliveries of one object go in order")
    occurred_at: datetime = ts_field(default_now=True)
    rank: int = Field(default=0, description="lifecycle order of event types at the same occurred_at")
    body: str = Field(sa_type=Text)
    status: str = Field(default=DeliveryStatus.pending.value, max_length=10)
    attempts: int = Field(default=0)
    next_attempt_at: datetime = ts_field(default_now=True)
    locked_until: datetime | None = ts_field()
    last_status_code: int | None = Field(default=None)
    last_error: str = Field(default="", max_length=300)
    delivered_at: datetime | None = ts_field()
    created_at: datetime = ts_field(default_now=True, index=True)


class DeliveryAttempt(SQLModel, table=True):
    id: uuid.UUID = id_field()
    organization_id: uuid.UUID = org_field()
    delivery_id: uuid.UUID = Field(foreign_key="endpointdelivery.id", index=True)
    endpoint_id: uuid.UUID = Field(foreign_key="webhookendpoint.id", index=True)
    attempted_at: datetime = ts_field(default_now=True)
    status_code: int | None = Field(default=None)
    latency_ms: int = Field(default=0)
    response_excerpt: str = Field(default="", max_length=500)
    error: str = Field(default="", max_length=300)
    success: bool = Field(default=False)
