"""Orders for organisers: search/filter list and the full detail (items, payments, tickets).

Both need ``rbac.can_view_financials`` (owner/admin/staff/viewer, else 403 ``forbidden``);
another organisation's order is 404 ``not_found``. Read-only: nothing here commits.

Shapes (money in integer cents + ISO currency, times RFC 3339, ids strings):

- :func:`list_orders` → ``{"orders": [summary…], "total": int, "limit": int, "offset": int}``
  with summary ``{id, order_code, status, buyer_name, buyer_email, total_cents, currency,
  event_id, event_name, tickets, created_at, paid_at, needs_attention, attention_reason}``
  (``needs_attention`` is true for ``refund_required`` and for orders flagged with an
  ``attention_reason``, e.g. a payment the provider's verify did not confirm; ``attention_reason``
  is the flag's text or None). ``status="attention"`` lists exactly the orders needing attention.
- :func:`order_detail` → summary + ``{event_slug, provider, expires_at, updated_at,
  items: [{id, ticket_type_id, ticket_type, quantity, unit_price_cents, line_total_cents}],
  payments: [{id, provider, reference, status, amount_cents, currency, created_at, updated_at}],
  tickets: [{id, ticket_code, ticket_type_id, ticket_type, status, holder_name, holder_email, checked_in_at,
  checked_in_gate_code, void_reason, issued_at}]}``.

Both carry ``attribution`` (issue 15, :func:`voelgoed.services.marketing.order_attribution`): ``{first_link,
last_link, first_campaign, last_campaign, channel, partner_name, promo_code, first_touch_at, last_touch_at}`` or
None for an order that came through no tracked link and no code.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, or_
from sqlmodel import Session, select

from voelgoed.models import Event, Order, OrderItem, OrderStatus, Payment, Ticket, TicketType
from voelgoed.services.marketing import order_attribution
from voelgoed.services.platform import TenantContext, ValidationFailed, get_owned, iso, parse_id, rbac

STATUSES = [s.value for s in OrderStatus]
ATTENTION = "attention"  # pseudo-status filter: refund_required or flagged


def needs_attention_clause():
    """SQL condition: the order needs the organiser (``refund_required`` or an ``attention_reason``)."""
    return or_(Order.status == OrderStatus.refund_required.value, Order.attention_reason.is_not(None))


def _summary(order: Order, event_name: str, tickets: int) -> dict[str, Any]:
    return {
        "id": str(order.id), "order_code": order.order_code, "status": order.status,
        "buyer_name": order.buyer_name, "buyer_email": order.buyer_email,
        "total_cents": order.total_cents, "currency": order.currency,
        "event_id": str(order.event_id), "event_name": event_name, "tickets": tickets,
        "created_at": iso(order.created_at), "paid_at": iso(order.paid_at),
        "needs_attention": order.status == OrderStatus.refund_required.value or order.attention_reason is not None,
        "attention_reason": order.attention_reason,
    }


def list_orders(session: Session, ctx: TenantContext, *, search: str = "", status: str | None = None,
                event_id: Any = None, limit: int = 50, offset: int = 0) -> dict[str, Any]:
    """Newest first. ``search`` matches the order code (exact-ish, case-insensitive), buyer name or
    email (substring). ``status`` one of :data:`STATUSES`; ``event_id`` an event of the organisation.
    Raises 403, 404 (event), 422 ``validation_failed`` (unknown status, limit outside 1..200)."""
    rbac.require(ctx, rbac.can_view_financials, "view orders")
    if status and status not in (*STATUSES, ATTENTION):
        raise ValidationFailed({"status": f"One of {', '.join(STATUSES)}, {ATTENTION}"})
    if not 1 <= limit <= 200 or offset < 0:
        raise ValidationFailed({"limit": "limit 1..200, offset ≥ 0"})
    where = [Order.organization_id == ctx.organization_id]
    if status == ATTENTION:
        where.append(needs_attention_clause())
    elif status:
        where.append(Order.status == status)
    if event_id:
        where.append(Order.event_id == get_owned(session, ctx, Event, event_id, "event").id)
    term = (search or "").strip()[:120]
    if term:
        like = f"%{term.lower()}%"
        where.append(or_(func.lower(Order.order_code).like(like), func.lower(Order.buyer_name).like(like),
                         func.lower(Order.buyer_email).like(like)))
    total = session.exec(select(func.count()).select_from(Order).where(*where)).one()
    rows = session.exec(
        select(Order, Event.name).join(Event, Event.id == Order.event_id).where(*where)
        .order_by(Order.created_at.desc(), Order.id).limit(limit).offset(offset)
    ).all()
    ids = [o.id for o, _ in rows]
    counts: dict = {}
    if ids:
        counts = dict(session.exec(select(Ticket.order_id, func.count()).where(Ticket.order_id.in_(ids)).group_by(Ticket.order_id)).all())
    attrs = order_attribution(session, ids)
    return {"orders": [_summary(o, name, counts.get(o.id, 0)) | {"attribution": attrs.get(o.id)} for o, name in rows],
            "total": int(total),
            "limit": limit, "offset": offset}


def order_detail(session: Session, ctx: TenantContext, order_id: Any) -> dict[str, Any]:
    """One order with items, payments (oldest first) and tickets. Raises 403, 404 ``not_found``."""
    rbac.require(ctx, rbac.can_view_financials, "view orders")
    order = get_owned(session, ctx, Order, parse_id(order_id, "order"), "order")
    event = session.get(Event, order.event_id)
    type_names = dict(session.exec(select(TicketType.id, TicketType.name).where(TicketType.event_id == order.event_id)).all())
    items = session.exec(select(OrderItem).where(OrderItem.order_id == order.id).order_by(OrderItem.id)).all()
    payments = session.exec(select(Payment).where(Payment.order_id == order.id).order_by(Payment.created_at)).all()
    tickets = session.exec(select(Ticket).where(Ticket.order_id == order.id).order_by(Ticket.order_item_id, Ticket.position)).all()
    out = _summary(order, event.name if event else "", len(tickets))
    out.update({
        "event_slug": event.slug if event else "",
        "attribution": order_attribution(session, [order.id]).get(order.id),
        "provider": order.provider, "expires_at": iso(order.expires_at), "updated_at": iso(order.updated_at),
        "items": [{"id": str(i.id), "ticket_type_id": str(i.ticket_type_id), "ticket_type": type_names.get(i.ticket_type_id, ""),
                   "quantity": i.quantity, "unit_price_cents": i.unit_price_cents,
                   "line_total_cents": i.quantity * i.unit_price_cents} for i in items],
        "payments": [{"id": str(p.id), "provider": p.provider, "reference": p.reference, "status": p.status,
                      "amount_cents": p.amount_cents, "currency": p.currency, "created_at": iso(p.created_at),
                      "updated_at": iso(p.updated_at)} for p in payments],
        "tickets": [{"id": str(t.id), "ticket_code": t.ticket_code, "ticket_type_id": str(t.ticket_type_id),
                     "ticket_type": type_names.get(t.ticket_type_id, ""), "status": t.status, "holder_name": t.holder_name,
                     "holder_email": t.holder_email, "checked_in_at": iso(t.checked_in_at), "checked_in_gate_code": t.checked_in_gate_code,
                     "void_reason": t.void_reason, "issued_at": iso(t.issued_at)} for t in tickets],
    })
    return out


def event_choices(session: Session, ctx: TenantContext) -> list[dict[str, str]]:
    """``[{id, name}]`` of the organisation's events (newest first) for the orders filter."""
    rbac.require(ctx, rbac.can_view_financials, "view orders")
    rows = session.exec(select(Event.id, Event.name).where(Event.organization_id == ctx.organization_id)
                        .order_by(Event.starts_at.desc()).limit(500)).all()
    return [{"id": str(i), "name": n} for i, n in rows]
