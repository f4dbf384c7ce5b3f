"""The PostgreSQL fast path of a GA hold: reserve and record the hold in ONE autocommit statement.

For the common case (one ticket type, an event without a capacity): the conditional ``UPDATE tickettype``
and the hold and hold item inserts are one statement (a CTE whose inserts select from the UPDATE's
``RETURNING``), so the hot ticket type row lock lives only for the server-side statement and its commit,
never across a client round trip.

Capacity edits racing this statement: an edit that gives the event a capacity writes
``tickettype.capped_by_event = true`` on every ticket type of the event while it holds their row locks
(:func:`voelgoed.services.sales.stock.ga.flag_capacity`). A hold whose UPDATE waited for that edit is
re-evaluated by PostgreSQL on the newest row version (READ COMMITTED), so its ``RETURNING`` carries the
new flag; the statement then fails on purpose (division by zero, SQLSTATE 22012) before inserting
anything and the caller takes the locked path, which honours the capacity. This replaced a ``FOR SHARE``
re-read of the event row, i.e. a row lock (a MultiXact under load) on the hottest row for every hold.
Tested by ``tests/concurrency/test_capacity_race.py``.
"""

from __future__ import annotations

import uuid

from sqlalchemy import text
from sqlalchemy.exc import DataError

from voelgoed.services.platform import VoelgoedError, audit, clock
from voelgoed.services.sales.stock import ga, hot_row
from voelgoed.services.sales.stock.base import TICKET_TYPE, FastPathIneligible, Short

_SINGLE_SQL = text(f"""
WITH u AS (
    UPDATE tickettype SET held_count = held_count + :n
    WHERE id = :tt AND quantity - sold_count - held_count >= :n RETURNING id, event_id, capped_by_event
), g AS (
    -- the event got a capacity after this hold read it (the flag comes from the re-evaluated row version):
    -- fail the statement (22012) so nothing is inserted and the caller takes the locked path. In WHERE, not
    -- the target list: this CTE is inlined into h, and an unused output column would never be computed.
    SELECT 1 AS ok FROM u WHERE 1 / (CASE WHEN u.capped_by_event THEN 0 ELSE 1 END) = 1
), h AS (
    INSERT INTO hold (id, organization_id, event_id, status, expires_at, total_cents, currency, client_address, client_hash,
                      pass_id, created_at)
    SELECT :hid, :org, :event, 'active', :expires, :total, :currency, '', :chash, :pass_id, :now FROM g RETURNING id
), i AS (
    INSERT INTO holditem (id, organization_id, hold_id, ticket_type_id, quantity, unit_price_cents)
    SELECT :iid, :org, h.id, :tt, :n, :price FROM h
), a AS (
    -- the hold's audit row in the same statement (platform/audit.py builds it): one commit per hold
    {audit.insert_sql("h")}
)
SELECT m.matched,
       -- only when nothing was reserved (InitPlans run on demand): what is left, and whether lapsed holds exist
       CASE WHEN m.matched = 0 THEN (SELECT quantity - sold_count - held_count FROM tickettype WHERE id = :tt) END AS left_now,
       CASE WHEN m.matched = 0 THEN EXISTS (SELECT 1 FROM hold WHERE event_id = :event AND status IN ('active', 'converted')
                                                                   AND expires_at <= :now) END AS lapsed,
       -- and when the next live hold of the event lapses (bounds the sold-out memo, hot_row.py)
       CASE WHEN m.matched = 0 THEN (SELECT min(expires_at) FROM hold WHERE event_id = :event
                                                                   AND status IN ('active', 'converted')) END AS next_lapse
FROM (SELECT count(*) AS matched FROM u) m
""")


def reserve_with_hold(conn, hold, ticket_type_id: uuid.UUID, quantity: int, unit_price_cents: int,
                      audit_params: dict) -> None:
    """Reserve ``quantity`` of ``ticket_type_id`` and insert ``hold`` (an unsaved Hold) with its one item and its
    audit row (``audit_params``: :func:`voelgoed.services.platform.audit.insert_params`), in one statement on the
    autocommit ``conn``.

    Short: raises 409 ``sold_out`` / ``insufficient_inventory`` (``details {available, ticket_type_id}``) at
    once when the same statement saw no lapsed hold of the event; else :class:`Short` (the caller reclaims
    lapsed holds and retries on the locked path). :class:`FastPathIneligible` when the event got a capacity.

    Hot row (:mod:`.hot_row`): a ticket type this process saw sold out moments ago (no lapsed hold, and no
    live hold of the event lapsed since) is answered 409 ``sold_out`` without a statement; otherwise the
    statement runs inside the per-process admission gate of the row."""
    key = hot_row.type_key(ticket_type_id)
    if hot_row.sold_out(key, hold.created_at):  # seen sold out (no lapsed hold) moments ago: the row is not touched
        raise VoelgoedError("sold_out", "Sold out", {"available": 0, "ticket_type_id": str(ticket_type_id)})
    if not ga.AVAILABILITY_GUARD:  # TESTS ONLY (race control): the locked path, unguarded
        raise FastPathIneligible()
    try:
        with hot_row.admission(key):  # at most HOLD_GATE_PER_ROW of this process on the row at once
            matched, left_now, lapsed, next_lapse = conn.execute(_SINGLE_SQL, {
                "n": quantity, "tt": ticket_type_id, "hid": hold.id, "org": hold.organization_id, "event": hold.event_id,
                "expires": hold.expires_at, "total": hold.total_cents, "currency": hold.currency, "chash": hold.client_hash,
                "pass_id": hold.pass_id, "now": hold.created_at, "iid": uuid.uuid4(), "price": unit_price_cents,
                **audit_params,
            }).one()
    except DataError as exc:
        if getattr(getattr(exc, "orig", None), "sqlstate", None) == "22012":
            raise FastPathIneligible() from exc
        raise
    if matched == 1:
        return
    if lapsed is False and left_now is not None and left_now < quantity:
        # short and no lapsed hold of the event to reclaim (same statement snapshot): answered without a
        # second round trip; otherwise the caller reclaims and retries (expired holds never count)
        left = max(0, int(left_now))
        details = {"available": left, "ticket_type_id": str(ticket_type_id)}
        if left <= 0:
            hot_row.remember_sold_out(key, clock.aware(next_lapse) if next_lapse is not None else None)
            raise VoelgoedError("sold_out", "Sold out", details)
        raise VoelgoedError("insufficient_inventory", f"Only {left} left", details)
    raise Short(TICKET_TYPE, ticket_type_id=ticket_type_id)
