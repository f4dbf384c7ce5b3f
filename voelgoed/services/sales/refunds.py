"""Refunds through the payment provider (issue 13 item 1).

``request_refund(session, ctx, *, order_id, ticket_ids=None, amount_cents=None, reason, return_to_sale,
request_key, now) -> Refund`` — three short steps, never a provider call under a row lock:

1. **record** (one transaction, the order row locked ``FOR UPDATE``): what may still be refunded is the
   order's ledger balance minus its refunds still ``pending`` (:func:`refundable_cents`); the chosen
   tickets (or all live tickets for a whole-order refund) become ``refunded`` (``version`` + 1, so
   scanners answer ``revoked`` online and the manifest lists them in ``revoked``), their stock returns
   to sale if asked (:func:`~.refund_stock.return_refunded_tickets`), a ``pending`` :class:`Refund`
   is written with the audit ``refund.requested``; **commit**. A second request with the same
   ``request_key`` (a double click) returns that refund and calls nothing; a concurrent second
   organiser waits for the lock and then sees the smaller balance (409).
2. **send** (no transaction): claim the refund's lease (``claimed_until``, a conditional UPDATE, so
   exactly one sender calls the provider), then ``provider.refund(...)``.
3. **answer** (one transaction): ``processed`` → ledger ``-amount`` (:mod:`.ledger`), outbox
   ``refund.processed`` (the buyer's e-mail) and ``order.refunded`` (outbound webhooks), order
   ``refunded`` once its balance is 0; ``pending`` → provider reference kept, the webhook finishes it;
   ``failed`` → ``failed`` (retryable, :func:`retry_refund`); provider unreachable → stays ``pending``
   with ``last_error`` (retryable). Audited at every step.

Errors: 403 ``forbidden`` (not owner/admin/finance, :func:`~voelgoed.services.platform.rbac.can_refund`),
404 ``not_found`` (another organisation's order, unknown tickets), 409 ``invalid_state`` (nothing paid),
409 ``nothing_to_refund``, 409 ``refund_exceeds_balance`` (``details.refundable_cents``), 409
``ticket_not_refundable``, 422 ``validation_failed``, 503 ``busy``.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session, select

from voelgoed.models import Order, OrderItem, OrderStatus, Payment, Refund, RefundStatus, Ticket, TicketStatus
from voelgoed.services.payments import RefundResult, get_provider
from voelgoed.services.platform import (
    Busy,
    NotFound,
    TenantContext,
    ValidationFailed,
    VoelgoedError,
    audit,
    clock,
    get_owned,
    outbox,
    parse_id,
    rbac,
    webhook_events,
)
from voelgoed.services.sales import ledger
from voelgoed.services.sales.refund_stock import return_refunded_tickets

LEASE = timedelta(seconds=60)
LIVE_TICKETS = (TicketStatus.valid.value, TicketStatus.checked_in.value)
REFUNDABLE_ORDERS = (OrderStatus.paid.value, OrderStatus.refund_required.value, OrderStatus.cancelled.value,
                     OrderStatus.refunded.value)
SYSTEM = audit.Actor("system", "refunds")


def _conflict(code: str, message: str, details: dict | None = None) -> VoelgoedError:
    return VoelgoedError(code, message, details or {}, status=409)


def refundable_cents(session: Session, order_id: uuid.UUID) -> int:
    """Ledger balance minus the refunds of the order still ``pending`` (cents)."""
    reserved = session.exec(select(func.coalesce(func.sum(Refund.amount_cents), 0)).where(
        Refund.order_id == order_id, Refund.status == RefundStatus.pending.value)).one()
    return ledger.order_balance(session, order_id) - int(reserved)


def _lock_order(session: Session, order_id: uuid.UUID) -> Order:
    return session.exec(select(Order).where(Order.id == order_id).with_for_update()
                        .execution_options(populate_existing=True)).one()


def _paid_payment(session: Session, order: Order) -> Payment:
    payment = session.exec(select(Payment).where(Payment.order_id == order.id, Payment.status == "succeeded")
                           .order_by(Payment.created_at.desc())).first()
    if payment is None or order.status not in REFUNDABLE_ORDERS:
        raise _conflict("invalid_state", "Only paid orders can be refunded", {"status": order.status})
    return payment


def _chosen_tickets(session: Session, order: Order, ticket_ids, whole: bool) -> list[Ticket]:
    tickets = session.exec(select(Ticket).where(Ticket.order_id == order.id).with_for_update()
                           .execution_options(populate_existing=True).order_by(Ticket.id)).all()
    if whole:
        return [t for t in tickets if t.status in LIVE_TICKETS]
    wanted = {parse_id(t, "ticket") for t in ticket_ids}
    by_id = {t.id: t for t in tickets}
    if not wanted or not wanted <= set(by_id):
        raise NotFound("not_found", "Ticket not found in this order")
    chosen = [by_id[t] for t in sorted(wanted, key=str)]
    gone = [t.ticket_code for t in chosen if t.status not in LIVE_TICKETS]
    if gone:
        raise _conflict("ticket_not_refundable", "These tickets are already refunded or void", {"tickets": gone})
    return chosen


def _amount(session: Session, order: Order, chosen: list[Ticket], amount_cents, whole: bool, refundable: int) -> int:
    if amount_cents is not None:
        if isinstance(amount_cents, bool) or not isinstance(amount_cents, int) or amount_cents <= 0:
            raise ValidationFailed({"amount_cents": "A whole number of cents above 0"})
        return amount_cents
    if whole:
        return refundable
    prices = dict(session.exec(select(OrderItem.id, OrderItem.unit_price_cents).where(OrderItem.order_id == order.id)).all())
    return sum(prices.get(t.order_item_id, 0) for t in chosen)


def _revoke(session: Session, order: Order, chosen: list[Ticket], *, return_to_sale: bool, now: datetime) -> None:
    per_type: dict[uuid.UUID, int] = {}
    seats: list[tuple[uuid.UUID, uuid.UUID]] = []  # seated tickets (issue 12): (ticket type, event seat id)
    area_of = dict(session.exec(select(OrderItem.id, OrderItem.area_id).where(
        OrderItem.order_id == order.id, OrderItem.area_id.is_not(None))).all())  # standing tickets: their area
    places: dict[tuple[uuid.UUID, uuid.UUID], int] = {}
    for t in chosen:
        t.status, t.version, t.updated_at = TicketStatus.refunded.value, t.version + 1, now
        session.add(t)
        if t.seat_id is not None:
            seats.append((t.ticket_type_id, t.seat_id))
        elif t.order_item_id in area_of:
            key = (t.ticket_type_id, area_of[t.order_item_id])
            places[key] = places.get(key, 0) + 1
        else:
            per_type[t.ticket_type_id] = per_type.get(t.ticket_type_id, 0) + 1
    session.flush()
    if return_to_sale and (per_type or seats or places) and order.status == OrderStatus.paid.value:
        return_refunded_tickets(session, event_id=order.event_id, per_type=per_type, seats=seats,
                                areas=[(tid, aid, n) for (tid, aid), n in places.items()])


def create_refund(session: Session, ctx: TenantContext, *, order_id: Any, ticket_ids=None, amount_cents=None,
                  reason: str = "", return_to_sale: bool = False, request_key: str | None = None,
                  origin: str = "manual", now: datetime | None = None) -> tuple[Refund, bool]:
    """Step 1 only (record, commit): ``(refund, created)``; ``created`` is False for a repeated
    ``request_key``. Whole order when neither ``ticket_ids`` nor ``amount_cents`` is given; an amount
    alone refunds money without touching tickets. Errors: see the module docstring."""
    rbac.require(ctx, rbac.can_refund, "refund orders")
    now = clock.resolve(now)
    key = (str(request_key).strip()[:80] if request_key else "") or uuid.uuid4().hex
    reason = (reason or "").strip()[:500]
    whole = not ticket_ids and amount_cents is None
    try:
        order = get_owned(session, ctx, Order, order_id, "order")
        order = _lock_order(session, order.id)
        existing = session.exec(select(Refund).where(Refund.order_id == order.id, Refund.request_key == key)).first()
        if existing is not None:
            session.rollback()
            return existing, False
        payment = _paid_payment(session, order)
        refundable = refundable_cents(session, order.id)
        chosen = _chosen_tickets(session, order, ticket_ids or [], whole) if amount_cents is None else []
        amount = _amount(session, order, chosen, amount_cents, whole, refundable)
        if refundable <= 0 or amount <= 0:
            raise _conflict("nothing_to_refund", "Nothing is left to refund on this order", {"refundable_cents": max(refundable, 0)})
        if amount > refundable:
            raise _conflict("refund_exceeds_balance", "That is more than is left to refund on this order",
                            {"refundable_cents": refundable, "requested_cents": amount})
        refund = Refund(organization_id=order.organization_id, order_id=order.id, event_id=order.event_id,
                        payment_id=payment.id, provider=payment.provider, amount_cents=amount, currency=payment.currency,
                        reason=reason, origin=origin[:20], request_key=key, ticket_ids=[str(t.id) for t in chosen],
                        return_to_sale=bool(return_to_sale), requested_by=f"{ctx.actor.type}:{ctx.actor.id}"[:200],
                        created_at=now, updated_at=now)
        session.add(refund)
        _revoke(session, order, chosen, return_to_sale=return_to_sale, now=now)
        session.flush()
        audit.record(session, ctx.actor, "refund.requested", order, {
            "refund_id": str(refund.id), "order_code": order.order_code, "amount_cents": amount,
            "currency": refund.currency, "tickets": [t.ticket_code for t in chosen], "reason": reason,
            "return_to_sale": bool(return_to_sale), "origin": refund.origin})
        session.commit()
    except IntegrityError:  # the same request_key committed by a concurrent click
        session.rollback()
        return session.exec(select(Refund).where(Refund.order_id == parse_id(order_id), Refund.request_key == key)).one(), False
    except OperationalError as exc:
        session.rollback()
        raise Busy("busy", "Please try again") from exc
    except VoelgoedError:
        session.rollback()
        raise
    return refund, True


def _claim(session: Session, refund_id: uuid.UUID, now: datetime) -> bool:
    rt = Refund.__table__
    r = session.execute(update(rt).where(
        rt.c.id == refund_id, rt.c.status == RefundStatus.pending.value, rt.c.provider_reference.is_(None),
        rt.c.claimed_until.is_(None) | (rt.c.claimed_until < now),
    ).values(claimed_until=now + LEASE, attempts=rt.c.attempts + 1))
    session.commit()
    return r.rowcount == 1


def send_refund(session: Session, refund_id: Any, *, now: datetime | None = None) -> Refund:
    """Steps 2 and 3 for a recorded ``pending`` refund not yet accepted by the provider: claim the lease
    (another sender holding it, or a refund already sent/finished → returned unchanged, no call), call the
    provider with no transaction open, record its answer. Provider unreachable → stays ``pending`` with
    ``last_error`` (audit ``refund.provider_unreachable``). Commits."""
    now = clock.resolve(now)
    rid = parse_id(refund_id, "refund")
    session.rollback()
    if not _claim(session, rid, now):
        return session.get(Refund, rid)
    refund = session.get(Refund, rid)
    payment = session.get(Payment, refund.payment_id)
    session.rollback()  # nothing open while the provider answers
    try:
        result = get_provider(refund.provider).refund(payment, amount_cents=refund.amount_cents,
                                                      refund_id=str(refund.id), reason=refund.reason)
    except VoelgoedError as exc:
        return _record_unreachable(session, rid, exc, now)
    return apply_answer(session, rid, result, now=now)


def _locked_refund(session: Session, refund_id: uuid.UUID) -> tuple[Order, Refund]:
    refund = session.get(Refund, refund_id)
    order = _lock_order(session, refund.order_id)
    refund = session.exec(select(Refund).where(Refund.id == refund_id).with_for_update()
                          .execution_options(populate_existing=True)).one()
    return order, refund


def _record_unreachable(session: Session, refund_id: uuid.UUID, exc: VoelgoedError, now: datetime) -> Refund:
    order, refund = _locked_refund(session, refund_id)
    refund.last_error = f"{exc.code}: {exc.message}"[:300]
    refund.claimed_until, refund.updated_at = None, now
    session.add(refund)
    audit.record(session, SYSTEM, "refund.provider_unreachable", order,
                 {"refund_id": str(refund.id), "error": refund.last_error, "attempts": refund.attempts})
    session.commit()
    return refund


def apply_answer(session: Session, refund_id: uuid.UUID, result: RefundResult, *, now: datetime | None = None) -> Refund:
    """Step 3: record the provider's answer to the refund request; commits. See the module docstring."""
    now = clock.resolve(now)
    order, refund = _locked_refund(session, refund_id)
    refund.claimed_until, refund.updated_at, refund.last_error = None, now, None
    refund.provider_reference = result.provider_reference or refund.provider_reference
    refund.provider_data = {"answer": result.payload}
    session.add(refund)
    if refund.status == RefundStatus.pending.value:
        if result.status == "processed":
            mark_processed(session, order, refund, now=now, actor=SYSTEM)
        elif result.status == "failed":
            mark_failed(session, order, refund, now=now, message=str(result.payload.get("message") or "refused"))
        else:
            audit.record(session, SYSTEM, "refund.pending", order,
                         {"refund_id": str(refund.id), "provider_reference": refund.provider_reference})
    session.commit()
    outbox.nudge()
    return refund


def mark_processed(session: Session, order: Order, refund: Refund, *, now: datetime, actor: audit.Actor) -> None:
    """The money went back (no commit): ``processed``, ledger ``-amount``, buyer e-mail and ``order.refunded``
    in this transaction; the order becomes ``refunded`` when its ledger balance is 0."""
    refund.status, refund.processed_at, refund.updated_at = RefundStatus.processed.value, now, now
    session.add(refund)
    ledger.record_refund(session, order, refund, now=now)
    session.flush()
    payload = {"order_id": order.id, "refund_id": refund.id, "amount_cents": refund.amount_cents, "currency": refund.currency}
    outbox.add_entry(session, topic="refund.processed", payload={"refund_id": refund.id, "order_id": order.id},
                     organization_id=order.organization_id, now=now)
    webhook_events.emit(session, event_type="order.refunded", organization_id=order.organization_id, payload=payload, now=now)
    if ledger.order_balance(session, order.id) <= 0 and order.status != OrderStatus.refunded.value:
        audit.record(session, actor, "order.refunded", order, {"order_code": order.order_code, "from": order.status})
        order.status, order.updated_at = OrderStatus.refunded.value, now
        session.add(order)
    audit.record(session, actor, "refund.processed", order, {
        "refund_id": str(refund.id), "amount_cents": refund.amount_cents, "currency": refund.currency,
        "provider_reference": refund.provider_reference})


def mark_failed(session: Session, order: Order, refund: Refund, *, now: datetime, message: str) -> None:
    """The provider refused / reported failure (no commit): ``failed``, retryable; the amount is free again."""
    refund.status, refund.updated_at, refund.last_error = RefundStatus.failed.value, now, message[:300]
    session.add(refund)
    audit.record(session, SYSTEM, "refund.failed", order, {"refund_id": str(refund.id), "error": refund.last_error})


def retry_refund(session: Session, ctx: TenantContext, *, refund_id: Any, now: datetime | None = None) -> Refund:
    """Send a ``failed`` refund (or a ``pending`` one the provider never accepted) again. A failed one must
    still fit the order's refundable amount (409 ``refund_exceeds_balance``). Audit ``refund.retried``.
    Errors: 403, 404 ``not_found``, 409 ``invalid_state`` (processed, or already with the provider)."""
    rbac.require(ctx, rbac.can_refund, "refund orders")
    now = clock.resolve(now)
    refund = get_owned(session, ctx, Refund, refund_id, "refund")
    order, refund = _locked_refund(session, refund.id)
    if refund.status == RefundStatus.processed.value or (
            refund.status == RefundStatus.pending.value and refund.provider_reference is not None):
        session.rollback()
        raise _conflict("invalid_state", "This refund is processed or already with the provider", {"status": refund.status})
    if refund.status == RefundStatus.failed.value:
        refundable = refundable_cents(session, order.id)
        if refund.amount_cents > refundable:
            session.rollback()
            raise _conflict("refund_exceeds_balance", "That is more than is left to refund on this order",
                            {"refundable_cents": refundable})
        refund.status, refund.provider_reference = RefundStatus.pending.value, None
    refund.claimed_until, refund.updated_at = None, now
    session.add(refund)
    audit.record(session, ctx.actor, "refund.retried", order, {"refund_id": str(refund.id)})
    session.commit()
    return send_refund(session, refund.id, now=now)


def request_refund(session: Session, ctx: TenantContext, *, order_id: Any, ticket_ids=None, amount_cents=None,
                   reason: str = "", return_to_sale: bool = False, request_key: str | None = None,
                   origin: str = "manual", now: datetime | None = None) -> Refund:
    """Record, send and record the answer (the module docstring); returns the refund as it stands."""
    refund, created = create_refund(session, ctx, order_id=order_id, ticket_ids=ticket_ids, amount_cents=amount_cents,
                                    reason=reason, return_to_sale=return_to_sale, request_key=request_key,
                                    origin=origin, now=now)
    if not created:
        return refund
    return send_refund(session, refund.id, now=now)
