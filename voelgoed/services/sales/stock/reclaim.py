"""Reclaiming lapsed holds: a hold whose ``expires_at <= now`` never counts, and this gives its stock back.

:func:`reclaim_lapsed_holds` expires the event's lapsed holds (``active`` or ``converted``) and their
``pending`` orders, audits each (``hold.expired`` / ``order.expired``) and returns their stock
(held → available). No commit. Seat and standing-area items (``seat_id`` / ``area_id``) are skipped: their
expiry is read from the hold at read time (``seat_keeper``, :mod:`.area`).

PostgreSQL: one statement with ``FOR UPDATE SKIP LOCKED`` on the hold rows (concurrent reclaimers never wait
on each other; a hold locked by someone else is theirs to settle), then the ticket type rows are locked in
ascending id order before being given back. SQLite (embedded demo; writers are serialised by the
database lock): the same steps as separate statements.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select, text, update
from sqlmodel import Session

from voelgoed.models import Hold, HoldItem, Order, TicketType
from voelgoed.services.platform import audit, is_postgres
from voelgoed.services.sales.stock import hot_row
from voelgoed.services.sales.stock.base import lines_of
from voelgoed.services.sales.stock.ga import GA

_TT, _HOLD, _ITEM, _ORDER = (m.__table__ for m in (TicketType, Hold, HoldItem, Order))
LIVE = ("active", "converted")

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
FROM holditem hi JOIN gone ON hi.hold_id = gone.id WHERE hi.seat_id IS NULL AND hi.area_id IS NULL GROUP BY hi.ticket_type_id
UNION ALL SELECT 'hold', id, organization_id, 0 FROM gone
UNION ALL SELECT 'order', id, organization_id, 0 FROM orders
""")


def reclaim_lapsed_holds(session: Session, event_id: uuid.UUID, now: datetime,
                         extra_type_ids: Iterable[uuid.UUID] = ()) -> int:
    """Expire the event's lapsed holds and their pending orders, stock back; returns the units given back.

    ``extra_type_ids``: ticket types the caller will lock next anyway (locked here in the same ascending
    order, so the caller's later lock cannot invert it). No commit."""
    extra_type_ids = list(extra_type_ids)
    hot_row.forget(hot_row.type_key(t) for t in extra_type_ids)  # e.g. a quantity edit: re-read, no memo
    if is_postgres(session):
        rows = session.execute(_EXPIRE_SQL, {"event_id": event_id, "now": now}).all()
        per = {r.id: r.n for r in rows if r.kind == "item"}
        ended = [(r.kind, r.id, r.organization_id) for r in rows if r.kind != "item"]
    else:
        per, ended = _expire_sqlite(session, event_id, now)
    for kind, target_id, org_id in ended:  # audit.record is the only writer of audit rows (same transaction)
        audit.record(session, None, f"{kind}.expired", None, {}, organization_id=org_id, target_type=kind,
                     target_id=target_id, created_at=now)
    if per:
        lock_ids = sorted({*per, *extra_type_ids}, key=str)
        session.execute(select(_TT.c.id).where(_TT.c.id.in_(lock_ids)).order_by(_TT.c.id).with_for_update())
        GA.release(session, event_id, lines_of(per))
    return sum(per.values())


def _expire_sqlite(session: Session, event_id: uuid.UUID, now: datetime):
    holds = session.execute(select(_HOLD.c.id, _HOLD.c.organization_id).where(
        _HOLD.c.event_id == event_id, _HOLD.c.status.in_(LIVE), _HOLD.c.expires_at <= now).order_by(_HOLD.c.id)).all()
    if not holds:
        return {}, []
    ids = [h.id for h in holds]
    session.execute(update(_HOLD).where(_HOLD.c.id.in_(ids)).values(status="expired", ended_at=now))
    orders = session.execute(select(_ORDER.c.id, _ORDER.c.organization_id).where(
        _ORDER.c.hold_id.in_(ids), _ORDER.c.status == "pending")).all()
    if orders:
        session.execute(update(_ORDER).where(_ORDER.c.id.in_([o.id for o in orders])).values(status="expired", updated_at=now))
    per: dict[uuid.UUID, int] = {}
    for tid, qty in session.execute(select(_ITEM.c.ticket_type_id, _ITEM.c.quantity).where(_ITEM.c.hold_id.in_(ids), _ITEM.c.seat_id.is_(None),
                                                                                 _ITEM.c.area_id.is_(None))).all():
        per[tid] = per.get(tid, 0) + qty
    ended = [("hold", h.id, h.organization_id) for h in holds] + [("order", o.id, o.organization_id) for o in orders]
    stale = set(ids) | {o.id for o in orders}
    for obj in list(session.identity_map.values()):  # ORM copies of these holds/orders in this session are stale
        if isinstance(obj, Hold | Order) and obj.id in stale:
            session.expire(obj)
    return per, ended
