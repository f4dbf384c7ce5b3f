"""Ending holds: release by the buyer, expiry (job and read-time reclaim); the stock goes back through
:mod:`voelgoed.services.sales.stock` (``stock.release``; lapsed holds: ``stock.reclaim_lapsed_holds``).

Lock order (shared with :mod:`voelgoed.services.sales.inventory` and :mod:`voelgoed.services.sales.orders`):
hold rows → order rows → ticket type rows (ascending id) → event row. Re-exported by ``inventory``.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from voelgoed.models import Event, Hold, HoldItem, HoldStatus, Order
from voelgoed.services.platform import Busy, NotFound, VoelgoedError, audit, clock, parse_id
from voelgoed.services.sales import hold_tokens, seat_keeper, stock

BUYER = audit.Actor("buyer", "")


def reclaim_lapsed(session: Session, *, event_id: uuid.UUID | str, now: datetime | None = None) -> int:
    """Expire every lapsed hold of the event (and their pending orders), inventory back; commits. Idempotent."""
    now = clock.resolve(now)
    event = session.get(Event, parse_id(event_id, "hold"))
    if event is None:
        return 0
    try:
        n = stock.reclaim_lapsed_holds(session, event.id, now)
        session.commit()
    except OperationalError as exc:
        session.rollback()
        raise Busy("busy", "Please retry") from exc
    return n


def _end_hold(session: Session, hold_id: uuid.UUID, *, status: str, now: datetime,
              from_statuses: tuple[str, ...], only_if_lapsed: bool) -> Hold | None:
    """Lock the hold; if it is in ``from_statuses`` (and lapsed, if asked) end it and give its inventory back."""
    hold = session.exec(select(Hold).where(Hold.id == hold_id).with_for_update().execution_options(populate_existing=True)).first()
    if hold is None or hold.status not in from_statuses:
        return None
    if only_if_lapsed and clock.aware(hold.expires_at) > now:
        return None
    items = session.exec(select(HoldItem).where(HoldItem.hold_id == hold.id)).all()
    per_type: dict[uuid.UUID, int] = {}
    for it in items:
        per_type[it.ticket_type_id] = per_type.get(it.ticket_type_id, 0) + it.quantity
    hold.status, hold.ended_at = status, now
    session.add(hold)
    session.flush()
    ga, seats = seat_keeper.split_items(session, items, hold_id=hold.id)  # seated items free their seats
    stock.release(session, hold.event_id, stock.lines_of(ga) + seats)
    audit.record(session, BUYER if status == "released" else None, f"hold.{status}", hold, {"items": {str(k): v for k, v in per_type.items()}})
    return hold


def release_hold(session: Session, *, hold_id: uuid.UUID | str, now: datetime | None = None) -> None:
    """Buyer cancels an active hold: inventory is back at once; commits. Idempotent for ended holds.
    ``hold_id``: a GA hold's id, or any hold's token (:mod:`~voelgoed.services.sales.hold_tokens`).

    Errors: ``not_found`` 404 (no such hold, forged token), ``hold_token_required`` 403 (a seat hold named by its
    bare id: nothing changes), ``already_checked_out`` 409 (checkout started).
    """
    now = clock.resolve(now)
    hid, signed = hold_tokens.parse_ref(hold_id)
    try:
        hold_tokens.require_token(session, hid, signed)
        hold = _end_hold(session, hid, status=HoldStatus.released.value, now=now, from_statuses=("active",), only_if_lapsed=False)
        if hold is None:
            existing = session.get(Hold, hid)
            session.rollback()
            if existing is None:
                raise NotFound("not_found", "Hold not found")
            if existing.status in ("converted", "completed"):
                raise VoelgoedError("already_checked_out", "Checkout has started for this hold")
            return
        session.commit()
    except OperationalError as exc:
        session.rollback()
        raise Busy("busy", "Please try again") from exc


def expire_hold(session: Session, *, hold_id: uuid.UUID | str, now: datetime | None = None) -> bool:
    """Expire one lapsed hold (active or converted) and its pending order; commits. Idempotent.

    Returns True when something changed. A hold that has not lapsed yet is left alone.
    """
    now = clock.resolve(now)
    hold = _end_hold(session, parse_id(hold_id, "hold"), status=HoldStatus.expired.value, now=now,
                     from_statuses=("active", "converted"), only_if_lapsed=True)
    if hold is None:
        session.rollback()
        return False
    _expire_pending_order(session, hold, now)
    session.commit()
    return True


def _expire_pending_order(session: Session, hold: Hold, now: datetime) -> None:
    order = session.exec(select(Order).where(Order.hold_id == hold.id).with_for_update()).first()
    if order is not None and order.status == "pending":
        order.status, order.updated_at = "expired", now
        session.add(order)
        audit.record(session, None, "order.expired", order, {"order_code": order.order_code})
