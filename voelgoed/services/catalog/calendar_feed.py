"""The public iCalendar feed of an organisation's events (``GET /api/v1/public/organisations/{slug}/events.ics``).

:func:`organisation_feed(session, slug, now=None)` → ``(ics_bytes, etag, last_modified)``:

- which events: published ones (stored ``published``/``live``/``ended``: the effective status follows
  the clock) that ended less than :data:`PAST_DAYS` days ago, plus events that were published and then
  cancelled in that window (as ``STATUS:CANCELLED``, so a subscriber's calendar drops them); never
  drafts or archived events; at most :data:`MAX_EVENTS`, soonest first;
- the VEVENTs are :func:`voelgoed.services.tickets.event_component` (venue timezone + VTIMEZONE,
  LOCATION, URL);
- ``etag`` is a strong validator of the bytes (``"sha256-prefix"``); ``last_modified`` the newest
  ``updated_at`` (UTC) of the events in the feed (or None).

Raises 404 ``not_found`` for an unknown organisation slug (and one that is not a slug at all).
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from sqlalchemy import and_, or_
from sqlmodel import Session, select

from voelgoed.models import Event, EventStatus, Organization, Venue
from voelgoed.services.catalog.events import CLOCK_STATES
from voelgoed.services.platform import NotFound, clean_key, clock
from voelgoed.services.tickets import calendar_bytes, event_component

PAST_DAYS = 90
MAX_EVENTS = 500
REFRESH_MINUTES = 60


def organisation_feed(session: Session, slug: str, *, now: datetime | None = None) -> tuple[bytes, str, datetime | None]:
    """The organisation's public calendar (see the module docstring)."""
    now = clock.resolve(now)
    key = (clean_key(slug, 80) or "").lower()
    org = session.exec(select(Organization).where(Organization.slug == key)).first() if key else None
    if org is None:
        raise NotFound("not_found", "Organisation not found")
    visible = or_(Event.status.in_(list(CLOCK_STATES)),
                  and_(Event.status == EventStatus.cancelled.value, Event.published_at.is_not(None)))
    rows = session.exec(
        select(Event, Venue).join(Venue, Venue.id == Event.venue_id)
        .where(Event.organization_id == org.id, visible, Event.ends_at >= now - timedelta(days=PAST_DAYS))
        .order_by(Event.starts_at, Event.id).limit(MAX_EVENTS)
    ).all()
    body = calendar_bytes([event_component(e, v, organiser=org.name) for e, v in rows],
                          name=f"{org.name} · events", ttl_minutes=REFRESH_MINUTES)
    last = max((clock.aware(e.updated_at) for e, _v in rows), default=None)
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    return body, etag, last
