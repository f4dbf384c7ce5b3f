"""One seated demo event on a plan (the theatre night and the arena share it), created through the normal
services and idempotent: ``seed_seated_event(session, ctx, venue=, plan=, slug=, name=, description=, times=,
types=, isolated_rule=, now=, done=, tag=)``.

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

from voelgoed.models import Event, EventSeating, SeatingPlan, SeatingPlanVersion, TicketType, Venue
from voelgoed.services.catalog import events as events_svc
from voelgoed.services.catalog import ticket_types as tt_svc
from voelgoed.services.platform import TenantContext
from voelgoed.services.seating import configure_seated_sales


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
