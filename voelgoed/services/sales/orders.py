"""Orders after checkout: payment outcomes (paid / failed), settlement of inventory, buyer views.

Lock order (shared with :mod:`voelgoed.services.sales.inventory`): hold → order → payment → ticket
types (ascending id) → event. Outcome codes returned by the ``apply_*`` functions (no commit) and
recorded on webhook deliveries: ``paid``, ``already_paid``, ``refund_required``,
``amount_mismatch``, ``unconfirmed``, ``unknown_reference``, ``failed``, ``already_settled``.

Charges through an external provider (Paystack) are confirmed with the provider's ``verify``
before tickets are issued: callers fetch the answer *before* any row is locked (no provider call
under a lock, architecture decision 6) and pass it as ``confirmation``; any disagreement leaves the
order unpaid, audited and flagged (``Order.attention_reason``), see
:mod:`voelgoed.services.payments.confirmation`.
"""

from __future__ import annotations

import hmac
import logging
import uuid
from datetime import datetime

from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from voelgoed.models import Event, Hold, HoldStatus, Order, OrderItem, OrderStatus, Payment, Ticket, TicketType, Venue
from voelgoed.services.payments import confirmation as confirmation_mod
from voelgoed.services.payments import get_provider
from voelgoed.services.payments.base import VerifyResult
from voelgoed.services.platform import (
    NotFound,
    RateLimited,
    VoelgoedError,
    audit,
    clean_key,
    clock,
    outbox,
    ratelimit,
    webhook_events,
)
from voelgoed.services.sales import ledger, seat_keeper, stock
from voelgoed.services.sales.inventory import _end_hold
from voelgoed.services.tickets import labels_for, seat_dict, ticket_views, tickets

PROVIDER_ACTOR = "provider"
REFRESH_RATE = "1/5second"  # provider look-ups per order from the buyer's order page

log = logging.getLogger(__name__)


def _per_type(session: Session, order: Order) -> dict[uuid.UUID, int]:
    per: dict[uuid.UUID, int] = {}
    for item in session.exec(select(OrderItem).where(OrderItem.order_id == order.id)).all():
        per[item.ticket_type_id] = per.get(item.ticket_type_id, 0) + item.quantity
    return per


def settle_inventory(session: Session, order: Order, hold: Hold | None, now: datetime) -> bool:
    """Turn the order's stock into *sold* (:func:`voelgoed.services.sales.stock.sell`). Caller holds the hold's
    row lock. No commit.

    A hold still converted/active (even if lapsed, as long as nobody reclaimed it) moves held → sold. An
    expired/released hold's stock is re-reserved as sold atomically (all lines or none). Returns False when
    that is no longer possible.
    """
    seated = seat_keeper.settle_seated_order(session, order, hold, now)  # seats: recheck, re-seat (issue 12)
    if seated is not None:
        return seated
    lines = stock.lines_of(_per_type(session, order))
    if hold is not None and hold.status in (HoldStatus.converted.value, HoldStatus.active.value):
        stock.sell(session, order.event_id, lines, from_held=True)
        hold.status, hold.ended_at = HoldStatus.completed.value, now
        session.add(hold)
        return True
    return stock.sell(session, order.event_id, lines, from_held=False)


def _lock_order_chain(session: Session, payment: Payment) -> tuple[Hold | None, Order, Payment]:
    order = session.get(Order, payment.order_id)
    hold = None
    if order.hold_id is not None:
        hold = session.exec(select(Hold).where(Hold.id == order.hold_id).with_for_update().execution_options(populate_existing=True)).first()
    order = session.exec(select(Order).where(Order.id == payment.order_id).with_for_update().execution_options(populate_existing=True)).one()
    payment = session.exec(select(Payment).where(Payment.id == payment.id).with_for_update().execution_options(populate_existing=True)).one()
    return hold, order, payment


def _find_payment(session: Session, reference: str, provider: str) -> Payment | None:
    key = clean_key(reference, 100)
    if key is None:
        return None
    return session.exec(select(Payment).where(Payment.reference == key, Payment.provider == provider)).first()


def apply_success(session: Session, *, reference: str, amount_cents: int | None, currency: str | None, provider: str,
                  now: datetime, confirmation: VerifyResult | None = None) -> tuple[str, Order | None]:
    """Record a successful charge (no commit). Returns ``(outcome, order)``; see the module docstring.

    ``amount_cents``/``currency`` are what the webhook (or caller) reports; ``confirmation`` is the
    provider's ``verify`` answer, required for external providers
    (:func:`~voelgoed.services.payments.confirmation.requires_confirmation`). Reported, verified and
    expected must all agree (status ``success``, reference, amount, currency); otherwise the outcome
    is ``amount_mismatch`` / ``unconfirmed``, the order stays unpaid and is flagged."""
    payment = _find_payment(session, reference, provider)
    if payment is None:
        return "unknown_reference", None
    hold, order, payment = _lock_order_chain(session, payment)
    actor = audit.Actor(PROVIDER_ACTOR, provider)
    if payment.status == "succeeded" or order.status in (OrderStatus.paid, OrderStatus.refund_required, OrderStatus.refunded):
        return "already_paid", order
    confirmation_mod.remember(payment, confirmation, now)
    session.add(payment)
    found = confirmation_mod.problems(payment, amount_cents=amount_cents, currency=currency, confirmation=confirmation,
                                      required=confirmation_mod.requires_confirmation(provider))
    if found:
        return confirmation_mod.flag(session, order=order, payment=payment, provider=provider, found=found, now=now), order
    payment.status, payment.updated_at = "succeeded", now
    session.add(payment)
    audit.record(session, actor, "payment.succeeded", payment, {"amount_cents": amount_cents, "currency": currency})
    outcome = _finish_paid(session, order, hold, now, actor)
    # the money ledger, in this transaction — after the stock rows are locked, so this insert's foreign-key
    # lock on the event row comes after the ticket-type locks, in the order every hold takes them
    ledger.record_payment(session, order, payment, now=now)
    ledger.record_fee(session, order, payment, confirmation.fees_cents if confirmation else None, now=now)
    return outcome, order


def _finish_paid(session: Session, order: Order, hold: Hold | None, now: datetime, actor: audit.Actor) -> str:
    order.updated_at, order.paid_at = now, now
    cancelled = order.status == OrderStatus.cancelled.value  # cancelled by the organiser: never re-sold
    if cancelled or not settle_inventory(session, order, hold, now):
        order.status = OrderStatus.refund_required.value
        session.add(order)
        audit.record(session, actor, "order.refund_required", order, {"order_code": order.order_code, "reason":
                     "paid after the order was cancelled" if cancelled else "paid after its tickets were released and sold"})
        return "refund_required"
    order.status = OrderStatus.paid.value
    session.add(order)
    session.flush()
    audit.record(session, actor, "order.paid", order, {"order_code": order.order_code, "total_cents": order.total_cents})
    tickets.issue_for_order(session, order, now=now)
    return "paid"


def apply_failure(session: Session, *, reference: str, provider: str, now: datetime) -> tuple[str, Order | None]:
    """Record a declined/failed charge (no commit): payment failed, order cancelled, hold released."""
    payment = _find_payment(session, reference, provider)
    if payment is None:
        return "unknown_reference", None
    order = session.get(Order, payment.order_id)
    if order.hold_id is not None:  # locks the hold first, gives its inventory back if still converted
        _end_hold(session, order.hold_id, status=HoldStatus.released.value, now=now, from_statuses=("converted",), only_if_lapsed=False)
    order = session.exec(select(Order).where(Order.id == order.id).with_for_update().execution_options(populate_existing=True)).one()
    payment = session.exec(select(Payment).where(Payment.id == payment.id).with_for_update().execution_options(populate_existing=True)).one()
    if payment.status != "initiated":
        return "already_settled", order
    actor = audit.Actor(PROVIDER_ACTOR, provider)
    payment.status, payment.updated_at = "failed", now
    session.add(payment)
    audit.record(session, actor, "payment.failed", payment, {})
    if order.status in (OrderStatus.pending, OrderStatus.expired):
        order.status, order.updated_at = OrderStatus.cancelled.value, now
        session.add(order)
        audit.record(session, actor, "order.cancelled", order, {"order_code": order.order_code, "reason": "payment failed"})
        webhook_events.emit(session, event_type="order.cancelled", organization_id=order.organization_id,
                            payload={"order_id": order.id, "event_id": order.event_id}, now=now)
    return "failed", order


def mark_paid(session: Session, *, reference: str, amount_cents: int, currency: str, provider: str,
              now: datetime | None = None) -> Order:
    """Mark the order behind ``reference`` paid; commits (with the ``order.paid`` outbox entry), then nudges the drain.

    Idempotent (an already-paid order is returned unchanged). Amount (cents) and currency must
    match the payment, else the order stays unpaid, is flagged and 409 ``amount_mismatch`` is raised
    (audited). External providers need a verify answer (:func:`reconcile_payment` gets one), so for
    them this raises 409 ``unconfirmed`` (order flagged). If the hold had expired and its tickets were sold meanwhile, the order becomes
    ``refund_required``. Unknown reference → 404 ``not_found``.
    """
    now = clock.resolve(now)
    outcome, order = apply_success(session, reference=reference, amount_cents=amount_cents, currency=currency,
                                   provider=provider, now=now)
    session.commit()
    if outcome == "unknown_reference":
        raise NotFound("not_found", "Unknown payment reference")
    if outcome == "amount_mismatch":
        raise VoelgoedError("amount_mismatch", "The amount or currency paid does not match the order", status=409)
    if outcome == "unconfirmed":
        raise VoelgoedError("unconfirmed", "The provider did not confirm this payment", status=409)
    if outcome == "paid":
        outbox.nudge()  # the order.paid outbox row was committed with the order
    return order


def mark_failed(session: Session, *, reference: str, provider: str, now: datetime | None = None) -> Order:
    """Payment declined: payment failed, pending order cancelled, tickets released at once; commits."""
    outcome, order = apply_failure(session, reference=reference, provider=provider, now=clock.resolve(now))
    session.commit()
    if outcome == "unknown_reference":
        raise NotFound("not_found", "Unknown payment reference")
    return order


def reconcile_payment(session: Session, *, reference: str, provider: str = "paystack", now: datetime | None = None) -> str:
    """Ask the provider (``verify``) and apply what it says; commits. Returns the outcome code
    (``pending`` when the provider has no final answer yet).

    The session's open transaction (reads only are expected) is ended *before* the provider is
    called, so no lock, snapshot or pooled connection is held while it answers. A success answer
    is checked like a webhook (reference, amount, currency; a mismatch flags the order); an answer
    for another reference is never applied as a failure. Errors: 404 ``not_found`` (provider not
    available here), 503 ``provider_unavailable`` (nothing changed), 503 ``busy``."""
    now = clock.resolve(now)
    prov = get_provider(provider)
    session.rollback()
    result = prov.verify(reference)
    if result.status == "success" or result.reference != reference:
        outcome, order = apply_success(session, reference=reference, amount_cents=result.amount_cents,
                                       currency=result.currency, provider=prov.name, now=now, confirmation=result)
    elif result.status == "failed":
        outcome, order = apply_failure(session, reference=reference, provider=provider, now=now)
    else:
        return "pending"
    session.commit()
    if outcome == "paid":
        outbox.nudge()  # the order.paid outbox row was committed with the order
    return outcome


def refresh_pending_order(session: Session, *, order_code: str, access_token: str,
                          now: datetime | None = None) -> bool:
    """The buyer is back from the provider's hosted page: if the order is still ``pending`` and its
    payment went through a real provider (not ``sandbox``/``free``), ask the provider once
    (:func:`reconcile_payment`, ``verify`` by reference) instead of only waiting for the webhook.

    Returns True when the provider's answer changed the order (outcome ``paid``,
    ``refund_required`` or ``failed`` — the latter cancels the order and releases its tickets),
    False otherwise: order not pending, order flagged for the organiser (``attention_reason``: a person
    decides, the page does not retry), sandbox/free payment, no ``initiated`` payment, provider still
    ``pending``, rate-limited (once per 5 s per order, :data:`REFRESH_RATE`), or the provider could
    not be reached / the rows were busy (logged, nothing changed — the webhook still arrives).
    Errors: 404 ``not_found`` for an unknown code or a wrong/missing token (same as the view).
    Commits only when the provider's answer is applied.
    """
    order = tickets.find_buyer_order(session, order_code=order_code, access_token=access_token)
    if order.status != OrderStatus.pending.value or order.attention_reason:
        return False
    code = order.order_code
    payment = session.exec(select(Payment).where(Payment.order_id == order.id,
                                                 Payment.status == "initiated")
                           .order_by(Payment.created_at.desc())).first()
    if payment is None or payment.provider in ("sandbox", "free"):
        return False
    try:
        ratelimit.hit("order-refresh", str(order.id), REFRESH_RATE)
    except RateLimited:
        return False
    reference, provider = payment.reference, payment.provider
    try:
        outcome = reconcile_payment(session, reference=reference, provider=provider, now=now)
    except (VoelgoedError, OperationalError) as exc:
        session.rollback()
        log.warning("order %s: provider %s verify failed, waiting for the webhook: %s",
                    code, provider, exc)
        return False
    return outcome in ("paid", "refund_required", "failed")


def find_order(session: Session, order_code: str, access_token: str | None) -> Order:
    """The order with this code if ``access_token`` matches (constant-time); else 404 ``not_found``."""
    code = (clean_key(order_code, 16) or "").upper()
    order = session.exec(select(Order).where(Order.order_code == code)).first() if code else None
    if order is None or not access_token or not hmac.compare_digest(order.access_token.encode(), str(access_token).encode()):
        raise NotFound("not_found", "Order not found")
    return order


def public_order_view(session: Session, order_code: str, access_token: str | None) -> dict:
    """The buyer's view (``GET /api/v1/public/orders/{code}?access_token=``). Wrong/missing token → 404.

    ``{order_code, status, total_cents, currency, buyer_name, created_at, paid_at,
    event: {name, slug, starts_at, venue, timezone}, items: [{ticket_type, quantity, unit_price_cents}],
    tickets: [{id, ticket_code, ticket_type, qr_payload, status, holder_name, pdf_url, seat}]}``; ``pdf_url`` is the
    absolute ticket PDF link (:func:`voelgoed.services.tickets.ticket_views.ticket_pdf_url`); ``seat`` (added,
    issue 12) ``{section, row, seat, label}`` for a seated ticket, ``None`` otherwise.
    """
    order = find_order(session, order_code, access_token)
    event, venue = session.exec(select(Event, Venue).join(Venue, Venue.id == Event.venue_id).where(Event.id == order.event_id)).one()
    names = {tt.id: tt.name for tt in session.exec(select(TicketType).where(TicketType.event_id == event.id)).all()}
    items = session.exec(select(OrderItem).where(OrderItem.order_id == order.id).order_by(OrderItem.id)).all()
    tix = session.exec(select(Ticket).where(Ticket.order_id == order.id).order_by(Ticket.order_item_id, Ticket.position)).all()
    seats = labels_for(session, [t.seat_id for t in tix])  # no query for general admission
    iso = lambda dt: clock.aware(dt).isoformat() if dt else None  # noqa: E731
    return {
        "order_id": str(order.id), "order_code": order.order_code, "status": order.status,
        "total_cents": order.total_cents, "currency": order.currency, "buyer_name": order.buyer_name,
        "created_at": iso(order.created_at), "paid_at": iso(order.paid_at), "expires_at": iso(order.expires_at),
        "event": {"id": str(event.id), "name": event.name, "slug": event.slug, "starts_at": iso(event.starts_at),
                  "venue": venue.name, "timezone": venue.timezone},
        "items": [{"ticket_type_id": str(i.ticket_type_id), "ticket_type": names.get(i.ticket_type_id, ""),
                   "quantity": i.quantity, "unit_price_cents": i.unit_price_cents} for i in items],
        "tickets": [{"id": str(t.id), "ticket_code": t.ticket_code, "ticket_type": names.get(t.ticket_type_id, ""),
                     "qr_payload": t.qr_payload, "status": t.status, "holder_name": t.holder_name,
                     "pdf_url": ticket_views.ticket_pdf_url(order, t), "seat": seat_dict(seats.get(t.seat_id))}
                    for t in tix],
    }
