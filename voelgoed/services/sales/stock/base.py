"""The stock interface's types: a line of stock, the typed conflict, and what an implementation provides.

A **line** is ``Line(ticket_type_id, quantity, seat_key=None)``: general admission (GA) lines have no
``seat_key``; a seat implementation (issue 12) takes lines with one seat each (``quantity`` 1); the area
implementation (:mod:`.area`) takes ``area_key`` lines (``quantity`` places of a standing area).
Every operation is **all-or-nothing** inside the caller's transaction (the caller rolls back on
:class:`Short`) and takes its row locks in **sorted key order** (ticket types by ascending id, then the
event row; seats by ascending seat key), so two writers never deadlock on each other.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

# typed conflict reasons (Short.reason); the seat ones are for the seat implementation
TICKET_TYPE, EVENT_CAPACITY, SEAT_TAKEN, SEAT_BLOCKED = "ticket_type", "event_capacity", "seat_taken", "seat_blocked"


@dataclass(frozen=True)
class Line:
    """``quantity`` units of ``ticket_type_id``; ``seat_key`` set only for a seated line (quantity 1)."""

    ticket_type_id: uuid.UUID
    quantity: int
    seat_key: str | None = None
    hold_id: uuid.UUID | None = None  # seated lines: the hold that holds (or is to hold) the seat
    area_key: str | None = None  # a standing area of a seated event: ``quantity`` places of it (keeper "area")


class Short(Exception):
    """A reservation could not be made (nothing was changed that the caller's rollback doesn't undo).

    ``reason``: :data:`TICKET_TYPE` (not enough of ``ticket_type_id``), :data:`EVENT_CAPACITY` (the
    event's capacity is reached), :data:`SEAT_TAKEN` / :data:`SEAT_BLOCKED` (``key`` = the seat key)."""

    def __init__(self, reason: str, *, ticket_type_id: uuid.UUID | None = None, key: str | None = None):
        super().__init__(reason)
        self.reason, self.ticket_type_id, self.key = reason, ticket_type_id, key


class FastPathIneligible(Exception):
    """The one-statement fast path may not decide this hold (the event got a capacity): use the locked path."""


class Keeper(Protocol):
    """What a stock implementation provides (no commits; the caller owns the transaction).

    ``reserve``: available → held, or raise :class:`Short`; ``release``: held → available;
    ``sell``: held → sold (``from_held``) or available → sold (a late payment whose hold was reclaimed),
    False when no longer possible; ``release_sold``: sold → available (refunds, cancellations)."""

    kind: str

    def reserve(self, session, event_id: uuid.UUID, lines: Sequence[Line]) -> None: ...

    def release(self, session, event_id: uuid.UUID, lines: Sequence[Line]) -> None: ...

    def sell(self, session, event_id: uuid.UUID, lines: Sequence[Line], *, from_held: bool) -> bool: ...

    def release_sold(self, session, event_id: uuid.UUID, lines: Sequence[Line]) -> None: ...


def lines_of(per_type: Mapping[uuid.UUID, int] | Iterable[tuple[uuid.UUID, int]]) -> list[Line]:
    """``{ticket_type_id: quantity}`` (or pairs) → GA lines, merged and sorted by ticket type id."""
    merged: dict[uuid.UUID, int] = {}
    for tid, qty in (per_type.items() if isinstance(per_type, Mapping) else per_type):
        merged[tid] = merged.get(tid, 0) + int(qty)
    return [Line(tid, merged[tid]) for tid in sorted(merged, key=str) if merged[tid]]


def per_type(lines: Iterable[Line]) -> dict[uuid.UUID, int]:
    """Lines → ``{ticket_type_id: quantity}`` in ascending id order (the lock order)."""
    out: dict[uuid.UUID, int] = {}
    for line in sorted(lines, key=lambda ln: str(ln.ticket_type_id)):
        out[line.ticket_type_id] = out.get(line.ticket_type_id, 0) + line.quantity
    return out
