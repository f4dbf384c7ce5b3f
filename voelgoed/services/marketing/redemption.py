"""Taking a promo code's use (issue 15): recorded with the hold, taken inside the checkout transaction.

- :func:`record_hold` (the hold's transaction): a ``PromoRedemption(held)`` for a hold priced with a code, and
  the hold's attribution row (first/last touch) when the buyer came through tracked links.
- :func:`redeem_for_order` (the checkout transaction, after the hold row lock and the order insert): one
  conditional ``UPDATE promocode SET used_count = used_count + 1 WHERE id = … AND is_active AND (max_uses IS
  NULL OR used_count < max_uses)`` — the use is enforced inside the write, so when many buyers race for a
  code's last use exactly one UPDATE matches (the others re-evaluate on the committed row and match nothing)
  → 409 ``promo_code_exhausted``, their checkout rolls back. The UPDATE keeps the code's row lock until
  commit, so the per-buyer count that follows (``per_buyer_limit``, by keyed hash of the e-mail) is
  serialised too → 409 ``promo_code_buyer_limit``.
- :func:`release_lapsed_uses` (worker cron): a use taken by an order that then expired or was cancelled comes
  back (``released``), once.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, select

from voelgoed.models import Order, OrderAttribution, PromoCode, PromoRedemption
from voelgoed.services.marketing.promo import Offer
from voelgoed.services.platform import VoelgoedError, audit, clock, hmac_sign

_P = PromoCode.__table__
BUYER = audit.Actor("buyer", "")


def buyer_hash(email: str) -> str:
    """HMAC-SHA256 (SECRET_KEY, purpose ``promo-buyer``) of the lower-cased e-mail, 32 hex (no e-mail stored)."""
    return hmac_sign(email.strip().lower().encode(), purpose="promo-buyer")[:32]


def record_hold(session: Session, hold, offer: Offer) -> None:
    """Add the hold's redemption and attribution rows to the caller's transaction (no commit)."""
    if offer.promo_code_id is not None:
        session.add(PromoRedemption(organization_id=hold.organization_id, promo_code_id=offer.promo_code_id,
                                    hold_id=hold.id, discount_cents=offer.discount_cents, created_at=hold.created_at,
                                    quantity=0))
    touch = offer.touch or {}
    if touch.get("first") or touch.get("last") or offer.promo_code_id is not None:
        first, last = touch.get("first") or (None, None), touch.get("last") or (None, None)
        session.add(OrderAttribution(organization_id=hold.organization_id, hold_id=hold.id, event_id=hold.event_id,
                                     first_link_id=first[0], first_touch_at=first[1], last_link_id=last[0],
                                     last_touch_at=last[1], promo_code_id=offer.promo_code_id, created_at=hold.created_at))


def redeem_for_order(session: Session, *, hold, order: Order, quantity: int, now: datetime | None = None) -> None:
    """Inside the checkout transaction: take the code's use for ``order`` and attach the hold's attribution to it.
    Raises 409 ``promo_code_exhausted`` / ``promo_code_deactivated`` / ``promo_code_buyer_limit`` (the caller rolls back). No commit."""
    now = clock.resolve(now)
    red = session.exec(select(PromoRedemption).where(PromoRedemption.hold_id == hold.id)).first()
    attr = session.exec(select(OrderAttribution).where(OrderAttribution.hold_id == hold.id)).first()
    if attr is not None:
        attr.order_id = order.id
        session.add(attr)
    if red is None or red.status != "held":
        return
    taken = session.execute(update(_P).where(_P.c.id == red.promo_code_id, _P.c.is_active.is_(True),
                                             (_P.c.max_uses.is_(None)) | (_P.c.used_count < _P.c.max_uses))
                            .values(used_count=_P.c.used_count + 1)).rowcount
    if taken != 1:
        if not session.get(PromoCode, red.promo_code_id).is_active:
            raise VoelgoedError("promo_code_deactivated", "This code has been withdrawn by the organiser; choose your "
                                "tickets again", {"hold_id": str(hold.id)}, status=409)
        raise VoelgoedError("promo_code_exhausted", "This code has just been used up; choose your tickets again",
                            {"hold_id": str(hold.id)}, status=409)
    promo = session.get(PromoCode, red.promo_code_id)
    who = buyer_hash(order.buyer_email)
    if promo.per_buyer_limit is not None:
        used = session.exec(select(PromoRedemption.id).where(PromoRedemption.promo_code_id == promo.id,
                                                             PromoRedemption.buyer_hash == who,
                                                             PromoRedemption.status == "redeemed")).all()
        if len(used) >= promo.per_buyer_limit:
            raise VoelgoedError("promo_code_buyer_limit", "You have already used this code", {}, status=409)
    red.status, red.order_id, red.buyer_hash, red.redeemed_at, red.quantity = "redeemed", order.id, who, now, quantity
    session.add(red)
    audit.record(session, BUYER, "promo_code.redeemed", order, {"promo_code_id": promo.id, "code": promo.code,
                                                                 "discount_cents": red.discount_cents})


def release_lapsed_uses(session: Session, *, now: datetime | None = None, limit: int = 200) -> int:
    """Give back the uses of redeemed codes whose order expired or was cancelled; commits; returns how many."""
    now = clock.resolve(now)
    stmt = (select(PromoRedemption).join(Order, Order.id == PromoRedemption.order_id)
            .where(PromoRedemption.status == "redeemed", Order.status.in_(("expired", "cancelled"))).limit(limit))
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(of=PromoRedemption, skip_locked=True)
    rows = session.exec(stmt).all()
    for red in rows:
        session.execute(update(_P).where(_P.c.id == red.promo_code_id, _P.c.used_count > 0)
                        .values(used_count=_P.c.used_count - 1))
        red.status = "released"
        session.add(red)
    session.commit()
    return len(rows)
