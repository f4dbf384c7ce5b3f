"""Rows of an event's seats and the isolated-seat rule (pure functions over seat rows; issue 12).

A **row** is the seats sharing ``(section_label, row_label, table_key)``, ordered left to right by ``x``
(then ``y``, then key); two seats are adjacent when they are next to each other in that order.

An **isolated seat** is a free seat left alone: both neighbours taken (held, sold, blocked) or the row's
end. The rule per event (``event_seating.isolated_rule``):

- ``strict``: a selection may not leave any *new* isolated seat in the rows it touches;
- ``lenient`` (default): only a single free seat *between two taken seats* is refused (a single seat at the
  row's end, by the aisle, is allowed — Spektrix advises against strict near sell-out);
- ``off``: no check.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any


def row_id(seat: Any) -> tuple[str, str, str]:
    return (seat.section_label, seat.row_label, seat.table_key or "")


def rows_of(seats: Iterable[Any]) -> dict[tuple[str, str, str], list[Any]]:
    """Seats grouped by row, each row ordered left to right."""
    rows: dict[tuple[str, str, str], list[Any]] = defaultdict(list)
    for s in seats:
        rows[row_id(s)].append(s)
    for row in rows.values():
        row.sort(key=lambda s: (s.x, s.y, s.seat_key))
    return dict(rows)


def isolated(free: Sequence[bool], *, lenient: bool) -> set[int]:
    """Indexes of isolated free seats in a row given as ``free`` flags left to right."""
    out = set()
    n = len(free)
    for i, f in enumerate(free):
        if not f:
            continue
        left_taken = i == 0 or not free[i - 1]
        right_taken = i == n - 1 or not free[i + 1]
        if left_taken and right_taken:
            at_end = i == 0 or i == n - 1
            if lenient and at_end:
                continue
            if n == 1:
                continue  # a row of one seat is not "left alone"
            out.add(i)
    return out


def new_isolated(row: Sequence[Any], free_before: Sequence[bool], taking: set[str], rule: str) -> list[str]:
    """Seat keys of ``row`` that taking ``taking`` would newly leave isolated under ``rule``."""
    if rule == "off":
        return []
    lenient = rule == "lenient"
    after = [f and s.seat_key not in taking for s, f in zip(row, free_before, strict=True)]
    before = isolated(free_before, lenient=lenient)
    return [row[i].seat_key for i in sorted(isolated(after, lenient=lenient) - before)]
