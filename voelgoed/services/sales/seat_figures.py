"""Seat figures of seated events (issue 12, item 4): sold / held / free / blocked by section and by ticket type.

Read-only counts of ``event_seat`` rows for the live dashboard and the reports (``insights``). The seat rows
are the one source of capacity of a seated ticket type (its GA counters stay 0), so these counts are what a
seated event has sold and has left. A held seat whose ``hold_expires_at <= now`` counts as **free** (expiry at
read time, like the seat keeper). Statuses other than free / held / sold (``blocked``, and any back-office
status such as an allocation) count as ``blocked``: not on public sale.

- :func:`section_figures` ``(session, event_ids, now=None) -> {event_id: [{section, sold, held, free,
  blocked, total}]}`` — one grouped query for all the events; sections by label; events without seats absent.
- :func:`seated_type_figures` ``(session, event_id, now=None) -> {ticket_type_id: {sold, held, free,
  blocked, total}}`` — per ticket type of the event's category map (``event_seating.category_types``), seats
  plus the places of standing areas of its categories (``stock.area_remaining``); ``{}`` for an event without
  seated sales. Four queries.
- :func:`seat_totals` ``(sections) -> {sold, held, free, blocked, total}`` — sums of a section list.
- :func:`sold_seats` ``(session, organization_id) -> int`` — sold seats over all the organisation's events.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import and_, case, func, select
from sqlmodel import Session

from voelgoed.models import EventSeat, EventSeating
from voelgoed.services.platform import as_uuid, clock
from voelgoed.services.sales import stock

_SEAT, _SETTINGS = EventSeat.__table__, EventSeating.__table__
KINDS = ("sold", "held", "free", "blocked")


def _live_status(now: datetime):
    """SQL: the seat's status at ``now`` folded into :data:`KINDS`."""
    return case((_SEAT.c.status == "sold", "sold"),
                (and_(_SEAT.c.status == "held", _SEAT.c.hold_expires_at > now), "held"),
                (_SEAT.c.status.in_(("free", "held")), "free"),
                else_="blocked")


def _empty() -> dict[str, int]:
    return {k: 0 for k in (*KINDS, "total")}


def _grouped(session: Session, by, where, now: datetime) -> list:
    status = _live_status(now).label("kind")
    return session.execute(select(*by, status, func.count()).where(where).group_by(*by, status)).all()


def section_figures(session: Session, event_ids: Iterable[uuid.UUID], now: datetime | None = None) -> dict[uuid.UUID, list[dict]]:
    """Per event: ``[{section, sold, held, free, blocked, total}]`` ordered by section label (counts of seats)."""
    ids = sorted({i for i in event_ids if i is not None}, key=str)
    if not ids:
        return {}
    now = clock.resolve(now)
    out: dict[uuid.UUID, dict[str, dict]] = {}
    for event_id, section, kind, n in _grouped(session, (_SEAT.c.event_id, _SEAT.c.section_label),
                                               _SEAT.c.event_id.in_(ids), now):
        row = out.setdefault(event_id, {}).setdefault(section or "", {"section": section or "", **_empty()})
        row[kind] += int(n)
        row["total"] += int(n)
    return {eid: [sections[k] for k in sorted(sections)] for eid, sections in out.items()}


def seated_type_figures(session: Session, event_id: uuid.UUID, now: datetime | None = None) -> dict[uuid.UUID, dict]:
    """Per seated ticket type of the event: ``{sold, held, free, blocked, total}`` (seats of its categories)."""
    cats = session.execute(select(_SETTINGS.c.category_types).where(_SETTINGS.c.event_id == event_id)).scalar()
    if not cats:
        return {}
    now = clock.resolve(now)
    types = {k: as_uuid(v) for k, v in cats.items() if as_uuid(v) is not None}
    out: dict[uuid.UUID, dict] = {tid: _empty() for tid in types.values()}
    for category, kind, n in _grouped(session, (_SEAT.c.category_key,), _SEAT.c.event_id == event_id, now):
        tid = types.get(category)
        if tid is None:
            continue
        out[tid][kind] += int(n)
        out[tid]["total"] += int(n)
    for fig in stock.area_remaining(session, event_id, now).values():  # standing places count like seats
        tid = types.get(fig["category"])
        if tid is not None:
            for kind, n in (("sold", fig["sold"]), ("held", fig["held"]), ("free", fig["remaining"]),
                            ("total", fig["sold"] + fig["held"] + fig["remaining"])):
                out[tid][kind] += n
    return out


def seat_totals(sections: Iterable[dict]) -> dict[str, int]:
    """Sums of :func:`section_figures` rows: ``{sold, held, free, blocked, total}``."""
    total = _empty()
    for s in sections:
        for k in total:
            total[k] += s[k]
    return total


def sold_seats(session: Session, organization_id: uuid.UUID) -> int:
    """Sold seats of every event of the organisation (one aggregate)."""
    return int(session.execute(select(func.count()).where(_SEAT.c.organization_id == organization_id,
                                                          _SEAT.c.status == "sold")).scalar() or 0)
