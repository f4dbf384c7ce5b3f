"""Allocations (issue 11 item 3): seats of one event kept back for a named purpose — a sponsor, the box
office, press, the artist — without touching the plan.

- ``allocate_seats(session, ctx, event_id=, seat_keys=, label=)``: free seats (or seats already allocated,
  which take the new label) → ``allocated`` with ``event_seat.allocation = label``. Held, sold and blocked
  seats are left alone and reported in ``skipped``.
- ``release_allocation(session, ctx, event_id=, seat_keys=)``: allocated → free (back on sale).

An allocated seat is **not sellable by buyers**: holds and best available need a free seat (the seat keeper's
conditional updates), so they answer ``seat_blocked``, and the public status snapshot lists it as blocked.
Only the box office (:mod:`voelgoed.services.seating.box_office`) sells it.

Seats are changed one at a time in ascending seat key with a conditional ``UPDATE … WHERE status …`` (the
lock order of every seat writer), then the changes feed sequence is bumped. Both need ``can_manage_events``
and commit; audit ``event.seats_allocated`` ``{label, count, seat_keys (≤ 50), skipped}`` /
``event.seats_released``. Returns ``{changed, skipped: [{key, status}]}`` (unknown keys: status ``unknown``).

Errors: 403 ``forbidden``, 404 ``not_found`` (event of another organisation), 409 ``not_seated``, 422
``validation_failed`` (``label``: 1–40 printable characters; ``seat_keys``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlmodel import Session

from voelgoed.models import EventSeat
from voelgoed.services.platform import TenantContext, ValidationFailed, audit, clock, rbac
from voelgoed.services.sales import seat_keeper
from voelgoed.services.seating import event_seats

SUGGESTED_LABELS = ("Sponsor", "Box office", "Press", "Artist", "Production", "House seats")
_SEAT = EventSeat.__table__


def clean_label(label: Any) -> str:
    """The allocation label trimmed; 422 ``validation_failed`` ``label`` unless 1–40 printable characters."""
    text = label.strip() if isinstance(label, str) else ""
    if not text or len(text) > 40 or any(ord(c) < 32 for c in text):
        raise ValidationFailed({"label": "Name what the seats are kept for (up to 40 characters), e.g. Sponsor"})
    return text


def _skipped(session: Session, event_id, keys: list[str], changed: set[str], now: datetime) -> list[dict[str, str]]:
    left = [k for k in keys if k not in changed]
    if not left:
        return []
    found = {r.seat_key: seat_keeper.live_status(r.status, r.hold_expires_at, now) for r in session.execute(
        select(_SEAT.c.seat_key, _SEAT.c.status, _SEAT.c.hold_expires_at).where(
            _SEAT.c.event_id == event_id, _SEAT.c.seat_key.in_(left))).all()}
    return [{"key": k, "status": found.get(k, "unknown")} for k in left]


def _change(session: Session, event_id, keys: list[str], allowed, values: dict) -> set[str]:
    changed_ids, changed_keys = [], set()
    for key in keys:  # ascending seat key, like every seat writer
        sid = session.execute(_SEAT.update().where(_SEAT.c.event_id == event_id, _SEAT.c.seat_key == key, allowed)
                              .values(**values, version=_SEAT.c.version + 1).returning(_SEAT.c.id)).scalar_one_or_none()
        if sid is not None:
            changed_ids.append(sid)
            changed_keys.add(key)
    if changed_ids:
        seat_keeper.bump_seq(session, event_id, changed_ids)
    return changed_keys


def allocate_seats(session: Session, ctx: TenantContext, *, event_id: Any, seat_keys: Any, label: Any,
                   now: datetime | None = None) -> dict[str, Any]:
    """Keep free (or re-label allocated) seats for ``label``; see the module docstring. Commits."""
    rbac.require(ctx, rbac.can_manage_events, "allocate seats")
    now = clock.resolve(now)
    event, _ = event_seats.seated_for_organiser(session, ctx, event_id)
    text = clean_label(label)
    keys = event_seats.parse_seat_keys(seat_keys)
    allowed = or_(seat_keeper.free_clause(now), _SEAT.c.status == seat_keeper.ALLOCATED)
    changed = _change(session, event.id, keys, allowed, {"status": seat_keeper.ALLOCATED, "allocation": text,
                                                         "hold_id": None, "hold_expires_at": None})
    skipped = _skipped(session, event.id, keys, changed, now)
    audit.record(session, ctx.actor, "event.seats_allocated", event,
                 {"label": text, "count": len(changed), "seat_keys": sorted(changed)[:50], "skipped": len(skipped)},
                 created_at=now)
    session.commit()
    return {"changed": len(changed), "skipped": skipped}


def release_allocation(session: Session, ctx: TenantContext, *, event_id: Any, seat_keys: Any,
                       now: datetime | None = None) -> dict[str, Any]:
    """Allocated seats → free (back on sale); see the module docstring. Commits."""
    rbac.require(ctx, rbac.can_manage_events, "release allocated seats")
    now = clock.resolve(now)
    event, _ = event_seats.seated_for_organiser(session, ctx, event_id)
    keys = event_seats.parse_seat_keys(seat_keys)
    changed = _change(session, event.id, keys, _SEAT.c.status == seat_keeper.ALLOCATED,
                      {"status": seat_keeper.FREE, "allocation": None})
    skipped = _skipped(session, event.id, keys, changed, now)
    audit.record(session, ctx.actor, "event.seats_released", event,
                 {"count": len(changed), "seat_keys": sorted(changed)[:50], "skipped": len(skipped)}, created_at=now)
    session.commit()
    return {"changed": len(changed), "skipped": skipped}
