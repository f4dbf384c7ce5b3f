"""Buyer-facing reads: live availability, the public event view and the hold view.

Availability comes from :mod:`voelgoed.services.sales.stock` (lapsed holds never count).
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from voelgoed.models import Event, EventArea, EventSeating, Hold, HoldItem, Organization, TicketType
from voelgoed.services.accounts import public_brand
from voelgoed.services.marketing import check_code
from voelgoed.services.platform import NotFound, VoelgoedError, clean_key, clock, parse_id
from voelgoed.services.sales import attendee_checkout, hold_caps, hold_tokens, stock

LIVE_HOLD_STATUSES = stock.LIVE_HOLD_STATUSES


SELLABLE_EVENT_STATUSES = ("published", "live")


def sale_window_error(start: datetime | None, end: datetime | None, now: datetime, what: str) -> VoelgoedError | None:
    start, end = clock.aware(start), clock.aware(end)
    if start is not None and now < start:
        return VoelgoedError("not_on_sale", f"Sales for {what} open at {start.isoformat()}", {"sale_starts_at": start.isoformat()}, status=409)
    if end is not None and now >= end:
        return VoelgoedError("not_on_sale", f"Sales for {what} have closed", {"sale_ends_at": end.isoformat()}, status=409)
    return None


def check_event_on_sale(event: Event, now: datetime) -> None:
    """Raise ``not_on_sale`` (409) unless ``event`` is published/live, not over, and in its sale window;
    ``event_cancelled`` (409) for a cancelled event."""
    if event.status == "cancelled":
        raise VoelgoedError("event_cancelled", "This event has been cancelled", {"status": "cancelled"}, status=409)
    if event.status not in SELLABLE_EVENT_STATUSES:
        raise VoelgoedError("not_on_sale", "This event is not on sale", {"status": event.status}, status=409)
    if now >= clock.aware(event.ends_at):
        raise VoelgoedError("not_on_sale", "This event has ended", {"status": "ended"}, status=409)
    err = sale_window_error(event.sale_starts_at, event.sale_ends_at, now, "this event")
    if err:
        raise err


def availability(session: Session, event: Event, now: datetime | None = None) -> dict:
    """Live availability ``{"types": {ticket_type_id: n}, "event": n | None}`` (lapsed holds don't count):
    :func:`voelgoed.services.sales.stock.available`."""
    return stock.available(session, event, now)


def _iso(dt: datetime | None) -> str | None:
    return clock.aware(dt).isoformat() if dt else None


LOW_STOCK = 10  # "Only N left" from this many tickets down


def public_event_view(session: Session, slug: str, now: datetime | None = None, unlocked=()) -> dict:
    """``GET /api/v1/public/events/{slug}``: a published/live/ended event with live availability.

    ``{id, slug, name, description, starts_at, ends_at, currency, on_sale, sale_starts_at,
    sale_ends_at, status, waiting_room_enabled, venue: {name, address, city, timezone},
    ticket_types: [{id, name, description, price_cents, currency, available, max_per_order,
    on_sale, sold_out, max_selectable, low_stock, seated}]}``. ``seated``: the type is the price of seat categories
    (bought on the seat map, so ``max_selectable`` 0 and never ``sold_out``). ``max_selectable`` is what a buyer may pick
    now (``min(available, max_per_order)``, 0 when that type is not on sale); ``low_stock`` is true
    when 1..:data:`LOW_STOCK` are left. Draft, archived (and unknown) events → 404 ``not_found``.
    Hidden or inactive ticket types are left out — except hidden types whose id (str) is in ``unlocked`` (what an
    access code unlocks, :func:`view_with_code`), listed with ``unlocked: true``; ``available`` ignores lapsed holds.

    A **cancelled** event answers 200 with ``status: "cancelled"``, ``cancelled: true``,
    ``on_sale: false`` and ``ticket_types: []`` (nothing purchasable; holds are refused with 409
    ``event_cancelled``), so buyers see "cancelled" rather than "not found". Every answer carries
    ``cancelled`` (bool).

    ``branding`` (issue 15): the organisation's ``{name, primary, accent, on_primary, on_accent, logo_url}``
    (``#RRGGBB``; ``on_*`` the readable text colour on each; ``logo_url`` a path or ``""``), ``accounts.public_brand``.
    """
    from voelgoed.models import Venue

    now = clock.resolve(now)
    key = clean_key(slug, 120)
    row = session.exec(select(Event, Venue, Organization).join(Venue, Venue.id == Event.venue_id)
                       .join(Organization, Organization.id == Event.organization_id)
                       .where(Event.slug == key)).first() if key else None
    if row is None or row[0].status not in ("published", "live", "ended", "cancelled"):
        raise NotFound("not_found", "Event not found")
    event, venue, org = row
    if event.status == "cancelled":
        return {**_event_head(event, venue, on_sale=False, ticket_types=[]), "branding": public_brand(org)}
    try:
        check_event_on_sale(event, now)
        on_sale = True
    except VoelgoedError:
        on_sale = False
    shown = set(unlocked or ())
    types = [tt for tt in session.exec(select(TicketType).where(TicketType.event_id == event.id, TicketType.is_active.is_(True))
                                       .order_by(TicketType.sort_order, TicketType.price_cents)).all()
             if not tt.is_hidden or str(tt.id) in shown]
    avail = availability(session, event, now)["types"]
    seating = session.get(EventSeating, event.id)
    seated_ids = {str(v) for v in (seating.category_types or {}).values()} if seating is not None else set()
    out = []
    for tt in types:
        left = avail.get(tt.id, 0)
        seated = str(tt.id) in seated_ids  # sold seat by seat on the map: no quantity here, never "sold out"
        tt_on_sale = on_sale and sale_window_error(tt.sale_starts_at, tt.sale_ends_at, now, tt.name) is None
        out.append({"id": str(tt.id), "name": tt.name, "description": tt.description, "price_cents": tt.price_cents,
                    "currency": tt.currency, "available": left, "max_per_order": tt.max_per_order,
                    "on_sale": tt_on_sale, "sold_out": left <= 0 and not seated, "seated": seated,
                    "max_selectable": min(left, tt.max_per_order) if tt_on_sale and not seated else 0,
                    "low_stock": 0 < left <= LOW_STOCK, "unlocked": tt.is_hidden,
                    "sale_starts_at": _iso(tt.sale_starts_at), "sale_ends_at": _iso(tt.sale_ends_at)})
    return {**_event_head(event, venue, on_sale=on_sale, ticket_types=out), "branding": public_brand(org)}


def view_with_code(session: Session, slug: str, code, *, client_address: str | None = None,
                   now: datetime | None = None) -> dict:
    """The event page after the buyer typed a promo / access code: :func:`public_event_view` with the hidden
    types the code unlocks, plus ``code: {code, access, unlocks, percent_off, amount_off_cents}``
    (``marketing.check_code``: its errors and its rate limit per client address, keyed like the hold's).
    A code of another event is 404 ``promo_code_invalid``; an unknown event 404 ``not_found``."""
    view = public_event_view(session, slug, now)
    info = check_code(session, event_id=parse_id(view["id"]), promo_code=code,
                      client_key=hold_caps.client_hash(client_address), now=now)
    if info["unlocks"]:
        view = public_event_view(session, slug, now, unlocked=info["unlocks"])
    return {**view, "code": info}


def _event_head(event: Event, venue, *, on_sale: bool, ticket_types: list[dict]) -> dict:
    return {
        "id": str(event.id), "slug": event.slug, "name": event.name, "description": event.description,
        "status": event.status, "cancelled": event.status == "cancelled", "starts_at": _iso(event.starts_at), "ends_at": _iso(event.ends_at),
        "sale_starts_at": _iso(event.sale_starts_at), "sale_ends_at": _iso(event.sale_ends_at),
        "currency": event.currency, "on_sale": on_sale, "waiting_room_enabled": event.waiting_room_enabled,
        "venue": {"name": venue.name, "address": venue.address, "city": venue.city, "timezone": venue.timezone},
        "ticket_types": ticket_types,
    }


def hold_view(session: Session, hold_id, now: datetime | None = None) -> dict:
    """A hold for its buyer: ``{hold_id, status, expires_at, seconds_left, items: [{ticket_type_id,
    ticket_type, quantity, unit_price_cents, line_total_cents, attendee_mode, area}], tickets: [{number,
    ticket_type_id, ticket_type, mode}] (one per ticket, the attendee form's order), total_cents, currency, event: {...}}``
    (``area``: the standing area's label of a seated event's standing places, else None).

    ``status`` reads ``expired`` for a lapsed hold even before the expiry job ran. ``hold_id``: a GA hold's id or
    any hold's token (:mod:`~voelgoed.services.sales.hold_tokens`). 404 ``not_found`` if unknown or forged, 403
    ``hold_token_required`` for a seat hold named by its bare id.
    """
    from voelgoed.models import Venue

    now = clock.resolve(now)
    hid, signed = hold_tokens.parse_ref(hold_id)
    row = session.exec(select(Hold, Event, Venue).join(Event, Event.id == Hold.event_id).join(Venue, Venue.id == Event.venue_id)
                       .where(Hold.id == hid)).first()
    if row is None:
        raise NotFound("not_found", "Hold not found")
    hold, event, venue = row
    hold_tokens.require_token(session, hold, signed)
    lines = attendee_checkout.ordered_items(list(session.exec(
        select(HoldItem, TicketType).join(TicketType, TicketType.id == HoldItem.ticket_type_id).where(HoldItem.hold_id == hold.id)).all()))
    area_ids = [hi.area_id for hi, _ in lines if hi.area_id is not None]  # standing places: their area's label
    areas = dict(session.exec(select(EventArea.id, EventArea.label).where(EventArea.id.in_(area_ids))).all()) if area_ids else {}
    expires = clock.aware(hold.expires_at)
    status = hold.status
    if status in ("active", "converted") and expires <= now:
        status = "expired"
    return {
        "hold_id": str(hold.id), "status": status, "expires_at": expires.isoformat(),
        "seconds_left": max(0, int((expires - now).total_seconds())),
        "items": [{"ticket_type_id": str(hi.ticket_type_id), "ticket_type": tt.name, "quantity": hi.quantity,
                   "unit_price_cents": hi.unit_price_cents, "line_total_cents": hi.quantity * hi.unit_price_cents,
                   "attendee_mode": tt.attendee_mode,
                   "area": areas.get(hi.area_id) if hi.area_id is not None else None}
                  for hi, tt in lines],
        "tickets": attendee_checkout.slots(lines),
        "total_cents": hold.total_cents, "currency": hold.currency,
        "event": {"id": str(event.id), "slug": event.slug, "name": event.name, "starts_at": _iso(event.starts_at),
                  "venue": venue.name, "city": venue.city, "timezone": venue.timezone},
    }
