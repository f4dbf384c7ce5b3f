"""Seating plans: venue → plan (with one editable draft) → immutable published versions.

The layout document (JSON, schema in ``docs/seating-layout.schema.json``) is the source of truth of a
version; the relational rows (:class:`SeatingSeat`, :class:`SeatingCategory`, :class:`SeatingArea`) are
what queries need (best available, event seats, ticket types per category), written once at publish.
Version rows and their seat/category/area rows are never updated: the ORM refuses it (see the
``before_update`` guards at the bottom), and the services only insert them.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, UniqueConstraint, event
from sqlmodel import Field, SQLModel

from .base import id_field, org_field, ts_field


class SeatingPlan(SQLModel, table=True):
    """A venue's seating plan. ``draft_layout`` is the editable document; ``draft_revision`` counts saves
    (optimistic concurrency: a save from a stale tab is refused); ``latest_version`` is the number of the
    newest published version (0 = never published)."""

    __tablename__ = "seating_plan"
    id: uuid.UUID = id_field()
    organization_id: uuid.UUID = org_field()
    venue_id: uuid.UUID = Field(foreign_key="venue.id", index=True)
    name: str = Field(max_length=120)
    draft_layout: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    draft_revision: int = 0
    latest_version: int = 0
    created_at: datetime = ts_field(default_now=True)
    updated_at: datetime = ts_field(default_now=True)
    archived_at: datetime | None = ts_field()


class SeatingPlanVersion(SQLModel, table=True):
    """An immutable published version. ``layout_hash`` = SHA-256 of the canonical JSON (the ETag)."""

    __tablename__ = "seating_plan_version"
    __table_args__ = (UniqueConstraint("plan_id", "number"),)
    id: uuid.UUID = id_field()
    organization_id: uuid.UUID = org_field()
    plan_id: uuid.UUID = Field(foreign_key="seating_plan.id", index=True)
    number: int
    layout: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    layout_hash: str = Field(max_length=64)
    seat_count: int = 0
    standing_capacity: int = 0
    published_at: datetime = ts_field(default_now=True)
    published_by: str = Field(default="", max_length=80)


class SeatingSeat(SQLModel, table=True):
    """One seat of a version. ``seat_key`` is permanent (bookings refer to it, never to labels);
    ``table_key`` is set for seats around a table."""

    __tablename__ = "seating_seat"
    __table_args__ = (UniqueConstraint("version_id", "seat_key"),)
    id: uuid.UUID = id_field()
    organization_id: uuid.UUID = org_field()
    version_id: uuid.UUID = Field(foreign_key="seating_plan_version.id", index=True)
    seat_key: str = Field(max_length=64)
    section_label: str = Field(default="", max_length=40)
    row_label: str = Field(default="", max_length=40)
    seat_label: str = Field(default="", max_length=40)
    category_key: str = Field(default="", max_length=64)
    table_key: str | None = Field(default=None, max_length=64)
    wheelchair: bool = False
    companion: bool = False
    restricted_view: bool = False
    entrance: bool = False
    x: float = 0.0
    y: float = 0.0


class SeatingCategory(SQLModel, table=True):
    """A price category of a version (mapped to a seated ticket type per event)."""

    __tablename__ = "seating_category"
    __table_args__ = (UniqueConstraint("version_id", "key"),)
    id: uuid.UUID = id_field()
    organization_id: uuid.UUID = org_field()
    version_id: uuid.UUID = Field(foreign_key="seating_plan_version.id", index=True)
    key: str = Field(max_length=64)
    label: str = Field(max_length=80)
    color: str = Field(max_length=7)
    accessible: bool = False


class SeatingArea(SQLModel, table=True):
    """A bookable unit that is not one seat: a standing area (``kind='standing'``, ``capacity`` places) or a
    table sold whole (``kind='table'``, ``capacity`` = its seats)."""

    __tablename__ = "seating_area"
    __table_args__ = (UniqueConstraint("version_id", "area_key"),)
    id: uuid.UUID = id_field()
    organization_id: uuid.UUID = org_field()
    version_id: uuid.UUID = Field(foreign_key="seating_plan_version.id", index=True)
    area_key: str = Field(max_length=64)
    kind: str = Field(max_length=16)
    label: str = Field(default="", max_length=40)
    category_key: str = Field(default="", max_length=64)
    capacity: int = 0


def _refuse_update(_mapper, _connection, target) -> None:
    raise ValueError(f"{type(target).__name__} rows belong to a published seating version and never change")


for _model in (SeatingPlanVersion, SeatingSeat, SeatingCategory, SeatingArea):
    event.listen(_model, "before_update", _refuse_update)
