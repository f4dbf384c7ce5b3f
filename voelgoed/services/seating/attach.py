"""Which published seating-plan version an event sells (``Event.seating_plan_version_id``), and the guard
that keeps sold and held seats from disappearing when it changes.

Rules (issue 11, "Attach to an event" and "Locking"; pretix refuses the same with "seat protected"):

- Only a published version (every :class:`~voelgoed.models.SeatingPlanVersion` is one; drafts cannot be
  attached) of a live plan at the **event's venue** may be attached; ``None`` detaches (general admission).
- A version is immutable, so an attached version is read-only by construction; the plan's draft stays
  editable and a new version must be attached explicitly.
- Changing or detaching the version is refused (409 ``seats_protected``) while any **sold or held** seat of
  the event would disappear, i.e. its seat key is not in the new version; ``details.seats`` lists them
  (``{key, label, status}``, at most 500; ``details.count`` = all). Seat keys are permanent, so a new
  version that only relabels or recolours sold seats may be attached.

Sold and held seats: the ``event_seat`` statuses of an event with seated sales (an
:class:`~voelgoed.models.EventSeating` row, issue 12): ``sold``; ``held`` while its hold has not lapsed at
``now``. ``Ticket.seat_id`` / ``OrderItem.seat_id`` / ``HoldItem.seat_id`` are always ``event_seat`` ids
(docs/ticket-identity.md, "How a ticket references its seat"), and event seats exist only with seated sales,
so before seated sales are set up nothing can be sold or held by seat and nothing is protected.

On an event with seated sales a change that passes the guard also **re-syncs its event seats**
(:func:`sync_event_seats`): seats of the new version get a free ``event_seat`` row, kept seats take the new
labels, category, flags and position, free or blocked seats whose keys left are removed; every category of
the new version needs a ticket type in the seated-sales map (else 422 ``validation_failed``, naming the
category). Detaching removes the event's seats and its seated-sales settings. A sold seat whose labels change
re-issues its tickets (``tickets.reissue_for_seats``: a new ``VG2:`` QR with the new labels, PDF re-rendered).

Errors: 403 ``forbidden`` (needs ``can_manage_events``), 404 ``not_found`` (event or version of another
organisation), 409 ``invalid_state`` (cancelled event, archived plan), 422 ``validation_failed`` (a plan of
another venue), 409 ``seats_protected``. Audit: ``event.seating_plan_attached`` ``{from, to, version, plan_id}``.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import delete, func, insert
from sqlmodel import Session, select

from voelgoed.models import (
    Event,
    EventArea,
    EventSeat,
    EventSeating,
    Hold,
    HoldItem,
    SeatingArea,
    SeatingCategory,
    SeatingPlan,
    SeatingPlanVersion,
    SeatingSeat,
)
from voelgoed.services.platform import (
    Conflict,
    TenantContext,
    ValidationFailed,
    VoelgoedError,
    audit,
    clock,
    get_owned,
    rbac,
)
from voelgoed.services.sales import seat_keeper
from voelgoed.services.seating.diff import printed_label
from voelgoed.services.tickets import reissue_for_seats

MAX_LISTED = 500
_SEAT = EventSeat.__table__


def protected_seats(session: Session, event: Event, *, now=None) -> list[dict[str, str]]:
    """``[{key, label, status}]`` of the event's sold and held seats (sold wins), by key; ``[]`` without a version
    or without seated sales (no event seats: nothing can be sold or held by seat)."""
    if event.seating_plan_version_id is None or session.get(EventSeating, event.id) is None:
        return []
    now = clock.resolve(now)
    rows = session.exec(select(EventSeat).where(EventSeat.event_id == event.id,
                                                EventSeat.status.in_(("sold", "held")))).all()
    out = {}
    for r in rows:
        status = seat_keeper.live_status(r.status, r.hold_expires_at, now)
        if status in ("sold", "held"):
            out[r.seat_key] = {"key": r.seat_key, "status": status, "label": printed_label(
                {"section": r.section_label, "row": r.row_label, "label": r.seat_label})}
    return [out[k] for k in sorted(out)]


def _version_keys(session: Session, version_id: Any) -> set[str]:
    return set(session.exec(select(SeatingSeat.seat_key).where(SeatingSeat.version_id == version_id)).all())


def change_guard(session: Session, event: Event, new_version_id: Any, *, now=None) -> list[dict[str, str]]:
    """The protected seats (:func:`protected_seats`) whose keys are not in version ``new_version_id``
    (``None``: all of them). ``[]`` = the change may go ahead."""
    held = protected_seats(session, event, now=now)
    if not held:
        return []
    keep = _version_keys(session, new_version_id) if new_version_id is not None else set()
    return [s for s in held if s["key"] not in keep]


def attach_version(session: Session, ctx: TenantContext, event_id: Any, version_id: Any, *, now=None) -> Event:
    """Set the event's seating-plan version to ``version_id`` (``None``/``""`` detaches); see the module rules.
    No change (same version) writes nothing. Commits."""
    rbac.require(ctx, rbac.can_manage_events, "choose an event's seating plan")
    event = get_owned(session, ctx, Event, event_id, "event", lock=True)
    if apply_version(session, ctx, event, version_id, now=now):
        session.commit()
    return event


def apply_version(session: Session, ctx: TenantContext, event: Event, version_id: Any, *, now=None) -> bool:
    """:func:`attach_version` on a locked ``event`` without committing; ``True`` when something changed."""
    if event.status == "cancelled":
        raise VoelgoedError("invalid_state", "This event is cancelled")
    version = None
    if version_id not in (None, ""):
        version = get_owned(session, ctx, SeatingPlanVersion, version_id, "seating plan version")
        plan = session.get(SeatingPlan, version.plan_id)
        if plan.archived_at is not None:
            raise VoelgoedError("invalid_state", "This seating plan is archived")
        if plan.venue_id != event.venue_id:
            raise ValidationFailed({"seating_plan_version_id": "That seating plan belongs to another venue; "
                                                               "choose a plan of the event's venue"})
    new_id = version.id if version is not None else None
    if new_id == event.seating_plan_version_id:
        return False
    lost = change_guard(session, event, new_id, now=now)
    if lost:
        names = ", ".join(s["label"] for s in lost[:8]) + (" …" if len(lost) > 8 else "")
        raise Conflict("seats_protected", f"{len(lost)} sold or held seat{'s' if len(lost) != 1 else ''} would "
                       f"disappear from this event: {names}", {"seats": lost[:MAX_LISTED], "count": len(lost)})
    old = event.seating_plan_version_id
    settings = session.get(EventSeating, event.id)
    if settings is not None:
        sync_event_seats(session, event, settings, version)
    event.seating_plan_version_id = new_id
    event.updated_at = clock.resolve(now)
    audit.record(session, ctx.actor, "event.seating_plan_attached", event,
                 {"from": str(old) if old else None, "to": str(new_id) if new_id else None,
                  "version": version.number if version else None, "plan_id": str(version.plan_id) if version else None})
    return True


def event_seat_values(event: Event, seat: SeatingSeat) -> dict[str, Any]:
    """The copied columns of an ``event_seat`` row for ``seat`` (labels, category, table, flags, position)."""
    return {"organization_id": event.organization_id, "event_id": event.id, "seat_key": seat.seat_key,
            "category_key": seat.category_key, "section_label": seat.section_label, "row_label": seat.row_label,
            "seat_label": seat.seat_label, "table_key": seat.table_key, "wheelchair": seat.wheelchair,
            "companion": seat.companion, "restricted_view": seat.restricted_view, "x": seat.x, "y": seat.y}


def insert_event_seats(session: Session, event: Event, seats: list[SeatingSeat]) -> int:
    """Insert free ``event_seat`` rows for ``seats`` in batches of 2,000; the number inserted."""
    rows = [{"id": uuid.uuid4(), **event_seat_values(event, s), "status": "free", "version": 0, "seq": 0} for s in seats]
    for i in range(0, len(rows), 2000):
        session.execute(insert(_SEAT), rows[i:i + 2000])
    return len(rows)


def sync_event_seats(session: Session, event: Event, settings: EventSeating, version: SeatingPlanVersion | None) -> None:
    """Bring a seated event's seats to ``version`` (``None``: remove them and the settings); see the module
    rules. The guard has already ensured that no sold or held seat leaves. No commit."""
    if version is None:
        sync_event_areas(session, event, None)
        session.execute(delete(_SEAT).where(_SEAT.c.event_id == event.id))
        session.delete(settings)
        session.flush()
        return
    cats = session.exec(select(SeatingCategory.key).where(SeatingCategory.version_id == version.id)).all()
    unmapped = sorted(k for k in cats if k not in (settings.category_types or {}))
    if unmapped:
        raise ValidationFailed({f"category_types.{k}": "Choose a ticket type of this event for this category "
                                                       "before attaching this version" for k in unmapped})
    seats = {s.seat_key: s for s in session.exec(select(SeatingSeat).where(SeatingSeat.version_id == version.id)).all()}
    current = {r.seat_key: r for r in session.exec(select(EventSeat).where(EventSeat.event_id == event.id)).all()}
    gone = [r.id for key, r in current.items() if key not in seats]
    for i in range(0, len(gone), 2000):
        session.execute(delete(_SEAT).where(_SEAT.c.id.in_(gone[i:i + 2000])))
    relabelled = []
    for key, r in current.items():
        if key in seats:
            new = seats[key]
            if r.status == "sold" and (r.section_label, r.row_label, r.seat_label) != (
                    new.section_label, new.row_label, new.seat_label):
                relabelled.append(r.id)
            session.execute(_SEAT.update().where(_SEAT.c.id == r.id).values(**event_seat_values(event, new)))
    insert_event_seats(session, event, [s for key, s in seats.items() if key not in current])
    sync_event_areas(session, event, version)
    reissue_for_seats(session, relabelled)  # sold seats with new labels: their tickets get a new VG2 QR and PDF
    settings.version_id = version.id
    session.add(settings)
    session.flush()


def sync_event_areas(session: Session, event: Event, version: SeatingPlanVersion | None, *, now=None) -> int:
    """Bring the event's ``event_area`` rows (standing areas, tables sold whole) to ``version``'s
    :class:`~voelgoed.models.SeatingArea` rows (``None``: remove them all): new areas are inserted with
    ``sold_count`` 0, kept ones (same key) take the new kind, label, category and capacity (their sales stay),
    gone ones are removed — unless places of a standing area are sold or held: 409 ``seats_protected`` with
    ``details.areas`` (``{key, label, sold, held}``). Returns the number of areas now. No commit."""
    now = clock.resolve(now)
    new = {a.area_key: a for a in session.exec(select(SeatingArea).where(SeatingArea.version_id == version.id)).all()} \
        if version is not None else {}
    current = {a.area_key: a for a in session.exec(select(EventArea).where(EventArea.event_id == event.id)).all()}
    gone = [a for k, a in current.items() if k not in new]
    held = dict(session.exec(select(HoldItem.area_id, func.sum(HoldItem.quantity)).join(Hold, Hold.id == HoldItem.hold_id)
                             .where(HoldItem.area_id.in_([a.id for a in gone]), Hold.status.in_(("active", "converted")),
                                    Hold.expires_at > now).group_by(HoldItem.area_id)).all()) if gone else {}
    busy = [{"key": a.area_key, "label": a.label, "sold": a.sold_count, "held": int(held.get(a.id, 0))}
            for a in gone if a.sold_count or held.get(a.id)]
    if busy:
        raise Conflict("seats_protected", "Places of a standing area are sold or held and the area would disappear: "
                       + ", ".join(b["label"] or b["key"] for b in busy), {"areas": busy})
    for a in gone:
        session.delete(a)
    for key, src in new.items():
        row = current.get(key) or EventArea(organization_id=event.organization_id, event_id=event.id, area_key=key)
        row.kind, row.label, row.category_key, row.capacity = src.kind, src.label, src.category_key, src.capacity
        session.add(row)
    session.flush()
    return len(new)


def event_seating(session: Session, ctx: TenantContext, event_id: Any) -> dict[str, Any]:
    """What the event editor shows: ``{"current": option | None, "options": [option], "protected": int}``
    with option = ``{id, plan_id, plan_name, number, seat_count, label}``: the versions of the live plans at
    the event's venue, plans by name, newest version first."""
    rbac.require(ctx, rbac.can_view_events, "view seating plans")
    event = get_owned(session, ctx, Event, event_id, "event")
    rows = session.exec(select(SeatingPlanVersion, SeatingPlan).join(SeatingPlan, SeatingPlanVersion.plan_id == SeatingPlan.id)
                        .where(SeatingPlan.organization_id == ctx.organization_id, SeatingPlan.venue_id == event.venue_id,
                               SeatingPlan.archived_at.is_(None))
                        .order_by(SeatingPlan.name, SeatingPlan.id, SeatingPlanVersion.number.desc())).all()

    def option(v: SeatingPlanVersion, p: SeatingPlan) -> dict[str, Any]:
        return {"id": str(v.id), "plan_id": str(p.id), "plan_name": p.name, "number": v.number,
                "seat_count": v.seat_count, "label": f"{p.name} · v{v.number} ({v.seat_count} seats)"}

    options = [option(v, p) for v, p in rows]
    current = None
    if event.seating_plan_version_id is not None:
        current = next((o for o in options if o["id"] == str(event.seating_plan_version_id)), None)
        if current is None:   # attached before the plan was archived or moved: still show it
            v = session.get(SeatingPlanVersion, event.seating_plan_version_id)
            current = option(v, session.get(SeatingPlan, v.plan_id))
    return {"current": current, "options": options, "protected": len(protected_seats(session, event))}
