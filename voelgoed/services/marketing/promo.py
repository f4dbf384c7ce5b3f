"""Promo codes and pricing rules (issue 15, item 4): what a hold costs with a code, and the organiser's codes.

A :class:`PromoCode` is one of:

- a **discount code**: ``percent_off`` (1-100) or ``amount_off_cents`` off each ticket of ``ticket_type_ids``
  (empty: every type of the event), with ``min_quantity`` (a group discount needs N or more tickets of those
  types), ``max_uses`` (uses over all buyers; one use per order), ``per_buyer_limit`` (uses per buyer e-mail),
  a validity window ``[valid_from, valid_until)``;
- an **access code** (``unlocks_hidden``): makes the hidden ticket types in ``ticket_type_ids`` holdable
  (it may discount them too);
- an **automatic group rule** (``automatic``): applied without a code to a hold of ``min_quantity`` or more
  tickets when the buyer typed no code (the best such rule wins).

:func:`price_hold` is the one call the hold path makes (``sales.inventory``); the use is taken later, in the
checkout transaction (:mod:`voelgoed.services.marketing.redemption`).

Errors (code → HTTP): ``promo_code_invalid`` 404 (unknown, another event's or organisation's —
deliberately indistinguishable, so codes cannot be probed), ``promo_code_deactivated`` 409 (the organiser
switched it off; failed attempts still count against the rate limit), ``promo_code_not_active`` 409 (before
``valid_from``), ``promo_code_expired`` 409, ``promo_code_exhausted`` 409, ``promo_code_not_applicable`` 409
(no ticket of the hold is covered), ``promo_code_min_quantity`` 409 (``details.min_quantity``),
``rate_limited`` 429 (more than ``PROMO_ATTEMPT_RATE_LIMIT`` failed codes per client address).
"""

from __future__ import annotations

import re
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, select

from voelgoed.config import get_settings
from voelgoed.models import Event, PromoCode, TicketType
from voelgoed.services.marketing.attribution import parse_touch
from voelgoed.services.platform import (
    NotFound,
    ValidationFailed,
    VoelgoedError,
    audit,
    clock,
    parse_id,
    ratelimit,
    rbac,
)

CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{2,39}$")
_AUTO_CACHE: dict[uuid.UUID, tuple[float, list]] = {}  # event id → (monotonic expiry, automatic rules)
_AUTO_TTL_S = 5.0


@dataclass(frozen=True)
class Offer:
    """What a hold costs: ``prices`` {ticket type id: unit price cents}, ``unlocked`` hidden type ids,
    ``promo_code_id`` / ``code`` (None / "" without a code), ``discount_cents`` over the hold, ``touch`` (the
    buyer's first-party attribution cookie as parsed by ``marketing.attribution.parse_touch``)."""

    prices: dict
    unlocked: frozenset = frozenset()
    promo_code_id: uuid.UUID | None = None
    code: str = ""
    discount_cents: int = 0
    touch: dict = field(default_factory=dict)


def normalise_code(raw) -> str:
    return raw.strip().upper() if isinstance(raw, str) else ""


def unit_discount(promo: PromoCode, price_cents: int) -> int:
    """Cents off one ticket of ``price_cents``: percent rounded half up, never below a free ticket."""
    off = (price_cents * promo.percent_off + 50) // 100 if promo.percent_off else promo.amount_off_cents
    return max(0, min(price_cents, off))


def _covers(promo: PromoCode, tid: uuid.UUID) -> bool:
    return not promo.ticket_type_ids or str(tid) in promo.ticket_type_ids


def _window_error(promo: PromoCode, now: datetime) -> VoelgoedError | None:
    if promo.valid_from and now < clock.aware(promo.valid_from):
        return VoelgoedError("promo_code_not_active", "This code is not valid yet",
                             {"valid_from": clock.aware(promo.valid_from).isoformat()}, status=409)
    if promo.valid_until and now >= clock.aware(promo.valid_until):
        return VoelgoedError("promo_code_expired", "This code has expired", {}, status=409)
    return None


def _automatic_rules(session: Session, event_id: uuid.UUID) -> list:
    hit = _AUTO_CACHE.get(event_id)
    if hit and hit[0] > time.monotonic():
        return hit[1]
    rules = list(session.exec(select(PromoCode).where(PromoCode.event_id == event_id, PromoCode.automatic.is_(True),
                                                      PromoCode.is_active.is_(True))).all())
    for r in rules:
        session.expunge(r)
    _AUTO_CACHE[event_id] = (time.monotonic() + _AUTO_TTL_S, rules)
    return rules


def _discounted(promo: PromoCode, types: dict, wanted: dict) -> tuple[dict, int, int]:
    """(prices, discount over the hold, covered quantity)."""
    prices = {t: types[t].price_cents for t in wanted if t in types}
    covered = sum(q for t, q in wanted.items() if _covers(promo, t))
    discount = 0
    for t, q in wanted.items():
        if t in types and _covers(promo, t):
            off = unit_discount(promo, types[t].price_cents)
            prices[t] -= off
            discount += off * q
    return prices, discount, covered


def price_hold(session: Session, *, event, types: dict, wanted: dict, promo_code=None, client_key: str | None = None,
               touch: str | None = None, now: datetime | None = None) -> Offer:
    """The :class:`Offer` for a hold of ``wanted`` {ticket type id: quantity} of ``types`` {id: TicketType-like
    with ``price_cents``}; reads only (no commit). ``touch``: the raw ``vg_touch`` cookie (attribution). ``client_key`` (the keyed client hash) is what failed codes
    are rate-limited by. Without a code and without automatic rules this costs no query after the first
    (rules are cached per process for 5 s). Errors: see the module docstring."""
    now = clock.resolve(now)
    touch = parse_touch(session, touch, event.id, now) if touch else {}
    code = normalise_code(promo_code)
    base = {t: types[t].price_cents for t in wanted if t in types}
    if not code:
        best = Offer(prices=base, touch=touch)
        total = sum(wanted.values())
        for rule in _automatic_rules(session, event.id):
            prices, discount, covered = _discounted(rule, types, wanted)
            if (covered >= rule.min_quantity and total and discount > best.discount_cents and _window_error(rule, now) is None
                    and (rule.max_uses is None or rule.used_count < rule.max_uses)):
                best = Offer(prices=prices, promo_code_id=rule.id, code=rule.code, discount_cents=discount, touch=touch)
        return best
    limit = get_settings().promo_attempt_rate_limit
    key = client_key or "anonymous"
    ratelimit.check("promo", key, limit)
    try:
        promo = _lookup(session, event.id, code)
        err = _window_error(promo, now)
        if err:
            raise err
        if promo.max_uses is not None and promo.used_count >= promo.max_uses:
            raise VoelgoedError("promo_code_exhausted", "This code has been used up", {}, status=409)
        if not any(_covers(promo, t) for t in wanted):
            raise VoelgoedError("promo_code_not_applicable", "This code does not apply to these tickets", {}, status=409)
    except VoelgoedError:
        ratelimit.count("promo", key, limit)
        raise
    prices, discount, covered = _discounted(promo, types, wanted)
    if covered < promo.min_quantity:
        raise VoelgoedError("promo_code_min_quantity", f"This code needs at least {promo.min_quantity} tickets",
                            {"min_quantity": promo.min_quantity}, status=409)
    unlocked = frozenset(t for t in wanted if promo.unlocks_hidden and _covers(promo, t) and promo.ticket_type_ids)
    return Offer(prices=prices, unlocked=unlocked, promo_code_id=promo.id, code=promo.code, discount_cents=discount,
                 touch=touch)


def check_code(session: Session, *, event_id, promo_code, client_key: str | None = None,
               now: datetime | None = None) -> dict:
    """What a code typed on the event page does, before any hold (reads only): ``{code, access: bool,
    unlocks: [hidden ticket type id str], percent_off, amount_off_cents}``. The same checks as the hold path's
    (unknown / another event's → 404 ``promo_code_invalid``, 409 ``promo_code_deactivated`` / ``_not_active`` /
    ``_expired`` / ``_exhausted``), with the same rate limit: failed codes count against
    ``PROMO_ATTEMPT_RATE_LIMIT`` per ``client_key`` (429 ``rate_limited``). The hold re-checks everything."""
    now = clock.resolve(now)
    code = normalise_code(promo_code)
    limit = get_settings().promo_attempt_rate_limit
    key = client_key or "anonymous"
    ratelimit.check("promo", key, limit)
    try:
        if not CODE_RE.match(code):
            raise NotFound("promo_code_invalid", "This code is not valid for this event", {})
        promo = _lookup(session, event_id, code)
        err = _window_error(promo, now)
        if err:
            raise err
        if promo.max_uses is not None and promo.used_count >= promo.max_uses:
            raise VoelgoedError("promo_code_exhausted", "This code has been used up", {}, status=409)
    except VoelgoedError:
        ratelimit.count("promo", key, limit)
        raise
    unlocks = list(promo.ticket_type_ids) if promo.unlocks_hidden else []
    return {"code": promo.code, "access": promo.unlocks_hidden, "unlocks": unlocks, "percent_off": promo.percent_off,
            "amount_off_cents": promo.amount_off_cents}


def _lookup(session: Session, event_id, code: str) -> PromoCode:
    promo = session.exec(select(PromoCode).where(PromoCode.event_id == event_id, PromoCode.code == code,
                                                 PromoCode.automatic.is_(False))).first()
    if promo is None:
        raise NotFound("promo_code_invalid", "This code is not valid for this event", {})
    if not promo.is_active:
        raise VoelgoedError("promo_code_deactivated", "This code has been withdrawn by the organiser", {}, status=409)
    return promo


# --------------------------------------------------------------------------- the organiser's codes

def create_promo_code(session: Session, ctx: rbac.TenantContext, *, event_id, code: str, percent_off: int = 0,
                      amount_off_cents: int = 0, ticket_type_ids=(), unlocks_hidden: bool = False, min_quantity: int = 1,
                      max_uses: int | None = None, per_buyer_limit: int | None = None, valid_from: datetime | None = None,
                      valid_until: datetime | None = None, automatic: bool = False, campaign_id=None,
                      now: datetime | None = None) -> PromoCode:
    """Create a code for one of the organisation's events; commits; audit ``promo_code.created``.

    ``code``: 3-40 of A-Z 0-9 _ - (upper-cased). At most one of ``percent_off`` (0-100) / ``amount_off_cents``.
    Errors: 403 ``forbidden``, 404 ``not_found`` (event, ticket type or campaign of another organisation),
    422 ``validation_failed`` (``details.fields``), 409 ``promo_code_taken`` (the event has this code)."""
    rbac.require(ctx, rbac.can_manage_events, "create promo codes")
    now = clock.resolve(now)
    event = session.get(Event, parse_id(event_id))
    if event is None or event.organization_id != ctx.organization_id:
        raise NotFound("not_found", "Event not found")
    norm = normalise_code(code)
    fields = {}
    if not CODE_RE.match(norm):
        fields["code"] = "3-40 letters, digits, '-' or '_'"
    ints = {"percent_off": percent_off, "amount_off_cents": amount_off_cents, "min_quantity": min_quantity,
            "max_uses": max_uses, "per_buyer_limit": per_buyer_limit}
    for name, value in ints.items():
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
            fields[name] = "Must be a whole number, 0 or more"
    if not fields:
        if percent_off > 100:
            fields["percent_off"] = "At most 100"
        if percent_off and amount_off_cents:
            fields["amount_off_cents"] = "Give a percentage or an amount, not both"
        if min_quantity < 1:
            fields["min_quantity"] = "At least 1"
        if automatic and not (percent_off or amount_off_cents):
            fields["percent_off"] = "An automatic rule needs a discount"
        if valid_from and valid_until and valid_until <= valid_from:
            fields["valid_until"] = "Must be after valid_from"
    type_ids = [str(parse_id(t)) for t in ticket_type_ids or ()]
    if unlocks_hidden and not type_ids:
        fields["ticket_type_ids"] = "An access code names the hidden ticket types it unlocks"
    if fields:
        raise ValidationFailed(fields)
    if type_ids:
        found = session.exec(select(TicketType.id).where(TicketType.event_id == event.id,
                                                         TicketType.id.in_([uuid.UUID(t) for t in type_ids]))).all()
        if len(found) != len(set(type_ids)):
            raise NotFound("not_found", "Ticket type not found")
    if session.exec(select(PromoCode.id).where(PromoCode.event_id == event.id, PromoCode.code == norm)).first():
        raise VoelgoedError("promo_code_taken", "This event already has that code", {"code": norm}, status=409)
    promo = PromoCode(organization_id=ctx.organization_id, event_id=event.id, campaign_id=parse_id(campaign_id) if campaign_id else None,
                      code=norm, automatic=automatic, percent_off=percent_off, amount_off_cents=amount_off_cents,
                      ticket_type_ids=type_ids, unlocks_hidden=unlocks_hidden, min_quantity=min_quantity, max_uses=max_uses,
                      per_buyer_limit=per_buyer_limit, valid_from=valid_from, valid_until=valid_until, created_at=now)
    session.add(promo)
    session.flush()
    audit.record(session, ctx.actor, "promo_code.created", promo, {"code": norm, "event_id": event.id})
    session.commit()
    _AUTO_CACHE.pop(event.id, None)
    return promo


def list_promo_codes(session: Session, ctx: rbac.TenantContext, *, event_id) -> list[PromoCode]:
    rbac.require(ctx, rbac.can_view_events, "view promo codes")
    event = session.get(Event, parse_id(event_id, "event"))
    if event is None or event.organization_id != ctx.organization_id:
        raise NotFound("not_found", "Event not found")
    return list(session.exec(select(PromoCode).where(PromoCode.organization_id == ctx.organization_id,
                                                     PromoCode.event_id == parse_id(event_id)).order_by(PromoCode.created_at)).all())


def promo_public(promo: PromoCode) -> dict:
    return {"id": str(promo.id), "event_id": str(promo.event_id), "code": promo.code, "automatic": promo.automatic,
            "percent_off": promo.percent_off, "amount_off_cents": promo.amount_off_cents,
            "ticket_type_ids": list(promo.ticket_type_ids), "unlocks_hidden": promo.unlocks_hidden,
            "min_quantity": promo.min_quantity, "max_uses": promo.max_uses, "used_count": promo.used_count,
            "per_buyer_limit": promo.per_buyer_limit,
            "valid_from": clock.aware(promo.valid_from).isoformat() if promo.valid_from else None,
            "valid_until": clock.aware(promo.valid_until).isoformat() if promo.valid_until else None,
            "campaign_id": str(promo.campaign_id) if promo.campaign_id else None, "is_active": promo.is_active}

