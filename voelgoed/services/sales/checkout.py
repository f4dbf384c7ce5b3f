"""Checkout: a hold becomes a pending order with a payment at a provider (or a paid free order).

``start_checkout(session, *, hold_id, buyer_name, buyer_email, attendees=None, now=None) -> Order``.
``hold_id`` names the hold as its buyer got it (:mod:`voelgoed.services.sales.hold_tokens`): a general-admission
hold by its id (or its token), a seat hold (seats, standing places, whole tables) by its ``hold_token`` only.
``attendees`` = ``[{ticket_type_id, name, email}]``: each ticket's attendee where its ticket type asks
(:mod:`voelgoed.services.sales.attendee_checkout`; 422 naming the ticket), stored on the order items.
The payment provider is chosen by the server (:func:`voelgoed.services.payments.resolve_provider_name`:
event → organisation → ``PAYMENT_PROVIDER`` → sandbox only where it is available); there is no way
for the buyer to choose it.
Effects: Order(pending, ``VG-XXXXXX``, ``access_token``), OrderItems with the unit prices captured
on the hold, total computed here (cents), Payment(initiated), hold → ``converted`` — committed FIRST; only
then is the provider called (``create_checkout``, no transaction open and no row locked), and its redirect
URL is stored in a second short transaction. The pending order expires with its hold (``expires_at``
copied). Free orders (total 0) are paid at once without a provider (provider ``free``).

Provider failure (timeout, 5xx): 503 ``provider_unavailable`` (``details.order_code``, ``retryable``); the
order stays ``pending`` and the hold ``converted`` (reserved until it expires). Calling checkout again for
the same hold retries: the same order gets a new payment attempt (fresh reference) — never a second order.
A hold whose provider call succeeded answers 409 ``already_checked_out`` as before.

Errors: 404 ``not_found`` (no such hold, or a forged token), 403 ``hold_token_required`` (a seat hold named by
its bare id: nothing is written), 409 ``already_checked_out``,
409 ``hold_expired``, 409 ``hold_not_active`` (released), 409 ``promo_code_exhausted`` /
``promo_code_buyer_limit`` (the hold's code was used up meanwhile: marketing.redemption), 422 ``validation_failed`` (name/email),
503 ``provider_unavailable`` / ``payments_unavailable`` (no provider configured) / ``busy``.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session, select

from voelgoed.config import get_settings
from voelgoed.models import Event, Hold, HoldItem, HoldStatus, Order, OrderItem, OrderStatus, Payment, TicketType
from voelgoed.services.marketing import redeem_for_order
from voelgoed.services.payments import get_provider, resolve_provider_name
from voelgoed.services.platform import (
    Busy,
    NotFound,
    ValidationFailed,
    VoelgoedError,
    audit,
    buyer_order_url,
    clock,
    new_code,
    new_token,
    outbox,
    webhook_events,
)
from voelgoed.services.sales import attendee_checkout, hold_tokens
from voelgoed.services.sales.attendee_checkout import EMAIL_RE
from voelgoed.services.sales.inventory import _end_hold
from voelgoed.services.sales.orders import _finish_paid

BUYER = audit.Actor("buyer", "")
log = logging.getLogger(__name__)


def new_order_code() -> str:
    return "VG-" + new_code(6)


def validate_buyer(buyer_name, buyer_email) -> tuple[str, str]:
    """Trimmed ``(name, email)``; 422 ``validation_failed`` with ``details.fields`` otherwise."""
    fields = {}
    name = buyer_name.strip() if isinstance(buyer_name, str) else ""
    email = buyer_email.strip() if isinstance(buyer_email, str) else ""
    if not name or len(name) > 200 or any(ord(c) < 32 for c in name):
        fields["buyer_name"] = "Enter your name (up to 200 characters)"
    if len(email) > 254 or not EMAIL_RE.match(email) or any(ord(c) < 32 for c in email):
        fields["buyer_email"] = "Enter a valid email address"
    if fields:
        raise ValidationFailed(fields)
    return name, email


def start_checkout(session: Session, *, hold_id, buyer_name: str, buyer_email: str, attendees: list | None = None,
                   now: datetime | None = None) -> Order:
    """See the module docstring. Two short transactions around the provider call, which runs with no
    transaction open: (1) lock the hold, write the pending order and an ``initiated`` payment, commit;
    (2) ask the provider for its checkout page; (3) store its redirect URL, commit."""
    now = clock.resolve(now)
    name, email = validate_buyer(buyer_name, buyer_email)
    hid, signed = hold_tokens.parse_ref(hold_id)
    try:
        order, payment, prov = _commit_pending_order(session, hid, name, email, now, attendees, signed=signed)
    except VoelgoedError:
        session.rollback()
        raise
    except OperationalError as exc:
        session.rollback()
        raise Busy("busy", "Please try again") from exc
    if payment is not None:
        _create_at_provider(session, order, payment, prov, now)
    return order


def _pending_order_to_retry(session: Session, hold: Hold) -> Order | None:
    """The hold's pending order when its provider call never completed (no ``initiated`` payment with a
    redirect URL: the provider failed, timed out, or the process died before storing the answer)."""
    order = session.exec(select(Order).where(Order.hold_id == hold.id, Order.status == OrderStatus.pending.value)
                         .with_for_update().execution_options(populate_existing=True)).first()
    if order is None or order.provider == "free":
        return None
    ready = session.exec(select(Payment.id).where(Payment.order_id == order.id, Payment.status == "initiated",
                                                  Payment.redirect_url != "")).first()
    return None if ready is not None else order


def _commit_pending_order(session: Session, hid, name: str, email: str, now: datetime, attendees: list | None = None,
                          *, signed: bool = False):
    """Transaction 1 (row locks: hold → order). Returns ``(order, payment | None, provider)``; commits.
    ``signed``: the hold was named by its token (a seat hold named by its bare id → 403, nothing written)."""
    hold = session.exec(select(Hold).where(Hold.id == hid).with_for_update().execution_options(populate_existing=True)).first()
    if hold is None:
        raise NotFound("not_found", "Hold not found")
    hold_tokens.require_token(session, hold, signed)
    if session.get(Event, hold.event_id).status == "cancelled":  # a hold made before the event was cancelled
        raise VoelgoedError("event_cancelled", "This event has been cancelled", {"status": "cancelled"}, status=409)
    lapsed = clock.aware(hold.expires_at) <= now
    if hold.status == HoldStatus.converted and not lapsed:
        order = _pending_order_to_retry(session, hold)
        if order is not None:  # a retry after a provider failure: the same order, a fresh payment attempt
            prov = get_provider(order.provider)
            return order, _new_payment(session, order, prov, now), prov
    if hold.status in (HoldStatus.converted, HoldStatus.completed):
        raise VoelgoedError("already_checked_out", "Checkout has already started for these tickets")
    if hold.status == HoldStatus.expired or (hold.status == HoldStatus.active and lapsed):
        if hold.status == HoldStatus.active:
            _end_hold(session, hid, status=HoldStatus.expired.value, now=now, from_statuses=("active",), only_if_lapsed=True)
            session.commit()
        raise VoelgoedError("hold_expired", "Your reservation has expired; please choose your tickets again")
    if hold.status != HoldStatus.active:
        raise VoelgoedError("hold_not_active", "This reservation was cancelled")
    lines = session.exec(select(HoldItem, TicketType).join(TicketType, TicketType.id == HoldItem.ticket_type_id)
                         .where(HoldItem.hold_id == hold.id).order_by(HoldItem.id)).all()
    people = attendee_checkout.assign(lines, attendees)  # 422 naming the ticket, before anything is written
    items = [i for i, _ in lines]
    total = sum(i.quantity * i.unit_price_cents for i in items)
    prov = None if total == 0 else get_provider(resolve_provider_name(session, event_id=hold.event_id))
    order = Order(organization_id=hold.organization_id, event_id=hold.event_id, hold_id=hold.id,
                  order_code=new_order_code(), access_token=new_token(), status=OrderStatus.pending.value,
                  buyer_name=name, buyer_email=email, total_cents=total, currency=hold.currency,
                  provider=prov.name if prov else "free", created_at=now, updated_at=now, expires_at=hold.expires_at)
    _insert_with_unique_code(session, order)
    # the promo code's use (conditional UPDATE, 409 promo_code_exhausted) and the hold's attribution, same transaction
    redeem_for_order(session, hold=hold, order=order, quantity=sum(i.quantity for i in items), now=now)
    session.add_all([OrderItem(organization_id=order.organization_id, order_id=order.id, ticket_type_id=i.ticket_type_id,
                               quantity=i.quantity, unit_price_cents=i.unit_price_cents, seat_id=i.seat_id,
                               attendees=people.get(i.id), area_id=i.area_id) for i in items])
    hold.status = HoldStatus.converted.value
    session.add(hold)
    audit.record(session, BUYER, "order.created", order, {"order_code": order.order_code, "total_cents": total})
    webhook_events.emit(session, event_type="order.created", organization_id=order.organization_id,
                        payload={"order_id": order.id, "event_id": order.event_id}, now=now)
    session.flush()
    if prov is None:
        outcome = _finish_paid(session, order, hold, now, BUYER)
        session.commit()
        if outcome == "paid":
            outbox.nudge()  # the order.paid outbox row was committed with the order
        return order, None, None
    return order, _new_payment(session, order, prov, now), prov


def _new_payment(session: Session, order: Order, prov, now: datetime) -> Payment:
    """An ``initiated`` payment with a fresh reference (never reused: the provider may have registered an
    earlier attempt's reference before failing), committed with the order before the provider is called."""
    payment = Payment(organization_id=order.organization_id, order_id=order.id, provider=prov.name,
                      reference="VGP-" + new_code(20, "abcdefghjkmnpqrstuvwxyz23456789"),
                      amount_cents=order.total_cents, currency=order.currency, created_at=now, updated_at=now)
    session.add(payment)
    session.flush()
    audit.record(session, BUYER, "payment.initiated", payment, {"provider": prov.name, "amount_cents": order.total_cents})
    session.commit()
    return payment


def _create_at_provider(session: Session, order: Order, payment: Payment, prov, now: datetime) -> None:
    """The provider call (no transaction open, no row locked), then transaction 3 stores its answer.

    A failure (timeout, 5xx, refusal) raises 503 ``provider_unavailable`` with ``details.order_code``; the
    pending order stays, the hold stays reserved until it expires, and the same checkout call (or the hold
    page's button) retries with a new payment attempt for the same order — never a second order."""
    try:
        reference, redirect_url = prov.create_checkout(order, payment)
    except Exception as exc:
        log.warning("order %s: provider %s create_checkout failed: %s", order.order_code, prov.name, exc)
        details = dict(getattr(exc, "details", None) or {})
        details.update({"provider": prov.name, "order_code": order.order_code, "retryable": True})
        raise VoelgoedError("provider_unavailable", "The payment provider could not be reached; please try again",
                            details, status=503) from exc
    try:
        locked = session.exec(select(Payment).where(Payment.id == payment.id).with_for_update()
                              .execution_options(populate_existing=True)).one()
        locked.reference, locked.redirect_url, locked.updated_at = reference, redirect_url, now
        session.add(locked)
        session.commit()
    except OperationalError as exc:
        session.rollback()
        raise Busy("busy", "Please try again") from exc
    payment.reference, payment.redirect_url = reference, redirect_url


def _insert_with_unique_code(session: Session, order: Order) -> None:
    for _ in range(8):
        nested = session.begin_nested()
        session.add(order)
        try:
            session.flush()
            nested.commit()
            return
        except IntegrityError:
            nested.rollback()
            order.order_code = new_order_code()
    raise Busy("busy", "Could not allocate an order code; please retry")


def payment_for_order(session: Session, order: Order) -> Payment | None:
    """The order's latest payment (None for free orders)."""
    return session.exec(select(Payment).where(Payment.order_id == order.id).order_by(Payment.created_at.desc())).first()


def checkout_redirect(session: Session, *, hold_id, buyer_name: str, buyer_email: str, attendees: list | None = None,
                      now: datetime | None = None) -> str:
    """:func:`start_checkout` for the buyer page, then where to send the buyer (str): the provider's hosted
    page, or for a free order the order page ``/orders/<code>?token=<access_token>``. URLs on this site
    (``BASE_URL``, e.g. the sandbox's page) come back site-relative (``/pay/sandbox/…``), others absolute.

    Errors: those of :func:`start_checkout` (404, 403 ``hold_token_required``, 409 ``already_checked_out``/``hold_expired``/
    ``hold_not_active``, 422 ``validation_failed`` with ``details.fields``, 503).
    """
    order = start_checkout(session, hold_id=hold_id, buyer_name=buyer_name, buyer_email=buyer_email,
                           attendees=attendees, now=now)
    payment = payment_for_order(session, order)
    target = payment.redirect_url if payment else buyer_order_url(order, absolute=False)
    base = get_settings().effective_base_url
    return target[len(base):] if target.startswith(base + "/") else target
