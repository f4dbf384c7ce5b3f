"""General-admission inventory: holds (reserve → release / expire) and live availability.

Counters (architecture decision 5): ``tickettype.available = quantity - sold_count - held_count``
and, when ``event.capacity`` is set, the same on the ``event`` row. Both are changed only by
conditional ``UPDATE … WHERE quantity - sold_count - held_count >= :n`` statements inside the
hold's transaction, ticket types in ascending id order, then the event row. Lock order used by
every writer in this package: hold rows → order rows → ticket type rows (ascending id) → event row.

Read-time expiry: an expired hold (``expires_at <= now``) never counts. The hold path first tries
to reserve; only if that fails does it reclaim the event's expired holds (``FOR UPDATE SKIP
LOCKED``, so concurrent reclaimers never wait on each other) and retry once. Public availability
reads add back the quantities of expired-but-unreclaimed holds. The RQ job
:func:`voelgoed.services.sales.jobs.expire_due_holds` (scheduled per event and second of expiry by
:func:`~voelgoed.services.sales.hold_release.schedule_expiry`) reclaims them in the background as well.
Ending holds lives in :mod:`voelgoed.services.sales.hold_release` (re-exported here). On PostgreSQL the
common single-type hold is one autocommit statement (conditional UPDATE + inserts): the hot row
lock lasts only for the server-side statement and commit.

Errors (codes → HTTP): ``validation_failed`` 422 (quantities, empty items), ``not_found`` 404 (no
such published event; unknown, hidden or inactive ticket type — deliberately indistinguishable),
``not_on_sale`` 409 (outside the event's or ticket type's sale window, or event not published/live),
``event_cancelled`` 409 (the event is cancelled),
``sold_out`` 409, ``insufficient_inventory`` 409 (``details.available``), ``busy`` 503 (lock timeout),
``waiting_room_pass_required`` 403, ``too_many_holds`` 429 (live-hold caps per client address and per
waiting-room pass: :mod:`voelgoed.services.sales.hold_caps`).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, text, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DataError, OperationalError
from sqlmodel import Session

from voelgoed.config import get_settings
from voelgoed.models import Event, Hold, HoldItem, HoldStatus, TicketType
from voelgoed.services.platform import (
    Busy,
    NotFound,
    ValidationFailed,
    VoelgoedError,
    audit,
    clock,
    is_postgres,  # noqa: F401  (re-exported for callers)
)
from voelgoed.services.sales import (
    capacity,
    hold_caps,
    waiting_room,  # owned by the waiting-room slice
)
from voelgoed.services.sales.hold_load import load_for_hold
from voelgoed.services.sales.hold_release import (  # noqa: F401  (re-exported: inventory is the public face)
    BUYER,
    _end_hold,
    _reclaim_expired,
    expire_hold,
    reclaim_lapsed,
    release_hold,
)
from voelgoed.services.sales.jobs import schedule_expiry
from voelgoed.services.sales.storefront import (  # noqa: F401  (re-exported for callers)
    SELLABLE_EVENT_STATUSES,
    availability,
    check_event_on_sale,
    sale_window_error,
)

MAX_LINES = 20
_TT, _EVENT, _HOLD, _ITEM = (m.__table__ for m in (TicketType, Event, Hold, HoldItem))
_HOLD_COLS = ("id", "organization_id", "event_id", "status", "expires_at", "total_cents", "currency", "client_address",
              "client_hash", "pass_id", "created_at")


class _Short(Exception):
    """A conditional update matched no row: not enough left for ``ticket_type_id`` (None: event capacity)."""

    def __init__(self, ticket_type_id: uuid.UUID | None):
        self.ticket_type_id = ticket_type_id


# --------------------------------------------------------------------------- validation

def parse_items(items: Iterable[Any]) -> list[tuple[uuid.UUID | None, int, str]]:
    """Normalise ``[(ticket_type_id, quantity)]`` (tuples or dicts) → ``[(uuid|None, qty, raw_id)]``.

    Raises 422 ``validation_failed`` with ``details.fields`` for an empty list, more than
    ``MAX_LINES`` lines, or a quantity that is not a whole number ≥ 1. An id that is not a UUID
    becomes ``None`` (reported later as ``not_found``, like any unknown id).
    """
    if isinstance(items, str | bytes) or not isinstance(items, Iterable):
        raise ValidationFailed({"items": "items must be a list"})
    lines = list(items)
    if not lines:
        raise ValidationFailed({"items": "Choose at least one ticket"})
    if len(lines) > MAX_LINES:
        raise ValidationFailed({"items": f"At most {MAX_LINES} lines per hold"})
    merged: dict[str, list] = {}
    for i, line in enumerate(lines):
        if isinstance(line, dict):
            raw_id, qty = line.get("ticket_type_id"), line.get("quantity")
        elif isinstance(line, list | tuple) and len(line) == 2:
            raw_id, qty = line
        else:
            raise ValidationFailed({f"items.{i}": "Each line needs ticket_type_id and quantity"})
        if isinstance(qty, bool) or not isinstance(qty, int):
            if isinstance(qty, str) and qty.strip().isdigit() and len(qty.strip()) < 6:
                qty = int(qty.strip())
            else:
                raise ValidationFailed({f"items.{i}.quantity": "Quantity must be a whole number"})
        if qty < 1:
            raise ValidationFailed({f"items.{i}.quantity": "Quantity must be at least 1"})
        key = str(raw_id or "").strip().lower()
        try:
            tid = uuid.UUID(key)
        except ValueError:
            tid = None
        entry = merged.setdefault(key, [tid, 0, str(raw_id), i])
        entry[1] += qty
    return [(tid, qty, raw) for tid, qty, raw, _ in merged.values()]


# --------------------------------------------------------------------------- create

def create_hold(session: Session, *, event_slug: str | None = None, event_id: uuid.UUID | str | None = None,
                items: Sequence[Any], client_address: str = "", pass_token: str | None = None,
                now: datetime | None = None) -> Hold:
    """Reserve tickets for ``settings.hold_ttl_seconds`` seconds; commits; returns the Hold.

    ``items``: ``[(ticket_type_id, quantity)]`` or ``[{"ticket_type_id", "quantity"}]``; repeated
    ids are summed. Unit prices are captured on the hold items (cents, event currency). After
    commit, the expiry job is scheduled (``enqueue_in(ttl, jobs.expire_hold, hold_id)``).
    ``client_address`` is stored only as a keyed hash (``hold.client_hash``) and, with the pass id,
    capped by :func:`voelgoed.services.sales.hold_caps.check` (429 ``too_many_holds``).
    Errors: see the module docstring.
    """
    return _create_hold(session, event_slug=event_slug, event_id=event_id, items=items, client_address=client_address,
                        pass_token=pass_token, now=now)[0]


def place_hold(session: Session, *, event_slug: str | None = None, event_id=None, items: Sequence[Any],
               client_address: str = "", pass_token: str | None = None, now: datetime | None = None) -> dict:
    """:func:`create_hold`, answered as :func:`hold_summary` (no second read: the hot path of the public API)."""
    hold, lines = _create_hold(session, event_slug=event_slug, event_id=event_id, items=items,
                               client_address=client_address, pass_token=pass_token, now=now)
    return hold_summary(hold, lines)


def _create_hold(session: Session, *, event_slug, event_id, items, client_address, pass_token, now) -> tuple[Hold, list[dict]]:
    now = clock.resolve(now)
    lines = parse_items(items)
    if any(tid is None for tid, _, _ in lines):
        bad = next(raw for tid, _, raw in lines if tid is None)
        raise NotFound("not_found", "Unknown ticket type", {"ticket_type_id": bad})
    wanted = {tid: qty for tid, qty, _ in lines}
    bind = session.get_bind()
    ttl = get_settings().hold_ttl_seconds
    client_hash = hold_caps.client_hash(client_address)
    if isinstance(bind, Engine) and bind.dialect.name == "postgresql":
        # Fast path: an autocommit connection, so the single-statement hold commits on the server and the
        # hot row lock is never held across a client round trip (or a GIL wait in this process).
        try:
            with bind.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                event, types = load_for_hold(conn, event_slug=event_slug, event_id=event_id, type_ids=list(wanted))
                who = hold_caps.Who(client_hash, _validate(session, event, types, wanted, pass_token, now))
                placed = _try_single(conn, event, types, wanted, who=who, ttl=ttl, now=now)
        except OperationalError as exc:
            raise Busy("busy", "Tickets are in high demand right now; please try again") from exc
        if placed:
            # audit.record is the only writer of audit rows; on this path the row commits right after the
            # hold (not in its statement), so the hot row lock is still never held across a round trip
            _audit_hold_created(session, placed[0], wanted)
            session.commit()
    else:
        event, types = load_for_hold(session, event_slug=event_slug, event_id=event_id, type_ids=list(wanted))
        who = hold_caps.Who(client_hash, _validate(session, event, types, wanted, pass_token, now))
        placed = None
    hold, summary_lines = placed or _place(session, event, types, wanted, who=who, ttl=ttl, now=now,
                                           reclaim_first=placed is False)
    schedule_expiry(hold.event_id, hold.expires_at)
    return hold, summary_lines


def _validate(session: Session, event, types: dict, wanted: dict, pass_token: str | None, now: datetime) -> str | None:
    """Event on sale, each ticket type sellable and within its window and max_per_order, waiting-room pass
    (returns the pass id, None when the room is off)."""
    check_event_on_sale(event, now)
    for tid, qty in wanted.items():
        tt = types.get(tid)
        if tt is None or not tt.is_active or tt.is_hidden:
            raise NotFound("not_found", "Unknown ticket type", {"ticket_type_id": str(tid)})
        err = sale_window_error(tt.sale_starts_at, tt.sale_ends_at, now, tt.name)
        if err:
            err.details["ticket_type_id"] = str(tid)
            raise err
        if qty > tt.max_per_order:
            raise ValidationFailed({"quantity": f"At most {tt.max_per_order} {tt.name} tickets per order"})
    if event.waiting_room_enabled:
        return waiting_room.require_pass_for_hold(session.get(Event, event.id), pass_token, now=now)
    return None


def hold_summary(hold: Hold, lines: list[dict]) -> dict:
    """The API's view of a fresh hold, built without re-reading: ``{hold_id, status, expires_at,
    items: [{ticket_type_id, ticket_type, quantity, unit_price_cents, line_total_cents}], total_cents, currency}``."""
    return {"hold_id": str(hold.id), "status": hold.status, "expires_at": clock.aware(hold.expires_at).isoformat(),
            "items": lines, "total_cents": hold.total_cents, "currency": hold.currency}


def _new_hold(event, types: dict, ordered: list, who: hold_caps.Who, ttl: int, now: datetime) -> tuple[Hold, list[dict]]:
    hold = Hold(id=uuid.uuid4(), organization_id=event.organization_id, event_id=event.id, status=HoldStatus.active.value,
                expires_at=now + timedelta(seconds=ttl), total_cents=sum(types[t].price_cents * q for t, q in ordered),
                currency=event.currency, client_address="", client_hash=who.client_hash, pass_id=who.pass_id, created_at=now)
    lines = [{"ticket_type_id": str(t), "ticket_type": types[t].name, "quantity": q,
              "unit_price_cents": types[t].price_cents, "line_total_cents": q * types[t].price_cents} for t, q in ordered]
    return hold, lines


def _try_single(conn, event, types: dict, wanted: dict, *, who: hold_caps.Who, ttl: int, now: datetime):
    """PostgreSQL autocommit fast path for one ticket type and no event capacity: ``(hold, lines)`` when
    reserved, False when short (the caller reclaims lapsed holds and retries), None when not eligible.
    The hold caps are counted and the hold inserted under the caller's session advisory locks."""
    if len(wanted) != 1 or event.capacity is not None:
        return None
    ordered = list(wanted.items())
    hold, lines = _new_hold(event, types, ordered, who, ttl, now)
    try:
        with hold_caps.session_locks(conn, who):
            hold_caps.check(conn, event_id=event.id, who=who, quantity=ordered[0][1], now=now)
            _place_single_pg(conn, hold, ordered[0], types[ordered[0][0]].price_cents)
    except _Short:
        return False
    except DataError as exc:  # the event got a capacity after we read it (the statement's guard, 22012)
        if getattr(getattr(exc, "orig", None), "sqlstate", None) != "22012":
            raise
        return None
    return hold, lines


def _place(session: Session, event: Event, types: dict, wanted: dict, *, who: hold_caps.Who, ttl: int,
           now: datetime, reclaim_first: bool = False) -> tuple[Hold, list[dict]]:
    """Insert the hold, then reserve (hot rows last, so their locks live only until the commit); commits.

    First try without reclaiming; if short, roll back, reclaim the event's lapsed holds and retry once.
    Hold caps: advisory transaction locks first, counted after the hold's own rows are inserted.
    """
    ordered = sorted(wanted.items(), key=lambda kv: str(kv[0]))
    total_qty = sum(wanted.values())
    org_id = event.organization_id
    last_short: _Short | None = _Short(ordered[0][0]) if reclaim_first and len(ordered) == 1 else None
    for attempt in ((1,) if reclaim_first else (0, 1)):
        hold, lines = _new_hold(event, types, ordered, who, ttl, now)
        try:
            hold_caps.lock_for_transaction(session, who)
            if attempt == 1 and not _reclaim_expired(session, event, now, extra_type_ids=[t for t, _ in ordered]):
                raise last_short or _Short(None)
            session.execute(insert(_HOLD).values(**{c: getattr(hold, c) for c in _HOLD_COLS}))
            session.execute(insert(_ITEM), [{"id": uuid.uuid4(), "organization_id": org_id, "hold_id": hold.id,
                                             "ticket_type_id": t, "quantity": q, "unit_price_cents": types[t].price_cents}
                                            for t, q in ordered])
            _audit_hold_created(session, hold, dict(ordered))
            hold_caps.check(session, event_id=event.id, who=who, quantity=total_qty, now=now, counted=True)
            for tid, qty in ordered:
                _reserve(session, _TT, tid, qty)
            if not capacity.reserve_event(session, event.id, total_qty):  # fresh read, after the type locks
                raise _Short(None)
            session.commit()
        except _Short as short:
            session.rollback()
            last_short = short
            if attempt == 0:
                continue
            raise _shortage_error(session, event, short, wanted, now) from None
        except OperationalError as exc:
            session.rollback()
            raise Busy("busy", "Tickets are in high demand right now; please try again") from exc
        except VoelgoedError:
            session.rollback()
            raise
        return hold, lines
    raise AssertionError("unreachable")


_SINGLE_SQL = text("""
WITH u AS (
    UPDATE tickettype SET held_count = held_count + :n
    WHERE id = :tt AND quantity - sold_count - held_count >= :n RETURNING id, event_id
), g AS (
    -- after the ticket type lock: re-read the event's capacity with a FOR SHARE row lock, which (unlike a plain
    -- or KEY SHARE read) returns the newest version when a capacity edit committed after this statement began
    -- (tested: tests/concurrency/test_capacity_race.py). This path is only for events without a capacity; if
    -- one was set meanwhile, fail the statement (division by zero, SQLSTATE 22012) and the caller takes the
    -- locked path. See voelgoed/services/sales/capacity.py.
    SELECT 1 / (CASE WHEN e.capacity IS NULL THEN 1 ELSE e.capacity * 0 END) AS ok
    FROM u CROSS JOIN LATERAL (SELECT capacity FROM event WHERE event.id = u.event_id FOR SHARE) e
), h AS (
    INSERT INTO hold (id, organization_id, event_id, status, expires_at, total_cents, currency, client_address, client_hash,
                      pass_id, created_at)
    SELECT :hid, :org, :event, 'active', :expires, :total, :currency, '', :chash, :pass_id, :now FROM g RETURNING id
), i AS (
    INSERT INTO holditem (id, organization_id, hold_id, ticket_type_id, quantity, unit_price_cents)
    SELECT :iid, :org, h.id, :tt, :n, :price FROM h
)
SELECT m.matched,
       -- only when nothing was reserved (InitPlans run on demand): what is left, and whether lapsed holds exist
       CASE WHEN m.matched = 0 THEN (SELECT quantity - sold_count - held_count FROM tickettype WHERE id = :tt) END AS left_now,
       CASE WHEN m.matched = 0 THEN EXISTS (SELECT 1 FROM hold WHERE event_id = :event AND status IN ('active', 'converted')
                                                                   AND expires_at <= :now) END AS lapsed
FROM (SELECT count(*) AS matched FROM u) m
""")


def _audit_hold_created(session, hold: Hold, items: dict) -> None:
    audit.record(session, audit.Actor("buyer", ""), "hold.created", None,
                 {"items": {str(t): q for t, q in items.items()}, "client_hash": hold.client_hash, "pass_id": hold.pass_id},
                 organization_id=hold.organization_id, target_type="hold", target_id=hold.id,
                 created_at=hold.created_at)


def _place_single_pg(session, hold: Hold, line: tuple[uuid.UUID, int], price: int) -> None:
    """The common case (one ticket type, no event capacity) on PostgreSQL in ONE statement: the
    conditional UPDATE and the hold, item and audit inserts, which happen only if the UPDATE matched.

    Short: answers ``sold_out`` / ``insufficient_inventory`` at once when the same statement saw no lapsed
    hold of the event (the sold-out fast path); else raises :class:`_Short` (reclaim, retry once)."""
    tid, qty = line
    matched, left_now, lapsed = session.execute(_SINGLE_SQL, {
        "n": qty, "tt": tid, "hid": hold.id, "hid_text": str(hold.id), "org": hold.organization_id, "event": hold.event_id,
        "expires": hold.expires_at, "total": hold.total_cents, "currency": hold.currency, "chash": hold.client_hash,
        "pass_id": hold.pass_id, "now": hold.created_at, "iid": uuid.uuid4(), "price": price,
    }).one()
    if matched == 1:
        return
    if lapsed is False and left_now is not None and left_now < qty:
        # Short and no lapsed hold of the event to reclaim (same statement snapshot): the answer needs no
        # second round trip. Otherwise (lapsed holds, or the snapshot still showed enough because a
        # concurrent hold won the row) the caller reclaims and retries (decision 5: expired holds never count).
        left = max(0, int(left_now))
        details = {"available": left, "ticket_type_id": str(tid)}
        if left <= 0:
            raise VoelgoedError("sold_out", "Sold out", details)
        raise VoelgoedError("insufficient_inventory", f"Only {left} left", details)
    raise _Short(tid)


def _reserve(session: Session, table, row_id: uuid.UUID, qty: int) -> None:
    """``held_count += qty`` if ``quantity|capacity - sold_count - held_count >= qty`` (one conditional UPDATE); else _Short."""
    limit = table.c.quantity if table is _TT else table.c.capacity
    result = session.execute(
        update(table).where(table.c.id == row_id, limit - table.c.sold_count - table.c.held_count >= qty)
        .values(held_count=table.c.held_count + qty)
    )
    if result.rowcount != 1:
        raise _Short(row_id if table is _TT else None)


def _shortage_error(session: Session, event: Event, short: _Short, wanted: dict, now: datetime) -> VoelgoedError:
    avail = availability(session, event, now)
    if short.ticket_type_id is None:
        left = max(0, avail["event"] if avail["event"] is not None else 0)
        details = {"available": left}
    else:
        left = max(0, avail["types"].get(short.ticket_type_id, 0))
        details = {"available": left, "ticket_type_id": str(short.ticket_type_id)}
    if left <= 0:
        return VoelgoedError("sold_out", "Sold out", details)
    return VoelgoedError("insufficient_inventory", f"Only {left} left", details)
