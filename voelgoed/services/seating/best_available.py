"""Best available (issue 12): quantity + category (optionally a section, or wheelchair seats) → seats, held.

The ladder (``../shared/docs/seating.md``, after seats.io), first step that finds seats wins:

1. ``row_no_gap`` — adjacent seats in one row, leaving no isolated seat, nearest the focal point;
2. ``row`` — adjacent seats in one row, an isolated seat allowed;
3. ``nearest`` — the N free seats nearest to each other around the best free seat (any rows);
4. with a ``section`` that had nothing: steps 1–3 across all sections (``step`` gets ``other_section:`` in front);
5. ``table`` — a whole table of the category with room for the party (its every seat held; the party pays for
   the table), then 6. ``standing`` — ``quantity`` places of a standing area of the category: chosen under the
   row locks and held in that same transaction (:mod:`voelgoed.services.seating.best_places`; not with
   ``accessible``);
7. refuse: 409 ``sold_out`` (``details.category``).

Categories are a hard filter. Candidates are ranked by the distance of the block's centre to the focal point
(the layout's ``focal_point``; else the top centre of the seats); blocks within one seat pitch of the best
are shuffled (``rng``), so simultaneous buyers don't all try the same "best" block. The chosen block is held
through :func:`voelgoed.services.seating.seat_holds.place` — sorted-key conditional updates under the row
locks decide; a block someone else took meanwhile is refused there, rolled back, and the next candidate
(from a fresh read, at most ``ATTEMPTS`` blocks) is tried. Returns the hold dict plus ``step``. The seat
search itself is :mod:`voelgoed.services.seating.seat_search` (cached geometry, one read of the taken seats,
linear in the seats: an 18,000-seat event costs milliseconds, not seconds).

Errors: 422 ``validation_failed`` (quantity, unknown category), 409 ``over_cap``, ``sold_out``, 404, 503 ``busy``.
"""

from __future__ import annotations

import random
from datetime import datetime
from typing import Any

from sqlmodel import Session

from voelgoed.models import SeatingPlanVersion
from voelgoed.services.platform import ValidationFailed, VoelgoedError, clock
from voelgoed.services.sales import seat_keeper, stock
from voelgoed.services.seating import best_places, event_seats, seat_holds, seat_search

ATTEMPTS = 8
_RETRY = (seat_keeper.SEAT_HELD, seat_keeper.SEAT_SOLD, seat_keeper.SEAT_BLOCKED, stock.AREA_FULL)


def best_available(session: Session, *, event_slug: str, quantity: Any, category: Any, section: Any = None,
                   accessible: bool = False, client_address: str = "", now: datetime | None = None,
                   rng: random.Random | None = None) -> dict[str, Any]:
    """Choose and hold ``quantity`` places of ``category`` (seats, else a whole table, else standing places);
    commits; ``{...hold, step}`` (see module docstring; a table's seats are in ``seats``, its key in ``tables``,
    standing places in ``areas``)."""
    now = clock.resolve(now)
    rng = rng or random.Random()
    event, settings = event_seats.seated_event(session, event_slug)
    event_seats.on_sale(event, now)
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
        raise ValidationFailed({"quantity": "A whole number of seats, at least 1"})
    if quantity > settings.max_per_order:
        raise VoelgoedError(seat_keeper.OVER_CAP, f"At most {settings.max_per_order} seats per order",
                            {"max_per_order": settings.max_per_order}, status=409)
    if not isinstance(category, str) or category not in settings.category_types:
        raise ValidationFailed({"category": "Choose one of the event's seat categories"})
    geo = seat_search.geometry(session, event.id, settings.version_id)
    rows = (geo.accessible_rows if accessible else geo.rows).get(category, [])
    focal = seat_search.focal_of(geo, rows)
    scope = section if isinstance(section, str) and section else None
    tried: set[tuple[str, ...]] = set()
    for _ in range(ATTEMPTS):
        found = seat_search.choose(rows, seat_search.taken_keys(session, event.id, now), quantity, scope, focal,
                                   rng, tried)
        try:
            if found is None:
                session.rollback()
                out = None if accessible else best_places.tables_then_standing(
                    session, event, settings, session.get(SeatingPlanVersion, settings.version_id).layout,
                    quantity=quantity, category=category, focal=focal, client_address=client_address, now=now,
                    rng=rng)
                if out is None:
                    raise VoelgoedError("sold_out", f"No {quantity} places left together or apart in this category",
                                        {"category": category}, status=409)
                return out
            step, keys = found
            tried.add(tuple(sorted(keys)))
            known = event_seats.seat_rows(session, event.id, keys)
            session.rollback()  # end the read transaction: the hold starts fresh
            if len(known) != len(keys):  # the plan changed under this request: choose again
                continue
            block = [known[k] for k in sorted(keys)]
            out = seat_holds.place(session, event, settings, block, client_address=client_address, now=now,
                                   check_isolated=False)
        except VoelgoedError as exc:
            if exc.code in _RETRY:
                continue
            raise
        out["step"] = step
        return out
    raise VoelgoedError("busy", "Seats are in high demand right now; please try again", status=503)
