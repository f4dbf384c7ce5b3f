"""Attribution (issue 15, item 3): a first-party cookie carries the buyer's first and last tracked-link visit.

Cookie ``vg_touch`` (set by ``/go/<code>``, ``SameSite=Lax``, HttpOnly, ``ATTRIBUTION_WINDOW_DAYS``):
``<first code>:<unix s>|<last code>:<unix s>.<sig>`` with ``sig`` = HMAC-SHA256 (SECRET_KEY, purpose
``touch``)[:24] — link codes and times only, no personal data; a forged or edited cookie is ignored.

- :func:`touch_cookie` ``(existing, code, now)`` → the new cookie value: the first touch is kept while it is
  inside the window, the last touch is this visit.
- :func:`parse_touch` ``(session, cookie, event_id, now)`` → ``{"first": (link_id, at), "last": (link_id, at)}``
  (only links to ``event_id`` inside the window; a missing first touch falls back to the last) or ``{}``.
  The hold records it (``OrderAttribution`` with ``hold_id``), checkout attaches it to the order. So a hold that
  expires and a second visit through another link before buying: first = the first link, last = the second.
- :func:`last_code` ``(cookie, now)`` → the last touch's short code or ``""`` (funnel counters; no query).
- :func:`order_attribution` ``(session, order_ids)`` → ``{order_id: {first_link, last_link, first_campaign, …}}``
  for exports and the API.
"""

from __future__ import annotations

import hmac
import uuid
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, select

from voelgoed.config import get_settings
from voelgoed.models import Campaign, OrderAttribution, PromoCode, TrackedLink
from voelgoed.services.platform import clock, hmac_sign

COOKIE = "vg_touch"


def _window() -> timedelta:
    return timedelta(days=get_settings().attribution_window_days)


def _read(cookie: str | None, now: datetime) -> list[tuple[str, datetime]]:
    if not isinstance(cookie, str) or len(cookie) > 200 or "." not in cookie:
        return []
    body, _, sig = cookie.rpartition(".")
    if not hmac.compare_digest(hmac_sign(body.encode(), purpose="touch")[:24], sig):
        return []
    out = []
    for part in body.split("|")[:2]:
        code, _, ts = part.partition(":")
        if not code.isalnum() or not ts.isdigit():
            return []
        at = datetime.fromtimestamp(int(ts), UTC)
        out.append((code, at))
    return out if len(out) == 2 else []


def touch_cookie(existing: str | None, code: str, now: datetime | None = None) -> str:
    now = clock.resolve(now)
    touches = _read(existing, now)
    first = touches[0] if touches and now - touches[0][1] <= _window() else (code, now)
    body = f"{first[0]}:{int(first[1].timestamp())}|{code}:{int(now.timestamp())}"
    return f"{body}.{hmac_sign(body.encode(), purpose='touch')[:24]}"


def last_code(cookie: str | None, now: datetime | None = None) -> str:
    now = clock.resolve(now)
    touches = _read(cookie, now)
    return touches[1][0] if touches and now - touches[1][1] <= _window() else ""


def parse_touch(session: Session, cookie: str | None, event_id, now: datetime | None = None) -> dict:
    now = clock.resolve(now)
    fresh = {role: (code, at) for role, (code, at) in zip(("first", "last"), _read(cookie, now), strict=False)
             if now - _window() <= at <= now + timedelta(minutes=5)}
    if not fresh:
        return {}
    links = {lk.short_code: lk.id for lk in session.exec(select(TrackedLink).where(
        TrackedLink.short_code.in_([c for c, _ in fresh.values()]), TrackedLink.event_id == event_id)).all()}
    valid = {role: (links[code], at) for role, (code, at) in fresh.items() if code in links}
    if "last" in valid and "first" not in valid:
        valid["first"] = valid["last"]
    return valid


def order_attribution(session: Session, order_ids: list[uuid.UUID]) -> dict:
    """Per order: ``{first_link, last_link, first_campaign, last_campaign, channel, partner_name, promo_code,
    first_touch_at, last_touch_at}`` (codes and names, None when absent)."""
    if not order_ids:
        return {}
    rows = session.exec(select(OrderAttribution).where(OrderAttribution.order_id.in_(order_ids))).all()
    link_ids = {i for r in rows for i in (r.first_link_id, r.last_link_id) if i}
    links = {lk.id: lk for lk in session.exec(select(TrackedLink).where(TrackedLink.id.in_(link_ids))).all()} if link_ids else {}
    camps = {c.id: c for c in session.exec(select(Campaign).where(
        Campaign.id.in_({lk.campaign_id for lk in links.values()}))).all()} if links else {}
    promo_ids = {r.promo_code_id for r in rows if r.promo_code_id}
    promos = {p.id: p.code for p in session.exec(select(PromoCode).where(PromoCode.id.in_(promo_ids))).all()} if promo_ids else {}
    out = {}
    for r in rows:
        first, last = links.get(r.first_link_id), links.get(r.last_link_id)
        last_camp = camps.get(last.campaign_id) if last else None
        out[r.order_id] = {
            "first_link": first.short_code if first else None, "last_link": last.short_code if last else None,
            "first_campaign": camps[first.campaign_id].name if first else None,
            "last_campaign": last_camp.name if last_camp else None, "channel": last_camp.channel if last_camp else None,
            "partner_name": (last.partner_name or None) if last else None, "promo_code": promos.get(r.promo_code_id),
            "first_touch_at": clock.aware(r.first_touch_at).isoformat() if r.first_touch_at else None,
            "last_touch_at": clock.aware(r.last_touch_at).isoformat() if r.last_touch_at else None}
    return out
