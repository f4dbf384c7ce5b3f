"""The transactional outbox and the sent-e-mail markers (architecture decision 6).

- :class:`OutboxEntry`: one row per side effect a change must cause (ticket PDFs and e-mails,
  invitation e-mails, stats signals, later outbound webhooks), written in the same transaction as
  the change; drained by :func:`voelgoed.services.platform.outbox.drain_outbox`. ``payload`` holds ids only.
- :class:`SentEmail`: one row per e-mail that went out, keyed by a unique ``dedupe_key``
  (e.g. ``order:<id>:confirmation``), written after SMTP accepted the message so a retried job
  does not send it again.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from .base import id_field, json_field, org_field, ts_field


class OutboxStatus(StrEnum):
    pending = "pending"  # due at next_attempt_at (also while claimed: the claim pushes next_attempt_at = lease end)
    done = "done"
    dead = "dead"  # failed MAX_ATTEMPTS times; shown to the organiser, retried only by hand


class OutboxEntry(SQLModel, table=True):
    __table_args__ = (Index("ix_outboxentry_status_next_attempt_at", "status", "next_attempt_at"),)

    id: uuid.UUID = id_field()
    organization_id: uuid.UUID = org_field()
    topic: str = Field(max_length=60, description="e.g. order.paid, ticket.voided, tickets.resend, invitation.created")
    payload: dict = json_field()
    status: str = Field(default=OutboxStatus.pending.value, max_length=10)
    attempts: int = Field(default=0)
    next_attempt_at: datetime = ts_field(default_now=True)
    last_error: str = Field(default="", max_length=300)
    created_at: datetime = ts_field(default_now=True)
    processed_at: datetime | None = ts_field()


class SentEmail(SQLModel, table=True):
    id: uuid.UUID = id_field()
    organization_id: uuid.UUID = org_field()
    dedupe_key: str = Field(max_length=160, unique=True)
    to: str = Field(default="", max_length=320)
    message_id: str = Field(default="", max_length=200)
    sent_at: datetime = ts_field(default_now=True)
