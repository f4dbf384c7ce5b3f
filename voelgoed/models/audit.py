"""The audit log: one row per state change, written in the same transaction."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlmodel import Field, SQLModel

from .base import id_field, json_field, ts_field


class AuditLog(SQLModel, table=True):
    id: uuid.UUID = id_field()
    organization_id: uuid.UUID | None = Field(default=None, foreign_key="organization.id", index=True)
    actor_type: str = Field(max_length=20, description="user | api_key | device | system | buyer | provider")
    actor_id: str = Field(default="", max_length=64)
    action: str = Field(max_length=80, index=True, description="e.g. order.paid")
    target_type: str = Field(default="", max_length=40)
    target_id: str = Field(default="", max_length=64, index=True)
    data: dict = json_field()
    created_at: datetime = ts_field(default_now=True, index=True)
