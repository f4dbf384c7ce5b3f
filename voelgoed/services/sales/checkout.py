"""Checkout: a hold becomes a pending order with a payment at a provider (or a paid free order).

``start_checkout(session, *, hold_id, buyer_name, buyer_email, now=None) -> Order``.
The payment provider is chosen by the server (:func:`voelgoed.services.payments.resolve_provider_name`:
event → organisation → ``PAYMENT_PROVIDER`` → sandbox only where it is available); there is no way
for the buyer to choose it.
Effects: Order(pending, ``VG-XXXXXX``, ``access_token``), OrderItems with the unit prices captured
on the hold, total computed here (cents), Payment(initiated) created through the provider, hold →
``converted``. The pending order expires with its hold (``expires_at`` copied). Free orders
(total 0) are paid at once without a provider (provider ``free``). Commits.

Errors: 404 ``not_found`` (no such hold), 409 ``already_checked_out``,
409 ``hold_expired``, 409 ``hold_not_active`` (released), 422 ``validation_failed`` (name/email),
503 ``provider_unavailable`` / ``payments_unavailable`` (no provider configured) / ``busy``.
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session, select

from voelgoed.config import get_settings
from voelgoed.models import Hold, HoldItem, HoldStatus, Order, OrderItem, OrderStatus, Payment
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
    parse_id,
    webhook_events,
)
from voelgoed.services.sales.inventory import _end_hold
from voelgoed.services.sales.orders import _finish_paid

EMAIL_RE = re.compile(r"^[^@\s<>\"']{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)+$")


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


def start_checkout(session: Session, *, hold_id, buyer_name: str, buyer_email: str, now: datetime | None = None) -> Order:
    """See the module docstring."""
    now = clock.resolve(now)
    name, email = validate_buyer(buyer_name, buyer_email)
    hid = parse_id(hold_id, "hold")
    try:
        hold = session.exec(select(Hold).where(Hold.id == hid).with_for_update().execution_options(populate_existing=True)).first()
        if hold is None:
            raise NotFound("not_found", "Hold not found")
        from voelgoed.models import Event  # (local: keeps this slice's edit to one place)

        if session.get(Event, hold.event_id).status == "cancelled":  # a hold made before the event was cancelled
            raise VoelgoedError("event_cancelled", "This event has been cancelled", {"status": "cancelled"}, status=409)
        if hold.status in (HoldStatus.converted, HoldStatus.completed):
            raise VoelgoedError("already_checked_out", "Checkout has already started for these tickets")
        if hold.status == HoldStatus.expired or (hold.status == HoldStatus.active and clock.aware(hold.expires_at) <= now):
            if hold.status == HoldStatus.active:
                _end_hold(session, hid, status=HoldStatus.expired.value, now=now, from_statuses=("active",), only_if_lapsed=True)
                session.commit()
            raise VoelgoedError("hold_expired", "Your reservation has expired; please choose your tickets again")
        if hold.status != HoldStatus.active:
            raise VoelgoedError("hold_not_active", "This reservation was cancelled")
        items = session.exec(select(HoldItem).where(HoldItem.hold_id == hold.id).order_by(HoldItem.id)).all()
        total = sum(i.quantity * i.unit_price_cents for i in items)
        prov = None if total == 0 else get_provider(resolve_provider_name(session, event_id=hold.event_id))
        order = Order(organization_id=hold.organization_id, event_id=hold.event_id, hold_id=hold.id,
                      order_code=new_order_code(), access_token=new_token(), status=OrderStatus.pending.value,
                      buyer_name=name, buyer_email=email, total_cents=total, currency=hold.currency,
                      provider=prov.name if prov else "free", created_at=now, updated_at=now, expires_at=hold.expires_at)
        _insert_with_unique_code(session, order)
        session.add_all([OrderItem(organization_id=order.organization_id, order_id=order.id, ticket_type_id=i.ticket_type_id,
                                   quantity=i.quantity, unit_price_cents=i.unit_price_cents, seat_id=i.seat_id) for i in items])
        hold.status = HoldStatus.converted.value
        session.add(hold)
        buyer = audit.Actor("buyer", "")
        audit.record(session, buyer, "order.created", order, {"order_code": order.order_code, "total_cents": total})
        webhook_events.emit(session, event_type="order.created", organization_id=order.organization_id,
                            payload={"order_id": order.id, "event_id": order.event_id}, now=now)
        session.flush()
        if prov is None:
            outcome = _finish_paid(session, order, hold, now, buyer)
            session.commit()
            if outcome == "paid":
                outbox.nudge()  # the order.paid outbox row was committed with the order
            return order
        payment = Payment(organization_id=order.organization_id, order_id=order.id, provider=prov.name,
                          reference="VGP-" + new_code(20, "abcdefghjkmnpqrstuvwxyz23456789"),
                          amount_cents=total, currency=order.currency, created_at=now, updated_at=now)
        payment.reference, payment.redirect_url = prov.create_checkout(order, payment)
        session.add(payment)
        audit.record(session, buyer, "payment.initiated", payment, {"provider": prov.name, "amount_cents": total})
        session.commit()
        return order
    except VoelgoedError:
        session.rollback()
        raise
    except OperationalError as exc:
        session.rollback()
        raise Busy("busy", "Please try again") from exc


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


def checkout_redirect(session: Session, *, hold_id, buyer_name: str, buyer_email: str, now: datetime | None = None) -> str:
    """:func:`start_checkout` for the buyer page, then where to send the buyer (str): the provider's hosted
    page, or for a free order the order page ``/orders/<code>?token=<access_token>``. URLs on this site
    (``BASE_URL``, e.g. the sandbox's page) come back site-relative (``/pay/sandbox/…``), others absolute.

    Errors: those of :func:`start_checkout` (404, 409 ``already_checked_out``/``hold_expired``/
    ``hold_not_active``, 422 ``validation_failed`` with ``details.fields``, 503).
    """
    order = start_checkout(session, hold_id=hold_id, buyer_name=buyer_name, buyer_email=buyer_email, now=now)
    payment = payment_for_order(session, order)
    target = payment.redirect_url if payment else buyer_order_url(order, absolute=False)
    base = get_settings().effective_base_url
    return target[len(base):] if target.startswith(base + "/") else target
