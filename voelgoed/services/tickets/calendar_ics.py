"""iCalendar (RFC 5545) documents through the ``icalendar`` library: an event as a VEVENT, and the
buyer's per-order "add to calendar" file (attached to the confirmation e-mail, downloadable from the
order page).

Times: DTSTART/DTEND carry the venue's IANA timezone (``TZID=Africa/Johannesburg``) with a matching
VTIMEZONE (``Calendar.add_missing_timezones``), so calendars show the local time the organiser set;
DTSTAMP/LAST-MODIFIED are UTC (RFC 5545 §3.8.7.2, §3.3.5). LOCATION is the venue name and address,
URL the public event page ``<BASE_URL>/e/<slug>``. UID is stable per event (feed) or per order (the
buyer's copy), SEQUENCE grows with the event's ``updated_at`` so subscribed calendars take changes;
a cancelled event has ``STATUS:CANCELLED``. No secrets: the buyer's order link (it carries the access
token) is never written into a calendar, which is often shared or synced.

- :func:`event_component(event, venue, *, organiser, uid=None, description="")` → ``icalendar.Event``
- :func:`calendar_bytes(components, *, name=None, ttl_minutes=None)` → the ``.ics`` bytes
- :func:`order_calendar(session, order)` → ``(filename, bytes)``; :func:`buyer_order_calendar` (by secret link);
  :func:`order_calendar_path(order_code, access_token)` (the download link)
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, timedelta
from urllib.parse import quote, urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import icalendar
from sqlmodel import Session, select

from voelgoed.config import get_settings
from voelgoed.models import Event, Order, Organization, Ticket, TicketStatus, Venue
from voelgoed.services.platform import clock
from voelgoed.services.tickets.tickets import find_buyer_order

PRODID = "-//VoelgoedEvents//Events//EN"
MIME = "text/calendar"


def _zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "Africa/Johannesburg")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def uid_domain() -> str:
    """The host of ``BASE_URL`` (RFC 5545 recommends ``id@domain`` UIDs)."""
    return urlparse(get_settings().effective_base_url).hostname or "voelgoed.local"


def event_url(event: Event) -> str:
    """The public event page."""
    return f"{get_settings().effective_base_url}/e/{quote(event.slug)}"


def event_component(event: Event, venue: Venue | None, *, organiser: str = "", uid: str | None = None,
                    description: str = "") -> icalendar.Event:
    """One VEVENT for ``event`` at ``venue`` (times in the venue's timezone)."""
    tz = _zone(venue.timezone if venue else None)
    updated = clock.aware(event.updated_at) or clock.utcnow()
    vevent = icalendar.Event()
    vevent.add("uid", uid or f"event-{event.id}@{uid_domain()}")
    vevent.add("dtstamp", updated.astimezone(UTC).replace(microsecond=0))
    vevent.add("last-modified", updated.astimezone(UTC).replace(microsecond=0))
    vevent.add("sequence", max(0, int(updated.timestamp()) - 1_700_000_000))
    vevent.add("summary", event.name)
    vevent.add("dtstart", clock.aware(event.starts_at).astimezone(tz).replace(microsecond=0))  # iCalendar has seconds
    vevent.add("dtend", clock.aware(event.ends_at).astimezone(tz).replace(microsecond=0))
    if venue is not None:
        vevent.add("location", ", ".join(p for p in (venue.name, venue.address, venue.city) if p))
    vevent.add("url", event_url(event))
    text = "\n\n".join(p for p in (description, (event.description or "")[:2000],
                                   f"Organised by {organiser}" if organiser else "", event_url(event)) if p)
    vevent.add("description", text)
    vevent.add("status", "CANCELLED" if event.status == "cancelled" else "CONFIRMED")
    vevent.add("transp", "OPAQUE")
    return vevent


def calendar_bytes(components: Iterable[icalendar.Event], *, name: str | None = None,
                   ttl_minutes: int | None = None) -> bytes:
    """A VCALENDAR (``METHOD:PUBLISH``) with the components and the VTIMEZONEs they use."""
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    if name:
        cal.add("x-wr-calname", name)
    if ttl_minutes:  # how often subscribers should refresh (RFC 7986 REFRESH-INTERVAL + the common X- name)
        cal.add("refresh-interval", icalendar.vDuration(timedelta(minutes=ttl_minutes)), parameters={"VALUE": "DURATION"})
        cal.add("x-published-ttl", f"PT{ttl_minutes}M")
    for component in components:
        cal.add_component(component)
    cal.add_missing_timezones()
    return cal.to_ical()


def order_calendar(session: Session, order: Order) -> tuple[str, bytes]:
    """The buyer's "add to calendar" file for ``order``: ``("VG-7K3Q9M.ics", bytes)``. The description
    names the order code and the number of valid tickets (no links with secrets)."""
    event = session.get(Event, order.event_id)
    venue = session.get(Venue, event.venue_id) if event else None
    org = session.get(Organization, order.organization_id)
    count = len(session.exec(select(Ticket.id).where(Ticket.order_id == order.id,
                                                     Ticket.status != TicketStatus.voided.value)).all())
    note = f"Order {order.order_code} · {count} ticket{'s' if count != 1 else ''}. Your tickets are in your confirmation e-mail."
    vevent = event_component(event, venue, organiser=org.name if org else "",
                             uid=f"order-{order.id}@{uid_domain()}", description=note)
    return f"{order.order_code}.ics", calendar_bytes([vevent], name=event.name)


def buyer_order_calendar(session: Session, *, order_code: str, access_token: str) -> tuple[str, bytes]:
    """:func:`order_calendar` for the buyer's secret link; 404 ``not_found`` for a wrong or missing token."""
    return order_calendar(session, find_buyer_order(session, order_code=order_code, access_token=access_token))


def order_calendar_path(order_code: str, access_token: str) -> str:
    """The buyer's download link (relative): ``/api/v1/public/orders/<code>/calendar.ics?access_token=…``."""
    return f"/api/v1/public/orders/{quote(order_code)}/calendar.ics?access_token={quote(access_token)}"
