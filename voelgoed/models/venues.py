"""Venues (with an IANA timezone) and their gates."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from .base import id_field, org_field, ts_field


class Venue(SQLModel, table=True):
    id: uuid.UUID = id_field()
    organization_id: uuid.UUID = org_field()
    name: str = Field(max_length=200)
    address: str = Field(default="", max_length=400)
    city: str = Field(default="", max_length=120)
    country: str = Field(default="ZA", max_length=2)
    timezone: str = Field(default="Africa/Johannesburg", max_length=64)
    capacity: int | None = None
    created_at: datetime = ts_field(default_now=True)
    archived_at: datetime | None = ts_field()


class Gate(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("venue_id", "gate_code"),)
    id: uuid.UUID = id_field()
    organization_id: uuid.UUID = org_field()
    venue_id: uuid.UUID = Field(foreign_key="venue.id", index=True)
    gate_code: str = Field(max_length=32)
    name: str = Field(max_length=120)
    created_at: datetime = ts_field(default_now=True)
    archived_at: datetime | None = ts_field()
