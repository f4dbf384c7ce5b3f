"""Demo history (issue 13, item 7): weeks of sales and an evening of scans, so a new user sees real charts.

``seed_history(session, *, now=None) -> str`` (after :func:`voelgoed.services.demo.seed.seed_demo`; ``voelgoed
seed demo`` runs both) creates, through the normal services with past ``now`` values (so every order, payment,
ledger entry, ticket and scan is what a real sale leaves behind):

- the past event "Winter Jazz Newtown" (``winter-jazz-newtown``) at the demo venue, 18:00–23:00 local time
  twelve days ago, with ticket types Standard R200 and Table seat R600; about :data:`PAST_ORDERS` (45) sandbox
  orders spread over the five weeks before it (more towards the night), and about 80 % of its tickets
  scanned in at the ``MAIN`` and ``VIP`` gates between 17:30 and 20:30 (the rest are the no-shows);
- about :data:`UPCOMING_ORDERS` (30) orders for the demo event "Summer Sounds Joburg" over the last three weeks
  (only inside its sale window: a demo seeded before this existed keeps its window and gets fewer).

Deterministic (a fixed random seed). Idempotent: nothing happens when the past event exists. Skipped (with a
sentence saying so) where the sandbox payment provider does not exist, or before the demo organisation does.
The paid orders' confirmation e-mails and PDFs are produced by the outbox as for any order (``.eml`` files in
development), by the worker or the periodic drain: the seed defers its nudges (:func:`outbox.deferred_nudges`).
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from voelgoed.models import Event, Organization, Ticket, TicketType, Venue
from voelgoed.services.catalog import events as events_svc
from voelgoed.services.catalog import ticket_types as tt_svc
from voelgoed.services.demo.seed import DEMO_EVENT_SLUG, DEMO_ORG_SLUG, DEMO_VENUE
from voelgoed.services.gate import create_device, scan
from voelgoed.services.payments import sandbox_available
from voelgoed.services.platform import Actor, TenantContext, VoelgoedError, clock, outbox
from voelgoed.services.sales import checkout, inventory, sandbox_checkout

PAST_EVENT_SLUG = "winter-jazz-newtown"
PAST_EVENT_NAME = "Winter Jazz Newtown"
PAST_ORDERS = 45
UPCOMING_ORDERS = 30
SCANNED_SHARE = 0.8
BUYERS = ("Naledi Dlamini", "Pieter van der Merwe", "Ayesha Patel", "Sipho Nkosi", "Lerato Molefe", "Johan Botha",
          "Zanele Khumalo", "Thabo Mahlangu", "Megan Smith", "Kagiso Sithole", "Riana du Plessis", "Musa Zulu")


def _buy(session: Session, rng: random.Random, event: Event, types: list[TicketType], when: datetime, n: int) -> bool:
    """One sandbox order at ``when`` (hold → checkout → pay); False when the services refuse (sold out…)."""
    tt = rng.choices(types, weights=[5, 1, 1][: len(types)])[0]
    buyer = BUYERS[n % len(BUYERS)]
    try:
        hold = inventory.create_hold(session, event_id=event.id, items=[(tt.id, rng.choice((1, 1, 2, 2, 3, 4)))],
                                     client_address=f"demo-history-{event.slug}-{n}", now=when)
        order = checkout.start_checkout(session, hold_id=hold.id, buyer_name=buyer,
                                        buyer_email=f"{buyer.split()[0].lower()}.{n}@example.com", now=when)
        payment = checkout.payment_for_order(session, order)
        sandbox_checkout.complete(session, reference=payment.reference, outcome="success", now=when + timedelta(minutes=1))
    except VoelgoedError:
        session.rollback()
        return False
    return True


def _sale_times(rng: random.Random, start: datetime, end: datetime, count: int) -> list[datetime]:
    """``count`` times in ``[start, end)``, denser towards ``end`` (sales pick up before an event)."""
    span = (end - start).total_seconds()
    return sorted(start + timedelta(seconds=span * (rng.random() ** 0.6)) for _ in range(count))


def _past_event(session: Session, ctx: TenantContext, venue: Venue, now: datetime) -> Event:
    tz = ZoneInfo(venue.timezone)
    day = (now.astimezone(tz) - timedelta(days=12)).date()
    starts = datetime.combine(day, time(18, 0), tzinfo=tz).astimezone(UTC)  # UTC: SQLite keeps the digits as given
    opened = starts - timedelta(days=35)
    event = events_svc.create_event(
        session, ctx, venue_id=venue.id, name=PAST_EVENT_NAME, slug=PAST_EVENT_SLUG, starts_at=starts,
        ends_at=starts + timedelta(hours=5), sale_starts_at=opened, sale_ends_at=starts + timedelta(hours=2), currency="ZAR",
        description="An evening of South African jazz under the Newtown lights.")
    tt_svc.create_ticket_type(session, ctx, event.id, name="Standard", price_cents=20000, quantity=400, max_per_order=6,
                              now=opened)
    tt_svc.create_ticket_type(session, ctx, event.id, name="Table seat", price_cents=60000, quantity=60, max_per_order=4,
                              now=opened)
    events_svc.publish(session, ctx, event.id, now=opened)
    return event


def _scan_in(session: Session, ctx: TenantContext, rng: random.Random, event: Event) -> int:
    starts = clock.aware(event.starts_at)
    doors = {code: create_device(session, ctx, event_id=event.id, name=f"Door {code}", gate_code=code,
                                 now=starts - timedelta(hours=2))[0] for code in ("MAIN", "VIP")}
    tickets = session.exec(select(Ticket).where(Ticket.event_id == event.id).order_by(Ticket.ticket_code)).all()
    scanned = 0
    for t in tickets:
        if rng.random() > SCANNED_SHARE:
            continue  # a no-show
        at = starts - timedelta(minutes=30) + timedelta(seconds=int(3 * 3600 * rng.random() ** 1.4))
        gate = "VIP" if rng.random() < 0.25 else "MAIN"
        result = scan(session, doors[gate], qr=t.qr_payload, gate_code=gate, scanned_at=at,
                      client_scan_id=f"demo-{t.ticket_code}", now=at)
        scanned += result["result"] == "accepted"
    return scanned


def seed_history(session: Session, *, now: datetime | None = None) -> str:
    """Create the demo history when missing (module docstring); returns a one-line summary ("" = nothing to do)."""
    now = clock.resolve(now)
    org = session.exec(select(Organization).where(Organization.slug == DEMO_ORG_SLUG)).first()
    if org is None or session.exec(select(Event.id).where(Event.slug == PAST_EVENT_SLUG)).first() is not None:
        return ""
    if not sandbox_available():
        return "Demo history skipped: the sandbox payment provider does not exist here."
    venue = session.exec(select(Venue).where(Venue.organization_id == org.id, Venue.name == DEMO_VENUE["name"])).first()
    if venue is None:
        return ""
    with outbox.deferred_nudges():  # PDFs and e-mails by the worker / periodic drain, not after every order
        return _seed(session, org, venue, DEMO_EVENT_SLUG, now)


def _seed(session: Session, org: Organization, venue: Venue, upcoming_slug: str, now: datetime) -> str:
    ctx = TenantContext(organization_id=org.id, actor=Actor("system", "seed"), role="owner")
    rng = random.Random(2026)
    past = _past_event(session, ctx, venue, now)
    past_types = list(session.exec(select(TicketType).where(TicketType.event_id == past.id).order_by(TicketType.sort_order)))
    starts = clock.aware(past.starts_at)
    sold = sum(_buy(session, rng, past, past_types, t, i) for i, t in
               enumerate(_sale_times(rng, clock.aware(past.sale_starts_at), starts + timedelta(hours=1), PAST_ORDERS)))
    scanned = _scan_in(session, ctx, rng, past)
    upcoming = session.exec(select(Event).where(Event.slug == upcoming_slug, Event.organization_id == org.id)).first()
    more = 0
    if upcoming is not None:
        types = list(session.exec(select(TicketType).where(TicketType.event_id == upcoming.id).order_by(TicketType.sort_order)))
        opened = max(clock.aware(upcoming.sale_starts_at) or now, now - timedelta(days=21))
        if types and opened < now - timedelta(minutes=10):
            more = sum(_buy(session, rng, upcoming, [types[1], types[0], types[2]] if len(types) == 3 else types, t,
                            PAST_ORDERS + i)
                       for i, t in enumerate(_sale_times(rng, opened, now - timedelta(minutes=5), UPCOMING_ORDERS)))
    return (f"Demo history: {PAST_EVENT_NAME} with {sold} orders and {scanned} check-ins; "
            f"{more} orders for the upcoming event.")
