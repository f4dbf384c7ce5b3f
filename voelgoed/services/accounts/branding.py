"""Organisation branding (issue 15 item 6, docs/branding.md): colours, e-mail sender name and logo.

Stored on ``organization`` (``brand_primary``, ``brand_accent``, ``email_sender_name``, ``logo_sha``) and the logo's
PNG in ``organizationlogo`` (one row per organisation; never loaded with the organisation row).

- :func:`brand_of` ``(org) -> dict``: what pages, PDFs and e-mails apply — ``{name, primary, accent, on_primary,
  on_accent, sender_name, logo_url, logo_sha, has_logo}`` (defaults filled in; ``logo_url`` is the path
  ``/brand/<org id>/logo.png?v=<sha 12>``, ``""`` without a logo).
- :func:`public_brand` ``(org) -> dict``: the part for public answers ``{name, primary, accent, on_primary, on_accent,
  logo_url}`` (no sender name, no logo hash).
- :func:`absolute_logo_url` ``(org) -> str``: the same with ``BASE_URL`` (e-mails).
- :func:`settings_view` ``(session, ctx) -> dict``: the settings form's values (as stored, ``""`` for defaults)
  plus :func:`brand_of` and ``can_edit``.
- :func:`save_branding` ``(session, ctx, *, primary, accent, sender_name, logo=None, remove_logo=False)``:
  owners and admins (403 ``forbidden``); validates everything first (422 ``validation_failed`` with
  ``details.fields``: a bad hex, an unreadable colour — :mod:`.brand_colours` — or a bad sender name), then writes
  the columns and the logo row, audits ``organization.branding_changed`` (what changed, the logo's sha) and commits.
  ``logo`` is a :class:`~.brand_logo.ProcessedLogo` (upload checked by :func:`~.brand_logo.process_logo`).
- :func:`logo_png` ``(session, org) -> bytes | None``: the current logo, from a per-process cache keyed by sha
  (at most :data:`CACHE_SIZE` logos; a new upload has a new sha, so nothing stale is ever served).
- :func:`served_logo` ``(session, organization_id) -> (png, sha)``: for the public route; 404 ``not_found``
  (unknown organisation, garbage id or no logo).
- :func:`validate_sender_name` ``(value) -> str | None``: at most 80 characters, no control characters and none of
  ``@ < > " \\`` (a display name must not look like an address: "support@bank.example" would be spoofing).
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from sqlmodel import Session

from voelgoed.config import get_settings
from voelgoed.models import Organization, OrganizationLogo
from voelgoed.services.accounts import brand_colours
from voelgoed.services.accounts.brand_logo import ProcessedLogo
from voelgoed.services.platform import NotFound, TenantContext, ValidationFailed, as_uuid, audit, clock, rbac

SENDER_MAX = 80
SENDER_FORBIDDEN = set('@<>"\\')
CACHE_SIZE = 64
_cache: OrderedDict[str, bytes] = OrderedDict()
_cache_lock = threading.Lock()


def validate_sender_name(value) -> str | None:
    """See the module docstring."""
    text = " ".join(str(value or "").split())
    if not text:
        return None
    if len(text) > SENDER_MAX or any(ord(c) < 32 or c in SENDER_FORBIDDEN for c in str(value)):
        raise ValidationFailed({"sender_name": f"The sender name may have at most {SENDER_MAX} characters and no "
                                               "@ < > \" \\ (it is a name, not an address)"})
    return text


def logo_path(org: Organization) -> str:
    return f"/brand/{org.id}/logo.png?v={org.logo_sha[:12]}" if org.logo_sha else ""


def absolute_logo_url(org: Organization) -> str:
    """See the module docstring."""
    path = logo_path(org)
    return get_settings().effective_base_url + path if path else ""


def brand_of(org: Organization | None) -> dict:
    """See the module docstring (``org`` None → the platform look)."""
    colours = brand_colours.palette(org.brand_primary if org else None, org.brand_accent if org else None)
    sender = (org.email_sender_name or org.name) if org else ""
    return {**colours, "name": org.name if org else "", "sender_name": sender, "logo_url": logo_path(org) if org else "",
            "logo_sha": (org.logo_sha or "") if org else "", "has_logo": bool(org and org.logo_sha)}


def public_brand(org: Organization | None) -> dict:
    """See the module docstring."""
    brand = brand_of(org)
    return {k: brand[k] for k in ("name", "primary", "accent", "on_primary", "on_accent", "logo_url")}


def settings_view(session: Session, ctx: TenantContext) -> dict:
    """See the module docstring."""
    org = session.get(Organization, ctx.organization_id)
    if org is None:
        raise NotFound("not_found", "Organisation not found")
    return {"primary": org.brand_primary or "", "accent": org.brand_accent or "",
            "sender_name": org.email_sender_name or "", "can_edit": rbac.can_manage_members(ctx), "brand": brand_of(org)}


def save_branding(session: Session, ctx: TenantContext, *, primary, accent, sender_name,
                  logo: ProcessedLogo | None = None, remove_logo: bool = False) -> Organization:
    """See the module docstring. Returns the organisation (committed)."""
    rbac.require(ctx, rbac.can_manage_members, "change the organisation's branding")
    fields: dict[str, str] = {}
    values: dict[str, str | None] = {}
    for field, raw in (("primary", primary), ("accent", accent)):
        try:
            values[field] = brand_colours.normalise_hex(raw, field)
            brand_colours.check_readable(values[field], field)
        except ValidationFailed as exc:
            fields.update(exc.details["fields"])
    try:
        values["sender_name"] = validate_sender_name(sender_name)
    except ValidationFailed as exc:
        fields.update(exc.details["fields"])
    if fields:
        raise ValidationFailed(fields)
    org = session.get(Organization, ctx.organization_id, with_for_update=True)
    if org is None:
        raise NotFound("not_found", "Organisation not found")
    before = {"primary": org.brand_primary, "accent": org.brand_accent, "sender_name": org.email_sender_name,
              "logo_sha": org.logo_sha}
    org.brand_primary, org.brand_accent, org.email_sender_name = values["primary"], values["accent"], values["sender_name"]
    row = session.get(OrganizationLogo, org.id)
    if logo is not None:
        if row is None:
            row = OrganizationLogo(organization_id=org.id, png=logo.png, width=logo.width, height=logo.height,
                                   sha256=logo.sha256)
        row.png, row.width, row.height, row.sha256, row.updated_at = logo.png, logo.width, logo.height, logo.sha256, clock.utcnow()
        session.add(row)
        org.logo_sha = logo.sha256
    elif remove_logo:
        if row is not None:
            session.delete(row)
        org.logo_sha = None
    session.add(org)
    after = {"primary": org.brand_primary, "accent": org.brand_accent, "sender_name": org.email_sender_name,
             "logo_sha": org.logo_sha}
    changed = {k: {"from": before[k], "to": after[k]} for k in after if before[k] != after[k]}
    audit.record(session, ctx.actor, "organization.branding_changed", org, {"changed": changed})
    session.commit()
    if logo is not None:
        _remember(logo.sha256, logo.png)
    return org


def _remember(sha: str, png: bytes) -> None:
    with _cache_lock:
        _cache[sha] = png
        _cache.move_to_end(sha)
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)


def logo_png(session: Session, org: Organization | None) -> bytes | None:
    """See the module docstring."""
    if org is None or not org.logo_sha:
        return None
    with _cache_lock:
        cached = _cache.get(org.logo_sha)
    if cached is not None:
        return cached
    row = session.get(OrganizationLogo, org.id)
    if row is None or row.sha256 != org.logo_sha:
        return None
    _remember(row.sha256, row.png)
    return row.png


def served_logo(session: Session, organization_id) -> tuple[bytes, str]:
    """See the module docstring."""
    oid = as_uuid(organization_id)
    org = session.get(Organization, oid) if oid else None
    png = logo_png(session, org)
    if png is None:
        raise NotFound("not_found", "Logo not found")
    return png, org.logo_sha
