"""The figures of the live overview `/dashboard` (issue 13, item 7), straight from the database.

``compute_overview(session, organization_id, *, days, now=None) -> dict`` (no tenancy check: the caller,
:func:`voelgoed.services.insights.overview.live_overview`, does it and shares the result)::

    {generated_at, range_days, timezone, currency,
     today: {tickets, orders, revenue_cents},          # since local midnight (the organisation's timezone)
     range: {tickets, orders, revenue_cents},          # the last ``days`` local days including today
     checkins: {now, today},                           # accepted scans in the last 15 minutes / since midnight
     sales_series: [{key, label}],                     # ≤ 6 ticket types ("Type · Event") + "Other" (key "other")
     sales_by_day: [{day, <key>: tickets, ..., revenue}],   # one row per local day, oldest first; revenue in rand
     gate_series: [{key, label}],                      # ≤ 6 gates (label "No gate" for a device without one)
     checkins_by_5min: [{time, <key>: n, ...}],        # 36 five-minute buckets (3 hours), oldest first
     checkins_window: {start, end},                    # ends now, or at the last check-in in the range if none lately
     sell_through: [{event_id, name, sold, capacity, pct}],          # ≤ 10 events ending in the range or later
     no_shows: [{event_id, name, ended_at, tickets, checked_in, no_show, pct}],  # ≤ 8 latest past events
     recent_orders: [{id, order_code, buyer_name, status, total_cents, currency, created_at}],  # the 5 newest
     next_events: [{id, name, status, starts_at, sold, capacity}]}  # the 5 next (not ended) events

Sources: tickets and orders = paid orders (``paid_at``) and their items; revenue = the money ledger
(payments − refunds, the organisation's currency, ``created_at``); check-ins = accepted ``scan`` rows by
``gate_code``; sell-through = the ticket types' ``sold_count`` plus sold seats (``event_seat``, seated
events) over the event capacity (or the types' quantities plus the event's seats); no-shows = issued tickets still ``valid`` after the event ended over ``valid`` + ``checked_in``.
Money in cents except ``sales_by_day[].revenue`` (rand, for the chart axis). Timezone: the organisation's
first venue (default Africa/Johannesburg).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import Session, select

from voelgoed.models import (
    Event,
    EventSeat,
    LedgerEntry,
    LedgerKind,
    Order,
    OrderItem,
    Organization,
    Scan,
    Ticket,
    TicketType,
    Venue,
)
from voelgoed.services.platform import clock, is_postgres

MAX_SERIES = 6
BUCKET_MINUTES = 5
WINDOW_BUCKETS = 36
NOW_MINUTES = 15
DEFAULT_TZ = "Africa/Johannesburg"


def _tz(session: Session, org_id: uuid.UUID) -> ZoneInfo:
    name = session.exec(select(Venue.timezone).where(Venue.organization_id == org_id).order_by(Venue.created_at)).first()
    try:
        return ZoneInfo(name or DEFAULT_TZ)
    except (KeyError, ValueError):
        return ZoneInfo(DEFAULT_TZ)


def _trunc(session: Session, column, unit: str):
    """``column`` truncated to the hour or minute, on PostgreSQL and on SQLite (text there)."""
    if is_postgres(session):
        return func.date_trunc(unit, column)
    return func.strftime("%Y-%m-%d %H:00:00" if unit == "hour" else "%Y-%m-%d %H:%M:00", column)


def _at(value) -> datetime:
    return clock.aware(datetime.fromisoformat(value) if isinstance(value, str) else value)


def _series(totals: dict, labels: dict) -> tuple[list[dict], dict]:
    """The biggest :data:`MAX_SERIES` keys as ``s0..`` (+ ``other``) → ``(series, key of each id)``."""
    top = sorted(totals, key=lambda k: (-totals[k], labels.get(k, "")))
    key_of = {k: f"s{i}" for i, k in enumerate(top[:MAX_SERIES])}
    series = [{"key": key_of[k], "label": labels.get(k, "—")} for k in top[:MAX_SERIES]]
    if len(top) > MAX_SERIES:
        series.append({"key": "other", "label": "Other"})
        key_of.update({k: "other" for k in top[MAX_SERIES:]})
    return series, key_of


def _sales(session: Session, org_id, since: datetime, tz: ZoneInfo, days: list, today0: datetime) -> dict:
    hour = _trunc(session, Order.paid_at, "hour")
    rows = session.exec(
        select(hour, OrderItem.ticket_type_id, func.sum(OrderItem.quantity))
        .join(Order, Order.id == OrderItem.order_id)
        .where(Order.organization_id == org_id, Order.status == "paid", Order.paid_at >= since)
        .group_by(hour, OrderItem.ticket_type_id)).all()
    totals: dict = {}
    for _, tid, n in rows:
        totals[tid] = totals.get(tid, 0) + int(n or 0)
    labels = {tid: f"{tname} · {ename}" for tid, tname, ename in session.exec(
        select(TicketType.id, TicketType.name, Event.name).join(Event, Event.id == TicketType.event_id)
        .where(TicketType.id.in_(list(totals) or [uuid.uuid4()]))).all()}
    series, key_of = _series(totals, labels)
    by_day = {d: {"day": d.strftime("%d %b"), **{s["key"]: 0 for s in series}, "revenue": 0} for d in days}
    today_tickets = 0
    for h, tid, n in rows:
        local = _at(h).astimezone(tz)
        row = by_day.get(local.date())
        if row is not None:
            row[key_of[tid]] += int(n or 0)
        if local >= today0:
            today_tickets += int(n or 0)
    orders = lambda t: int(session.exec(select(func.count()).select_from(Order).where(  # noqa: E731
        Order.organization_id == org_id, Order.status == "paid", Order.paid_at >= t)).one())
    return {"series": series, "by_day": by_day, "range_tickets": sum(totals.values()), "today_tickets": today_tickets,
            "range_orders": orders(since), "today_orders": orders(today0.astimezone(UTC))}


def _revenue(session: Session, org_id, currency: str, since: datetime, tz: ZoneInfo, by_day: dict,
             today0: datetime) -> tuple[int, int]:
    hour = _trunc(session, LedgerEntry.created_at, "hour")
    rows = session.exec(select(hour, func.sum(LedgerEntry.amount_cents)).where(
        LedgerEntry.organization_id == org_id, LedgerEntry.currency == currency, LedgerEntry.created_at >= since,
        LedgerEntry.kind.in_((LedgerKind.payment.value, LedgerKind.refund.value))).group_by(hour)).all()
    total = today = 0
    for h, cents in rows:
        local = _at(h).astimezone(tz)
        cents = int(cents or 0)
        total += cents
        today += cents if local >= today0 else 0
        if local.date() in by_day:
            by_day[local.date()]["revenue"] += cents
    for row in by_day.values():
        row["revenue"] = round(row["revenue"] / 100, 2)
    return total, today


def _checkins(session: Session, org_id, since: datetime, now: datetime, tz: ZoneInfo, today0: datetime) -> dict:
    accepted = (Scan.organization_id == org_id, Scan.result == "accepted")
    count = lambda t: int(session.exec(select(func.count()).select_from(Scan).where(*accepted, Scan.scanned_at >= t)).one())  # noqa: E731
    span = timedelta(minutes=BUCKET_MINUTES * WINDOW_BUCKETS)
    last = session.exec(select(func.max(Scan.scanned_at)).where(*accepted, Scan.scanned_at >= since)).one()
    end = now if last is None or _at(last) >= now - span else _at(last)
    step = BUCKET_MINUTES * 60
    end = datetime.fromtimestamp((int(end.timestamp()) // step + 1) * step, UTC)
    start = end - span
    minute = _trunc(session, Scan.scanned_at, "minute")
    rows = session.exec(select(minute, Scan.gate_code, func.count()).where(
        *accepted, Scan.scanned_at >= start, Scan.scanned_at < end).group_by(minute, Scan.gate_code)).all()
    totals: dict = {}
    for _, gate, n in rows:
        totals[gate] = totals.get(gate, 0) + int(n)
    series, key_of = _series(totals, {g: g or "No gate" for g in totals})
    buckets = [{"time": (start + timedelta(seconds=step * i)).astimezone(tz).strftime("%H:%M"),
                **{s["key"]: 0 for s in series}} for i in range(WINDOW_BUCKETS)]
    for m, gate, n in rows:
        i = int((_at(m) - start).total_seconds() // step)
        if 0 <= i < WINDOW_BUCKETS:
            buckets[i][key_of[gate]] += int(n)
    return {"now": count(now - timedelta(minutes=NOW_MINUTES)), "today": count(today0.astimezone(UTC)),
            "series": series, "buckets": buckets, "window": {"start": start.isoformat(), "end": end.isoformat()}}


def _sold_and_capacity(session: Session, events: list[Event]) -> dict:
    """``{event_id: (sold, quantity)}``: the ticket types' sold counts and quantities, plus the sold and all
    seats of seated events (their seated ticket types have no quantity: the seats are the stock)."""
    ids = [e.id for e in events] or [uuid.uuid4()]
    out = {eid: [int(s or 0), int(q or 0)] for eid, s, q in session.exec(
        select(TicketType.event_id, func.sum(TicketType.sold_count), func.sum(TicketType.quantity))
        .where(TicketType.event_id.in_(ids)).group_by(TicketType.event_id)).all()}
    for eid, sold, total in session.exec(
            select(EventSeat.event_id, func.count().filter(EventSeat.status == "sold"), func.count())
            .where(EventSeat.event_id.in_(ids)).group_by(EventSeat.event_id)).all():
        row = out.setdefault(eid, [0, 0])
        row[0] += int(sold or 0)
        row[1] += int(total or 0)
    return {eid: (s, q) for eid, (s, q) in out.items()}


def _sell_through(session: Session, org_id, since: datetime) -> list[dict]:
    events = session.exec(select(Event).where(Event.organization_id == org_id, Event.ends_at >= since,
                                              Event.status.not_in(("draft", "cancelled", "archived")))
                          .order_by(Event.starts_at).limit(10)).all()
    figures = _sold_and_capacity(session, events)
    out = []
    for e in events:
        sold, quantity = figures.get(e.id, (0, 0))
        capacity = int(e.capacity or quantity or 0)
        out.append({"event_id": str(e.id), "name": e.name, "sold": sold, "capacity": capacity,
                    "pct": round(100 * sold / capacity, 1) if capacity else 0.0})
    return out


def _no_shows(session: Session, org_id, now: datetime) -> list[dict]:
    events = session.exec(select(Event).where(Event.organization_id == org_id, Event.ends_at < now,
                                              Event.status.not_in(("draft", "cancelled")))
                          .order_by(Event.ends_at.desc()).limit(8)).all()
    counts: dict = {}
    for eid, status, n in session.exec(select(Ticket.event_id, Ticket.status, func.count()).where(
            Ticket.event_id.in_([e.id for e in events] or [uuid.uuid4()]),
            Ticket.status.in_(("valid", "checked_in"))).group_by(Ticket.event_id, Ticket.status)).all():
        counts.setdefault(eid, {})[status] = int(n)
    out = []
    for e in events:
        c = counts.get(e.id, {})
        valid, checked = c.get("valid", 0), c.get("checked_in", 0)
        tickets = valid + checked
        out.append({"event_id": str(e.id), "name": e.name, "ended_at": clock.aware(e.ends_at).isoformat(),
                    "tickets": tickets, "checked_in": checked, "no_show": valid,
                    "pct": round(100 * valid / tickets, 1) if tickets else 0.0})
    return out


def _recent_orders(session: Session, org_id) -> list[dict]:
    rows = session.exec(select(Order).where(Order.organization_id == org_id).order_by(Order.created_at.desc()).limit(5)).all()
    return [{"id": str(o.id), "order_code": o.order_code, "buyer_name": o.buyer_name, "status": o.status,
             "total_cents": o.total_cents, "currency": o.currency, "created_at": clock.aware(o.created_at).isoformat()}
            for o in rows]


def _next_events(session: Session, org_id, now: datetime) -> list[dict]:
    events = session.exec(select(Event).where(Event.organization_id == org_id, Event.ends_at >= now)
                          .order_by(Event.starts_at).limit(5)).all()
    figures = _sold_and_capacity(session, events)
    return [{"id": str(e.id), "name": e.name, "status": e.status, "starts_at": clock.aware(e.starts_at).isoformat(),
             "sold": figures.get(e.id, (0, 0))[0], "capacity": int(e.capacity or figures.get(e.id, (0, 0))[1])}
            for e in events]


def compute_overview(session: Session, organization_id: uuid.UUID, *, days: int, now: datetime | None = None) -> dict:
    """The overview's figures (shape and sources in the module docstring). Reads only; raises nothing."""
    now = clock.resolve(now)
    tz = _tz(session, organization_id)
    organization = session.get(Organization, organization_id)
    currency = organization.currency if organization else "ZAR"
    today0 = now.astimezone(tz).replace(hour=0, minute=0, second=0, microsecond=0)
    first = today0 - timedelta(days=days - 1)
    since = first.astimezone(UTC)
    day_list = [(first + timedelta(days=i)).date() for i in range(days)]
    sales = _sales(session, organization_id, since, tz, day_list, today0)
    revenue, revenue_today = _revenue(session, organization_id, currency, since, tz, sales["by_day"], today0)
    checkins = _checkins(session, organization_id, since, now, tz, today0)
    return {
        "generated_at": now.isoformat(), "range_days": days, "timezone": tz.key, "currency": currency,
        "today": {"tickets": sales["today_tickets"], "orders": sales["today_orders"], "revenue_cents": revenue_today},
        "range": {"tickets": sales["range_tickets"], "orders": sales["range_orders"], "revenue_cents": revenue},
        "checkins": {"now": checkins["now"], "today": checkins["today"]},
        "sales_series": sales["series"], "sales_by_day": [sales["by_day"][d] for d in day_list],
        "gate_series": checkins["series"], "checkins_by_5min": checkins["buckets"], "checkins_window": checkins["window"],
        "sell_through": _sell_through(session, organization_id, since),
        "no_shows": _no_shows(session, organization_id, now),
        "recent_orders": _recent_orders(session, organization_id),
        "next_events": _next_events(session, organization_id, now),
    }
