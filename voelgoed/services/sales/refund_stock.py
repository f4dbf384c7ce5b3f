"""Refunded tickets back on sale — refunds change stock only through :mod:`voelgoed.services.sales.stock`.

``return_refunded_tickets(session, *, event_id, per_type)`` is what the refund and cancellation code
calls; it hands the tickets to :func:`stock.release_sold` (sold → available, ticket types in ascending id,
then the event capacity), in the caller's transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlmodel import Session

from voelgoed.services.sales import seat_keeper, stock


def return_refunded_tickets(session: Session, *, event_id: uuid.UUID, per_type: dict[uuid.UUID, int],
                            seats: Sequence[tuple[uuid.UUID, uuid.UUID]] = (),
                            areas: Sequence[tuple[uuid.UUID, uuid.UUID, int]] = ()) -> None:
    """Put ``per_type`` (ticket type id → refunded tickets that were sold) and ``seats`` (``(ticket type id,
    event seat id)`` of refunded seated tickets) and ``areas`` (``(ticket type id, event_area id, places)`` of
refunded standing tickets) back on sale; no commit.
    Raises :class:`ValueError` (from the stock owner) when a counter would go below zero or a seat was not
    sold — the caller's data is wrong and its transaction must roll back."""
    lines = stock.lines_of({tid: n for tid, n in per_type.items() if int(n) > 0})
    lines += seat_keeper.area_lines(session, areas)
    lines += seat_keeper.seat_lines(session, seats)
    if lines:
        stock.release_sold(session, event_id, lines)
