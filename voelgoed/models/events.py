"""Events (lifecycle draft → published → live → ended → archived, or cancelled), signing keys."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from .base import id_field, org_field, ts_field


class EventStatus(StrEnum):
    draft = "draft"
    published = "published"
    live = "live"
    ended = "ended"
    archived = "archived"
    cancelled = "cancelled"


class Event(SQLModel, table=True):
    # read API: (updated_at, id) cursor order per organisation (readapi_0003)
    __table_args__ = (Index("ix_event_org_updated", "organization_id", "updated_at", "id"),)
    id: uuid.UUID = id_field()
    organization_id: uuid.UUID = org_field()
    venue_id: uuid.UUID = Field(foreign_key="venue.id", index=True)
    name: str = Field(max_length=200)
    slug: str = Field(max_length=120, unique=True, index=True, description="public URL /e/<slug>")
    description: str = Field(default="", max_length=5000)
    status: str = Field(default=EventStatus.draft.value, max_length=20, index=True)
    starts_at: datetime = ts_field(nullable=False)
    ends_at: datetime = ts_field(nullable=False)
    sale_starts_at: datetime | None = ts_field()
    sale_ends_at: datetime | None = ts_field()
    currency: str = Field(default="ZAR", max_length=3)
    # optional capacity across all ticket types; counters kept in the hold/issue transactions
    capacity: int | None = None
    sold_count: int = 0
    held_count: int = 0
    # waiting room (flash sales)
    waiting_room_enabled: bool = False
    waiting_room_opens_at: datetime | None = ts_field()
    waiting_room_rate_per_minute: int = 600
    # payment provider for this event's sales (None: the organisation's, then the deployment's)
    payment_provider: str | None = Field(default=None, max_length=20)
    # assigned seating (issues 11, 12): the published seating-plan version this event sells; None = general admission
    seating_plan_version_id: uuid.UUID | None = Field(default=None, foreign_key="seating_plan_version.id", index=True)
    created_at: datetime = ts_field(default_now=True)
    updated_at: datetime = ts_field(default_now=True)
    published_at: datetime | None = ts_field()


class EventSigningKey(SQLModel, table=True):
    """An Ed25519 key pair per event; the private key is encrypted at rest with the app secret."""

    id: uuid.UUID = id_field()
    organization_id: uuid.UUID = org_field()
    event_id: uuid.UUID = Field(foreign_key="event.id", index=True)
    key_id: str = Field(max_length=16, index=True, description="short id carried in QR payloads")
    public_key: str = Field(max_length=128, description="base64url raw 32-byte public key")
    private_key_encrypted: str = Field(max_length=512)
    is_active: bool = True
    created_at: datetime = ts_field(default_now=True)
