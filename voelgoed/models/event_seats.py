"""Seated events (issue 12): the seat inventory of one event, materialised when a published plan version is
attached (locking rows that do not exist yet is a classic race, so every seat has its row up front).

- :class:`EventSeating` — one row per seated event: the attached version, the category → ticket type map
  (price comes from the ticket type), the isolated-seat rule, the caps, and ``seq``: the sequence number of
  the last committed seat change (bumped once per changing transaction, as its last lock, so sequence order
  is commit order for the changes feed).
- :class:`EventSeat` — one row per seat of the event: ``status`` free / held / sold / blocked / allocated
  (kept back for a named purpose — ``allocation``, e.g. "Sponsor", "Press" —, sold only at the box office), the hold that
  holds it and until when (``hold_expires_at``: a held seat whose hold lapsed is free at read time), the
  order that bought it, ``version`` (bumped on every change) and ``seq`` (the transaction's sequence number).
  Labels and position are copied from the immutable :class:`~voelgoed.models.seating.SeatingSeat` rows.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from .base import id_field, org_field, ts_field


class EventSeating(SQLModel, table=True):
    __tablename__ = "event_seating"
    event_id: uuid.UUID = Field(foreign_key="event.id", primary_key=True)
    organization_id: uuid.UUID = org_field()
    version_id: uuid.UUID = Field(foreign_key="seating_plan_version.id", index=True)
    category_types: dict[str, Any] = Field(default_factory=dict, sa_type=JSON,
                                           description="category key → ticket type id (str)")
    isolated_rule: str = Field(default="lenient", max_length=10, description="strict | lenient | off")
    max_per_order: int = 10
    max_per_buyer: int = 10
    seq: int = 0
    created_at: datetime = ts_field(default_now=True)


class EventSeat(SQLModel, table=True):
    __tablename__ = "event_seat"
    __table_args__ = (UniqueConstraint("event_id", "seat_key"), Index("ix_event_seat_event_seq", "event_id", "seq"),
                      Index("ix_event_seat_event_row", "event_id", "section_label", "row_label"))
    id: uuid.UUID = id_field()
    organization_id: uuid.UUID = org_field()
    event_id: uuid.UUID = Field(foreign_key="event.id", index=True)
    seat_key: str = Field(max_length=64)
    category_key: str = Field(default="", max_length=64)
    section_label: str = Field(default="", max_length=40)
    row_label: str = Field(default="", max_length=40)
    seat_label: str = Field(default="", max_length=40)
    table_key: str | None = Field(default=None, max_length=64)
    wheelchair: bool = False
    companion: bool = False
    restricted_view: bool = False
    x: float = 0.0
    y: float = 0.0
    status: str = Field(default="free", max_length=10)
    allocation: str | None = Field(default=None, max_length=40, description="what an allocated seat is kept for")
    hold_id: uuid.UUID | None = Field(default=None, index=True)
    hold_expires_at: datetime | None = ts_field()
    order_id: uuid.UUID | None = Field(default=None)
    version: int = 0
    seq: int = 0


class EventArea(SQLModel, table=True):
    """A bookable unit of a seated event that is not one seat (seated GA, issue 12 item 1), copied from the
    version's :class:`~voelgoed.models.seating.SeatingArea` rows at configure time and on a version change:

    - ``kind='standing'``: a standing area, a pool of ``capacity`` places priced by its category's ticket type.
      ``sold_count`` = places sold (only the stock owner, ``sales/stock/area.py``, writes it). Places held are
      not stored: they are the live holds' items (``HoldItem.area_id``, hold ``active``/``converted`` and
      ``expires_at > now``), so a lapsed hold frees its places at read time, as a lapsed seat hold does.
    - ``kind='table'``: a table sold whole (``capacity`` = its seats); its seats are ordinary ``event_seat``
      rows (``table_key`` = ``area_key``) held and sold all together; ``sold_count`` stays 0.
    """

    __tablename__ = "event_area"
    __table_args__ = (UniqueConstraint("event_id", "area_key"),)
    id: uuid.UUID = id_field()
    organization_id: uuid.UUID = org_field()
    event_id: uuid.UUID = Field(foreign_key="event.id", index=True)
    area_key: str = Field(max_length=64)
    kind: str = Field(default="standing", max_length=16, description="standing | table")
    label: str = Field(default="", max_length=40)
    category_key: str = Field(default="", max_length=64)
    capacity: int = 0
    sold_count: int = 0
