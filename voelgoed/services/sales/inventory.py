"""General-admission inventory: holds (reserve → release / expire) and live availability.

Stock (the counters, availability, reclaim) is owned by :mod:`voelgoed.services.sales.stock`: this module
inserts holds and calls ``stock.reserve`` (locked path) or ``stock.reserve_with_hold`` (the PostgreSQL
one-statement fast path). Lock order used by every writer in this package: hold rows → order rows →
ticket type rows (ascending id) → event row.

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

from sqlalchemy import insert
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from voelgoed.config import get_settings
from voelgoed.models import Event, Hold, HoldItem, HoldStatus
from voelgoed.services.marketing import Offer, price_hold, record_hold
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
    hold_caps,
    stock,
    waiting_room,  # owned by the waiting-room slice
)
from voelgoed.services.sales.hold_load import load_for_hold
from voelgoed.services.sales.hold_release import (  # noqa: F401  (re-exported: inventory is the public face)
    BUYER,
    _end_hold,
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
_HOLD, _ITEM = Hold.__table__, HoldItem.__table__
_HOLD_COLS = ("id", "organization_id", "event_id", "status", "expires_at", "total_cents", "currency", "client_address",
              "client_hash", "pass_id", "created_at")


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
                promo_code: str | None = None, touch: str | None = None, now: datetime | None = None) -> Hold:
    """Reserve tickets for ``settings.hold_ttl_seconds`` seconds; commits; returns the Hold.

    ``items``: ``[(ticket_type_id, quantity)]`` or ``[{"ticket_type_id", "quantity"}]``; repeated
    ids are summed. Unit prices are captured on the hold items (cents, event currency). After
    commit, the expiry job is scheduled (``enqueue_in(ttl, jobs.expire_hold, hold_id)``).
    ``client_address`` is stored only as a keyed hash (``hold.client_hash``) and, with the pass id,
    capped by :func:`voelgoed.services.sales.hold_caps.check` (429 ``too_many_holds``).
    ``promo_code`` / ``touch`` (the buyer's ``vg_touch`` attribution cookie): priced by :func:`voelgoed.services.marketing.price_hold`
    (discounted unit prices on the hold items; the code and touches recorded with the hold; its ``promo_code_*``
    errors); the code's use is taken at checkout. Errors: see the module docstring.
    """
    return _create_hold(session, event_slug=event_slug, event_id=event_id, items=items, client_address=client_address,
                        pass_token=pass_token, promo_code=promo_code, touch=touch, now=now)[0]


def place_hold(session: Session, *, event_slug: str | None = None, event_id=None, items: Sequence[Any],
               client_address: str = "", pass_token: str | None = None, promo_code: str | None = None,
               touch: str | None = None, now: datetime | None = None) -> dict:
    """:func:`create_hold`, answered as :func:`hold_summary` plus ``promo_code`` (str | None) and ``discount_cents``
    (no second read: the hot path of the public API)."""
    hold, lines, offer = _create_hold(session, event_slug=event_slug, event_id=event_id, items=items,
                               client_address=client_address, pass_token=pass_token, promo_code=promo_code,
                               touch=touch, now=now)
    return {**hold_summary(hold, lines), "event_id": str(hold.event_id), "promo_code": offer.code or None,
            "discount_cents": offer.discount_cents}


def _create_hold(session: Session, *, event_slug, event_id, items, client_address, pass_token, now, promo_code=None,
                 touch=None) -> tuple[Hold, list[dict], Offer]:
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
        alias = stock.hot_row.request_alias(event_slug or event_id, wanted)
        if stock.hot_row.sold_out_by_alias(alias, now):  # seen sold out moments ago (stock/hot_row.py): no DB work
            tid = next(iter(wanted))
            raise VoelgoedError("sold_out", "Sold out", {"available": 0, "ticket_type_id": str(tid)})
        # Fast path: an autocommit connection, so the single-statement hold commits on the server and the
        # hot row lock is never held across a client round trip (or a GIL wait in this process).
        try:
            with bind.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                event, types = load_for_hold(conn, event_slug=event_slug, event_id=event_id, type_ids=list(wanted))
                offer = _offer(session, event, types, wanted, promo_code, client_hash, touch, now)
                who = hold_caps.Who(client_hash, _validate(session, event, types, wanted, pass_token, now, offer))
                if not event.waiting_room_enabled:
                    stock.hot_row.link(alias, next(iter(wanted)), [event.sale_ends_at, *(t.sale_ends_at for t in types.values())])
                placed = _try_single(conn, event, types, wanted, who=who, ttl=ttl, now=now, offer=offer)
        except OperationalError as exc:
            raise Busy("busy", "Tickets are in high demand right now; please try again") from exc
        if placed:
            # the hold's audit row was written by its own statement (audit.insert_sql); a promo code or an
            # attribution touch adds marketing rows, committed here (no hot row lock is held any more)
            record_hold(session, placed[0], offer)
            if session.new:
                session.commit()
    else:
        event, types = load_for_hold(session, event_slug=event_slug, event_id=event_id, type_ids=list(wanted))
        offer = _offer(session, event, types, wanted, promo_code, client_hash, touch, now)
        who = hold_caps.Who(client_hash, _validate(session, event, types, wanted, pass_token, now, offer))
        placed = None
    hold, summary_lines = placed or _place(session, event, types, wanted, who=who, ttl=ttl, now=now,
                                           reclaim_first=placed is False, offer=offer)
    schedule_expiry(hold.event_id, hold.expires_at)
    return hold, summary_lines, offer


def _offer(session: Session, event, types: dict, wanted: dict, promo_code, client_hash, touch, now) -> Offer:
    """The marketing rules' price for this hold (promo code, group discount, access code); an unknown or
    inactive ticket type is 404 first, so a code's answer never tells anything about one."""
    for tid in wanted:
        if tid not in types or not types[tid].is_active:
            raise NotFound("not_found", "Unknown ticket type", {"ticket_type_id": str(tid)})
    return price_hold(session, event=event, types=types, wanted=wanted, promo_code=promo_code, client_key=client_hash,
                      touch=touch, now=now)


def _validate(session: Session, event, types: dict, wanted: dict, pass_token: str | None, now: datetime,
              offer: Offer) -> str | None:
    """Event on sale, each ticket type sellable and within its window and max_per_order, waiting-room pass
    (returns the pass id, None when the room is off)."""
    check_event_on_sale(event, now)
    for tid, qty in wanted.items():
        tt = types.get(tid)
        if tt is None or not tt.is_active or (tt.is_hidden and tid not in offer.unlocked):
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


def _new_hold(event, types: dict, ordered: list, who: hold_caps.Who, ttl: int, now: datetime,
              offer: Offer) -> tuple[Hold, list[dict]]:
    price = offer.prices  # unit prices after the marketing rules (promo code, group discount)
    hold = Hold(id=uuid.uuid4(), organization_id=event.organization_id, event_id=event.id, status=HoldStatus.active.value,
                expires_at=now + timedelta(seconds=ttl), total_cents=sum(price[t] * q for t, q in ordered),
                currency=event.currency, client_address="", client_hash=who.client_hash, pass_id=who.pass_id, created_at=now)
    lines = [{"ticket_type_id": str(t), "ticket_type": types[t].name, "quantity": q,
              "unit_price_cents": price[t], "line_total_cents": q * price[t]} for t, q in ordered]
    return hold, lines


def _try_single(conn, event, types: dict, wanted: dict, *, who: hold_caps.Who, ttl: int, now: datetime, offer: Offer):
    """PostgreSQL autocommit fast path for one ticket type and no event capacity: ``(hold, lines)`` when
    reserved, False when short (the caller reclaims lapsed holds and retries), None when not eligible.
    The hold caps are counted and the hold inserted under the caller's session advisory locks."""
    if len(wanted) != 1 or event.capacity is not None:
        return None
    ordered = list(wanted.items())
    hold, lines = _new_hold(event, types, ordered, who, ttl, now, offer)
    try:
        with hold_caps.session_locks(conn, who):
            hold_caps.check(conn, event_id=event.id, who=who, quantity=ordered[0][1], now=now)
            tid, qty = ordered[0]
            stock.reserve_with_hold(conn, hold, tid, qty, offer.prices[tid], _hold_audit_params(hold, wanted))
    except stock.Short:
        return False
    except stock.FastPathIneligible:  # the event got a capacity after we read it: the locked path decides
        return None
    return hold, lines


def _place(session: Session, event: Event, types: dict, wanted: dict, *, who: hold_caps.Who, ttl: int,
           now: datetime, reclaim_first: bool = False, offer: Offer) -> tuple[Hold, list[dict]]:
    """Insert the hold, then reserve (hot rows last, so their locks live only until the commit); commits.

    First try without reclaiming; if short, roll back, reclaim the event's lapsed holds and retry once.
    Hold caps: advisory transaction locks first, counted after the hold's own rows are inserted.
    """
    ordered = sorted(wanted.items(), key=lambda kv: str(kv[0]))
    total_qty = sum(wanted.values())
    org_id = event.organization_id
    last_short: stock.Short | None = (stock.Short(stock.TICKET_TYPE, ticket_type_id=ordered[0][0])
                                      if reclaim_first and len(ordered) == 1 else None)
    for attempt in ((1,) if reclaim_first else (0, 1)):
        hold, lines = _new_hold(event, types, ordered, who, ttl, now, offer)
        try:
            hold_caps.lock_for_transaction(session, who)
            if attempt == 1 and not stock.reclaim_lapsed_holds(session, event.id, now, extra_type_ids=[t for t, _ in ordered]):
                raise last_short or stock.Short(stock.EVENT_CAPACITY)
            session.execute(insert(_HOLD).values(**{c: getattr(hold, c) for c in _HOLD_COLS}))
            session.execute(insert(_ITEM), [{"id": uuid.uuid4(), "organization_id": org_id, "hold_id": hold.id,
                                             "ticket_type_id": t, "quantity": q, "unit_price_cents": offer.prices[t]}
                                            for t, q in ordered])
            _audit_hold_created(session, hold, dict(ordered))
            record_hold(session, hold, offer)
            hold_caps.check(session, event_id=event.id, who=who, quantity=total_qty, now=now, counted=True)
            stock.reserve(session, event.id, stock.lines_of(ordered))  # hot rows last: types, then the event
            session.commit()
        except stock.Short as short:
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


def _hold_audit_data(hold: Hold, items: dict) -> dict:
    return {"items": {str(t): q for t, q in items.items()}, "client_hash": hold.client_hash, "pass_id": hold.pass_id}


def _audit_hold_created(session, hold: Hold, items: dict) -> None:
    audit.record(session, audit.Actor("buyer", ""), "hold.created", None, _hold_audit_data(hold, items),
                 organization_id=hold.organization_id, target_type="hold", target_id=hold.id,
                 created_at=hold.created_at)


def _hold_audit_params(hold: Hold, items: dict) -> dict:
    """The same ``hold.created`` row as :func:`_audit_hold_created`, for the fast path's single statement."""
    return audit.insert_params(audit.Actor("buyer", ""), "hold.created", _hold_audit_data(hold, items),
                               organization_id=hold.organization_id, target_type="hold", target_id=hold.id,
                               created_at=hold.created_at)


def _shortage_error(session: Session, event: Event, short: stock.Short, wanted: dict, now: datetime) -> VoelgoedError:
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
