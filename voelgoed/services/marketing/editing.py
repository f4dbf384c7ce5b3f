"""Editing and deactivating the organiser's promo codes and tracked links (issue 15).

- :func:`update_promo_code` ``(session, ctx, *, event_id, promo_id, changes)`` → PromoCode. ``changes`` is a
  partial dict of ``percent_off``, ``amount_off_cents``, ``min_quantity``, ``max_uses``, ``per_buyer_limit``,
  ``valid_from``, ``valid_until`` (``None`` clears a limit or a bound) and ``is_active``. The code itself, its
  kind (access / automatic), ticket types and campaign are fixed once created (holds and redemptions name
  them); make a new code instead. A deactivated code is refused at hold time with 409 ``promo_code_deactivated``
  and its use cannot be taken at checkout (the conditional UPDATE requires ``is_active``).
- :func:`update_link` ``(session, ctx, *, event_id, link_id, changes)`` → TrackedLink. ``changes``: ``label``,
  ``partner_name``, ``is_active``. A deactivated link still redirects ``/go/<code>`` to the event (printed
  posters keep working) but counts no visit, no funnel step and sets no touch cookie; touches recorded
  while it was active keep attributing.

Both commit and write one audit row (``promo_code.updated`` / ``tracked_link.updated`` with ``changes``; the
words ``deactivated`` / ``reactivated`` when only ``is_active`` flips). Errors: 403 ``forbidden``,
404 ``not_found`` (another organisation's or event's object), 422 ``validation_failed`` (``details.fields``;
unknown fields too). Nothing changes on an error.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from voelgoed.models import PromoCode, TrackedLink
from voelgoed.services.marketing import promo as promo_mod
from voelgoed.services.marketing.campaigns import _event_of, _text
from voelgoed.services.platform import NotFound, ValidationFailed, audit, clock, parse_id, rbac

PROMO_FIELDS = ("percent_off", "amount_off_cents", "min_quantity", "max_uses", "per_buyer_limit", "valid_from",
                "valid_until", "is_active")
LINK_FIELDS = ("label", "partner_name", "is_active")
_NULLABLE = ("max_uses", "per_buyer_limit", "valid_from", "valid_until")


def _whole(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _promo_fields(promo: PromoCode, changes: dict) -> dict:
    fields: dict = {}
    for name in set(changes) - set(PROMO_FIELDS):
        fields[name] = "This field cannot be changed"
    for name in ("percent_off", "amount_off_cents", "min_quantity", "max_uses", "per_buyer_limit"):
        if name in changes and not (changes[name] is None and name in _NULLABLE) and not _whole(changes[name]):
            fields[name] = "Must be a whole number, 0 or more"
    for name in ("valid_from", "valid_until"):
        if changes.get(name) is not None and not isinstance(changes[name], datetime):
            fields[name] = "Must be a date and time"
    if "is_active" in changes and not isinstance(changes["is_active"], bool):
        fields["is_active"] = "true or false"
    if fields:
        return fields
    merged = {n: changes.get(n, getattr(promo, n)) for n in PROMO_FIELDS}
    if merged["percent_off"] > 100:
        fields["percent_off"] = "At most 100"
    if merged["percent_off"] and merged["amount_off_cents"]:
        fields["amount_off_cents"] = "Give a percentage or an amount, not both"
    if merged["min_quantity"] < 1:
        fields["min_quantity"] = "At least 1"
    if promo.automatic and not (merged["percent_off"] or merged["amount_off_cents"]):
        fields["percent_off"] = "An automatic rule needs a discount"
    if merged["max_uses"] is not None and merged["max_uses"] < promo.used_count:
        fields["max_uses"] = f"At least the {promo.used_count} uses already taken"
    vf, vu = merged["valid_from"], merged["valid_until"]
    if vf and vu and clock.aware(vu) <= clock.aware(vf):
        fields["valid_until"] = "Must be after valid_from"
    return fields


def _verb(kind: str, changes: dict) -> str:
    if set(changes) == {"is_active"}:
        return f"{kind}.{'reactivated' if changes['is_active'] else 'deactivated'}"
    return f"{kind}.updated"


def _jsonable(changes: dict) -> dict:
    return {k: (clock.aware(v).isoformat() if isinstance(v, datetime) else v) for k, v in changes.items()}


def update_promo_code(session: Session, ctx: rbac.TenantContext, *, event_id, promo_id, changes: dict,
                      now: datetime | None = None) -> PromoCode:
    """Apply ``changes`` to the event's code; commits; audit. See the module docstring for fields and errors."""
    rbac.require(ctx, rbac.can_manage_events, "edit promo codes")
    event = _event_of(session, ctx, event_id)
    promo = session.get(PromoCode, parse_id(promo_id, "promo code"))
    if promo is None or promo.organization_id != ctx.organization_id or promo.event_id != event.id:
        raise NotFound("not_found", "Promo code not found")
    fields = _promo_fields(promo, changes)
    if fields:
        raise ValidationFailed(fields)
    changed = {k: v for k, v in changes.items() if getattr(promo, k) != v}
    if changed:
        for name, value in changed.items():
            setattr(promo, name, value)
        session.add(promo)
        audit.record(session, ctx.actor, _verb("promo_code", changed), promo,
                     {"code": promo.code, "changes": _jsonable(changed)}, created_at=clock.resolve(now))
        session.commit()
        session.refresh(promo)
    promo_mod._AUTO_CACHE.pop(event.id, None)
    return promo


def update_link(session: Session, ctx: rbac.TenantContext, *, event_id, link_id, changes: dict,
                now: datetime | None = None) -> TrackedLink:
    """Apply ``changes`` (label, partner_name, is_active) to the event's link; commits; audit."""
    rbac.require(ctx, rbac.can_manage_events, "edit tracked links")
    event = _event_of(session, ctx, event_id)
    link = session.get(TrackedLink, parse_id(link_id, "link"))
    if link is None or link.organization_id != ctx.organization_id or link.event_id != event.id:
        raise NotFound("not_found", "Link not found")
    fields: dict = {}
    for name in set(changes) - set(LINK_FIELDS):
        fields[name] = "This field cannot be changed"
    clean = {}
    for name in ("label", "partner_name"):
        if name in changes:
            clean[name] = _text(fields, name, changes[name], 120)
            if not isinstance(changes[name], str):
                fields[name] = "Up to 120 characters"
    if "is_active" in changes:
        if isinstance(changes["is_active"], bool):
            clean["is_active"] = changes["is_active"]
        else:
            fields["is_active"] = "true or false"
    if fields:
        raise ValidationFailed(fields)
    changed = {k: v for k, v in clean.items() if getattr(link, k) != v}
    if changed:
        for name, value in changed.items():
            setattr(link, name, value)
        session.add(link)
        audit.record(session, ctx.actor, _verb("tracked_link", changed), link,
                     {"short_code": link.short_code, "changes": changed}, created_at=clock.resolve(now))
        session.commit()
        session.refresh(link)
    return link
