"""Export jobs: a file of an event's orders, tickets, check-ins or refunds written in the background (issue 13, item 5)."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from .base import id_field, org_field, ts_field


class ExportStatus(StrEnum):
    queued = "queued"
    running = "running"
    done = "done"
    failed = "failed"


class ExportJob(SQLModel, table=True):
    """One requested export. ``rows_done`` / ``rows_total`` are the progress the page polls; ``file_path`` is
    relative to the media directory and set when ``status`` is ``done``."""

    id: uuid.UUID = id_field()
    organization_id: uuid.UUID = org_field()
    event_id: uuid.UUID = Field(foreign_key="event.id", index=True)
    kind: str = Field(max_length=20, description="orders | tickets | checkins | refunds")
    format: str = Field(default="csv", max_length=8, description="csv | xlsx")
    status: str = Field(default=ExportStatus.queued.value, max_length=20, index=True)
    rows_total: int = 0
    rows_done: int = 0
    file_path: str = Field(default="", max_length=400)
    error: str = Field(default="", max_length=300)
    requested_by: str = Field(default="", max_length=64, description="actor id (user or API key)")
    created_at: datetime = ts_field(default_now=True)
    started_at: datetime | None = ts_field()
    finished_at: datetime | None = ts_field()
