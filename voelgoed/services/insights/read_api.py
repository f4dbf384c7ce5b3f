"""The integrators' read API: events and orders (tickets, attendees, scans in :mod:`.read_tickets`).

Every list is one organisation's rows (``ctx``), ordered by ``(updated_at, id)`` ascending, cursor
paginated (:mod:`.read_cursor`) and answered as ``{"data": [...], "next_cursor": str | None,
"has_more": bool}``. Common filters: ``limit`` (1..200, default 50), ``cursor``, ``updated_since``
(inclusive), ``updated_before`` (exclusive), ``created_from`` (inclusive), ``created_to`` (exclusive);
each list adds its own (``event_id``, ``status``, ``search``). Read-only: nothing here commits.

Errors: 403 ``forbidden`` (role), 404 ``not_found`` (an ``event_id`` of another organisation, or
not an id), 422 ``validation_failed`` with ``details.fields`` (unknown status, limit, empty time
range, bad or foreign cursor).

Shapes (ids strings, times RFC 3339 UTC, money integer cents + ISO currency):

- :func:`list_events` → data of :func:`voelgoed.services.catalog.event_dict` (``status`` is the
  effective, clock-derived one, and the ``status`` filter means that one) plus ``venue_name``,
  ``timezone``.
- :func:`list_orders` → data of ``{id, order_code, status, event_id, buyer_name, buyer_email,
  total_cents, currency, provider, tickets, needs_attention, created_at, updated_at, paid_at, expires_at}``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_
from sqlmodel import Session, select

from voelgoed.models import Event, EventStatus, Order, OrderStatus, Ticket, Venue
from voelgoed.services.catalog import CLOCK_STATES, event_dict
from voelgoed.services.insights.read_cursor import Window, page
from voelgoed.services.platform import TenantContext, ValidationFailed, clock, get_owned, iso, rbac

EVENT_STATUSES = [s.value for s in EventStatus]
ORDER_STATUSES = [s.value for s in OrderStatus]
MAX_SEARCH = 120


def check_choice(name: str, value: str | None, choices: list[str]) -> str | None:
    """``value`` if empty or one of ``choices``, else 422 ``validation_failed`` on field ``name``."""
    if value in (None, ""):
        return None
    if value not in choices:
        raise ValidationFailed({name: f"One of {', '.join(choices)}"})
    return value


def clean_text(name: str, value: str | None, max_len: int) -> str:
    """A free-text filter, stripped; 422 ``validation_failed`` on ``name`` for control characters (NUL…)."""
    text = (value or "").strip()[:max_len]
    if any(ord(c) < 32 for c in text):
        raise ValidationFailed({name: "must not contain control characters"})
    return text


def like_term(search: str | None) -> str | None:
    """``%term%`` for a case-insensitive substring match (≤ 120 characters; LIKE wildcards escaped;
    422 on ``search`` for control characters)."""
    term = clean_text("search", search, MAX_SEARCH).lower()
    if not term:
        return None
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def event_filter(session: Session, ctx: TenantContext, event_id: Any, column: Any) -> list:
    """``[column == event.id]`` for an event of the organisation (404 ``not_found`` otherwise), or ``[]``."""
    if event_id in (None, ""):
        return []
    return [column == get_owned(session, ctx, Event, event_id, "event").id]


def _event_status_clause(status: str, now: datetime) -> Any:
    """SQL for :func:`voelgoed.services.catalog.effective_status` ``== status``."""
    clocked = Event.status.in_(list(CLOCK_STATES))
    if status == EventStatus.published.value:
        return and_(clocked, Event.starts_at > now)
    if status == EventStatus.live.value:
        return and_(clocked, Event.starts_at <= now, Event.ends_at > now)
    if status == EventStatus.ended.value:
        return and_(clocked, Event.ends_at <= now)
    return Event.status == status


def list_events(session: Session, ctx: TenantContext, window: Window, *, status: str | None = None,
                search: str = "", now: datetime | None = None) -> dict[str, Any]:
    """The organisation's events; ``search`` matches name or slug (substring, case-insensitive).
    Raises 403, 422 (see the module docstring)."""
    rbac.require(ctx, rbac.can_view_events, "view events")
    now = clock.resolve(now)
    status = check_choice("status", status, EVENT_STATUSES)
    where = []
    if status:
        where.append(_event_status_clause(status, now))
    like = like_term(search)
    if like:
        where.append(or_(func.lower(Event.name).like(like, escape="\\"), func.lower(Event.slug).like(like, escape="\\")))
    window.extra = {"status": status, "search": like}
    stmt = select(Event, Venue.name, Venue.timezone).join(Venue, Venue.id == Event.venue_id)

    def present(rows):
        return [{**event_dict(e, now=now), "venue_name": vname, "timezone": tz} for e, vname, tz in rows]
    return page(session, ctx, "events", window, stmt, Event, where, present)


def order_dict(order: Order, tickets: int) -> dict[str, Any]:
    """One order in the read API's shape (see the module docstring)."""
    return {
        "id": str(order.id), "order_code": order.order_code, "status": order.status, "event_id": str(order.event_id),
        "buyer_name": order.buyer_name, "buyer_email": order.buyer_email,
        "total_cents": order.total_cents, "currency": order.currency, "provider": order.provider, "tickets": tickets,
        "needs_attention": order.status == OrderStatus.refund_required.value or order.attention_reason is not None,
        "created_at": iso(order.created_at), "updated_at": iso(order.updated_at),
        "paid_at": iso(order.paid_at), "expires_at": iso(order.expires_at),
    }


def list_orders(session: Session, ctx: TenantContext, window: Window, *, event_id: Any = None,
                status: str | None = None, search: str = "") -> dict[str, Any]:
    """The organisation's orders; ``search`` matches the order code or the buyer's e-mail or name
    (substring, case-insensitive). Raises 403, 404 (event), 422."""
    rbac.require(ctx, rbac.can_view_financials, "view orders")
    status = check_choice("status", status, ORDER_STATUSES)
    where = event_filter(session, ctx, event_id, Order.event_id)
    if status:
        where.append(Order.status == status)
    like = like_term(search)
    if like:
        where.append(or_(func.lower(Order.order_code).like(like, escape="\\"),
                         func.lower(Order.buyer_email).like(like, escape="\\"),
                         func.lower(Order.buyer_name).like(like, escape="\\")))
    window.extra = {"event_id": str(event_id or ""), "status": status, "search": like}

    def present(rows):
        ids = [r[0].id for r in rows]
        counts = dict(session.execute(select(Ticket.order_id, func.count()).where(Ticket.order_id.in_(ids))
                                      .group_by(Ticket.order_id)).all()) if ids else {}
        return [order_dict(r[0], counts.get(r[0].id, 0)) for r in rows]
    return page(session, ctx, "orders", window, select(Order), Order, where, present)
