"""Box-office sale of chosen seats (issue 12 item 5): an organiser sells free or allocated seats to a named
buyer who pays at the desk (cash or a card machine), and the buyer gets seated tickets at once.

``box_office_sale(session, ctx, event_id=, seat_keys=, areas=[{key, quantity}], tables=[key], buyer_name=,
buyer_email=, payment_method="cash")`` (at least one of ``seat_keys`` / ``areas`` / ``tables``; seated GA:
standing places and tables sold whole, validated and resolved by :mod:`voelgoed.services.seating.area_holds`
exactly as a buyer's hold — a seat of a whole table alone is 409 ``table_whole``) does the online path's steps in
**one transaction**, so a seat or place can never be sold twice (a buyer holding the seat a moment earlier
wins; a buyer trying a moment later is refused):

1. a hold of the event's own (no buyer ``client_hash``; source "organiser" in the seat details) with one item
   per seat (``seat_id`` = the event seat, unit price = the category's ticket type price; a whole table = one
   item per seat of it) and one per standing area (``area_id``, ``quantity`` places);
2. standing places are reserved by the **area keeper** (area row locked, ascending key; 409 ``area_full``
   ``details.area_key`` when fewer are left), then the seats by the **seat keeper** in ascending seat key with
   conditional updates —
   ``SEATS.reserve(..., include_allocated=True)``: free *or allocated* seats only; the first held, sold or
   blocked seat raises and everything is rolled back (409 ``seat_held`` / ``seat_sold`` / ``seat_blocked``,
   ``details.seat_key``);
3. the order (``provider`` ``box_office``, code ``VG-XXXXXX``, items with ``seat_id``) and a ``succeeded``
   payment (``provider`` ``box_office``, reference ``VGB-…``, ``provider_data.method`` cash | card);
4. settlement through ``orders.settle_inventory`` — the same ``settle_seated_order`` as an online payment:
   held → sold, ``event_seat.order_id`` stamped, hold completed;
5. ``tickets.issue_for_order`` (tickets with ``seat_id``, the ``order.paid`` outbox row: PDFs and the
   confirmation e-mail to the buyer) and the money ledger's ``+amount`` payment entry
   (``ledger.record_payment``, ``provider`` ``box_office``), like any other payment; then commit.

Audit: ``order.created`` (``channel: box_office``), ``payment.succeeded`` (``method``), ``order.paid``
(``seats``, ``allocations`` the seats were kept for). Needs ``can_manage_orders`` (owner, admin, staff).

Returns ``{order_id, order_code, status, total_cents, currency, payment_method, buyer_name, buyer_email,
seats: [{key, label, category, ticket_type_id, price_cents, allocation}], areas: [{key, label, quantity,
category, ticket_type_id, price_cents}], tables: [key], tickets, order_url, payment_reference}`` (a table's
seats are in ``seats``; ``tickets`` = seats + standing places).

Errors: 403 ``forbidden``, 404 ``not_found`` (event of another organisation; a seat not of this event —
``details.seat_key``; ``details.area_key`` / ``table_key`` of no standing area / whole table of this event),
409 ``not_seated``, ``not_on_sale`` (draft, ended, archived event; a seat or area whose category has no ticket
type), ``event_cancelled``, ``seat_held`` / ``seat_sold`` / ``seat_blocked``, ``area_full``, ``table_whole``,
422 ``validation_failed`` (``buyer_name``, ``buyer_email``, ``payment_method``, ``seat_keys`` — also more than
``MAX_SEATS`` places —, ``areas.<i>.key`` / ``areas.<i>.quantity``, ``tables.<i>``), 503 ``busy``.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session

from voelgoed.config import get_settings
from voelgoed.models import Hold, HoldItem, HoldStatus, Order, OrderItem, OrderStatus, Payment, TicketType
from voelgoed.services.platform import (
    Busy,
    NotFound,
    TenantContext,
    ValidationFailed,
    VoelgoedError,
    audit,
    buyer_order_url,
    clock,
    new_code,
    new_token,
    outbox,
    rbac,
    webhook_events,
)
from voelgoed.services.sales import ledger, new_order_code, seat_keeper, settle_inventory, stock, validate_buyer
from voelgoed.services.seating import area_holds, event_seats
from voelgoed.services.seating.seat_holds import _MESSAGES, seat_label
from voelgoed.services.tickets import issue_for_order

PROVIDER = "box_office"
PAYMENT_METHODS = ("cash", "card")
MAX_SEATS = 50
CLOSED_STATUSES = ("draft", "ended", "archived")


def _check_event(event) -> None:
    if event.status == "cancelled":
        raise VoelgoedError("event_cancelled", "This event has been cancelled", {"status": "cancelled"}, status=409)
    if event.status in CLOSED_STATUSES:
        raise VoelgoedError("not_on_sale", f"A {event.status} event cannot sell seats; publish it first"
                            if event.status == "draft" else f"This event is {event.status}", {"status": event.status},
                            status=409)


def _cap(places: int) -> None:
    if places > MAX_SEATS:
        raise ValidationFailed({"seat_keys": f"At most {MAX_SEATS} places (seats, standing places, table seats) at once"})


def _types(session: Session, settings) -> dict[str, TicketType]:
    types = {}
    for key, tid in (settings.category_types or {}).items():
        tt = session.get(TicketType, uuid.UUID(tid))
        if tt is not None:
            types[key] = tt
    return types


def _area_type(types: dict[str, TicketType], area) -> TicketType:
    if area.category_key not in types:
        raise VoelgoedError("not_on_sale", "This area's category has no ticket type", {"area_key": area.area_key},
                            status=409)
    return types[area.category_key]


def _prices(types: dict[str, TicketType], seats: list) -> dict[str, TicketType]:
    unpriced = [s.seat_key for s in seats if s.category_key not in types]
    if unpriced:
        raise VoelgoedError("not_on_sale", "This seat's category has no ticket type", {"seat_key": unpriced[0]},
                            status=409)
    return {s.seat_key: types[s.category_key] for s in seats}


def box_office_sale(session: Session, ctx: TenantContext, *, event_id: Any, seat_keys: Any = None, buyer_name: Any,
                    buyer_email: Any, payment_method: Any = "cash", areas: Any = None, tables: Any = None,
                    now: datetime | None = None) -> dict[str, Any]:
    """Sell ``seat_keys``, standing places ``areas`` (``[{key, quantity}]``) and whole ``tables`` (keys) to the
    buyer in one order, paid at the desk; see the module docstring. Commits, then nudges the outbox (tickets
    e-mail)."""
    rbac.require(ctx, rbac.can_manage_orders, "sell at the box office")
    now = clock.resolve(now)
    event, settings = event_seats.seated_for_organiser(session, ctx, event_id)
    _check_event(event)
    name, email = validate_buyer(buyer_name, buyer_email)
    if payment_method not in PAYMENT_METHODS:
        raise ValidationFailed({"payment_method": f"One of {', '.join(PAYMENT_METHODS)}"})
    chosen = area_holds.parse_selection(seat_keys, areas, tables, area_holds.MAX_PLACES)
    _cap(len(chosen.seat_keys) + sum(q for _, q in chosen.areas))
    keys = chosen.seat_keys
    known = event_seats.seat_rows(session, event.id, keys)
    missing = [k for k in keys if k not in known]
    if missing:
        raise NotFound("not_found", "No such seat at this event", {"seat_key": missing[0]})
    area_rows, table_seats = area_holds.resolve(session, event.id, chosen, [known[k] for k in keys])
    seats = sorted([known[k] for k in keys] + table_seats, key=lambda s: s.seat_key)
    _cap(len(seats) + sum(q for _, q in area_rows))
    types = _types(session, settings)
    prices = _prices(types, seats)
    places = [(a, q, _area_type(types, a)) for a, q in area_rows]
    kept_for = sorted({s.allocation for s in seats if s.status == seat_keeper.ALLOCATED and s.allocation})
    total = sum(tt.price_cents for tt in prices.values()) + sum(tt.price_cents * q for _, q, tt in places)
    try:
        order, payment = _sell(session, ctx, event, seats, prices, places, total, name, email, payment_method,
                               kept_for, chosen.tables, now)
        session.commit()
    except stock.Short as short:
        session.rollback()
        where = "area_key" if short.reason in (stock.AREA_FULL, stock.AREA_UNKNOWN) else "seat_key"
        raise VoelgoedError(short.reason, _MESSAGES.get(short.reason, "This seat is not available"),
                            {where: short.key}, status=404 if short.reason == stock.AREA_UNKNOWN else 409) from None
    except (OperationalError, IntegrityError) as exc:
        session.rollback()
        raise Busy("busy", "Seats are in high demand right now; please try again") from exc
    except VoelgoedError:
        session.rollback()
        raise
    outbox.nudge()  # the order.paid outbox row (PDFs, the buyer's e-mail) was committed with the order
    allocation = {s.seat_key: s.allocation for s in seats}
    return {"order_id": str(order.id), "order_code": order.order_code, "status": order.status,
            "total_cents": order.total_cents, "currency": order.currency, "payment_method": payment_method,
            "buyer_name": name, "buyer_email": email, "tickets": len(seats) + sum(q for _, q, _ in places),
            "order_url": buyer_order_url(order), "payment_reference": payment.reference,
            "areas": [{"key": a.area_key, "label": a.label, "quantity": q, "category": a.category_key,
                       "ticket_type_id": str(tt.id), "price_cents": tt.price_cents} for a, q, tt in places],
            "tables": list(chosen.tables),
            "seats": [{"key": s.seat_key, "label": seat_label(s), "category": s.category_key,
                       "ticket_type_id": str(prices[s.seat_key].id), "price_cents": prices[s.seat_key].price_cents,
                       "allocation": allocation[s.seat_key] if s.status == seat_keeper.ALLOCATED else None}
                      for s in seats]}


def _sell(session: Session, ctx: TenantContext, event, seats: list, prices: dict, places: list, total: int, name: str,
          email: str, method: str, kept_for: list[str], tables: list[str], now: datetime) -> tuple[Order, Payment]:
    """Steps 1–5 of the module docstring, in the caller's transaction (no commit); ``places`` =
    ``[(event_area row, places, ticket type)]``."""
    ttl = get_settings().hold_ttl_seconds
    hold = Hold(organization_id=event.organization_id, event_id=event.id, status=HoldStatus.active.value,
                expires_at=now + timedelta(seconds=ttl), total_cents=total, currency=event.currency, created_at=now)
    session.add(hold)
    session.flush()
    session.add_all([HoldItem(organization_id=event.organization_id, hold_id=hold.id, ticket_type_id=prices[s.seat_key].id,
                              quantity=1, unit_price_cents=prices[s.seat_key].price_cents, seat_id=s.id) for s in seats]
                    + [HoldItem(organization_id=event.organization_id, hold_id=hold.id, ticket_type_id=tt.id, quantity=q,
                                unit_price_cents=tt.price_cents, area_id=a.id) for a, q, tt in places])
    session.flush()
    if places:  # the lock order: standing areas (ascending key, the area keeper counts under the row lock), then seats
        stock.reserve(session, event.id, [stock.Line(tt.id, q, area_key=a.area_key, hold_id=hold.id) for a, q, tt in places])
    lines = [stock.Line(prices[s.seat_key].id, 1, seat_key=s.seat_key, hold_id=hold.id) for s in seats]
    if lines:
        seat_keeper.SEATS.reserve(session, event.id, sorted(lines, key=lambda ln: ln.seat_key), include_allocated=True)
    order = Order(organization_id=event.organization_id, event_id=event.id, hold_id=hold.id, order_code=new_order_code(),
                  access_token=new_token(), status=OrderStatus.pending.value, buyer_name=name, buyer_email=email,
                  total_cents=total, currency=event.currency, provider=PROVIDER, created_at=now, updated_at=now,
                  expires_at=hold.expires_at)
    session.add(order)
    session.flush()
    session.add_all([OrderItem(organization_id=event.organization_id, order_id=order.id, ticket_type_id=prices[s.seat_key].id,
                               quantity=1, unit_price_cents=prices[s.seat_key].price_cents, seat_id=s.id) for s in seats]
                    + [OrderItem(organization_id=event.organization_id, order_id=order.id, ticket_type_id=tt.id, quantity=q,
                                 unit_price_cents=tt.price_cents, area_id=a.id) for a, q, tt in places])
    hold.status = HoldStatus.converted.value
    payment = Payment(organization_id=event.organization_id, order_id=order.id, provider=PROVIDER,
                      reference="VGB-" + new_code(20, "abcdefghjkmnpqrstuvwxyz23456789"), status="succeeded",
                      amount_cents=total, currency=event.currency, created_at=now, updated_at=now,
                      provider_data={"method": method, "sold_by": f"{ctx.actor.type}:{ctx.actor.id}"[:120]})
    session.add_all([hold, payment])
    session.flush()
    audit.record(session, ctx.actor, "order.created", order, {"order_code": order.order_code, "total_cents": total,
                                                              "channel": PROVIDER}, created_at=now)
    audit.record(session, ctx.actor, "payment.succeeded", payment, {"amount_cents": total, "currency": event.currency,
                                                                    "method": method}, created_at=now)
    webhook_events.emit(session, event_type="order.created", organization_id=order.organization_id,
                        payload={"order_id": order.id, "event_id": order.event_id}, now=now)
    if not settle_inventory(session, order, hold, now):  # cannot happen: the seats are held by this hold
        raise VoelgoedError(seat_keeper.SEAT_HELD, "A seat was taken while selling; nothing was sold", status=409)
    order.status, order.paid_at, order.updated_at = OrderStatus.paid.value, now, now
    session.add(order)
    session.flush()
    audit.record(session, ctx.actor, "order.paid", order, {
        "order_code": order.order_code, "total_cents": total, "channel": PROVIDER, "method": method,
        "seats": [seat_label(s) for s in seats][:50], "areas": {a.area_key: q for a, q, _ in places},
        "tables": list(tables), "allocations": kept_for}, created_at=now)
    issue_for_order(session, order, now=now)
    ledger.record_payment(session, order, payment, now=now)  # after the seat locks, like every payment
    return order, payment
