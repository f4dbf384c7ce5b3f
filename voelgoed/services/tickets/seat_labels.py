"""The seat a ticket is for, as people read it (issue 12, "Tickets carry the seat").

How a seated ticket references its seat (one rule everywhere): ``Ticket.seat_id`` = ``OrderItem.seat_id`` =
``HoldItem.seat_id`` = the id of the event's :class:`~voelgoed.models.EventSeat` row (never a
:class:`~voelgoed.models.SeatingSeat` of a plan version, never a label). The event seat row survives a change
of plan version while its seat key stays (``seating.sync_event_seats`` keeps the row and takes the new labels),
so the *current* labels are always read from it; the signed QR (``VG2:``) carries the labels of the moment it
was signed. A general-admission ticket has ``seat_id`` None and no seat anywhere.

- :class:`SeatLabels` ``(section, row, seat)`` — display strings ("" when the plan has none), ``as_dict()``
  → ``{section, row, seat, label}`` (the JSON shape of every ``seat`` field: manifest, scan answers, buyer
  order API and page), ``label`` the one-line text, e.g. ``"Section Stalls · Row A · Seat 4"``.
- :func:`labels_for` ``(session, seat_ids) -> {seat id: SeatLabels}`` — one indexed query (primary keys);
  ids without a row (a GA ticket, a seat removed after a refund) are simply absent.
- :func:`seat_dict` ``(labels | None) -> dict | None`` — ``None`` for a ticket without a seat.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import Session

from voelgoed.models import EventSeat

_SEAT = EventSeat.__table__


@dataclass(frozen=True)
class SeatLabels:
    """Section, row and seat labels of one seat (plain text; any may be empty)."""

    section: str = ""
    row: str = ""
    seat: str = ""

    @property
    def label(self) -> str:
        """One line for people: ``Section Stalls · Row A · Seat 4`` (empty parts left out)."""
        parts = [f"{name} {value}" for name, value in (("Section", self.section), ("Row", self.row),
                                                        ("Seat", self.seat)) if value]
        return " · ".join(parts)

    @property
    def short(self) -> str:
        """Compact form for narrow places (scanner history, e-mail list): ``Stalls · A · 4``."""
        return " · ".join(v for v in (self.section, self.row, self.seat) if v)

    def is_empty(self) -> bool:
        return not (self.section or self.row or self.seat)

    def as_dict(self) -> dict[str, str]:
        """``{section, row, seat, label}`` — the JSON shape of a ticket's ``seat`` field."""
        return {"section": self.section, "row": self.row, "seat": self.seat, "label": self.label}


def labels_for(session: Session, seat_ids: Iterable[uuid.UUID | None]) -> dict[uuid.UUID, SeatLabels]:
    """``{event seat id: SeatLabels}`` for the given ids (``None`` ignored); one query, none when no ids."""
    ids = sorted({s for s in seat_ids if s is not None}, key=str)
    if not ids:
        return {}
    rows = session.execute(select(_SEAT.c.id, _SEAT.c.section_label, _SEAT.c.row_label, _SEAT.c.seat_label)
                           .where(_SEAT.c.id.in_(ids))).all()
    return {r.id: SeatLabels(r.section_label or "", r.row_label or "", r.seat_label or "") for r in rows}


def seat_dict(labels: SeatLabels | None) -> dict[str, str] | None:
    """The ``seat`` field of a ticket in JSON answers: ``{section, row, seat, label}`` or ``None``."""
    return None if labels is None else labels.as_dict()
