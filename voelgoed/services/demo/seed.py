"""The demo seed (issue #2): a ready-to-sell organisation, venue and published event.

``seed_demo(session, now=None) -> str`` creates, through the normal services (so everything is
validated and audited):

- organisation "Jozi Live Events" (``jozi-live``) owned by ``demo@voelgoed.co.za``, plus a door
  staff user ``door@voelgoed.co.za`` with the ``scanner_only`` role;
- the venue "Mary Fitzgerald Square" (Newtown, Johannesburg; ``Africa/Johannesburg``) with gates
  ``MAIN`` and ``VIP``;
- the published event "Summer Sounds Joburg" (``summer-sounds-joburg``) on a Saturday about three
  weeks ahead, 14:00–23:00 local time, sales open from four weeks ago (room for the demo history,
  :mod:`voelgoed.services.demo.history`) until the doors open;
- three GA ticket types in ZAR: Early Bird R250 (25000 cents, 300), General R350 (35000, 1500),
  VIP R950 (95000, 200);
- the published theatre seating plan "Main hall (theatre seating)" at the venue, and the **seated** event
  "Jozi Theatre Night" (``jozi-theatre-night``, the Friday after, 19:30–22:30) selling it: ticket types
  Premium R450, Standard R300, Balcony R200 (quantity 0: the seats are the capacity), each mapped to the
  plan's category of the same name, isolated-seat rule lenient, 10 seats per order — ready to sell;
- the 18 504-seat arena: venue "Joburg Arena" and the seated event "Jozi Arena Live" (``jozi-arena-live``) on
  its stadium-bowl plan (:mod:`voelgoed.services.demo.arena`).

Demo mode only: in production (``VOELGOED_ENV=prod``) it refuses with 409 ``demo_mode_required``
unless ``DEMO_MODE=1``, because the accounts it creates have the passwords published here (dev and
test keep it). Idempotent: each piece is looked up first and only what is missing is created; a second run
changes nothing and returns a summary saying so. Works on PostgreSQL and on the embedded SQLite file.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from voelgoed.config import get_settings
from voelgoed.models import (
    Event,
    Membership,
    Organization,
    SeatingPlan,
    TicketType,
    Venue,
)
from voelgoed.services.accounts import accounts, tenancy
from voelgoed.services.catalog import events as events_svc
from voelgoed.services.catalog import ticket_types as tt_svc
from voelgoed.services.demo.arena import seed_arena
from voelgoed.services.demo.seated import seed_plan, seed_seated_event, seed_venue
from voelgoed.services.platform import Actor, TenantContext, VoelgoedError, clock

DEMO_ORG_SLUG = "jozi-live"
DEMO_ORG_NAME = "Jozi Live Events"
DEMO_OWNER_EMAIL = "demo@voelgoed.co.za"
DEMO_OWNER_PASSWORD = "demo-password-2026"
DEMO_OWNER_NAME = "Thandi Mokoena"
DEMO_DOOR_EMAIL = "door@voelgoed.co.za"
DEMO_DOOR_PASSWORD = "door-password-2026"
DEMO_DOOR_NAME = "Sipho Dlamini"
DEMO_EVENT_SLUG = "summer-sounds-joburg"
DEMO_EVENT_NAME = "Summer Sounds Joburg"
DEMO_TIMEZONE = "Africa/Johannesburg"
DEMO_VENUE = {
    "name": "Mary Fitzgerald Square",
    "address": "Jeppe Street, Newtown",
    "city": "Johannesburg",
    "country": "ZA",
    "timezone": DEMO_TIMEZONE,
    "capacity": 8000,
}
DEMO_GATES = (("MAIN", "Main entrance (Jeppe St)"), ("VIP", "VIP entrance (Bree St)"))
DEMO_TICKET_TYPES = (
    {"name": "Early Bird", "price_cents": 25000, "quantity": 300, "max_per_order": 6,
     "description": "Limited release at the best price. General admission."},
    {"name": "General", "price_cents": 35000, "quantity": 1500, "max_per_order": 10,
     "description": "General admission to the square and all three stages."},
    {"name": "VIP", "price_cents": 95000, "quantity": 200, "max_per_order": 4,
     "description": "VIP deck with a private bar, own entrance and a welcome drink."},
)
DEMO_DESCRIPTION = (
    "A long summer afternoon of Joburg sounds in the heart of Newtown: amapiano, jazz and indie on three "
    "stages, food trucks from across the city and the skyline at sunset. Gates open at 14:00."
)


DEMO_SEATING_PLAN = "Main hall (theatre seating)"
DEMO_SEATED_SLUG = "jozi-theatre-night"
DEMO_SEATED_NAME = "Jozi Theatre Night"
DEMO_SEATED_DESCRIPTION = ("An evening of new South African theatre in the Main hall: choose your own seat in the "
                           "stalls or the balcony. Doors open at 19:00.")
# ticket type → the theatre starter's category key (templates.py)
DEMO_SEATED_TYPES = (
    ({"name": "Premium", "price_cents": 45000, "quantity": 0, "max_per_order": 10,
      "description": "The best seats in the front stalls."}, "premium"),
    ({"name": "Standard", "price_cents": 30000, "quantity": 0, "max_per_order": 10,
      "description": "Stalls seats further back."}, "standard"),
    ({"name": "Balcony", "price_cents": 20000, "quantity": 0, "max_per_order": 10,
      "description": "Seats in the balcony."}, "balcony"),
)


def _event_times(now: datetime) -> tuple[datetime, datetime]:
    """A Saturday 19–25 days from ``now``, 14:00–23:00 Johannesburg time, as UTC."""
    tz = ZoneInfo(DEMO_TIMEZONE)
    day = (now.astimezone(tz) + timedelta(days=21)).date()
    day += timedelta(days=(5 - day.weekday()) % 7)  # next Saturday on/after the 21st day
    if (day - now.astimezone(tz).date()).days > 25:
        day -= timedelta(days=7)
    starts = datetime.combine(day, time(14, 0), tzinfo=tz)
    # in UTC: SQLite stores a datetime's wall-clock digits as they are (no conversion), so an aware local time
    # would be read back as UTC, two hours late
    return starts.astimezone(UTC), starts.replace(hour=23).astimezone(UTC)


def seed_demo(session: Session, *, now: datetime | None = None) -> str:
    """Create whatever part of the demo is missing; returns a human summary (see module doc).

    Errors: 409 ``demo_mode_required`` in production without ``DEMO_MODE=1``.
    """
    settings = get_settings()
    if settings.is_prod and not settings.demo_mode:
        raise VoelgoedError("demo_mode_required",
                            "The demo seed creates accounts with published passwords; it runs in production only with "
                            "DEMO_MODE=1 (a demo deployment, never next to a real payment provider)", status=409)
    now = clock.resolve(now)
    done: list[str] = []

    org = session.exec(select(Organization).where(Organization.slug == DEMO_ORG_SLUG)).first()
    if org is None:
        org, owner = tenancy.create_organization_with_owner(
            session, name=DEMO_ORG_NAME, slug=DEMO_ORG_SLUG, owner_email=DEMO_OWNER_EMAIL, owner_password=DEMO_OWNER_PASSWORD)
        if not owner.full_name:
            owner.full_name = DEMO_OWNER_NAME
            session.commit()
        done.append(f"organisation {DEMO_ORG_NAME} with owner {DEMO_OWNER_EMAIL}")

    door = accounts.get_user_by_email(session, DEMO_DOOR_EMAIL)
    if door is None:
        door = accounts.create_user(session, email=DEMO_DOOR_EMAIL, password=DEMO_DOOR_PASSWORD, full_name=DEMO_DOOR_NAME)
        done.append(f"door staff user {DEMO_DOOR_EMAIL}")
    member = session.exec(select(Membership).where(Membership.organization_id == org.id, Membership.user_id == door.id)).first()
    if member is None:
        tenancy.add_member_by_slug(session, org_slug=DEMO_ORG_SLUG, user_id=door.id, role="scanner_only")
        done.append("door staff membership (scanner_only)")

    ctx = TenantContext(organization_id=org.id, actor=Actor("system", "seed"), role="owner")
    venue = seed_venue(session, ctx, spec=DEMO_VENUE, gates=DEMO_GATES, done=done)
    # a real seating plan at the venue (theatre starter, published) so the builder opens on something real
    plan = seed_plan(session, ctx, venue=venue, name=DEMO_SEATING_PLAN, template="theatre", key_seed="demo", now=now,
                     done=done)

    event = session.exec(select(Event).where(Event.slug == DEMO_EVENT_SLUG)).first()
    if event is None:
        starts, ends = _event_times(now)
        event = events_svc.create_event(
            session, ctx, venue_id=venue.id, name=DEMO_EVENT_NAME, slug=DEMO_EVENT_SLUG, description=DEMO_DESCRIPTION,
            starts_at=starts, ends_at=ends, sale_starts_at=now - timedelta(days=28), sale_ends_at=starts,
            capacity=2000, currency="ZAR")
        done.append(f"event {DEMO_EVENT_NAME}")
    if event.organization_id != org.id:
        return f"The slug {DEMO_EVENT_SLUG} belongs to another organisation; demo event left alone."
    names = set(session.exec(select(TicketType.name).where(TicketType.event_id == event.id)).all())
    for spec in DEMO_TICKET_TYPES:
        if spec["name"] not in names:
            tt_svc.create_ticket_type(session, ctx, event.id, now=now, **spec)
            done.append(f"ticket type {spec['name']}")
    if event.status == "draft":
        events_svc.publish(session, ctx, event.id, now=now)
        done.append("published the event")

    _seed_seated_event(session, ctx, venue, plan, now, done)
    seed_arena(session, ctx, ga_starts=_event_times(now)[0], now=now, done=done)

    if not done:
        return "Demo data already present; nothing changed."
    return "Demo seeded: " + "; ".join(done) + "."


def _seed_seated_event(session: Session, ctx: TenantContext, venue: Venue, plan: SeatingPlan, now: datetime,
                       done: list[str]) -> None:
    """The seated demo event on the theatre plan's latest version, with seated sales set up (idempotent)."""
    tz = ZoneInfo(DEMO_TIMEZONE)
    day = _event_times(now)[0].astimezone(tz).date() + timedelta(days=6)
    starts = datetime.combine(day, time(19, 30), tzinfo=tz).astimezone(UTC)
    seed_seated_event(session, ctx, venue=venue, plan=plan, slug=DEMO_SEATED_SLUG, name=DEMO_SEATED_NAME,
                      description=DEMO_SEATED_DESCRIPTION, times=(starts, starts + timedelta(hours=3)),
                      types=DEMO_SEATED_TYPES, isolated_rule="lenient", now=now, done=done)
