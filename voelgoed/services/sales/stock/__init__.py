"""Stock: the ONLY code that reads availability or changes ``sold_count`` / ``held_count`` (ticket types and the
event capacity). Holds, checkout, late payment, expiry/reclaim, the storefront, stats and capacity edits call
these functions; ``tests/test_architecture.py`` fails on a counter write or an availability formula anywhere
else. See docs/architecture.md, "Stock".

The interface (no function commits; the caller owns the transaction and rolls back on :class:`Short`):

- ``reserve(session, event_id, lines)`` — available → held, all lines or none; raises :class:`Short` with a
  typed ``reason`` (``ticket_type``, ``event_capacity``; seats: ``seat_taken``, ``seat_blocked``);
- ``release(session, event_id, lines)`` — held → available (hold released, expired, payment failed);
- ``sell(session, event_id, lines, *, from_held)`` — held → sold, or (``from_held=False``: a late payment
  whose hold was reclaimed) available → sold, all or none → bool;
- ``release_sold(session, event_id, lines)`` — sold → available (refunded or cancelled tickets back on sale);
- ``available(session, event, now)`` — live availability ``{"types": {id: n}, "event": n | None}``;
  ``type_figures`` (stats), ``counter_available(tt)`` (the organiser's ticket type row);
- ``reserve_with_hold(conn, hold, ticket_type_id, quantity, unit_price_cents, audit_params)`` — the PostgreSQL
  one-statement GA hold (:mod:`.ga_fast`); ``reclaim_lapsed_holds(session, event_id, now)`` (:mod:`.reclaim`);
- capacity edits: ``lock_types``, ``flag_capacity``, ``set_event_counters``, ``committed_total``,
  ``new_type_flags`` (a ticket type's stock columns at creation) (:mod:`.ga`).

``lines`` are :class:`Line` (``ticket_type_id``, ``quantity``, ``seat_key``). Lines without a seat key go
to the general-admission keeper (:data:`.ga.GA`); lines with one go to the keeper registered for ``"seat"``
with :func:`register_keeper` (issue 12; until then they are refused with 409 ``seating_unavailable``).
Lines with an ``area_key`` (places of a standing area of a seated event) go to :data:`.area.AREAS`.
Lock order: ticket type rows (ascending id) → event row → event_area rows (ascending area key) → seat rows
(ascending seat key).

Hot rows (:mod:`.hot_row`): the one-statement hold runs inside a per-process admission gate per ticket type
row (``hot_row.admission(key)``, at most ``HOLD_GATE_PER_ROW`` at once, FIFO) and a sold-out ticket type is
answered from a short per-process memo that never outlives the earliest live hold's expiry; a seat keeper
uses the same ``admission`` / ``sold_out`` / ``remember_sold_out`` / ``forget`` with its own keys.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from voelgoed.services.platform import VoelgoedError
from voelgoed.services.sales.stock import area, ga, ga_fast, hot_row, reads, reclaim
from voelgoed.services.sales.stock.area import AREA_FULL, AREA_UNKNOWN, AREAS, AreaKeeper, area_remaining
from voelgoed.services.sales.stock.base import (
    EVENT_CAPACITY,
    SEAT_BLOCKED,
    SEAT_TAKEN,
    TICKET_TYPE,
    FastPathIneligible,
    Keeper,
    Line,
    Short,
    lines_of,
    per_type,
)
from voelgoed.services.sales.stock.ga import (
    GA,
    committed_total,
    counter_available,
    flag_capacity,
    lock_types,
    new_type_flags,
    set_event_counters,
)
from voelgoed.services.sales.stock.ga_fast import reserve_with_hold
from voelgoed.services.sales.stock.reads import LIVE_HOLD_STATUSES, available, type_figures
from voelgoed.services.sales.stock.reclaim import reclaim_lapsed_holds

_KEEPERS: dict[str, Keeper] = {"ga": GA}


def register_keeper(kind: str, keeper: Keeper) -> None:
    """The extension point: ``register_keeper("seat", SeatKeeper())`` makes seated lines reservable."""
    _KEEPERS[kind] = keeper


def _split(lines: Sequence[Line]) -> list[tuple[Keeper, list[Line]]]:
    """GA lines first (ticket types → event), then standing-area lines (area keys ascending), then seated
    lines (seat keys ascending)."""
    plain = [ln for ln in lines if ln.seat_key is None and ln.area_key is None]
    areas = sorted((ln for ln in lines if ln.area_key is not None), key=lambda ln: ln.area_key)
    seated = sorted((ln for ln in lines if ln.seat_key is not None), key=lambda ln: ln.seat_key)
    out: list[tuple[Keeper, list[Line]]] = [(GA, plain)] if plain else []
    if areas:
        out.append((AREAS, areas))
    if seated:
        keeper = _KEEPERS.get("seat")
        if keeper is None:
            raise VoelgoedError("seating_unavailable", "Seated tickets are not available yet", status=409)
        out.append((keeper, seated))
    return out


def reserve(session, event_id: uuid.UUID, lines: Sequence[Line]) -> None:
    """available → held for every line, or :class:`Short` (nothing kept once the caller rolls back)."""
    for keeper, part in _split(lines):
        keeper.reserve(session, event_id, part)


def release(session, event_id: uuid.UUID, lines: Sequence[Line]) -> None:
    """held → available."""
    for keeper, part in _split(lines):
        keeper.release(session, event_id, part)


def sell(session, event_id: uuid.UUID, lines: Sequence[Line], *, from_held: bool) -> bool:
    """held → sold (``from_held``), else available → sold; False (nothing changed) when not possible."""
    nested = None if from_held else session.begin_nested()
    for keeper, part in _split(lines):
        if not keeper.sell(session, event_id, part, from_held=from_held):
            if nested is not None:
                nested.rollback()
            return False
    if nested is not None:
        nested.commit()
    return True


def release_sold(session, event_id: uuid.UUID, lines: Sequence[Line]) -> None:
    """sold → available: refunded or cancelled tickets go back on sale (for refunds/cancellations)."""
    for keeper, part in _split(lines):
        keeper.release_sold(session, event_id, part)


__all__ = [
    "AREAS",
    "AREA_FULL",
    "AREA_UNKNOWN",
    "AreaKeeper",
    "EVENT_CAPACITY",
    "GA",
    "LIVE_HOLD_STATUSES",
    "SEAT_BLOCKED",
    "SEAT_TAKEN",
    "TICKET_TYPE",
    "FastPathIneligible",
    "Keeper",
    "Line",
    "Short",
    "area",
    "area_remaining",
    "available",
    "committed_total",
    "counter_available",
    "flag_capacity",
    "ga",
    "ga_fast",
    "hot_row",
    "lines_of",
    "lock_types",
    "new_type_flags",
    "per_type",
    "reads",
    "reclaim",
    "reclaim_lapsed_holds",
    "register_keeper",
    "release",
    "release_sold",
    "reserve",
    "reserve_with_hold",
    "sell",
    "set_event_counters",
    "type_figures",
]
