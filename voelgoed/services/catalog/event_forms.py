"""Organiser form adapters: strings from browser forms → typed calls of the catalog services, and
display-ready views of events (times in the venue's timezone).

Browser forms send strings; times are wall-clock ``YYYY-MM-DDTHH:MM`` in the *venue's* timezone
(HTML ``datetime-local``) and converted with :mod:`voelgoed.services.platform.schedule`; prices are rand
amounts (``"350"`` or ``"350.50"``) turned into integer cents. Field problems raise 422
``validation_failed`` with ``details.fields`` so forms can show them next to the inputs.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from sqlmodel import Session

from voelgoed.models import Event, TicketType, Venue
from voelgoed.services.catalog import events, ticket_types
from voelgoed.services.catalog import venues as venues_svc
from voelgoed.services.catalog.catalog_common import raise_if
from voelgoed.services.platform import (
    TenantContext,
    can_manage_events,
    can_publish_events,
    format_local,
    get_owned,
    local_to_utc,
    utc_to_local_input,
)

_MONEY_RE = re.compile(r"^\d{1,7}([.,]\d{1,2})?$")


def parse_int(fields: dict[str, str], name: str, value: Any, *, required: bool = False) -> int | None:
    text = str(value if value is not None else "").strip().replace(" ", "")
    if not text:
        if required:
            fields[name] = "This field is required"
        return None
    if not re.fullmatch(r"-?\d{1,9}", text):
        fields[name] = "Enter a whole number"
        return None
    return int(text)


def parse_money_cents(fields: dict[str, str], name: str, value: Any) -> int | None:
    """``"350"`` → 35000, ``"99.5"`` → 9950, ``"0"`` → 0 (free)."""
    text = str(value if value is not None else "").strip().replace(" ", "").lstrip("R")
    if not _MONEY_RE.fullmatch(text):
        fields[name] = "Enter an amount like 350 or 350.50"
        return None
    whole, _, part = text.replace(",", ".").partition(".")
    return int(whole) * 100 + int((part + "00")[:2])


def _times(fields: dict[str, str], form: dict[str, Any], tz: str, keys: tuple[str, ...], required: tuple[str, ...]) -> dict[str, datetime | None]:
    out: dict[str, datetime | None] = {}
    for key in keys:
        raw = str(form.get(key) or "").strip()
        if not raw:
            if key in required:
                fields[key] = "This field is required"
            out[key] = None
            continue
        try:
            out[key] = local_to_utc(raw, tz, field=key)
        except Exception:  # noqa: BLE001 - any parse problem is a field error
            fields[key] = "Enter a date and time"
    return out


def create_event_from_form(session: Session, ctx: TenantContext, form: dict[str, Any]) -> Event:
    """Form keys: venue_id, name, slug?, description?, starts_at, ends_at, sale_starts_at?, sale_ends_at?,
    capacity? (local times in the venue's zone). Raises what :func:`events.create_event` raises."""
    venue = get_owned(session, ctx, Venue, form.get("venue_id") or "", "venue") if form.get("venue_id") else None
    if venue is None:
        raise_if({"venue_id": "Choose a venue"})
    fields: dict[str, str] = {}
    times = _times(fields, form, venue.timezone, ("starts_at", "ends_at", "sale_starts_at", "sale_ends_at"), ("starts_at", "ends_at"))
    capacity = parse_int(fields, "capacity", form.get("capacity"))
    raise_if(fields)
    return events.create_event(session, ctx, venue_id=venue.id, name=str(form.get("name") or ""),
                               slug=(str(form.get("slug") or "").strip() or None),
                               description=str(form.get("description") or ""), capacity=capacity, **times)


def update_event_from_form(session: Session, ctx: TenantContext, event_id: Any, form: dict[str, Any]) -> Event:
    """Same keys as :func:`create_event_from_form`; times read in the (possibly new) venue's zone."""
    event = get_owned(session, ctx, Event, event_id, "event")
    venue = get_owned(session, ctx, Venue, form.get("venue_id") or event.venue_id, "venue")
    fields: dict[str, str] = {}
    times = _times(fields, form, venue.timezone, ("starts_at", "ends_at", "sale_starts_at", "sale_ends_at"), ("starts_at", "ends_at"))
    capacity = parse_int(fields, "capacity", form.get("capacity"))
    raise_if(fields)
    return events.update_event(session, ctx, event.id, venue_id=venue.id, name=str(form.get("name") or ""),
                               slug=str(form.get("slug") or event.slug), description=str(form.get("description") or ""),
                               capacity=capacity, **times)


def save_ticket_type_from_form(session: Session, ctx: TenantContext, event_id: Any, form: dict[str, Any]) -> TicketType:
    """Create (no ``id``) or update a ticket type. Keys: id?, name, price (rand), quantity, max_per_order,
    sale_starts_at?, sale_ends_at? (venue-local), description?, is_active ("on"), is_hidden ("on"),
    attendee_mode (off | optional | required)."""
    event = get_owned(session, ctx, Event, event_id, "event")
    venue = session.get(Venue, event.venue_id)
    fields: dict[str, str] = {}
    price = parse_money_cents(fields, "price", form.get("price"))
    quantity = parse_int(fields, "quantity", form.get("quantity"), required=True)
    max_per_order = parse_int(fields, "max_per_order", form.get("max_per_order") or "10")
    times = _times(fields, form, venue.timezone, ("sale_starts_at", "sale_ends_at"), ())
    raise_if(fields)
    values = dict(name=str(form.get("name") or ""), description=str(form.get("description") or ""), price_cents=price,
                  quantity=quantity, max_per_order=max_per_order, is_active=bool(form.get("is_active")),
                  is_hidden=bool(form.get("is_hidden")), attendee_mode=str(form.get("attendee_mode") or "off"), **times)
    if form.get("id"):
        tt = get_owned(session, ctx, TicketType, form["id"], "ticket type")
        if tt.event_id != event.id:
            raise_if({"id": "This ticket type belongs to another event"})
        return ticket_types.update_ticket_type(session, ctx, tt.id, **values)
    return ticket_types.create_ticket_type(session, ctx, event.id, **values)


def event_editor_view(session: Session, ctx: TenantContext, event_id: Any) -> dict[str, Any]:
    """Everything the editor page shows. Shape: ``{event: {id, name, slug, description, status,
    venue_id, venue_name, timezone, starts_at, ends_at, sale_starts_at, sale_ends_at (venue-local
    ``YYYY-MM-DDTHH:MM`` strings), when (human, venue-local), capacity, currency, sold, held},
    ticket_types: [ticket_types.ticket_type_dict + local sale window strings], venues: [{id, name,
    timezone}], problems: [str] (why it can't be published; empty when draft-ready or not a draft),
    can_edit, can_publish}``. Raises 403/404 like :func:`events.get_event`."""
    event = events.get_event(session, ctx, event_id)
    venue = session.get(Venue, event.venue_id)
    tz = venue.timezone
    types = ticket_types.list_ticket_types(session, ctx, event.id)
    status = events.effective_status(event)
    tt_rows = []
    for t in types:
        row = ticket_types.ticket_type_dict(t)
        row["sale_starts_local"] = utc_to_local_input(t.sale_starts_at, tz)
        row["sale_ends_local"] = utc_to_local_input(t.sale_ends_at, tz)
        tt_rows.append(row)
    return {
        "event": {
            "id": str(event.id), "name": event.name, "slug": event.slug, "description": event.description,
            "status": status, "venue_id": str(venue.id), "venue_name": venue.name, "timezone": tz,
            "starts_at": utc_to_local_input(event.starts_at, tz), "ends_at": utc_to_local_input(event.ends_at, tz),
            "sale_starts_at": utc_to_local_input(event.sale_starts_at, tz),
            "sale_ends_at": utc_to_local_input(event.sale_ends_at, tz),
            "when": format_local(event.starts_at, tz) + " – " + format_local(event.ends_at, tz, "%H:%M"),
            "capacity": "" if event.capacity is None else str(event.capacity), "currency": event.currency,
            "sold": event.sold_count, "held": event.held_count,
        },
        "ticket_types": tt_rows,
        "venues": [{"id": str(v.id), "name": v.name, "timezone": v.timezone} for v in venues_svc.list_venues(session, ctx)],
        "problems": events.publish_problems(session, event) if status == "draft" else [],
        "can_edit": can_manage_events(ctx) and status in events.EDITABLE_STATES,
        "can_publish": can_publish_events(ctx),
    }


def events_overview(session: Session, ctx: TenantContext, *, status: str | None = None, search: str = "") -> list[dict[str, Any]]:
    """Rows for the events list: ``{id, name, slug, status, venue_name, when (venue-local), sold,
    held, quantity, ticket_types}`` (counts summed over the event's ticket types)."""
    from sqlmodel import select

    rows = events.list_events(session, ctx, status=status, search=search)
    ids = [e.id for e in rows]
    venues = {v.id: v for v in venues_svc.list_venues(session, ctx, include_archived=True)}
    totals: dict = {}
    if ids:
        for t in session.exec(select(TicketType).where(TicketType.event_id.in_(ids))):
            agg = totals.setdefault(t.event_id, [0, 0, 0, 0])
            agg[0] += t.sold_count
            agg[1] += t.held_count
            agg[2] += t.quantity
            agg[3] += 1
    out = []
    for e in rows:
        v = venues.get(e.venue_id)
        tz = v.timezone if v else "Africa/Johannesburg"
        sold, held, qty, n = totals.get(e.id, [0, 0, 0, 0])
        out.append({"id": str(e.id), "name": e.name, "slug": e.slug, "status": events.effective_status(e),
                    "venue_name": v.name if v else "", "when": format_local(e.starts_at, tz),
                    "sold": sold, "held": held, "quantity": qty, "ticket_types": n})
    return out


def save_venue_from_form(session: Session, ctx: TenantContext, form: dict[str, Any]) -> Venue:
    """Create (no ``id``) or update a venue from form strings: name, address, city, country,
    timezone, capacity (blank = none). Raises what :mod:`venues` raises."""
    fields: dict[str, str] = {}
    capacity = parse_int(fields, "capacity", form.get("capacity"))
    raise_if(fields)
    values = {k: str(form.get(k) or "") for k in ("name", "address", "city", "country", "timezone")}
    values["capacity"] = capacity
    if form.get("id"):
        return venues_svc.update_venue(session, ctx, form["id"], **values)
    return venues_svc.create_venue(session, ctx, **values)


def venues_overview(session: Session, ctx: TenantContext, *, include_archived: bool = False) -> list[dict[str, Any]]:
    """Venues with their active gates: ``[{id, name, address, city, country, timezone, capacity (str),
    archived (bool), events (int), gates: [{id, gate_code, name}]}]``."""
    from sqlmodel import func, select

    rows = venues_svc.list_venues(session, ctx, include_archived=include_archived)
    counts = dict(session.exec(select(Event.venue_id, func.count()).where(Event.organization_id == ctx.organization_id)
                               .group_by(Event.venue_id)).all())
    out = []
    for v in rows:
        d = venues_svc.venue_dict(v, venues_svc.list_gates(session, ctx, v.id))
        d["capacity"] = "" if v.capacity is None else str(v.capacity)
        d["events"] = int(counts.get(v.id, 0))
        d["gates"] = [{"id": g["id"], "gate_code": g["gate_code"], "name": g["name"]} for g in d["gates"]]
        out.append(d)
    return out
