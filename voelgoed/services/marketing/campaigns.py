"""Campaigns and tracked links (issue 15, item 1): UTM links with a short code, ``/go/<code>``, printable QR codes.

- :func:`create_campaign` ``(session, ctx, *, name, channel, budget_cents=None, event_id=None)`` → Campaign.
- :func:`create_link` ``(session, ctx, *, campaign_id, event_id=None, label, utm_*, partner_name)`` → TrackedLink
  with a random 8-character short code (no 0/O/1/I/L). UTM values: up to 100 of ``A-Z a-z 0-9 _ - . + ~`` and
  spaces (a malformed value is 422, never stored or echoed into a URL).
- :func:`link_urls` → ``{short_url: <BASE_URL>/go/<code>, target_url: <BASE_URL>/e/<slug>?utm_…}``.
- :func:`visit` ``(session, code, *, count=True)`` → ``(link, target_url)``: one conditional ``visit_count + 1``
  (not for bots / Do Not Track / a deactivated link; the funnel counter is separate); 404 ``not_found`` for an
  unknown code. Callers check ``link.is_active`` before counting funnel steps or setting the touch cookie.
- :func:`qr_svg` / :func:`qr_png` ``(url)`` → bytes: the short URL as a QR code (``qrcode`` library; ISO/IEC 18004,
  error correction M, 4-module quiet zone), for posters.

Errors: 403 ``forbidden``, 404 ``not_found`` (another organisation's campaign or event), 422 ``validation_failed``.
"""

from __future__ import annotations

import io
import re
from datetime import datetime
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from voelgoed.config import get_settings
from voelgoed.models import Campaign, Event, TrackedLink
from voelgoed.services.platform import NotFound, ValidationFailed, audit, clock, new_code, parse_id, rbac

CHANNELS = ("email", "social", "print", "partner", "ads", "radio", "other")
UTM_FIELDS = ("utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term")
UTM_RE = re.compile(r"^[A-Za-z0-9_\-.+~ ]{0,100}$")
SHORT_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
_L = TrackedLink.__table__


def _event_of(session: Session, ctx, event_id) -> Event:
    event = session.get(Event, parse_id(event_id, "event"))
    if event is None or event.organization_id != ctx.organization_id:
        raise NotFound("not_found", "Event not found")
    return event


def _text(fields: dict, name: str, value, max_len: int, required: bool = False) -> str:
    value = value.strip() if isinstance(value, str) else ""
    if (required and not value) or len(value) > max_len or any(ord(c) < 32 for c in value):
        fields[name] = f"Up to {max_len} characters" + (", required" if required else "")
    return value


def create_campaign(session: Session, ctx: rbac.TenantContext, *, name: str, channel: str = "other",
                    budget_cents: int | None = None, event_id=None, now: datetime | None = None) -> Campaign:
    """A campaign of the organisation (optionally for one event); commits; audit ``campaign.created``."""
    rbac.require(ctx, rbac.can_manage_events, "create campaigns")
    fields: dict = {}
    name = _text(fields, "name", name, 120, required=True)
    if channel not in CHANNELS:
        fields["channel"] = "One of " + ", ".join(CHANNELS)
    if budget_cents is not None and (isinstance(budget_cents, bool) or not isinstance(budget_cents, int) or budget_cents < 0):
        fields["budget_cents"] = "Whole cents, 0 or more"
    if fields:
        raise ValidationFailed(fields)
    event = _event_of(session, ctx, event_id) if event_id else None
    campaign = Campaign(organization_id=ctx.organization_id, event_id=event.id if event else None, name=name,
                        channel=channel, budget_cents=budget_cents, currency=event.currency if event else "ZAR",
                        created_at=clock.resolve(now))
    session.add(campaign)
    session.flush()
    audit.record(session, ctx.actor, "campaign.created", campaign, {"name": name, "channel": channel})
    session.commit()
    return campaign


def get_campaign(session: Session, ctx: rbac.TenantContext, campaign_id) -> Campaign:
    rbac.require(ctx, rbac.can_view_events, "view campaigns")
    campaign = session.get(Campaign, parse_id(campaign_id, "campaign"))
    if campaign is None or campaign.organization_id != ctx.organization_id:
        raise NotFound("not_found", "Campaign not found")
    return campaign


def list_campaigns(session: Session, ctx: rbac.TenantContext, *, event_id=None) -> list[Campaign]:
    rbac.require(ctx, rbac.can_view_events, "view campaigns")
    stmt = select(Campaign).where(Campaign.organization_id == ctx.organization_id)
    if event_id:
        stmt = stmt.where(Campaign.event_id == _event_of(session, ctx, event_id).id)
    return list(session.exec(stmt.order_by(Campaign.created_at)).all())


def create_link(session: Session, ctx: rbac.TenantContext, *, campaign_id, event_id=None, label: str = "",
                partner_name: str = "", now: datetime | None = None, **utm) -> TrackedLink:
    """A tracked link of the campaign to an event (the campaign's event when ``event_id`` is omitted); commits."""
    rbac.require(ctx, rbac.can_manage_events, "create tracked links")
    campaign = get_campaign(session, ctx, campaign_id)
    fields: dict = {}
    label = _text(fields, "label", label, 120)
    partner = _text(fields, "partner_name", partner_name, 120)
    unknown = set(utm) - set(UTM_FIELDS)
    if unknown:
        fields[sorted(unknown)[0]] = "Unknown field"
    values = {}
    for name in UTM_FIELDS:
        raw = utm.get(name) or ""
        if not isinstance(raw, str) or not UTM_RE.match(raw):
            fields[name] = "Up to 100 of letters, digits, spaces and _ - . + ~"
        else:
            values[name] = raw.strip()
    if not (event_id or campaign.event_id):
        fields["event_id"] = "Choose the event the link points to"
    if fields:
        raise ValidationFailed(fields)
    event = _event_of(session, ctx, event_id or campaign.event_id)
    values.setdefault("utm_campaign", "")
    if not values["utm_campaign"]:
        values["utm_campaign"] = re.sub(r"[^A-Za-z0-9_\-.+~ ]", "", campaign.name)[:100]
    if not values.get("utm_medium"):
        values["utm_medium"] = campaign.channel
    for _ in range(8):
        link = TrackedLink(organization_id=ctx.organization_id, campaign_id=campaign.id, event_id=event.id,
                           short_code=new_code(8, SHORT_ALPHABET), label=label, partner_name=partner,
                           created_at=clock.resolve(now), **values)
        nested = session.begin_nested()
        session.add(link)
        try:
            session.flush()
            nested.commit()
            break
        except IntegrityError:
            nested.rollback()
    audit.record(session, ctx.actor, "tracked_link.created", link, {"campaign_id": campaign.id, "short_code": link.short_code})
    session.commit()
    return link


def list_links(session: Session, ctx: rbac.TenantContext, *, campaign_id=None, event_id=None) -> list[TrackedLink]:
    rbac.require(ctx, rbac.can_view_events, "view tracked links")
    stmt = select(TrackedLink).where(TrackedLink.organization_id == ctx.organization_id)
    if campaign_id:
        stmt = stmt.where(TrackedLink.campaign_id == parse_id(campaign_id, "campaign"))
    if event_id:
        stmt = stmt.where(TrackedLink.event_id == _event_of(session, ctx, event_id).id)
    return list(session.exec(stmt.order_by(TrackedLink.created_at)).all())


def get_link(session: Session, ctx: rbac.TenantContext, link_id) -> TrackedLink:
    rbac.require(ctx, rbac.can_view_events, "view tracked links")
    link = session.get(TrackedLink, parse_id(link_id, "link"))
    if link is None or link.organization_id != ctx.organization_id:
        raise NotFound("not_found", "Link not found")
    return link


def link_urls(link: TrackedLink, event_slug: str) -> dict:
    base = get_settings().effective_base_url
    query = urlencode({k: getattr(link, k) for k in UTM_FIELDS if getattr(link, k)})
    return {"short_url": f"{base}/go/{link.short_code}", "target_url": f"{base}/e/{event_slug}" + (f"?{query}" if query else "")}


def link_public(link: TrackedLink, event_slug: str) -> dict:
    return {"id": str(link.id), "campaign_id": str(link.campaign_id), "event_id": str(link.event_id),
            "short_code": link.short_code, "label": link.label, "partner_name": link.partner_name,
            "visit_count": link.visit_count, "is_active": link.is_active, **{k: getattr(link, k) for k in UTM_FIELDS}, **link_urls(link, event_slug)}


def link_view(session: Session, link: TrackedLink) -> dict:
    """:func:`link_public` with the event's slug read here."""
    event = session.get(Event, link.event_id)
    return link_public(link, event.slug if event else "")


def campaign_public(c: Campaign) -> dict:
    return {"id": str(c.id), "name": c.name, "channel": c.channel, "budget_cents": c.budget_cents, "currency": c.currency,
            "event_id": str(c.event_id) if c.event_id else None, "created_at": clock.aware(c.created_at).isoformat()}


def visit(session: Session, code: str, *, count: bool = True) -> tuple[TrackedLink, str]:
    """Resolve ``/go/<code>``: ``(link, target_url)``; counts one visit when ``count``; commits. 404 ``not_found``."""
    norm = code.strip().upper() if isinstance(code, str) else ""
    ok = 0 < len(norm) <= 16 and norm.isascii() and norm.isalnum()
    link = session.exec(select(TrackedLink).where(TrackedLink.short_code == norm)).first() if ok else None
    event = session.get(Event, link.event_id) if link else None
    if link is None or event is None or event.status in ("draft",):
        raise NotFound("not_found", "This link does not exist")
    if count and link.is_active:
        session.execute(update(_L).where(_L.c.id == link.id).values(visit_count=_L.c.visit_count + 1))
        session.commit()
    return link, link_urls(link, event.slug)["target_url"]


def _qr(url: str) -> qrcode.QRCode:
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4, box_size=10)
    qr.add_data(url)
    qr.make(fit=True)
    return qr


def qr_svg(url: str) -> bytes:
    """A standalone SVG document (one path) of ``url``."""
    return _qr(url).make_image(image_factory=qrcode.image.svg.SvgPathImage).to_string()


def qr_png(url: str) -> bytes:
    """A PNG (PIL) of ``url``, 10 pixels per module."""
    out = io.BytesIO()
    _qr(url).make_image().save(out, format="PNG")
    return out.getvalue()
