"""Events: create, edit, list, and the lifecycle (see docs/event-lifecycle.md).

States: ``draft → published → live → ended → archived``, and ``cancelled``.

- ``publish`` (owner/admin, ``rbac.can_publish_events``): draft → published when
  :func:`publish_problems` is empty, else 409 ``not_publishable`` with ``details.reasons``.
- ``live`` and ``ended`` follow the clock: :func:`effective_status` derives them from
  ``starts_at``/``ends_at`` for a published/live/ended event, and *every reader uses it*, so an
  answer is right even if nothing has persisted the change yet. Persisting: :func:`sync_statuses`
  writes the derived status (audited as ``event.went_live``/``event.ended`` by the system); it runs
  for the touched event in every write here, and as the idempotent job :func:`sync_statuses_job`
  scheduled at ``starts_at`` and ``ends_at`` when an event is published (and callable periodically).
- ``cancel`` (owner/admin): draft/published/live → cancelled. ``archive`` (owner/admin):
  draft/ended/cancelled → archived. Anything else is 409 ``invalid_state``.

Editing (owner/admin/staff, ``can_manage_events``) is allowed until the event has ended, is
cancelled or archived. Times are aware UTC; forms convert from the venue's timezone with
:mod:`voelgoed.services.platform.schedule`.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from typing import Any

from sqlalchemy import or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from voelgoed.models import Event, EventStatus, TicketType, Venue
from voelgoed.services.catalog.catalog_common import clean_text, raise_if
from voelgoed.services.platform import (
    Actor,
    Conflict,
    NotFound,
    TenantContext,
    VoelgoedError,
    audit,
    clock,
    get_owned,
    iso,
    outbox,
    parse_id,
    queue,
    rbac,
    session_scope,
    webhook_events,
)
from voelgoed.services.sales import cancel_event_orders, capacity

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
CURRENCY_RE = re.compile(r"^[A-Z]{3}$")
CLOCK_STATES = {EventStatus.published.value, EventStatus.live.value, EventStatus.ended.value}
EDITABLE_STATES = {EventStatus.draft.value, EventStatus.published.value, EventStatus.live.value}
_EDIT_FIELDS = ("name", "slug", "description", "venue_id", "starts_at", "ends_at", "sale_starts_at",
                "sale_ends_at", "capacity", "currency")


def effective_status(event: Event, now: datetime | None = None) -> str:
    """The status at ``now``: for published/live/ended events the clock decides
    (``now < starts_at`` → published, ``starts_at ≤ now < ends_at`` → live, else ended);
    draft, cancelled and archived are returned as stored."""
    if event.status not in CLOCK_STATES:
        return event.status
    now = clock.resolve(now)
    if now >= clock.aware(event.ends_at):
        return EventStatus.ended.value
    if now >= clock.aware(event.starts_at):
        return EventStatus.live.value
    return EventStatus.published.value


def slugify(text: str) -> str:
    """``"Summer Sounds Jöburg!"`` → ``"summer-sounds-joburg"`` (ASCII, ≤ 80 chars).

    Eight lines of stdlib (NFKD + regex) rather than a dependency for this one use."""
    ascii_text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:80].strip("-")


def _slug_exists(session: Session, slug: str, exclude=None) -> bool:
    stmt = select(Event.id).where(Event.slug == slug)
    if exclude is not None:
        stmt = stmt.where(Event.id != exclude)
    return session.exec(stmt).first() is not None


def _check_slug(session: Session, slug: str, exclude=None) -> str:
    slug = (slug or "").strip().lower()
    if not (3 <= len(slug) <= 120) or not SLUG_RE.fullmatch(slug):
        raise_if({"slug": "Use 3–120 lower-case letters, digits and single hyphens"})
    if _slug_exists(session, slug, exclude):
        raise Conflict("slug_taken", f"The address /e/{slug} is already taken", {"fields": {"slug": "Already taken"}})
    return slug


def _free_slug(session: Session, name: str) -> str:
    base = slugify(name) or "event"
    if len(base) < 3:
        base = f"event-{base}"
    candidate, n = base, 2
    while _slug_exists(session, candidate):
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def _active_venue(session: Session, ctx: TenantContext, venue_id: Any) -> Venue:
    venue = get_owned(session, ctx, Venue, venue_id, "venue")
    if venue.archived_at is not None:
        raise_if({"venue_id": "This venue is archived"})
    return venue


def _validate(values: dict[str, Any]) -> None:
    """Field rules for create/update (422): times aware, starts < ends, sale window ordered."""
    fields: dict[str, str] = {}
    for key in ("starts_at", "ends_at", "sale_starts_at", "sale_ends_at"):
        v = values.get(key)
        if v is not None and (not isinstance(v, datetime) or v.tzinfo is None):
            fields[key] = "Give a date and time with a timezone offset"
    raise_if(fields)
    if values["starts_at"] >= values["ends_at"]:
        fields["ends_at"] = "The event must end after it starts"
    ss, se = values.get("sale_starts_at"), values.get("sale_ends_at")
    if ss is not None and se is not None and ss >= se:
        fields["sale_ends_at"] = "Sales must close after they open"
    if se is not None and se > values["ends_at"]:
        fields["sale_ends_at"] = "Sales can't close after the event ends"
    cap = values.get("capacity")
    if cap is not None and (isinstance(cap, bool) or not isinstance(cap, int) or not 0 <= cap <= 10_000_000):
        fields["capacity"] = "Capacity must be a whole number from 0 to 10 000 000"
    cur = values.get("currency")
    if not isinstance(cur, str) or not CURRENCY_RE.fullmatch(cur):
        fields["currency"] = "Use a three-letter ISO currency code such as ZAR"
    raise_if(fields)


def create_event(session: Session, ctx: TenantContext, *, venue_id: Any, name: str, starts_at: datetime,
                 ends_at: datetime, slug: str | None = None, description: str = "",
                 sale_starts_at: datetime | None = None, sale_ends_at: datetime | None = None,
                 capacity: int | None = None, currency: str | None = None) -> Event:
    """Create a draft event. The slug defaults to one made from the name (made unique with ``-2``…).

    Raises 403 ``forbidden``, 404 ``not_found`` (venue), 409 ``slug_taken`` (explicit slug in use),
    422 ``validation_failed`` (name, times, sale window, capacity, currency, slug format)."""
    rbac.require(ctx, rbac.can_manage_events, "create events")
    fields: dict[str, str] = {}
    name = clean_text(fields, "name", name, max_len=200, required=True)
    description = clean_text(fields, "description", description, max_len=5000)
    raise_if(fields)
    venue = _active_venue(session, ctx, venue_id)
    currency = "ZAR" if currency is None else currency
    values = dict(starts_at=starts_at, ends_at=ends_at, sale_starts_at=sale_starts_at, sale_ends_at=sale_ends_at,
                  capacity=capacity, currency=currency.strip().upper() if isinstance(currency, str) else currency)
    _validate(values)
    slug = _check_slug(session, slug) if slug else _free_slug(session, name)
    event = Event(organization_id=ctx.organization_id, venue_id=venue.id, name=name, slug=slug,
                  description=description, status=EventStatus.draft.value, **values)
    session.add(event)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise Conflict("slug_taken", f"The address /e/{slug} is already taken") from None
    audit.record(session, ctx.actor, "event.created", event, {"name": name, "slug": slug, "venue_id": venue.id})
    session.commit()
    return event


def get_event(session: Session, ctx: TenantContext, event_id: Any) -> Event:
    """One event of the organisation (404 ``not_found`` otherwise)."""
    rbac.require(ctx, rbac.can_view_events, "view events")
    return get_owned(session, ctx, Event, event_id, "event")


def list_events(session: Session, ctx: TenantContext, *, status: str | None = None, search: str = "",
                now: datetime | None = None, limit: int = 200) -> list[Event]:
    """The organisation's events, soonest first. ``status`` filters on :func:`effective_status`."""
    rbac.require(ctx, rbac.can_view_events, "view events")
    stmt = select(Event).where(Event.organization_id == ctx.organization_id)
    if search:
        like = f"%{search.strip().lower()[:100]}%"
        stmt = stmt.where(or_(Event.name.ilike(like), Event.slug.ilike(like)))
    rows = list(session.exec(stmt.order_by(Event.starts_at.desc()).limit(max(1, min(limit, 500)))))
    if status:
        rows = [e for e in rows if effective_status(e, now) == status]
    return rows


def update_event(session: Session, ctx: TenantContext, event_id: Any, *, now: datetime | None = None, **changes: Any) -> Event:
    """Change any of name/slug/description/venue_id/times/capacity/currency (only given keys).

    Currency can change only while no ticket type exists. Capacity never goes below sold + held
    (live holds; the event counters are recomputed, see :mod:`voelgoed.services.sales.capacity`).
    Raises 403, 404, 409 ``invalid_state`` (ended/cancelled/archived, or currency after ticket types),
    409 ``capacity_below_sold`` (``details {sold, held, requested}``), 409 ``slug_taken``, 422."""
    rbac.require(ctx, rbac.can_manage_events, "edit events")
    now = clock.resolve(now)
    if "capacity" in changes:  # lock in the hold path's order (lapsed holds, ticket types, event): see capacity.py
        event = capacity.lock_event_for_capacity_change(session, get_owned(session, ctx, Event, event_id, "event"), now)
    else:
        event = get_owned(session, ctx, Event, event_id, "event", lock=True)
    if effective_status(event, now) not in EDITABLE_STATES:
        raise VoelgoedError("invalid_state", f"A {effective_status(event, now)} event can't be edited")
    changes = {k: v for k, v in changes.items() if k in _EDIT_FIELDS}
    fields: dict[str, str] = {}
    if "name" in changes:
        changes["name"] = clean_text(fields, "name", changes["name"], max_len=200, required=True)
    if "description" in changes:
        changes["description"] = clean_text(fields, "description", changes["description"], max_len=5000)
    raise_if(fields)
    if "venue_id" in changes:
        changes["venue_id"] = _active_venue(session, ctx, changes["venue_id"]).id
    if "slug" in changes:
        changes["slug"] = _check_slug(session, changes["slug"], exclude=event.id)
    if "currency" in changes:
        changes["currency"] = (changes["currency"] or "").strip().upper() if isinstance(changes["currency"], str) else changes["currency"]
    values = {k: clock.aware(getattr(event, k)) if k.endswith("_at") else getattr(event, k)
              for k in ("starts_at", "ends_at", "sale_starts_at", "sale_ends_at", "capacity", "currency")}
    values.update({k: v for k, v in changes.items() if k in values})
    _validate(values)
    changed = {k: v for k, v in changes.items() if (clock.aware(getattr(event, k)) if k.endswith("_at") else getattr(event, k)) != v}
    if "currency" in changed and session.exec(select(TicketType.id).where(TicketType.event_id == event.id)).first():
        raise VoelgoedError("invalid_state", "The currency can't change once ticket types exist")
    if changed:
        if "capacity" in changed:
            capacity.apply_event_capacity(session, event, changed["capacity"])  # 409 capacity_below_sold
        for key, value in changed.items():
            setattr(event, key, value)
        event.updated_at = now
        audit.record(session, ctx.actor, "event.updated", event, changed)
    _persist_clock_status(session, event, now)
    session.commit()
    if event.status in CLOCK_STATES and {"starts_at", "ends_at"} & changed.keys():
        schedule_status_sync(event)
    return event


def publish_problems(session: Session, event: Event, *, now: datetime | None = None) -> list[str]:
    """Why ``event`` can't be published (empty list: it can). Checks: ≥1 active ticket type,
    starts < ends, not already over, sale window ``sale_starts < sale_ends ≤ ends_at`` (with
    defaults now / starts_at), ticket types' windows inside the event."""
    now = clock.resolve(now)
    starts, ends = clock.aware(event.starts_at), clock.aware(event.ends_at)
    sale_starts = clock.aware(event.sale_starts_at) or now
    sale_ends = clock.aware(event.sale_ends_at) or starts
    reasons: list[str] = []
    if starts >= ends:
        reasons.append("The event must end after it starts")
    if ends <= now:
        reasons.append("The event is already over")
    if sale_starts >= sale_ends:
        reasons.append("The sale window is empty: sales must open before they close")
    if sale_ends > ends:
        reasons.append("Sales can't close after the event ends")
    if sale_ends <= now:
        reasons.append("Sales have already closed")
    types = session.exec(select(TicketType).where(TicketType.event_id == event.id)).all()
    active = [t for t in types if t.is_active]
    if not active:
        reasons.append("Add at least one active ticket type")
    for t in active:
        t_end = clock.aware(t.sale_ends_at)
        if t_end is not None and t_end > ends:
            reasons.append(f"Ticket type '{t.name}': sales close after the event ends")
        if t.currency != event.currency:
            reasons.append(f"Ticket type '{t.name}': currency {t.currency} differs from the event's {event.currency}")
    return reasons


def publish(session: Session, ctx: TenantContext, event_id: Any, *, now: datetime | None = None) -> Event:
    """draft → published (owner/admin). Raises 403 ``forbidden``, 404, 409 ``invalid_state`` (not a
    draft), 409 ``not_publishable`` with ``details.reasons`` (list of strings)."""
    rbac.require(ctx, rbac.can_publish_events, "publish events")
    event = get_owned(session, ctx, Event, event_id, "event", lock=True)
    now = clock.resolve(now)
    if event.status != EventStatus.draft.value:
        raise VoelgoedError("invalid_state", f"Only a draft can be published; this event is {effective_status(event, now)}")
    reasons = publish_problems(session, event, now=now)
    if reasons:
        raise VoelgoedError("not_publishable", "The event can't be published yet", {"reasons": reasons})
    event.status = EventStatus.published.value
    event.published_at = now
    event.updated_at = now
    if event.sale_starts_at is None:
        event.sale_starts_at = now
    audit.record(session, ctx.actor, "event.published", event, {"slug": event.slug})
    webhook_events.emit(session, event_type="event.published", organization_id=event.organization_id,
                        payload={"event_id": event.id}, now=now)
    _persist_clock_status(session, event, now)
    session.commit()
    schedule_status_sync(event)
    return event


def cancel(session: Session, ctx: TenantContext, event_id: Any, *, reason: str = "", now: datetime | None = None) -> Event:
    """draft/published/live → cancelled (owner/admin). Sales stop at once (the public page says
    "cancelled"); in the same commit every live ticket is voided, pending orders are cancelled and every
    paid order gets its background refund and the buyer's e-mail as outbox entries
    (:func:`voelgoed.services.sales.cancel_event_orders`; progress: ``sales.event_cancellation_report``).
    Raises 403, 404, 409 ``invalid_state``."""
    rbac.require(ctx, rbac.can_publish_events, "cancel events")
    event = get_owned(session, ctx, Event, event_id, "event", lock=True)
    now = clock.resolve(now)
    current = effective_status(event, now)
    if current not in EDITABLE_STATES:
        raise VoelgoedError("invalid_state", f"A {current} event can't be cancelled")
    event.status = EventStatus.cancelled.value
    event.updated_at = now
    audit.record(session, ctx.actor, "event.cancelled", event, {"from": current, "reason": (reason or "")[:500]})
    cancel_event_orders(session, event, ctx.actor, reason=reason or "", now=now)
    webhook_events.emit(session, event_type="event.cancelled", organization_id=event.organization_id,
                        payload={"event_id": event.id}, now=now)
    session.commit()
    outbox.nudge()
    return event


def archive(session: Session, ctx: TenantContext, event_id: Any, *, now: datetime | None = None) -> Event:
    """draft/ended/cancelled → archived (owner/admin). Raises 403, 404, 409 ``invalid_state``."""
    rbac.require(ctx, rbac.can_publish_events, "archive events")
    event = get_owned(session, ctx, Event, event_id, "event", lock=True)
    now = clock.resolve(now)
    current = effective_status(event, now)
    if current not in (EventStatus.draft.value, EventStatus.ended.value, EventStatus.cancelled.value):
        raise VoelgoedError("invalid_state", f"A {current} event can't be archived; cancel it or wait until it has ended")
    event.status = EventStatus.archived.value
    event.updated_at = now
    audit.record(session, ctx.actor, "event.archived", event, {"from": current})
    session.commit()
    return event


def _persist_clock_status(session: Session, event: Event, now: datetime) -> bool:
    target = effective_status(event, now)
    if target == event.status:
        return False
    action = {"live": "event.went_live", "ended": "event.ended", "published": "event.rescheduled"}[target]
    audit.record(session, Actor.system(), action, event, {"from": event.status, "to": target})
    event.status = target
    event.updated_at = now  # the read API's updated_since sees the persisted transition
    return True


def sync_statuses(session: Session, *, event_id: Any = None, now: datetime | None = None) -> int:
    """Persist the clock-driven status of published/live events (all, or one). Commits; returns how
    many changed. Idempotent: running it twice changes nothing the second time."""
    now = clock.resolve(now)
    stmt = select(Event).where(Event.status.in_([EventStatus.published.value, EventStatus.live.value]))
    if event_id is not None:
        stmt = stmt.where(Event.id == parse_id(event_id, "event"))
    changed = 0
    for event in session.exec(stmt.with_for_update(skip_locked=True)):
        changed += _persist_clock_status(session, event, now)
    session.commit()
    return changed


def sync_statuses_job(event_id: str | None = None) -> int:
    """RQ job: :func:`sync_statuses` in its own session (ids in; safe to run any number of times)."""
    with session_scope() as session:
        try:
            return sync_statuses(session, event_id=event_id)
        except NotFound:
            return 0


def schedule_status_sync(event: Event, *, now: datetime | None = None) -> None:
    """After commit: run :func:`sync_statuses_job` at ``starts_at`` and ``ends_at`` (+1 s).
    Best effort — readers use :func:`effective_status`, so a lost job never shows a wrong status."""
    now = clock.resolve(now)
    for at in (clock.aware(event.starts_at), clock.aware(event.ends_at)):
        delay = (at - now).total_seconds() + 1
        if delay > 0:
            try:
                queue.enqueue_in(delay, sync_statuses_job, str(event.id))
            except Exception:  # noqa: BLE001 - Redis trouble must not undo a committed publish
                pass


def event_dict(event: Event, *, now: datetime | None = None) -> dict[str, Any]:
    """API shape: ``{id, slug, name, description, status (effective), venue_id, starts_at, ends_at,
    sale_starts_at, sale_ends_at, capacity, currency, tickets_sold, tickets_held, published_at,
    created_at, updated_at}`` (times RFC 3339)."""
    return {
        "id": str(event.id), "slug": event.slug, "name": event.name, "description": event.description,
        "status": effective_status(event, now), "venue_id": str(event.venue_id),
        "starts_at": iso(event.starts_at), "ends_at": iso(event.ends_at),
        "sale_starts_at": iso(event.sale_starts_at), "sale_ends_at": iso(event.sale_ends_at),
        "capacity": event.capacity, "currency": event.currency,
        "tickets_sold": event.sold_count, "tickets_held": event.held_count,
        "published_at": iso(event.published_at), "created_at": iso(event.created_at), "updated_at": iso(event.updated_at),
    }
