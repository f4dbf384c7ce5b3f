"""The organiser's view of a seated event (issues 11 item 3, 12 item 5): the seat map with live statuses,
counts by status and by section, who holds what, and the seated-sales settings.

Everything here is for the event's own organisation (``get_owned``: another organisation's event is 404
``not_found``); an event without seated sales is 409 ``not_seated``. Reads need ``can_view_events``.

Shapes (seat keys are the permanent keys of the plan, labels are printed ``Stalls A-12``):

- :func:`organiser_layout` → ``({event_id, version, layout, categories, areas, isolated_rule, max_per_order,
  max_per_buyer}, etag)``; ``categories`` = ``[{key, label, color, accessible, ticket_type_id, ticket_type,
  price_cents, currency}]``; ``areas`` = ``[{key, kind: standing | table, label, category, capacity}]``.
- :func:`organiser_status` → ``{seq, held: [key], sold: [key], blocked: [key], allocated: {key: label},
  counts: {free, held, sold, blocked, allocated, total}, sections: [{section, free, held, sold, blocked,
  allocated, total}], allocations: [{label, count}], areas: {standing area key: {capacity, sold, held, free}},
  tables: {whole table key: sold | held | blocked | allocated | free}}`` (a lapsed hold counts as free; seat
  counts are seats, standing places are only in ``areas``).
- :func:`seat_details` → ``[{key, label, section, row, seat, category, status, allocation, price_cents,
  hold: {id, expires_at, seconds_left, source, order_code} | None, order: {id, order_code, status, buyer_name,
  provider} | None}]`` for at most ``event_seats.MAX_SELECTION`` keys (unknown keys are left out).
- :func:`seated_sales_view` → the settings form: ``{configured, version: {id, label} | None, categories:
  [{key, label, color, seats, ticket_type_id}], ticket_types: [{id, name, price_cents, currency, label}],
  isolated_rule, max_per_order, max_per_buyer, rules}``.
- :func:`update_seated_sales` changes the rule, caps and category → ticket type map of a seated event
  (``can_manage_events``; audit ``event.seated_sales_changed`` with the old and new values; commits).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from voelgoed.models import (
    Event,
    EventArea,
    EventSeat,
    EventSeating,
    Hold,
    Order,
    SeatingCategory,
    SeatingPlan,
    SeatingPlanVersion,
    TicketType,
)
from voelgoed.services.platform import TenantContext, audit, clock, format_money, get_owned, iso, rbac
from voelgoed.services.sales import seat_keeper, stock
from voelgoed.services.seating import area_holds, event_seats
from voelgoed.services.seating.seat_holds import seat_label

STATUSES = ("free", "held", "sold", "blocked", "allocated")
_SEAT = EventSeat.__table__


def organiser_layout(session: Session, ctx: TenantContext, event_id: Any) -> tuple[dict[str, Any], str]:
    """The attached version's layout with the legend; see the module docstring. Works for any event status."""
    rbac.require(ctx, rbac.can_view_events, "view the seat map")
    event, settings = event_seats.seated_for_organiser(session, ctx, event_id)
    version = session.get(SeatingPlanVersion, settings.version_id)
    legend = event_seats.category_prices(session, event, settings)
    names = dict(session.execute(select(TicketType.id, TicketType.name).where(TicketType.event_id == event.id)).all())
    for c in legend:
        c["ticket_type"] = names.get(uuid.UUID(c["ticket_type_id"]), "") if c["ticket_type_id"] else ""
    etag = event_seats.storefront_etag(version.layout_hash, legend + [{"key": "~names", "price_cents": "|".join(
        c["ticket_type"] for c in legend)}])
    return {"event_id": str(event.id), "version": version.number, "layout": version.layout, "categories": legend,
            "areas": area_holds.area_legend(session, event.id), "isolated_rule": settings.isolated_rule,
            "max_per_order": settings.max_per_order, "max_per_buyer": settings.max_per_buyer}, etag


def organiser_status(session: Session, ctx: TenantContext, event_id: Any, *, now: datetime | None = None) -> dict[str, Any]:
    """Every seat's live status with counts by status and section; see the module docstring."""
    rbac.require(ctx, rbac.can_view_events, "view the seat map")
    now = clock.resolve(now)
    event, settings = event_seats.seated_for_organiser(session, ctx, event_id)
    out: dict[str, Any] = {"seq": settings.seq, "held": [], "sold": [], "blocked": [], "allocated": {}}
    counts = dict.fromkeys(STATUSES, 0)
    sections: dict[str, dict[str, int]] = {}
    labels: dict[str, int] = {}
    rows = session.execute(select(_SEAT.c.seat_key, _SEAT.c.status, _SEAT.c.hold_expires_at, _SEAT.c.seq,
                                  _SEAT.c.section_label, _SEAT.c.allocation)
                           .where(_SEAT.c.event_id == event.id)).all()
    for r in rows:
        status = seat_keeper.live_status(r.status, r.hold_expires_at, now)
        status = status if status in counts else "blocked"
        counts[status] += 1
        sec = sections.setdefault(r.section_label or "—", dict.fromkeys(STATUSES, 0))
        sec[status] += 1
        out["seq"] = max(out["seq"], r.seq)
        if status == "allocated":
            out["allocated"][r.seat_key] = r.allocation or ""
            labels[r.allocation or ""] = labels.get(r.allocation or "", 0) + 1
        elif status != "free":
            out[status].append(r.seat_key)
    for k in ("held", "sold", "blocked"):
        out[k].sort()
    out["counts"] = {**counts, "total": len(rows)}
    out["sections"] = [{"section": name, **c, "total": sum(c.values())} for name, c in sorted(sections.items())]
    out["allocations"] = [{"label": k, "count": n} for k, n in sorted(labels.items())]
    out["areas"], out["tables"] = _places(session, event.id, rows, now)
    return out


def organiser_places(session: Session, event_id: uuid.UUID, now: datetime) -> tuple[dict, dict]:
    """``(areas, tables)`` as in :func:`organiser_status` (the organiser's changes feed sends them whole too)."""
    return _places(session, event_id, [], now)


def _places(session: Session, event_id, rows: list, now: datetime) -> tuple[dict, dict]:
    """Seated GA for the organiser: ``({standing area key: {capacity, sold, held, free}}, {whole table key:
    sold | held | blocked | allocated | free})`` — the first of those statuses any seat of the table has."""
    areas = {k: {"capacity": v["capacity"], "sold": v["sold"], "held": v["held"], "free": v["remaining"]}
             for k, v in stock.area_remaining(session, event_id, now).items()}
    whole = session.execute(select(EventArea.area_key).where(EventArea.event_id == event_id,
                                                             EventArea.kind == "table")).scalars().all()
    seen: dict[str, set[str]] = {k: set() for k in whole}
    if whole:
        for r in session.execute(select(_SEAT.c.table_key, _SEAT.c.status, _SEAT.c.hold_expires_at).where(
                _SEAT.c.event_id == event_id, _SEAT.c.table_key.in_(whole))).all():
            seen[r.table_key].add(seat_keeper.live_status(r.status, r.hold_expires_at, now))
    tables = {k: next((s for s in ("sold", "held", "blocked", "allocated") if s in st), "free") for k, st in seen.items()}
    return areas, tables


def seat_details(session: Session, ctx: TenantContext, event_id: Any, seat_keys: Any, *,
                 now: datetime | None = None) -> list[dict[str, Any]]:
    """Who holds what for the chosen seats; see the module docstring. Buyers are named only by their order."""
    rbac.require(ctx, rbac.can_view_events, "view the seat map")
    now = clock.resolve(now)
    event, settings = event_seats.seated_for_organiser(session, ctx, event_id)
    keys = event_seats.parse_seat_keys(seat_keys)
    seats = session.execute(select(EventSeat).where(EventSeat.event_id == event.id, EventSeat.seat_key.in_(keys))
                            .order_by(EventSeat.section_label, EventSeat.row_label, EventSeat.seat_key)).scalars().all()
    hold_ids = {s.hold_id for s in seats if s.hold_id is not None}
    holds = {h.id: h for h in session.execute(select(Hold).where(Hold.id.in_(hold_ids))).scalars()} if hold_ids else {}
    order_ids = {s.order_id for s in seats if s.order_id is not None}
    pending = ({o.hold_id: o for o in session.execute(select(Order).where(Order.hold_id.in_(hold_ids))).scalars()}
               if hold_ids else {})
    orders = {o.id: o for o in session.execute(select(Order).where(Order.id.in_(order_ids))).scalars()} if order_ids else {}
    prices = {c["key"]: c["price_cents"] for c in event_seats.category_prices(session, event, settings)}
    out = []
    for s in seats:
        status = seat_keeper.live_status(s.status, s.hold_expires_at, now)
        row: dict[str, Any] = {"key": s.seat_key, "label": seat_label(s), "section": s.section_label, "row": s.row_label,
                               "seat": s.seat_label, "category": s.category_key, "status": status,
                               "allocation": s.allocation if status == "allocated" else None,
                               "price_cents": prices.get(s.category_key), "hold": None, "order": None}
        hold = holds.get(s.hold_id) if s.hold_id is not None else None
        order = orders.get(s.order_id) or pending.get(s.hold_id)
        if status == "held" and hold is not None:
            expires = clock.aware(s.hold_expires_at)
            row["hold"] = {"id": str(hold.id), "expires_at": iso(expires),
                           "seconds_left": max(0, int((expires - now).total_seconds())),
                           "source": "buyer" if hold.client_hash else "organiser",
                           "order_code": order.order_code if order is not None else None}
        if order is not None and status in ("held", "sold"):
            row["order"] = {"id": str(order.id), "order_code": order.order_code, "status": order.status,
                            "buyer_name": order.buyer_name, "provider": order.provider}
        out.append(row)
    return out


def _version_label(session: Session, version_id: Any) -> dict[str, Any] | None:
    if version_id is None:
        return None
    v = session.get(SeatingPlanVersion, version_id)
    plan = session.get(SeatingPlan, v.plan_id)
    return {"id": str(v.id), "label": f"{plan.name} · v{v.number} ({v.seat_count} seats)", "seat_count": v.seat_count}


def seated_sales_view(session: Session, ctx: TenantContext, event_id: Any) -> dict[str, Any]:
    """What the seated-sales form shows; see the module docstring. The version is the seated one, else the
    attached one (``configured`` False: not set up yet), else None (attach a version first)."""
    rbac.require(ctx, rbac.can_view_events, "view seating")
    event = get_owned(session, ctx, Event, event_id, "event")
    settings = session.get(EventSeating, event.id)
    version_id = settings.version_id if settings is not None else event.seating_plan_version_id
    types = session.execute(select(TicketType).where(TicketType.event_id == event.id)
                            .order_by(TicketType.sort_order, TicketType.name)).scalars().all()
    out: dict[str, Any] = {
        "configured": settings is not None, "version": _version_label(session, version_id), "categories": [],
        "ticket_types": [{"id": str(t.id), "name": t.name, "price_cents": t.price_cents, "currency": t.currency,
                          "label": f"{t.name} · {format_money(t.price_cents, t.currency)}"} for t in types],
        "isolated_rule": settings.isolated_rule if settings else "lenient",
        "max_per_order": settings.max_per_order if settings else 10,
        "max_per_buyer": settings.max_per_buyer if settings else 10, "rules": list(event_seats.RULES)}
    if version_id is not None:
        counts = dict(session.execute(select(_SEAT.c.category_key, func.count()).where(_SEAT.c.event_id == event.id)
                                      .group_by(_SEAT.c.category_key)).all()) if settings else {}
        mapping = (settings.category_types or {}) if settings else {}
        cats = session.execute(select(SeatingCategory).where(SeatingCategory.version_id == version_id)
                               .order_by(SeatingCategory.key)).scalars().all()
        out["categories"] = [{"key": c.key, "label": c.label, "color": c.color, "seats": counts.get(c.key),
                              "ticket_type_id": mapping.get(c.key, "")} for c in cats]
    return out


def update_seated_sales(session: Session, ctx: TenantContext, *, event_id: Any, isolated_rule: Any = None,
                        max_per_order: Any = None, max_per_buyer: Any = None, category_types: Any = None,
                        now: datetime | None = None) -> EventSeating:
    """Change what is given (``None`` keeps it): the isolated-seat rule, the caps (1–100), the category →
    ticket type map (every category, ticket types of this event; new prices apply to new holds only).
    Errors: 403, 404, 409 ``not_seated``, 422 ``validation_failed``. Commits; audit ``event.seated_sales_changed``."""
    rbac.require(ctx, rbac.can_manage_events, "change seated sales")
    event, settings = event_seats.seated_for_organiser(session, ctx, event_id, lock=True)
    before = {"isolated_rule": settings.isolated_rule, "max_per_order": settings.max_per_order,
              "max_per_buyer": settings.max_per_buyer, "category_types": dict(settings.category_types or {})}
    after = {"isolated_rule": before["isolated_rule"] if isolated_rule is None else isolated_rule,
             "max_per_order": before["max_per_order"] if max_per_order is None else max_per_order,
             "max_per_buyer": before["max_per_buyer"] if max_per_buyer is None else max_per_buyer}
    event_seats.check_rule_and_caps(after["isolated_rule"], after["max_per_order"], after["max_per_buyer"])
    after["category_types"] = (before["category_types"] if category_types is None
                               else event_seats.check_mapping(session, event, settings.version_id, category_types))
    changed = {k: {"from": before[k], "to": after[k]} for k in after if after[k] != before[k]}
    if changed:
        settings.isolated_rule, settings.max_per_order = after["isolated_rule"], after["max_per_order"]
        settings.max_per_buyer, settings.category_types = after["max_per_buyer"], after["category_types"]
        session.add(settings)
        audit.record(session, ctx.actor, "event.seated_sales_changed", event, changed, created_at=clock.resolve(now))
    session.commit()
    return settings
