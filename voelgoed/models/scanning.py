"""Scanner devices and scans (every scan is recorded, rejected or not)."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from .base import id_field, org_field, ts_field


class ScanResult(StrEnum):
    accepted = "accepted"
    already_scanned = "already_scanned"
    invalid = "invalid"
    wrong_event = "wrong_event"
    revoked = "revoked"
    not_valid_now = "not_valid_now"
    duplicate_offline = "duplicate_offline"
    event_cancelled = "event_cancelled"


class Device(SQLModel, table=True):
    id: uuid.UUID = id_field()
    organization_id: uuid.UUID = org_field()
    event_id: uuid.UUID = Field(foreign_key="event.id", index=True)
    gate_id: uuid.UUID | None = Field(default=None, foreign_key="gate.id")
    name: str = Field(max_length=120)
    token_hash: str = Field(max_length=128, unique=True, index=True)
    pairing_code_hash: str | None = Field(default=None, max_length=128, index=True)
    pairing_expires_at: datetime | None = ts_field()
    created_at: datetime = ts_field(default_now=True)
    last_seen_at: datetime | None = ts_field()
    revoked_at: datetime | None = ts_field()
    # door-staff sign-in: the member who registered this phone (removing them revokes it); None for organiser-made devices
    registered_by_user_id: uuid.UUID | None = Field(default=None, foreign_key="user.id", index=True)


class Scan(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("device_id", "client_scan_id"),
                      Index("ix_scan_org_updated", "organization_id", "updated_at", "id"))  # read API cursor order
    id: uuid.UUID = id_field()
    organization_id: uuid.UUID = org_field()
    event_id: uuid.UUID = Field(foreign_key="event.id", index=True)
    device_id: uuid.UUID = Field(foreign_key="device.id", index=True)
    ticket_id: uuid.UUID | None = Field(default=None, foreign_key="ticket.id", index=True)
    client_scan_id: str = Field(max_length=64)
    gate_code: str | None = Field(default=None, max_length=32)
    qr_excerpt: str = Field(default="", max_length=200)
    result: str = Field(max_length=24, index=True)
    local_result: str | None = Field(default=None, max_length=24)
    offline: bool = False
    scanned_at: datetime = ts_field(nullable=False, index=True)
    received_at: datetime = ts_field(default_now=True)
    updated_at: datetime = ts_field(default_now=True)  # received, or re-labelled duplicate_offline (readapi_0003)
