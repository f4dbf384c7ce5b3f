"""Seat holds (issue 12): a buyer's chosen seats held under a server-issued token, all or none.

``hold_seats(session, event_slug=, seat_keys=, client_address=, now=)`` → the hold (see :func:`hold_dict`):
``hold_token`` = ``<hold id>.<HMAC-SHA256(SECRET_KEY, purpose "seat-hold", hold id)>``; the hold lasts
``HOLD_TTL_SECONDS`` (the GA default). ``extend_hold(token)`` moves the expiry to ``now + HOLD_TTL_SECONDS``,
never beyond ``created_at + SEAT_HOLD_MAX_SECONDS`` (the hard cap: a refresh loop cannot hoard seats).
``release_seat_hold(token)`` frees them at once. Checkout is the existing one, named by the hold token (a seat
hold's bare id answers 403 ``hold_token_required``: :mod:`voelgoed.services.sales.hold_tokens`);
payment settles through :func:`voelgoed.services.sales.seat_keeper.settle_seated_order` (recheck, re-seat or
``refund_required``).

All seats are locked and changed through ``stock.reserve`` (sorted seat keys, conditional updates, lock
timeout), then the isolated-seat rule is checked on the locked result; any failure rolls everything back.

Errors (409 unless noted): ``seat_sold``, ``seat_held``, ``seat_blocked`` (``details.seat_key``),
``isolated_seat`` (``details.seat_keys`` left alone), ``over_cap`` (``details.max_per_order`` /
``max_per_buyer``), ``hold_expired``, ``extension_limit``; 404 ``not_found`` (event, seat of another event —
``details.seat_key`` —, bad or foreign token); 422 ``validation_failed``; 503 ``busy`` (lock timeout).
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from voelgoed.config import get_settings
from voelgoed.models import Event, EventSeat, Hold, HoldItem, HoldStatus, TicketType
from voelgoed.services.platform import (
    Busy,
    NotFound,
    VoelgoedError,
    audit,
    clock,
)
from voelgoed.services.sales import hold_caps, hold_tokens, release_hold, schedule_expiry, seat_keeper, stock
from voelgoed.services.seating import area_holds, event_seats, seat_rows

_SEAT, _HOLD, _ITEM = EventSeat.__table__, Hold.__table__, HoldItem.__table__


def hold_of_token(session: Session, token: Any, *, lock: bool = False) -> Hold:
    """The seat hold a token names, or 404 ``not_found`` (malformed, forged, unknown, or a bare id)."""
    hold_id, signed = hold_tokens.parse_ref(token if isinstance(token, str) else "")
    if not signed:
        raise NotFound("not_found", "Unknown hold")
    hold = session.get(Hold, hold_id, with_for_update=lock or None, populate_existing=lock)
    if hold is None:
        raise NotFound("not_found", "Unknown hold")
    return hold


def hold_seats(session: Session, *, event_slug: str, seat_keys: Any = None, areas: Any = None, tables: Any = None,
               client_address: str = "", now: datetime | None = None) -> dict[str, Any]:
    """Hold exactly ``seat_keys``, ``areas`` (``[{key, quantity}]``: places of standing areas) and ``tables``
    (keys of tables sold whole: all their seats) — all or none, one hold; commits; returns :func:`hold_dict`.
    The per-order and per-buyer caps count places (a seat, a standing place, each seat of a table).
    Errors: module docstring, plus 409 ``area_full`` (``details.area_key``), ``table_whole`` (a seat of a
    table sold whole chosen alone: ``details.seat_key``, ``table_key``), 404 ``not_found`` (``details.area_key`` /
    ``table_key`` of no standing area / whole table of this event)."""
    now = clock.resolve(now)
    event, settings = event_seats.seated_event(session, event_slug)
    event_seats.on_sale(event, now)
    chosen = area_holds.parse_selection(seat_keys, areas, tables, settings.max_per_order)
    keys = chosen.seat_keys
    known = event_seats.seat_rows(session, event.id, keys)
    missing = [k for k in keys if k not in known]
    if missing:
        raise NotFound("not_found", "No such seat at this event", {"seat_key": missing[0]})
    area_rows, table_seats = area_holds.resolve(session, event.id, chosen, [known[k] for k in keys])
    seats = sorted([known[k] for k in keys] + table_seats, key=lambda s: s.seat_key)
    places = len(seats) + sum(q for _, q in area_rows)
    if places > settings.max_per_order:
        raise VoelgoedError(seat_keeper.OVER_CAP, f"At most {settings.max_per_order} places per order",
                            {"max_per_order": settings.max_per_order}, status=409)
    return place(session, event, settings, seats, areas=area_rows, tables=chosen.tables,
                 client_address=client_address, now=now)


def place(session: Session, event: Event, settings, seats: list, *, client_address: str, now: datetime,
          check_isolated: bool = True, areas: list | tuple = (), tables: list | tuple = ()) -> dict[str, Any]:
    """Insert the hold and its items (seats; ``areas`` = ``[(event_area row, places)]``), reserve them
    (stock: areas, then seats in key order), check caps and the isolated rule; commits."""
    types = _types(session, settings)
    ttl = get_settings().hold_ttl_seconds
    who = hold_caps.Who(hold_caps.client_hash(client_address), None)
    hold = Hold(id=uuid.uuid4(), organization_id=event.organization_id, event_id=event.id,
                status=HoldStatus.active.value, expires_at=now + timedelta(seconds=ttl), currency=event.currency,
                client_hash=who.client_hash, created_at=now)
    unpriced = [s.seat_key for s in seats if s.category_key not in types]
    if unpriced:
        raise VoelgoedError("not_on_sale", "This seat is not on sale", {"seat_key": unpriced[0]}, status=409)
    unpriced = [a.area_key for a, _ in areas if a.category_key not in types]
    if unpriced:
        raise VoelgoedError("not_on_sale", "This area is not on sale", {"area_key": unpriced[0]}, status=409)
    prices = {s.seat_key: types[s.category_key] for s in seats}
    area_prices = {a.area_key: types[a.category_key] for a, _ in areas}
    hold.total_cents = sum(tt.price_cents for tt in prices.values()) + sum(
        area_prices[a.area_key].price_cents * q for a, q in areas)
    adding = len(seats) + sum(q for _, q in areas)
    try:
        hold_caps.lock_for_transaction(session, who)  # one buyer's concurrent holds are counted one at a time
        _check_buyer_cap(session, event.id, who.client_hash, adding, settings.max_per_buyer, now)
        session.execute(insert(_HOLD).values(**{c: getattr(hold, c) for c in (
            "id", "organization_id", "event_id", "status", "expires_at", "total_cents", "currency", "client_address",
            "client_hash", "pass_id", "created_at")}))
        rows = [{"id": uuid.uuid4(), "organization_id": event.organization_id, "hold_id": hold.id,
                 "ticket_type_id": prices[s.seat_key].id, "quantity": 1,
                 "unit_price_cents": prices[s.seat_key].price_cents, "seat_id": s.id, "area_id": None} for s in seats]
        rows += [{"id": uuid.uuid4(), "organization_id": event.organization_id, "hold_id": hold.id,
                  "ticket_type_id": area_prices[a.area_key].id, "quantity": q,
                  "unit_price_cents": area_prices[a.area_key].price_cents, "seat_id": None, "area_id": a.id}
                 for a, q in areas]
        session.execute(insert(_ITEM), rows)
        lines = [stock.Line(prices[s.seat_key].id, 1, seat_key=s.seat_key, hold_id=hold.id) for s in seats]
        lines += [stock.Line(area_prices[a.area_key].id, q, area_key=a.area_key, hold_id=hold.id) for a, q in areas]
        stock.reserve(session, event.id, lines)
        if check_isolated and seats:
            _check_isolated(session, event.id, seats, settings.isolated_rule, now)
        audit.record(session, audit.Actor("buyer", ""), "hold.created", None,
                     {"seats": [s.seat_key for s in seats], "areas": {a.area_key: q for a, q in areas},
                      "tables": list(tables), "client_hash": who.client_hash},
                     organization_id=event.organization_id, target_type="hold", target_id=hold.id, created_at=now)
        session.commit()
    except stock.Short as short:
        session.rollback()
        where = "area_key" if short.reason in (stock.AREA_FULL, stock.AREA_UNKNOWN) else "seat_key"
        status = 404 if short.reason in (seat_keeper.SEAT_UNKNOWN, stock.AREA_UNKNOWN) else 409
        raise VoelgoedError(short.reason, _MESSAGES.get(short.reason, "This seat is not available"),
                            {where: short.key}, status=status) from None
    except OperationalError as exc:
        session.rollback()
        raise Busy("busy", "Seats are in high demand right now; please try again") from exc
    except VoelgoedError:
        session.rollback()
        raise
    schedule_expiry(event.id, hold.expires_at)
    return hold_dict(hold, seats, prices, areas=[(a, q, area_prices[a.area_key]) for a, q in areas], tables=tables)


_MESSAGES = {seat_keeper.SEAT_SOLD: "This seat has just been sold", seat_keeper.SEAT_HELD: "Someone else is holding this seat",
             seat_keeper.SEAT_BLOCKED: "This seat is not for sale", seat_keeper.SEAT_UNKNOWN: "No such seat at this event",
             stock.AREA_FULL: "Not that many places are left in this area", stock.AREA_UNKNOWN: "No such area at this event"}


def _types(session: Session, settings) -> dict[str, TicketType]:
    out = {}
    for key, tid in settings.category_types.items():
        tt = session.get(TicketType, uuid.UUID(tid))
        if tt is not None and tt.is_active:
            out[key] = tt
    return out


def _check_buyer_cap(session: Session, event_id, client_hash, adding: int, cap: int, now: datetime) -> None:
    """Live held seats + live held standing places of this buyer + ``adding`` ≤ ``cap``, else 409 ``over_cap``."""
    if client_hash is None:
        return
    held = session.execute(select(func.count()).select_from(_SEAT.join(_HOLD, _HOLD.c.id == _SEAT.c.hold_id)).where(
        _SEAT.c.event_id == event_id, _SEAT.c.status == "held", _SEAT.c.hold_expires_at > now,
        _HOLD.c.client_hash == client_hash)).scalar_one()
    held += area_holds.places_held_by(session, event_id, client_hash, now)
    if held + adding > cap:
        raise VoelgoedError(seat_keeper.OVER_CAP, f"At most {cap} places held at once per buyer",
                            {"max_per_buyer": cap, "held": held}, status=409)


def _check_isolated(session: Session, event_id, seats: list, rule: str, now: datetime) -> None:
    if rule == "off":
        return
    taking = {s.seat_key for s in seats}
    touched = {seat_rows.row_id(s) for s in seats}
    row_seats = session.execute(select(_SEAT).where(_SEAT.c.event_id == event_id, _SEAT.c.section_label.in_(
        {t[0] for t in touched}), _SEAT.c.row_label.in_({t[1] for t in touched}))).all()
    left: list[str] = []
    for rid, row in seat_rows.rows_of(row_seats).items():
        if rid not in touched:
            continue
        free = [s.seat_key in taking or seat_keeper.live_status(s.status, s.hold_expires_at, now) == "free" for s in row]
        left += seat_rows.new_isolated(row, free, taking, rule)
    if left:
        raise VoelgoedError(seat_keeper.ISOLATED_SEAT, "This choice would leave a single seat on its own",
                            {"seat_keys": left[:20]}, status=409)


def extend_hold(session: Session, *, token: Any, now: datetime | None = None) -> dict[str, Any]:
    """Extend the hold to ``now + HOLD_TTL_SECONDS``, capped at ``created_at + SEAT_HOLD_MAX_SECONDS``; commits.
    409 ``hold_expired`` (lapsed, ended, checkout started, or a seat lost), ``extension_limit`` (at the cap)."""
    now = clock.resolve(now)
    try:
        hold = hold_of_token(session, token, lock=True)
        if hold.status != HoldStatus.active.value or clock.aware(hold.expires_at) <= now:
            raise VoelgoedError(seat_keeper.HOLD_EXPIRED, "Your seats are no longer held; please choose again", status=409)
        cfg = get_settings()
        cap = clock.aware(hold.created_at) + timedelta(seconds=cfg.seat_hold_max_seconds)
        new_exp = min(now + timedelta(seconds=cfg.hold_ttl_seconds), cap)
        if new_exp <= clock.aware(hold.expires_at):
            raise VoelgoedError("extension_limit", "This hold cannot be extended any further",
                                {"max_seconds": cfg.seat_hold_max_seconds}, status=409)
        keys = sorted(session.execute(select(_SEAT.c.seat_key).where(_SEAT.c.hold_id == hold.id,
                                                                     _SEAT.c.status == "held")).scalars())
        for key in keys:  # sorted seat keys, like every seat writer
            got = session.execute(update(_SEAT).where(
                _SEAT.c.event_id == hold.event_id, _SEAT.c.seat_key == key, _SEAT.c.hold_id == hold.id,
                _SEAT.c.status == "held", _SEAT.c.hold_expires_at > now).values(hold_expires_at=new_exp)
                .returning(_SEAT.c.id)).scalar_one_or_none()
            if got is None:
                raise VoelgoedError(seat_keeper.HOLD_EXPIRED, "Your seats are no longer held", status=409)
        items = session.execute(select(func.count()).where(_ITEM.c.hold_id == hold.id, _ITEM.c.seat_id.is_not(None))).scalar_one()
        if items != len(keys):
            raise VoelgoedError(seat_keeper.HOLD_EXPIRED, "Your seats are no longer held", status=409)
        hold.expires_at = new_exp
        session.add(hold)
        audit.record(session, audit.Actor("buyer", ""), "hold.extended", hold, {"expires_at": new_exp.isoformat()})
        session.commit()
    except OperationalError as exc:
        session.rollback()
        raise Busy("busy", "Please try again") from exc
    except VoelgoedError:
        session.rollback()
        raise
    schedule_expiry(hold.event_id, new_exp)
    return {"hold_id": str(hold.id), "expires_at": new_exp.isoformat(), "max_expires_at": cap.isoformat()}


def release_seat_hold(session: Session, *, token: Any, now: datetime | None = None) -> None:
    """Free the hold's seats now (idempotent for ended holds); 404 for a bad token, 409 once checkout started."""
    hold_of_token(session, token)  # 404 before anything else
    session.rollback()
    release_hold(session, hold_id=token, now=now)


def hold_dict(hold: Hold, seats: list, prices: dict, *, areas: list | tuple = (), tables: list | tuple = ()) -> dict[str, Any]:
    """``{hold_id, hold_token, status, expires_at, seats: [{key, label, section, row, seat, category,
    ticket_type_id, price_cents}], areas: [{key, label, quantity, category, ticket_type_id, price_cents}],
    tables: [key], total_cents, currency}`` (``areas``: ``[(event_area row, places, ticket type)]``)."""
    return {"hold_id": str(hold.id), "hold_token": hold_tokens.token_for(hold.id), "status": hold.status,
            "expires_at": clock.aware(hold.expires_at).isoformat(), "total_cents": hold.total_cents,
            "currency": hold.currency,
            "seats": [{"key": s.seat_key, "label": seat_label(s), "section": s.section_label, "row": s.row_label,
                       "seat": s.seat_label, "category": s.category_key, "ticket_type_id": str(prices[s.seat_key].id),
                       "price_cents": prices[s.seat_key].price_cents} for s in seats],
            "areas": [{"key": a.area_key, "label": a.label, "quantity": q, "category": a.category_key,
                       "ticket_type_id": str(tt.id), "price_cents": tt.price_cents} for a, q, tt in areas],
            "tables": sorted(tables)}


def seat_label(s: Any) -> str:
    """``Stalls A-12`` (section + row + seat)."""
    return f"{s.section_label} {s.row_label}-{s.seat_label}".strip()
