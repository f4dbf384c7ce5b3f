"""Event seats (issue 12): attaching a published plan version to an event, and the public reads of its seats.

``configure_seated_sales`` creates one ``event_seat`` row per seat of the version (pre-materialised: holds lock rows
that exist), an ``event_seating`` row with the category → ticket type map, the isolated-seat rule and the
caps, and sets ``event.seating_plan_version_id``. Reads for the seat map:

- ``public_layout(session, event_slug)`` → ``(layout document, etag)``: the version's layout (immutable, so
  the ETag is its ``layout_hash``) plus the categories' prices;
- ``status_snapshot(session, event_slug, now)`` → ``{seq, held, sold, blocked, areas, tables}`` (free seats are
  not listed: everything not listed is free; ``areas`` = remaining places per standing area, ``tables`` = the
  status of each table sold whole), expiry applied at read time;
- ``changes_since(session, event_slug, since, now)`` → ``{seq, changes: [{key, status}], refetch, areas, tables}``
  (``areas`` / ``tables`` always whole: a handful of figures)
  (``refetch`` when ``since`` is ahead of the feed, i.e. the client's cursor is unusable).

Errors: 404 ``not_found`` (no such published seated event, version of another organisation, ticket type not
of this event), 409 ``already_seated``, 409 ``not_seated`` (organiser calls on an event without seated sales),
422 ``validation_failed`` (a category without a ticket type, a bad rule).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from voelgoed.models import Event, EventSeat, EventSeating, SeatingCategory, SeatingPlanVersion, SeatingSeat, TicketType
from voelgoed.services.platform import (
    Conflict,
    NotFound,
    TenantContext,
    ValidationFailed,
    audit,
    clock,
    get_owned,
    rbac,
)
from voelgoed.services.sales import seat_keeper, storefront
from voelgoed.services.seating import area_holds, attach
from voelgoed.services.tickets import get_or_create_event_key

RULES = ("strict", "lenient", "off")
_SEAT = EventSeat.__table__
PUBLIC_STATUSES = ("published", "live")
MAX_SELECTION = 500  # seats one organiser action may name


def parse_seat_keys(seat_keys: Any, *, cap: int = MAX_SELECTION) -> list[str]:
    """Sorted distinct seat keys (1–64 characters each, 1…``cap`` of them); else 422 ``validation_failed``."""
    if isinstance(seat_keys, str | bytes) or not isinstance(seat_keys, list | tuple) or not seat_keys:
        raise ValidationFailed({"seat_keys": "Choose at least one seat"})
    keys = set()
    for i, k in enumerate(seat_keys):
        if not isinstance(k, str) or not 1 <= len(k) <= 64 or any(ord(c) < 32 for c in k):
            raise ValidationFailed({f"seat_keys.{i}": "A seat key"})
        keys.add(k)
    if len(keys) > cap:
        raise ValidationFailed({"seat_keys": f"At most {cap} seats at once"})
    return sorted(keys)


def configure_seated_sales(session: Session, ctx: TenantContext, *, event_id: Any, version_id: Any = None,
                           category_types: dict[str, Any], isolated_rule: str = "lenient", max_per_order: int = 10,
                           max_per_buyer: int = 10, now: datetime | None = None) -> EventSeating:
    """Set up seated sales on an event (once): ``version_id`` (default: the version already attached with
    :func:`~voelgoed.services.seating.attach.attach_version`; another one is attached here, under its guard)
    and ``category_types`` mapping every category key of the version to a ticket type of the event (its price
    is the seat's price). Creates the ``event_seating`` row and one free ``event_seat`` per seat. Commits;
    audit ``event.seating_attached``. Errors: see the module; 422 ``validation_failed`` ``version_id`` when
    neither is given."""
    rbac.require(ctx, rbac.can_manage_events, "set up seating")
    event = get_owned(session, ctx, Event, event_id, "event", lock=True)
    if session.get(EventSeating, event.id) is not None:
        raise Conflict("already_seated", "This event already sells seats")
    if version_id in (None, ""):
        if event.seating_plan_version_id is None:
            raise ValidationFailed({"version_id": "Choose a published seating plan version"})
        version_id = event.seating_plan_version_id
    version = get_owned(session, ctx, SeatingPlanVersion, version_id, "seating plan version")
    check_rule_and_caps(isolated_rule, max_per_order, max_per_buyer)
    mapping = check_mapping(session, event, version.id, category_types)
    attach.apply_version(session, ctx, event, version.id, now=now)
    settings = EventSeating(event_id=event.id, organization_id=event.organization_id, version_id=version.id,
                            category_types=mapping, isolated_rule=isolated_rule, max_per_order=max_per_order,
                            max_per_buyer=max_per_buyer)
    session.add(settings)
    session.add(event)
    session.flush()
    seats = session.execute(select(SeatingSeat).where(SeatingSeat.version_id == version.id)).scalars().all()
    count = attach.insert_event_seats(session, event, list(seats))
    areas = attach.sync_event_areas(session, event, version, now=now)  # standing areas, tables sold whole
    # the signing key now, not at the first sale: its creation locks the event row, and a first payment doing
    # that after its seat locks deadlocks against a hold (its insert holds a key-share lock on the event row)
    # waiting for one of those seats
    get_or_create_event_key(session, event)
    audit.record(session, ctx.actor, "event.seating_attached", event,
                 {"version_id": str(version.id), "seats": count, "areas": areas, "isolated_rule": isolated_rule})
    session.commit()
    return settings


def check_rule_and_caps(isolated_rule: Any, max_per_order: Any, max_per_buyer: Any) -> None:
    """422 ``validation_failed`` unless the rule is one of :data:`RULES` and both caps are whole numbers 1–100."""
    fields = {}
    if isolated_rule not in RULES:
        fields["isolated_rule"] = f"One of {', '.join(RULES)}"
    for name, cap in (("max_per_order", max_per_order), ("max_per_buyer", max_per_buyer)):
        if isinstance(cap, bool) or not isinstance(cap, int) or not 1 <= cap <= 100:
            fields[name] = "A whole number from 1 to 100"
    if fields:
        raise ValidationFailed(fields)


def check_mapping(session: Session, event: Event, version_id: Any, category_types: Any) -> dict[str, str]:
    """``{category key: ticket type id}`` for every category of the version, each a ticket type of ``event``;
    else 422 ``validation_failed`` naming each category without one (``category_types.<key>``)."""
    cats = session.execute(select(SeatingCategory.key).where(SeatingCategory.version_id == version_id)
                           .order_by(SeatingCategory.key)).scalars().all()
    types = {str(t.id): t for t in session.execute(select(TicketType).where(TicketType.event_id == event.id)).scalars()}
    given = category_types if isinstance(category_types, dict) else {}
    mapping: dict[str, str] = {}
    fields = {}
    for key in cats:
        tid = str(given.get(key) or "")
        if tid not in types:
            fields[f"category_types.{key}"] = "Choose a ticket type of this event for this category"
        mapping[key] = tid
    if fields:
        raise ValidationFailed(fields)
    return mapping


def seated_for_organiser(session: Session, ctx: TenantContext, event_id: Any, *,
                         lock: bool = False) -> tuple[Event, EventSeating]:
    """The organisation's event and its seating settings: 404 ``not_found`` (another organisation's or unknown
    event), 409 ``not_seated`` (the event sells no seats yet: no version attached or seated sales not set up)."""
    event = get_owned(session, ctx, Event, event_id, "event")
    settings = session.get(EventSeating, event.id, with_for_update=lock or None, populate_existing=lock)
    if settings is None:
        raise Conflict("not_seated", "This event does not sell seats yet: choose a seating plan and set up seated "
                       "sales on the event's page")
    return event, settings


def seated_event(session: Session, event_slug: str, *, public: bool = True) -> tuple[Event, EventSeating]:
    """The event with its seating settings, or 404 ``not_found`` (unknown, not public, not seated)."""
    event = session.execute(select(Event).where(Event.slug == str(event_slug or "")[:120])).scalars().first()
    settings = session.get(EventSeating, event.id) if event is not None else None
    if settings is None or (public and event.status not in PUBLIC_STATUSES):
        raise NotFound("not_found", "No such seated event")
    return event, settings


def category_prices(session: Session, event: Event, settings: EventSeating) -> list[dict[str, Any]]:
    """``[{key, label, color, accessible, ticket_type_id, price_cents, currency}]`` for the legend."""
    cats = session.execute(select(SeatingCategory).where(SeatingCategory.version_id == settings.version_id)
                           .order_by(SeatingCategory.key)).scalars().all()
    out = []
    for c in cats:
        tt = session.get(TicketType, uuid.UUID(settings.category_types[c.key])) if c.key in settings.category_types else None
        out.append({"key": c.key, "label": c.label, "color": c.color, "accessible": c.accessible,
                    "ticket_type_id": str(tt.id) if tt else None, "price_cents": tt.price_cents if tt else None,
                    "currency": event.currency})
    return out


def public_layout(session: Session, event_slug: str) -> tuple[dict[str, Any], str]:
    """``({event_id, layout, categories, isolated_rule, max_per_order}, etag)``; the etag changes only with the
    version or a price (so it is a hash of the version's hash and the legend)."""
    event, settings = seated_event(session, event_slug)
    version = session.get(SeatingPlanVersion, settings.version_id)
    legend = category_prices(session, event, settings)
    etag = storefront_etag(version.layout_hash, legend)
    return {"event_id": str(event.id), "version": version.number, "layout": version.layout, "categories": legend,
            "areas": area_holds.area_legend(session, event.id),
            "isolated_rule": settings.isolated_rule, "max_per_order": settings.max_per_order}, etag


def storefront_etag(layout_hash: str, legend: list[dict[str, Any]]) -> str:
    prices = ",".join(f"{c['key']}={c['price_cents']}" for c in legend)
    return uuid.uuid5(uuid.NAMESPACE_URL, f"{layout_hash}|{prices}").hex


def public_status(status: str) -> str:
    """What buyers are told about a seat status: an allocated seat (kept back by the organiser) reads as blocked."""
    return "blocked" if status == seat_keeper.ALLOCATED else status


def status_snapshot(session: Session, event_slug: str, *, now: datetime | None = None) -> dict[str, Any]:
    """``{seq, held: [keys], sold: [keys], blocked: [keys]}``; every other seat is free (expiry applied at ``now``).
    Allocated seats are listed as blocked (buyers cannot have them; what they are kept for is not public).
    Read in one statement with ``seq``, so a client that then asks for ``changes_since(seq)`` misses nothing."""
    now = clock.resolve(now)
    event, settings = seated_event(session, event_slug)
    out: dict[str, Any] = {"seq": settings.seq, "held": [], "sold": [], "blocked": []}
    rows = session.execute(select(_SEAT.c.seat_key, _SEAT.c.status, _SEAT.c.hold_expires_at, _SEAT.c.seq)
                           .where(_SEAT.c.event_id == event.id, _SEAT.c.status != "free")).all()
    for r in rows:
        status = public_status(seat_keeper.live_status(r.status, r.hold_expires_at, now))
        if status != "free":
            out[status].append(r.seat_key)
        out["seq"] = max(out["seq"], r.seq)
    for k in ("held", "sold", "blocked"):
        out[k].sort()
    out.update(area_holds.availability(session, event.id, now))  # {areas: {key: remaining}, tables: {key: status}}
    return out


def parse_since(value: Any) -> int:
    """A sequence number: a whole number ≥ 0 of at most 12 digits, else 422 ``validation_failed`` (``since``)."""
    text = str(value if value is not None else "").strip()
    if isinstance(value, bool) or not text.isdigit() or len(text) > 12:
        raise ValidationFailed({"since": "A sequence number (whole number ≥ 0)"})
    return int(text)


def changed_rows(session: Session, event_id: uuid.UUID, seq: int, since: int, limit: int, *columns) -> list | None:
    """The event's seats stamped after ``since`` (``seat_key, status, hold_expires_at, seq`` and ``columns``, in
    ``seq`` order), or ``None`` when the client must take a new snapshot instead: ``since`` ahead of the feed's
    ``seq``, or more than ``limit`` seats changed. Shared by the public feed and the organiser's (office_feed)."""
    if since > seq:
        return None
    rows = session.execute(select(_SEAT.c.seat_key, _SEAT.c.status, _SEAT.c.hold_expires_at, _SEAT.c.seq, *columns)
                           .where(_SEAT.c.event_id == event_id, _SEAT.c.seq > since).order_by(_SEAT.c.seq)
                           .limit(limit + 1)).all()
    return None if len(rows) > limit else rows


def changes_since(session: Session, event_slug: str, since: Any, *, now: datetime | None = None,
                  limit: int = 5000) -> dict[str, Any]:
    """``{seq, changes: [{key, status}], refetch}`` for seats changed after ``since`` (an int ≥ 0, else 422);
    ``refetch`` (take a new snapshot) when ``since`` is ahead of the feed or more than ``limit`` seats changed.
    Held seats whose hold lapsed read as free; lapses are not changes, so clients also age out held seats
    whose countdown is not theirs by refetching the snapshot now and then."""
    since = parse_since(since)
    now = clock.resolve(now)
    event, settings = seated_event(session, event_slug)
    rows = changed_rows(session, event.id, settings.seq, since, limit)
    if rows is None:
        return {"seq": settings.seq, "changes": [], "refetch": True}
    seq = max([since, settings.seq, *(r.seq for r in rows)])  # settings.seq: also changes of standing places only
    return {"seq": seq, "refetch": False, **area_holds.availability(session, event.id, now),
            "changes": [{"key": r.seat_key, "status": public_status(seat_keeper.live_status(r.status, r.hold_expires_at, now))}
                        for r in rows]}


def seat_rows(session: Session, event_id: uuid.UUID, keys: list[str]) -> dict[str, Any]:
    """``{seat_key: row}`` of the event's seats (unknown keys absent)."""
    if not keys:
        return {}
    return {r.seat_key: r for r in session.execute(select(_SEAT).where(_SEAT.c.event_id == event_id,
                                                                      _SEAT.c.seat_key.in_(keys))).all()}


def on_sale(event: Event, now: datetime) -> None:
    """409 ``not_on_sale`` / ``event_cancelled`` unless the event sells now (the storefront's rule)."""
    storefront.check_event_on_sale(event, now)


def set_blocked(session: Session, ctx: TenantContext, *, event_id: Any, seat_keys: list[str], blocked: bool,
                now: datetime | None = None) -> int:
    """Block free seats (not for sale) or unblock blocked ones, in sorted key order; commits; the number changed.
    Seats that are held or sold are left alone. Audit ``event.seats_blocked`` / ``event.seats_unblocked``."""
    rbac.require(ctx, rbac.can_manage_events, "block seats")
    now = clock.resolve(now)
    event, _ = seated_for_organiser(session, ctx, event_id)
    changed = []
    for key in parse_seat_keys(seat_keys):
        allowed = seat_keeper.free_clause(now) if blocked else (_SEAT.c.status == "blocked")
        sid = session.execute(_SEAT.update().where(_SEAT.c.event_id == event.id, _SEAT.c.seat_key == key, allowed)
                              .values(status="blocked" if blocked else "free", hold_id=None, hold_expires_at=None,
                                      version=_SEAT.c.version + 1).returning(_SEAT.c.id)).scalar_one_or_none()
        if sid is not None:
            changed.append(sid)
    if changed:
        seat_keeper.bump_seq(session, event.id, changed)
    audit.record(session, ctx.actor, "event.seats_blocked" if blocked else "event.seats_unblocked", event,
                 {"count": len(changed), "seat_keys": sorted({str(k) for k in seat_keys})[:50]})
    session.commit()
    return len(changed)
