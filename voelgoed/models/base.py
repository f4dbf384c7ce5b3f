"""Shared column helpers: UUID keys, UTC-aware timestamps, JSON columns."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime
from sqlmodel import Field


def utcnow() -> datetime:
    return datetime.now(UTC)


def id_field() -> Any:
    return Field(default_factory=uuid.uuid4, primary_key=True)


def ts_field(*, nullable: bool = True, index: bool = False, default_now: bool = False) -> Any:
    """A timezone-aware UTC timestamp column."""
    kwargs: dict[str, Any] = {"sa_type": DateTime(timezone=True), "index": index}
    if default_now:
        return Field(default_factory=utcnow, nullable=False, **kwargs)
    return Field(default=None, nullable=nullable, **kwargs)


def json_field() -> Any:
    return Field(default_factory=dict, sa_type=JSON)


def org_field() -> Any:
    """`organization_id`: present and indexed on every tenant-owned table (row-based tenancy)."""
    return Field(foreign_key="organization.id", index=True, nullable=False)
