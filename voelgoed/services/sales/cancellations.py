"""Cancelling orders and the order side of cancelling an event (issue 13 item 2).

- :func:`cancel_order`: an unpaid order (``pending``/``expired``) → ``cancelled``, its hold released
  (stock back at once; a payment that still arrives later makes it ``refund_required``, never re-sold);
  a paid order (``paid``/``refund_required``) → a whole-order refund (origin ``order_cancel``).
- :func:`cancel_event_orders` runs inside the event's cancellation transaction
  (:func:`voelgoed.services.catalog.events.cancel`): every live ticket of the event is voided (scanners
  answer ``event_cancelled`` anyway), pending orders are cancelled with their holds released, and every
  order with money on the ledger gets the outbox entries ``refund.event_order`` (the refund, in the
  background, one per order) and ``event.cancelled`` (the buyer's e-mail) — all in that one commit.
- :func:`refund_order_for_event` is the ``refund.event_order`` handler's work: a whole-order refund with
  the request key ``event-cancel:<event id>`` (running it again never refunds twice; a failed or unsent
  refund is retried). It never raises for a provider failure: :func:`event_cancellation_report` shows it
  and :func:`retry_event_refunds` queues it again.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import func, update
from sqlmodel import Session, select

from voelgoed.models import (
    Event,
    HoldStatus,
    LedgerEntry,
    Order,
    OrderStatus,
    Refund,
    RefundStatus,
    Ticket,
    TicketStatus,
)
from voelgoed.services.platform import (
    TenantContext,
    VoelgoedError,
    audit,
    clock,
    get_owned,
    outbox,
    parse_id,
    rbac,
    session_scope,
)
from voelgoed.services.sales import refunds
from voelgoed.services.sales.hold_release import _end_hold

UNPAID = (OrderStatus.pending.value, OrderStatus.expired.value)
PAID = (OrderStatus.paid.value, OrderStatus.refund_required.value)


def _release_unpaid(session: Session, order: Order, actor, reason: str, now: datetime) -> None:
    if order.hold_id is not None:
        _end_hold(session, order.hold_id, status=HoldStatus.released.value, now=now,
                  from_statuses=("active", "converted"), only_if_lapsed=False)
    order = session.exec(select(Order).where(Order.id == order.id).with_for_update()
                         .execution_options(populate_existing=True)).one()
    if order.status in UNPAID:
        order.status, order.updated_at = OrderStatus.cancelled.value, now
        session.add(order)
        audit.record(session, actor, "order.cancelled", order, {"order_code": order.order_code, "reason": reason})


def cancel_order(session: Session, ctx: TenantContext, *, order_id: Any, reason: str = "", return_to_sale: bool = True,
                 request_key: str | None = None, now: datetime | None = None) -> dict[str, Any]:
    """Cancel one order; commits. → ``{order_status, refund_id|None, refund_status|None}``.

    Unpaid needs ``can_manage_orders``, paid needs ``can_refund`` (403 ``forbidden``). Errors: 404
    ``not_found``, 409 ``invalid_state`` (already cancelled/refunded), and those of
    :func:`~.refunds.request_refund`."""
    now = clock.resolve(now)
    order = get_owned(session, ctx, Order, parse_id(order_id, "order"), "order")
    reason = (reason or "").strip()[:500] or "cancelled by the organiser"
    if order.status in UNPAID:
        rbac.require(ctx, rbac.can_manage_orders, "cancel orders")
        _release_unpaid(session, order, ctx.actor, reason, now)
        session.commit()
        return {"order_status": session.get(Order, order.id).status, "refund_id": None, "refund_status": None}
    if order.status not in PAID:
        raise VoelgoedError("invalid_state", f"A {order.status} order can't be cancelled", {"status": order.status}, status=409)
    refund = refunds.request_refund(session, ctx, order_id=order.id, reason=reason, return_to_sale=return_to_sale,
                                    request_key=request_key, origin="order_cancel", now=now)
    session.expire_all()
    return {"order_status": session.get(Order, order.id).status, "refund_id": str(refund.id), "refund_status": refund.status}


def cancel_event_orders(session: Session, event: Event, actor: audit.Actor, *, reason: str, now: datetime) -> dict[str, int]:
    """The order side of an event's cancellation, in the caller's transaction (no commit); see the module
    docstring. → ``{tickets_voided, orders_cancelled, refunds_queued}``."""
    tt = Ticket.__table__
    voided = session.execute(update(tt).where(tt.c.event_id == event.id, tt.c.status.in_(refunds.LIVE_TICKETS)).values(
        status=TicketStatus.voided.value, void_reason="Event cancelled", version=tt.c.version + 1, updated_at=now)).rowcount
    pending = session.exec(select(Order).where(Order.event_id == event.id, Order.status.in_(UNPAID))).all()
    for order in pending:
        _release_unpaid(session, order, actor, "event cancelled", now)
    balances = {oid: int(bal) for oid, bal in session.exec(
        select(LedgerEntry.order_id, func.sum(LedgerEntry.amount_cents)).where(LedgerEntry.event_id == event.id)
        .group_by(LedgerEntry.order_id)).all() if bal > 0}
    to_refund = sorted(balances, key=str)
    buyers = set(to_refund) | set(session.exec(select(Order.id).where(Order.event_id == event.id, Order.status.in_(PAID))).all())
    actor_payload = {"actor_type": actor.type, "actor_id": actor.id}
    for oid in to_refund:
        outbox.add_entry(session, topic="refund.event_order", organization_id=event.organization_id, now=now,
                         payload={"order_id": oid, "event_id": event.id, **actor_payload})
    for oid in sorted(buyers, key=str):
        outbox.add_entry(session, topic="event.cancelled.buyer_mail", organization_id=event.organization_id, now=now,
                         payload={"order_id": oid, "event_id": event.id, "refund_cents": balances.get(oid, 0)})
    out = {"tickets_voided": int(voided or 0), "orders_cancelled": len(pending), "refunds_queued": len(to_refund),
           "buyers_notified": len(buyers)}
    audit.record(session, actor, "event.orders_cancelled", event, {**out, "reason": reason[:500]})
    return out


def refund_order_for_event(order_id: Any, event_id: Any, *, actor_type: str = "system", actor_id: str = "event-cancel",
                           now: datetime | None = None) -> str:
    """Refund what is left on one order of a cancelled event (own sessions; idempotent). Returns the
    refund's status, or ``nothing_to_refund``. Provider failures are recorded on the refund, not raised."""
    oid, eid = parse_id(order_id, "order"), parse_id(event_id, "event")
    key = f"event-cancel:{eid}"
    with session_scope() as session:
        order = session.get(Order, oid)
        if order is None:
            return "not_found"
        ctx = TenantContext(order.organization_id, audit.Actor(actor_type, actor_id), "owner")
        existing = session.exec(select(Refund).where(Refund.order_id == oid, Refund.request_key == key)).first()
        try:
            if existing is None:
                refund = refunds.request_refund(session, ctx, order_id=oid, reason="Event cancelled", request_key=key,
                                                origin="event_cancel", now=now)
            elif existing.status == RefundStatus.failed.value or (
                    existing.status == RefundStatus.pending.value and existing.provider_reference is None):
                refund = refunds.retry_refund(session, ctx, refund_id=existing.id, now=now)
            else:
                refund = existing
        except VoelgoedError as exc:
            if exc.code in ("nothing_to_refund", "invalid_state"):
                return "nothing_to_refund"
            raise
        return refund.status


def event_cancellation_report(session: Session, ctx: TenantContext, event_id: Any) -> dict[str, Any]:
    """Progress of an event's refunds: ``{event_status, orders, refunded, in_progress, failed: [{refund_id,
    order_id, order_code, amount_cents, currency, error}], waiting, refunded_cents, remaining_cents, done}``
    — counts of orders that ever had money on the ledger; cents from the ledger. 403 / 404."""
    rbac.require(ctx, rbac.can_view_financials, "view orders")
    event = get_owned(session, ctx, Event, event_id, "event")
    balances = dict(session.exec(select(LedgerEntry.order_id, func.sum(LedgerEntry.amount_cents))
                                 .where(LedgerEntry.event_id == event.id).group_by(LedgerEntry.order_id)).all())
    rows = session.exec(select(Refund, Order.order_code).join(Order, Order.id == Refund.order_id).where(
        Refund.event_id == event.id, Refund.status != RefundStatus.processed.value)).all()
    failed, in_progress = [], set()
    for r, code in rows:
        if balances.get(r.order_id, 0) <= 0:
            continue
        if r.status == RefundStatus.failed.value or (r.provider_reference is None and r.last_error):
            failed.append({"refund_id": str(r.id), "order_id": str(r.order_id), "order_code": code,
                           "amount_cents": r.amount_cents, "currency": r.currency, "error": r.last_error or ""})
        else:
            in_progress.add(r.order_id)
    open_orders = {o for o, b in balances.items() if b > 0}
    failed_orders = {uuid.UUID(f["order_id"]) for f in failed}
    in_progress -= failed_orders
    refunded_cents = -int(session.exec(select(func.coalesce(func.sum(LedgerEntry.amount_cents), 0)).where(
        LedgerEntry.event_id == event.id, LedgerEntry.kind == "refund")).one())
    return {"event_status": event.status, "orders": len(balances), "refunded": len(balances) - len(open_orders),
            "in_progress": len(in_progress), "failed": failed,
            "waiting": len(open_orders - failed_orders - in_progress), "refunded_cents": refunded_cents,
            "remaining_cents": int(sum(b for b in balances.values() if b > 0)), "currency": event.currency,
            "done": event.status == "cancelled" and not open_orders}


def retry_event_refunds(session: Session, ctx: TenantContext, event_id: Any, *, now: datetime | None = None) -> int:
    """Queue the event's failed / unsent refunds again (``refund.event_order`` outbox entries, one commit).
    Returns how many. 403 (``can_refund``), 404, 409 ``invalid_state`` (event not cancelled)."""
    rbac.require(ctx, rbac.can_refund, "refund orders")
    now = clock.resolve(now)
    event = get_owned(session, ctx, Event, event_id, "event")
    if event.status != "cancelled":
        raise VoelgoedError("invalid_state", "Only a cancelled event's refunds are retried here", status=409)
    failed = event_cancellation_report(session, ctx, event.id)["failed"]
    for f in failed:
        outbox.add_entry(session, topic="refund.event_order", organization_id=event.organization_id, now=now,
                         payload={"order_id": f["order_id"], "event_id": event.id, "actor_type": ctx.actor.type,
                                  "actor_id": ctx.actor.id})
    audit.record(session, ctx.actor, "event.refunds_retried", event, {"count": len(failed)})
    session.commit()
    outbox.nudge()
    return len(failed)


def cancellation_preview(session: Session, ctx: TenantContext, event_id: Any) -> dict[str, Any]:
    """What cancelling will do: ``{event_name, status, paid_orders, amount_cents, currency, live_tickets,
    pending_orders}`` (amount = money on the ledger, cents). 403 / 404 ``not_found``."""
    rbac.require(ctx, rbac.can_view_financials, "view orders")
    event = get_owned(session, ctx, Event, event_id, "event")
    balances = dict(session.exec(select(LedgerEntry.order_id, func.sum(LedgerEntry.amount_cents))
                                 .where(LedgerEntry.event_id == event.id).group_by(LedgerEntry.order_id)).all())
    live = session.exec(select(func.count()).select_from(Ticket).where(
        Ticket.event_id == event.id, Ticket.status.in_(refunds.LIVE_TICKETS))).one()
    pending = session.exec(select(func.count()).select_from(Order).where(
        Order.event_id == event.id, Order.status.in_(UNPAID))).one()
    return {"event_name": event.name, "status": event.status, "paid_orders": sum(1 for b in balances.values() if b > 0),
            "amount_cents": int(sum(b for b in balances.values() if b > 0)), "currency": event.currency,
            "live_tickets": int(live), "pending_orders": int(pending)}
