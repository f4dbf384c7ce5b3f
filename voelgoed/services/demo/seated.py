"""The demo's venues, seating plans and seated events (the square, the theatre night and the arena share these),
created through the normal services and idempotent (each piece looked up first; what was created is appended to
``done``):

- ``seed_venue(session, ctx, spec=, gates=, done=) -> Venue`` — the venue named ``spec["name"]`` (``spec``: the
  keyword arguments of ``venues.create_venue``) with ``gates`` ``((gate code, label), …)``;
- ``seed_plan(session, ctx, venue=, name=, template=, key_seed=, now=, done=) -> SeatingPlan`` — the plan ``name``
  at the venue from the starter ``template`` (seat keys from ``key_seed``), published;
- ``seed_seated_event(session, ctx, venue=, plan=, slug=, name=, description=, times=, types=, isolated_rule=,
  now=, done=, tag=)``, below.

``times`` = ``(starts_at, ends_at)`` in UTC (used only when the event is created; on sale from an hour before
``now`` until it starts); ``types`` = ``((ticket type spec, plan category key), …)`` — each spec the keyword
arguments of :func:`voelgoed.services.catalog.ticket_types.create_ticket_type` (``price_cents`` in cents); seated
sales set up on the plan's latest version with ``isolated_rule`` and 10 places per order and per buyer; then
published. Appends what it created to ``done`` (ticket types as ``"ticket type <name> (<tag>)"``). An event of
that slug in another organisation is left alone.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, select

from voelgoed.models import Event, EventSeating, Gate, SeatingPlan, SeatingPlanVersion, TicketType, Venue
from voelgoed.services.catalog import events as events_svc
from voelgoed.services.catalog import ticket_types as tt_svc
from voelgoed.services.catalog import venues as venues_svc
from voelgoed.services.platform import TenantContext
from voelgoed.services.seating import configure_seated_sales, create_plan, publish, starter_layout


def seed_venue(session: Session, ctx: TenantContext, *, spec: dict, gates: tuple, done: list[str]) -> Venue:
    """The venue ``spec["name"]`` of ``ctx``'s organisation with every gate of ``gates`` (module docstring)."""
    venue = session.exec(select(Venue).where(Venue.organization_id == ctx.organization_id,
                                             Venue.name == spec["name"])).first()
    if venue is None:
        venue = venues_svc.create_venue(session, ctx, **spec)
        done.append(f"venue {venue.name}")
    codes = set(session.exec(select(Gate.gate_code).where(Gate.venue_id == venue.id)).all())
    for code, label in gates:
        if code not in codes:
            venues_svc.create_gate(session, ctx, venue.id, gate_code=code, name=label)
            done.append(f"gate {code}")
    return venue


def seed_plan(session: Session, ctx: TenantContext, *, venue: Venue, name: str, template: str, key_seed: str,
              now: datetime, done: list[str]) -> SeatingPlan:
    """The published plan ``name`` at ``venue``, created from the starter ``template`` when missing."""
    plan = session.exec(select(SeatingPlan).where(SeatingPlan.organization_id == ctx.organization_id,
                                                  SeatingPlan.venue_id == venue.id, SeatingPlan.name == name)).first()
    if plan is None:
        plan = create_plan(session, ctx, venue_id=venue.id, name=name, now=now,
                           layout_doc=starter_layout(template, name=name, seed=key_seed))
        done.append(f"seating plan {name}")
    if plan.latest_version == 0:
        publish(session, ctx, plan.id, now=now)
        done.append(f"published {name}")
    return plan


def seed_seated_event(session: Session, ctx: TenantContext, *, venue: Venue, plan: SeatingPlan, slug: str, name: str,
                      description: str, times: tuple[datetime, datetime], types: tuple, isolated_rule: str,
                      now: datetime, done: list[str], tag: str = "seated") -> None:
    """See the module docstring; commits through the services it calls."""
    event = session.exec(select(Event).where(Event.slug == slug)).first()
    if event is None:
        starts, ends = times
        event = events_svc.create_event(
            session, ctx, venue_id=venue.id, name=name, slug=slug, description=description, starts_at=starts,
            ends_at=ends, sale_starts_at=now - timedelta(hours=1), sale_ends_at=starts, currency="ZAR")
        done.append(f"seated event {name}")
    if event.organization_id != ctx.organization_id:
        return
    existing = {t.name: t for t in session.exec(select(TicketType).where(TicketType.event_id == event.id)).all()}
    for spec, _category in types:
        if spec["name"] not in existing:
            existing[spec["name"]] = tt_svc.create_ticket_type(session, ctx, event.id, now=now, **spec)
            done.append(f"ticket type {spec['name']} ({tag})")
    if session.get(EventSeating, event.id) is None:
        version = session.exec(select(SeatingPlanVersion).where(SeatingPlanVersion.plan_id == plan.id)
                               .order_by(SeatingPlanVersion.number.desc())).first()
        configure_seated_sales(session, ctx, event_id=event.id, version_id=version.id, isolated_rule=isolated_rule,
                               category_types={cat: str(existing[spec["name"]].id) for spec, cat in types},
                               max_per_order=10, max_per_buyer=10, now=now)
        done.append(f"seated sales on {name} ({version.seat_count} seats)")
    if event.status == "draft":
        events_svc.publish(session, ctx, event.id, now=now)
        done.append(f"published {name}")
