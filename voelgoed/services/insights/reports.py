"""Organiser overview numbers and the per-event sales summary (the dashboard and `/reports`).

Both read only the caller's organisation (``ctx.organization_id``). Money is integer cents per
currency; times are UTC. Revenue counts orders with status ``paid`` only.

- ``dashboard_overview(session, ctx, *, now=None)`` → ``{"upcoming_events", "published_events", "draft_events",
  "orders_paid", "tickets_sold", "revenue_cents", "currency", "next_events": [{"id", "name", "slug", "status",
  "starts_at", "sold", "capacity"}], "recent_orders": [{"id", "order_code", "buyer_name", "status",
  "total_cents", "currency", "created_at"}], "orders_needing_attention", "financials_visible"}``.
  ``orders_needing_attention`` counts orders that are ``refund_required`` or flagged with an
  ``attention_reason`` (e.g. a payment the provider's verify did not confirm). Financial figures are zero/empty
  (and ``financials_visible`` false) for roles without ``can_view_financials``.
- ``event_sales_summary(session, ctx, *, now=None)`` → ``[{"event_id", "name", "slug", "status", "starts_at",
  "tickets_sold", "tickets_held", "capacity", "orders_paid", "revenue_cents", "currency", "seated", "sections":
  [{"section", "sold", "held", "free", "blocked", "total"}]}]`` ordered by start time; 403 ``forbidden`` without
  ``can_view_financials``.

Seated events (issue 12): their seats are the capacity of their seated ticket types (whose counters stay 0),
so sold / held / capacity add the event's seat counts (:mod:`voelgoed.services.sales.seat_figures`: sold seats,
live-held seats, all seats but blocked ones) to the GA counters, and ``sections`` lists them per section
(``[]`` and ``seated`` false for general admission). The dashboard's "next events" count seats the same way.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, select

from voelgoed.models import Event, Order, Organization, TicketType
from voelgoed.services.platform import TenantContext, clock, rbac
from voelgoed.services.sales import seat_totals, section_figures, sold_seats
from voelgoed.services.sales.orders_admin import needs_attention_clause

PAID = "paid"


def dashboard_overview(session: Session, ctx: TenantContext, *, now: datetime | None = None) -> dict:
    """The `/dashboard` cards (shape in the module docstring): counts of ``ctx``'s events, then — for roles
    with ``can_view_financials`` — paid orders, tickets sold and ``revenue_cents`` (sum of paid orders'
    ``total_cents`` in the organisation's currency), the 5 next events (``ends_at >= now``, UTC) and the 5 latest orders. Raises nothing."""
    now = clock.resolve(now)
    org = ctx.organization_id
    organization = session.get(Organization, org)
    currency = organization.currency if organization else "ZAR"
    counts = dict(session.exec(
        select(Event.status, func.count()).where(Event.organization_id == org).group_by(Event.status)).all())
    upcoming = session.exec(select(func.count()).select_from(Event).where(
        Event.organization_id == org, Event.starts_at >= now, Event.status != "cancelled")).one()
    next_events = session.exec(select(Event).where(Event.organization_id == org, Event.ends_at >= now)
                               .order_by(Event.starts_at).limit(5)).all()
    sold_by_event = _sold_by_event(session, org, [e.id for e in next_events])
    seats = {eid: seat_totals(rows) for eid, rows in section_figures(session, [e.id for e in next_events], now).items()}
    result = {
        "upcoming_events": int(upcoming), "published_events": int(counts.get("published", 0)),
        "draft_events": int(counts.get("draft", 0)), "orders_paid": 0, "tickets_sold": 0, "revenue_cents": 0,
        "currency": currency, "financials_visible": rbac.can_view_financials(ctx),
        "next_events": [{"id": str(e.id), "name": e.name, "slug": e.slug, "status": e.status,
                         "starts_at": clock.aware(e.starts_at).isoformat(),
                         "sold": int(sold_by_event.get(e.id, 0)) + seats.get(e.id, {}).get("sold", 0),
                         "capacity": _capacity(session, e) + _seat_capacity(seats.get(e.id))} for e in next_events],
        "recent_orders": [], "orders_needing_attention": 0,
    }
    if rbac.can_view_financials(ctx):
        paid = session.exec(select(func.count(), func.coalesce(func.sum(Order.total_cents), 0))
                            .where(Order.organization_id == org, Order.status == PAID, Order.currency == currency)).one()
        result["orders_paid"], result["revenue_cents"] = int(paid[0]), int(paid[1])
        result["orders_needing_attention"] = int(session.exec(select(func.count()).select_from(Order).where(
            Order.organization_id == org, needs_attention_clause())).one())
        result["tickets_sold"] = int(session.exec(select(func.coalesce(func.sum(TicketType.sold_count), 0))
                                                  .where(TicketType.organization_id == org)).one()) + sold_seats(session, org)
        recent = session.exec(select(Order).where(Order.organization_id == org)
                              .order_by(Order.created_at.desc()).limit(5)).all()
        result["recent_orders"] = [{"id": str(o.id), "order_code": o.order_code, "buyer_name": o.buyer_name,
                                    "status": o.status, "total_cents": o.total_cents, "currency": o.currency,
                                    "created_at": clock.aware(o.created_at).isoformat()} for o in recent]
    return result


def _sold_by_event(session: Session, org, event_ids: list) -> dict:
    if not event_ids:
        return {}
    rows = session.exec(select(TicketType.event_id, func.sum(TicketType.sold_count))
                        .where(TicketType.organization_id == org, TicketType.event_id.in_(event_ids))
                        .group_by(TicketType.event_id)).all()
    return {event_id: int(total or 0) for event_id, total in rows}


def _capacity(session: Session, event: Event) -> int:
    if event.capacity:
        return int(event.capacity)
    total = session.exec(select(func.coalesce(func.sum(TicketType.quantity), 0))
                         .where(TicketType.event_id == event.id)).one()
    return int(total)


def _seat_capacity(totals: dict | None) -> int:
    """Seats that can be sold (all but blocked ones); 0 for general admission."""
    return 0 if not totals else totals["total"] - totals["blocked"]


def event_sales_summary(session: Session, ctx: TenantContext, *, now: datetime | None = None) -> list[dict]:
    """One row per event of ``ctx``'s organisation by ``starts_at`` (shape in the module docstring): tickets
    from the ticket types' counters, ``orders_paid`` / ``revenue_cents`` (cents, the event's currency) from
    paid orders. Raises 403 ``forbidden`` without ``can_view_financials``."""
    rbac.require(ctx, rbac.can_view_financials, "view sales reports")
    org = ctx.organization_id
    events = session.exec(select(Event).where(Event.organization_id == org).order_by(Event.starts_at)).all()
    tickets = {row[0]: row for row in session.exec(
        select(TicketType.event_id, func.sum(TicketType.sold_count), func.sum(TicketType.held_count),
               func.sum(TicketType.quantity)).where(TicketType.organization_id == org).group_by(TicketType.event_id)).all()}
    orders = {row[0]: row for row in session.exec(
        select(Order.event_id, func.count(), func.coalesce(func.sum(Order.total_cents), 0))
        .where(Order.organization_id == org, Order.status == PAID).group_by(Order.event_id)).all()}
    sections = section_figures(session, [e.id for e in events if e.seating_plan_version_id is not None], now)
    rows = []
    for e in events:
        t = tickets.get(e.id, (e.id, 0, 0, 0))
        o = orders.get(e.id, (e.id, 0, 0))
        seated = sections.get(e.id, [])
        seats = seat_totals(seated) if seated else None
        rows.append({"event_id": str(e.id), "name": e.name, "slug": e.slug, "status": e.status,
                     "starts_at": clock.aware(e.starts_at).isoformat(),
                     "tickets_sold": int(t[1] or 0) + (seats["sold"] if seats else 0),
                     "tickets_held": int(t[2] or 0) + (seats["held"] if seats else 0),
                     "capacity": int(e.capacity or (int(t[3] or 0) + _seat_capacity(seats))),
                     "orders_paid": int(o[1]), "revenue_cents": int(o[2]), "currency": e.currency,
                     "seated": bool(seated), "sections": seated})
    return rows
