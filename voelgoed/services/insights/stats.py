"""Event statistics for the stats endpoint and the live dashboard (api-v1.md, ``GET /events/{id}/stats``).

``event_stats(session, ctx, event_id, now=None) -> dict``::

    {tickets_sold, tickets_held, tickets_available, revenue_cents, currency, checked_in,
     by_ticket_type: [{ticket_type_id, name, sold, held, available, checked_in}],
     seated, by_section: [{section, sold, held, free, blocked, total}],   # seated events; [] otherwise
     by_gate: [{gate_code, checked_in}],            # gate_code null = device without a gate
     arrivals_per_minute: [{minute, count}],        # the last 60 minutes, oldest first, UTC
     recent_scans: [{scanned_at, result, gate_code, ticket_code, ticket_type, device, offline}],
     version, generated_at}

Sources: sold, held and available from :func:`voelgoed.services.sales.stock.type_figures` (sold from the
counters; for a **seated** ticket type — whose counters stay 0 — from its event seats,
:func:`voelgoed.services.sales.seat_figures.seated_type_figures`: sold seats, live-held seats, free seats as
available; ``by_section`` counts the event's seats per section, a lapsed hold counting as free; held = live holds only, status active or converted and ``expires_at > now``, so an expired hold
never counts even before its expiry job ran; available = quantity − sold − held, ≥ 0); revenue = paid orders; checked-in = one indexed
aggregate over ``ticket`` (status ``checked_in``) grouped by type and gate; arrivals = accepted
scans per minute. The whole snapshot is computed once per change (or per 0.5 s) and shared through
Redis by every viewer and web process (:mod:`stats_feed`), never per viewer. ``revenue_cents`` is
``None`` for roles that may not see financials (rbac.can_view_financials).
Errors: 404 ``not_found`` (unknown event or another organisation's).
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import DateTime, Uuid, bindparam, text
from sqlmodel import Session

from voelgoed.services.gate import scan_support as sup
from voelgoed.services.platform import NotFound, TenantContext, clock, is_postgres, rbac, stats_feed
from voelgoed.services.sales import seated_type_figures, section_figures, stock

RECENT = 12

# Typed parameters and result columns: the same SQL runs on PostgreSQL and on the embedded SQLite file,
# where ids are stored as 32 hex characters and timestamps as text (a bare uuid.UUID cannot be bound there).
_UUID, _TS = Uuid(), DateTime(timezone=True)
_PARAMS = {"e": _UUID, "now": _TS, "since": _TS}


def _sql(sql: str, **columns):
    stmt = text(sql)
    stmt = stmt.bindparams(*(bindparam(name, type_=t) for name, t in _PARAMS.items() if f":{name}" in sql))
    return stmt.columns(**columns) if columns else stmt


def _event_id(value) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        raise NotFound("not_found", "Event not found") from None


def event_stats(session: Session, ctx: TenantContext, event_id, *, now: datetime | None = None) -> dict:
    """The event's statistics snapshot (shape, sources and units in the module docstring), shared through
    Redis and recomputed at most once per change. ``revenue_cents`` is None without ``can_view_financials``.
    Raises 403 ``forbidden`` (no ``can_view_events``), 404 ``not_found`` (unknown / malformed id / other org)."""
    rbac.require(ctx, rbac.can_view_events, "view event statistics")
    eid = _event_id(event_id)
    info = sup.event_info(session, eid)
    if info is None or info.organization_id != ctx.organization_id:
        raise NotFound("not_found", "Event not found")
    snap = stats_feed.get_snapshot(eid)
    if snap is None:
        seen = stats_feed.version(eid)
        snap = compute(session, eid, now=now)
        snap["version"] = seen
        stats_feed.put_snapshot(eid, snap, seen_version=seen)
    if not rbac.can_view_financials(ctx):
        snap = {**snap, "revenue_cents": None}
    return snap


def compute(session: Session, event_id: uuid.UUID, *, now: datetime | None = None) -> dict:
    """The snapshot straight from PostgreSQL (five indexed aggregates). No tenancy check: callers do it."""
    now = clock.resolve(now)
    p = {"e": event_id, "now": now}
    currency = session.execute(_sql("SELECT currency FROM event WHERE id = :e"), p).scalar() or "ZAR"
    types = session.execute(_sql("SELECT id, name FROM tickettype WHERE event_id = :e ORDER BY sort_order, created_at",
                                 id=_UUID), p).all()
    figures = stock.type_figures(session, event_id, now)  # sold, live held, available: owned by sales.stock
    seated = seated_type_figures(session, event_id, now)  # seated types: their seats are their capacity
    for tid, seats in seated.items():
        ga = figures.get(tid, {"sold": 0, "held": 0, "available": 0})
        figures[tid] = {"sold": ga["sold"] + seats["sold"], "held": seats["held"],
                        "available": ga["available"] + seats["free"]}
    revenue = session.execute(_sql('SELECT COALESCE(SUM(total_cents), 0) FROM "order" WHERE event_id = :e AND status = \'paid\''), p).scalar()
    checked = session.execute(_sql(
        "SELECT ticket_type_id, checked_in_gate_code, COUNT(*) FROM ticket WHERE event_id = :e AND status = 'checked_in'"
        " GROUP BY ticket_type_id, checked_in_gate_code", ticket_type_id=_UUID), p).all()
    by_type_checked: dict = {}
    by_gate: dict = {}
    for type_id, gate, n in checked:
        by_type_checked[type_id] = by_type_checked.get(type_id, 0) + n
        by_gate[gate] = by_gate.get(gate, 0) + n
    by_ticket_type = []
    for t in types:
        f = figures.get(t.id, {"sold": 0, "held": 0, "available": 0})
        by_ticket_type.append({"ticket_type_id": str(t.id), "name": t.name, "sold": f["sold"], "held": f["held"],
                               "available": f["available"], "checked_in": by_type_checked.get(t.id, 0)})
    return {
        "tickets_sold": sum(x["sold"] for x in by_ticket_type),
        "tickets_held": sum(x["held"] for x in by_ticket_type),
        "tickets_available": sum(x["available"] for x in by_ticket_type),
        "revenue_cents": int(revenue or 0),
        "currency": currency,
        "checked_in": sum(by_gate.values()),
        "by_ticket_type": by_ticket_type,
        "seated": bool(seated),
        "by_section": section_figures(session, [event_id], now).get(event_id, []) if seated else [],
        "by_gate": [{"gate_code": g, "checked_in": n} for g, n in sorted(by_gate.items(), key=lambda kv: (kv[0] is None, kv[0] or ""))],
        "arrivals_per_minute": _arrivals(session, event_id, now),
        "recent_scans": _recent(session, event_id),
        "generated_at": now.isoformat(),
    }


def _arrivals(session: Session, event_id: uuid.UUID, now: datetime) -> list[dict]:
    end = now.replace(second=0, microsecond=0)
    start = end - timedelta(minutes=59)
    bucket = ("date_trunc('minute', scanned_at)" if is_postgres(session)
              else "strftime('%Y-%m-%d %H:%M:00', scanned_at)")
    rows = session.execute(_sql(f"SELECT {bucket} AS m, COUNT(*) FROM scan WHERE event_id = :e AND result = 'accepted'"
                                " AND scanned_at >= :since GROUP BY m"), {"e": event_id, "since": start}).all()
    counts = {}
    for m, n in rows:
        m = datetime.fromisoformat(m) if isinstance(m, str) else m
        counts[clock.aware(m).replace(second=0, microsecond=0)] = n
    return [{"minute": (start + timedelta(minutes=i)).isoformat(), "count": counts.get(start + timedelta(minutes=i), 0)}
            for i in range(60)]


def _recent(session: Session, event_id: uuid.UUID) -> list[dict]:
    rows = session.execute(_sql(
        "SELECT s.scanned_at, s.result, s.gate_code, s.offline, t.ticket_code, tt.name AS type_name, d.name AS device"
        " FROM scan s LEFT JOIN ticket t ON t.id = s.ticket_id LEFT JOIN tickettype tt ON tt.id = t.ticket_type_id"
        " LEFT JOIN device d ON d.id = s.device_id WHERE s.event_id = :e ORDER BY s.scanned_at DESC LIMIT :n",
        scanned_at=_TS),
        {"e": event_id, "n": RECENT}).all()
    return [{"scanned_at": clock.aware(r.scanned_at).isoformat(), "result": r.result, "gate_code": r.gate_code,
             "ticket_code": r.ticket_code, "ticket_type": r.type_name, "device": r.device, "offline": bool(r.offline)}
            for r in rows]
