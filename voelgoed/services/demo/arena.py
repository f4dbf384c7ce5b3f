"""The demo's 18 504-seat arena (issue 12 "Done when"): a seeded stadium bowl selling seats on a live map.

``seed_arena(session, ctx, now, done)`` creates, through the normal services, what is missing of:

- the venue "Joburg Arena" (Doornfontein, Johannesburg; ``Africa/Johannesburg``, capacity 20 504) with gates
  ``NORTH`` and ``SOUTH``;
- its published seating plan "Arena bowl (18 504 seats)" from the ``stadium`` starter
  (:mod:`voelgoed.services.seating.templates`: 24 stands × 34 rows, lower and upper tier, a standing floor of
  2 000 places, wheelchair places at the row-1 ends);
- the published seated event "Jozi Arena Live" (``jozi-arena-live``, the Saturday a week after the GA demo
  event, 18:00–23:30 local time, on sale from an hour ago) with ticket types Lower tier R650 (65000 cents),
  Upper tier R380 (38000) and Floor (standing) R450 (45000), quantity 0 (the plan is the capacity), each mapped
  to the plan's category; isolated-seat rule strict, 10 places per order and per buyer.

Idempotent like :func:`voelgoed.services.demo.seed.seed_demo` (each piece looked up first); appends what it
created to ``done``. The whole demo seed takes about 7 s on PostgreSQL the first time (18 504 ``event_seat`` rows).
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from voelgoed.services.demo.seated import seed_plan, seed_seated_event, seed_venue
from voelgoed.services.platform import TenantContext

ARENA_TIMEZONE = "Africa/Johannesburg"
ARENA_VENUE = {"name": "Joburg Arena", "address": "Staib Street, Doornfontein", "city": "Johannesburg",
               "country": "ZA", "timezone": ARENA_TIMEZONE, "capacity": 20504}
ARENA_GATES = (("NORTH", "North gates (Staib St)"), ("SOUTH", "South gates (Saratoga Ave)"))
ARENA_PLAN = "Arena bowl (18 504 seats)"
ARENA_SLUG = "jozi-arena-live"
ARENA_NAME = "Jozi Arena Live"
ARENA_SEATS = 18504
ARENA_DESCRIPTION = ("The biggest night of the summer in the Joburg Arena: pick your own seat in the bowl on the live "
                     "map, or let us find the best available seats together, or stand on the floor in front of the "
                     "stage. Gates open at 16:30.")
# ticket type → the stadium starter's category key (templates.py)
ARENA_TYPES = (
    ({"name": "Lower tier", "price_cents": 65000, "quantity": 0, "max_per_order": 10,
      "description": "Rows 1–17 of the bowl, closest to the stage."}, "lower"),
    ({"name": "Upper tier", "price_cents": 38000, "quantity": 0, "max_per_order": 10,
      "description": "Rows 18–34 of the bowl, above the concourse."}, "upper"),
    ({"name": "Floor (standing)", "price_cents": 45000, "quantity": 0, "max_per_order": 10,
      "description": "Standing on the floor in front of the stage."}, "floor"),
)


def arena_times(ga_starts: datetime) -> tuple[datetime, datetime]:
    """18:00–23:30 Johannesburg time a week after ``ga_starts`` (the GA demo event's start), as UTC."""
    tz = ZoneInfo(ARENA_TIMEZONE)
    day = ga_starts.astimezone(tz).date() + timedelta(days=7)
    starts = datetime.combine(day, time(18, 0), tzinfo=tz)
    return starts.astimezone(UTC), starts.replace(hour=23, minute=30).astimezone(UTC)


def seed_arena(session: Session, ctx: TenantContext, *, ga_starts: datetime, now: datetime, done: list[str]) -> None:
    """Create what is missing of the arena demo (module doc) in ``ctx``'s organisation; commits."""
    venue = seed_venue(session, ctx, spec=ARENA_VENUE, gates=ARENA_GATES, done=done)
    plan = seed_plan(session, ctx, venue=venue, name=ARENA_PLAN, template="stadium", key_seed="demo-arena", now=now,
                     done=done)
    seed_seated_event(session, ctx, venue=venue, plan=plan, slug=ARENA_SLUG, name=ARENA_NAME,
                      description=ARENA_DESCRIPTION, times=arena_times(ga_starts), types=ARENA_TYPES,
                      isolated_rule="strict", now=now, done=done, tag="arena")
