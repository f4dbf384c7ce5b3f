"""Ending holds: release by the buyer, expiry (job and read-time reclaim), giving inventory back.

Lock order (shared with :mod:`voelgoed.services.sales.inventory` and :mod:`voelgoed.services.sales.orders`):
hold rows → order rows → ticket type rows (ascending id) → event row. Re-exported by ``inventory``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select as sa_select
from sqlalchemy import text, update
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from voelgoed.models import Event, Hold, HoldItem, HoldStatus, TicketType
from voelgoed.services.platform import Busy, NotFound, VoelgoedError, audit, clock, is_postgres, parse_id

BUYER = audit.Actor("buyer", "")
_TT, _EVENT = TicketType.__table__, Event.__table__


def reclaim_lapsed(session: Session, *, event_id: uuid.UUID | str, now: datetime | None = None) -> int:
    """Expire every lapsed hold of the event (and their pending orders), inventory back; commits. Idempotent."""
    now = clock.resolve(now)
    event = session.get(Event, parse_id(event_id, "hold"))
    if event is None:
        return 0
    try:
        n = _reclaim_expired(session, event, now)
        session.commit()
    except OperationalError as exc:
        session.rollback()
        raise Busy("busy", "Please retry") from exc
    return n


def _give_back(session: Session, event_id: uuid.UUID, per_type: dict[uuid.UUID, int]) -> None:
    """Subtract held quantities (ascending ticket type ids), then from the event when it has a capacity."""
    for tid in sorted(per_type, key=str):
        session.execute(update(_TT).where(_TT.c.id == tid).values(held_count=_TT.c.held_count - per_type[tid]))
    total = sum(per_type.values())
    if total:
        session.execute(update(_EVENT).where(_EVENT.c.id == event_id, _EVENT.c.capacity.is_not(None))
                        .values(held_count=_EVENT.c.held_count - total))


_EXPIRE_SQL = text("""
WITH cand AS (
    SELECT id FROM hold
    WHERE event_id = :event_id AND status IN ('active', 'converted') AND expires_at <= :now
    ORDER BY id FOR UPDATE SKIP LOCKED
), gone AS (
    UPDATE hold SET status = 'expired', ended_at = :now FROM cand WHERE hold.id = cand.id
    RETURNING hold.id, hold.organization_id
), orders AS (
    UPDATE "order" SET status = 'expired', updated_at = :now
    WHERE hold_id IN (SELECT id FROM gone) AND status = 'pending'
    RETURNING "order".id, "order".organization_id
)
SELECT 'item' AS kind, hi.ticket_type_id AS id, NULL::uuid AS organization_id, SUM(hi.quantity)::int AS n
FROM holditem hi JOIN gone ON hi.hold_id = gone.id GROUP BY hi.ticket_type_id
UNION ALL SELECT 'hold', id, organization_id, 0 FROM gone
UNION ALL SELECT 'order', id, organization_id, 0 FROM orders
""")


def _reclaim_expired(session: Session, event: Event, now: datetime, extra_type_ids: Iterable[uuid.UUID] = ()) -> int:
    """Expire the event's lapsed holds (and their pending orders) and return their inventory. No commit.

    PostgreSQL: one statement with ``FOR UPDATE SKIP LOCKED`` (concurrent reclaimers never wait on
    each other), then the ticket type rows are locked in id order before being given back.
    SQLite (embedded demo; writers are serialised by the database lock): hold by hold.
    """
    if is_postgres(session):
        rows = session.execute(_EXPIRE_SQL, {"event_id": event.id, "now": now}).all()
        per_type = {r.id: r.n for r in rows if r.kind == "item"}
        for r in rows:  # audit.record is the only writer of audit rows (same transaction)
            if r.kind != "item":
                audit.record(session, None, f"{r.kind}.expired", None, {}, organization_id=r.organization_id,
                             target_type=r.kind, target_id=r.id, created_at=now)
        if per_type:
            lock_ids = sorted({*per_type, *extra_type_ids}, key=str)
            session.execute(sa_select(_TT.c.id).where(_TT.c.id.in_(lock_ids)).order_by(_TT.c.id).with_for_update())
            _give_back(session, event.id, per_type)
        return sum(per_type.values())
    lapsed = session.exec(select(Hold.id).where(Hold.event_id == event.id, Hold.status.in_(("active", "converted")),
                                                Hold.expires_at <= now)).all()
    total = 0
    for hold_id in lapsed:
        hold = _end_hold(session, hold_id, status=HoldStatus.expired.value, now=now, from_statuses=("active", "converted"),
                         only_if_lapsed=True)
        if hold is not None:
            total += 1
            _expire_pending_order(session, hold, now)
    return total


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
    _give_back(session, hold.event_id, per_type)
    audit.record(session, BUYER if status == "released" else None, f"hold.{status}", hold, {"items": {str(k): v for k, v in per_type.items()}})
    return hold


def release_hold(session: Session, *, hold_id: uuid.UUID | str, now: datetime | None = None) -> None:
    """Buyer cancels an active hold: inventory is back at once; commits. Idempotent for ended holds.

    Errors: ``not_found`` 404 (no such hold), ``already_checked_out`` 409 (checkout started).
    """
    now = clock.resolve(now)
    hid = parse_id(hold_id, "hold")
    try:
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
    from voelgoed.models import Order

    order = session.exec(select(Order).where(Order.hold_id == hold.id).with_for_update()).first()
    if order is not None and order.status == "pending":
        order.status, order.updated_at = "expired", now
        session.add(order)
        audit.record(session, None, "order.expired", order, {"order_code": order.order_code})
