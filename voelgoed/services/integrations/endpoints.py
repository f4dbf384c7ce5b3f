"""Webhook endpoints of an organisation: create (secret shown once), edit, enable/disable, delete, rotate.

All functions take a :class:`TenantContext`; owners and admins (``rbac.can_manage_members``) manage
endpoints — an API key needs ``webhooks:write`` (checked by the route). Errors: 403 ``forbidden``,
404 ``not_found`` (unknown or another organisation's endpoint, or deleted), 422 ``validation_failed``
(``url`` — see :func:`ssrf.check_url` —, ``event_types``, ``description``), 409 ``limit_reached``
(more than ``MAX_ENDPOINTS``). Every change is audited (``webhook_endpoint.*``) and commits.

``endpoint_dict(ep)`` → ``{"id", "url", "description", "event_types", "enabled", "disabled_reason",
"created_at", "updated_at", "secret_rotating_until"}`` (ISO 8601 UTC; never a secret).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, update
from sqlmodel import Session, select

from voelgoed.config import get_settings
from voelgoed.models import DeliveryStatus, EndpointDelivery, WebhookEndpoint
from voelgoed.services.integrations import signing, ssrf
from voelgoed.services.platform import (
    Conflict,
    NotFound,
    TenantContext,
    ValidationFailed,
    audit,
    clock,
    get_owned,
    iso,
    rbac,
    webhook_events,
)

MAX_ENDPOINTS = 20
_ED = EndpointDelivery.__table__


def _require(ctx: TenantContext) -> None:
    rbac.require(ctx, rbac.can_manage_members, "manage webhooks")


def clean_event_types(types) -> list[str]:
    wanted = [str(t).strip() for t in (types or []) if str(t).strip()]
    if not wanted:
        raise ValidationFailed({"event_types": "Choose at least one event type"})
    unknown = sorted(set(wanted) - set(webhook_events.EVENT_TYPES))
    if unknown:
        raise ValidationFailed({"event_types": f"Unknown event type(s): {', '.join(unknown)}"})
    return [t for t in webhook_events.EVENT_TYPES if t in wanted]


def _description(text) -> str:
    text = (text or "").strip()
    if len(text) > 200:
        raise ValidationFailed({"description": "At most 200 characters"})
    return text


def endpoint_dict(ep: WebhookEndpoint, *, now: datetime | None = None) -> dict:
    now = clock.resolve(now)
    rotating = ep.previous_secret_enc and ep.previous_secret_expires_at and clock.aware(ep.previous_secret_expires_at) > now
    return {"id": str(ep.id), "url": ep.url, "description": ep.description, "event_types": list(ep.event_types or ()),
            "enabled": ep.enabled, "disabled_reason": ep.disabled_reason, "created_at": iso(ep.created_at),
            "updated_at": iso(ep.updated_at), "secret_rotating_until": iso(ep.previous_secret_expires_at) if rotating else None}


def get_endpoint(session: Session, ctx: TenantContext, endpoint_id, *, lock: bool = False) -> WebhookEndpoint:
    ep = get_owned(session, ctx, WebhookEndpoint, endpoint_id, "webhook endpoint", lock=lock)
    if ep.deleted_at is not None:
        raise NotFound("not_found", "Webhook endpoint not found")
    return ep


def list_endpoints(session: Session, ctx: TenantContext) -> list[WebhookEndpoint]:
    _require(ctx)
    return list(session.exec(select(WebhookEndpoint).where(
        WebhookEndpoint.organization_id == ctx.organization_id, WebhookEndpoint.deleted_at.is_(None))
        .order_by(WebhookEndpoint.created_at)))


def create_endpoint(session: Session, ctx: TenantContext, *, url: str, event_types, description: str = "",
                    enabled: bool = True, now: datetime | None = None) -> tuple[WebhookEndpoint, str]:
    """→ ``(endpoint, secret)``; the ``whsec_…`` secret is shown this once (stored encrypted)."""
    _require(ctx)
    now = clock.resolve(now)
    clean_url, types, text = ssrf.check_url(url), clean_event_types(event_types), _description(description)
    count = session.exec(select(func.count()).select_from(WebhookEndpoint).where(
        WebhookEndpoint.organization_id == ctx.organization_id, WebhookEndpoint.deleted_at.is_(None))).one()
    if count >= MAX_ENDPOINTS:
        raise Conflict("limit_reached", f"At most {MAX_ENDPOINTS} webhook endpoints per organisation")
    secret = signing.new_secret()
    ep = WebhookEndpoint(organization_id=ctx.organization_id, url=clean_url, description=text, event_types=types,
                         enabled=bool(enabled), secret_enc=signing.seal(secret), created_at=now, updated_at=now)
    session.add(ep)
    session.flush()
    audit.record(session, ctx.actor, "webhook_endpoint.created", ep, {"url": clean_url, "event_types": types})
    session.commit()
    webhook_events.forget(ctx.organization_id)
    return ep, secret


def update_endpoint(session: Session, ctx: TenantContext, endpoint_id, *, url: str | None = None, event_types=None,
                    description: str | None = None, enabled: bool | None = None,
                    now: datetime | None = None) -> WebhookEndpoint:
    """Change any of the fields given (None: unchanged). Enabling clears ``disabled_reason`` and the failure streak."""
    _require(ctx)
    now = clock.resolve(now)
    ep = get_endpoint(session, ctx, endpoint_id, lock=True)
    changed: dict = {}
    if url is not None and url.strip() != ep.url:
        ep.url = changed["url"] = ssrf.check_url(url)
    if event_types is not None:
        types = clean_event_types(event_types)
        if types != list(ep.event_types or ()):
            ep.event_types = changed["event_types"] = types
    if description is not None:
        ep.description = changed["description"] = _description(description)
    if enabled is not None and bool(enabled) != ep.enabled:
        ep.enabled = changed["enabled"] = bool(enabled)
        if ep.enabled:
            ep.disabled_reason, ep.failing_since = "", None
        else:
            ep.disabled_reason = "Disabled by the organiser"
    if changed:
        ep.updated_at = now
        session.add(ep)
        audit.record(session, ctx.actor, "webhook_endpoint.updated", ep, changed)
    session.commit()
    webhook_events.forget(ctx.organization_id)
    return ep


def delete_endpoint(session: Session, ctx: TenantContext, endpoint_id, *, now: datetime | None = None) -> None:
    """Soft delete: the endpoint stops receiving; its pending deliveries are cancelled; history stays."""
    _require(ctx)
    now = clock.resolve(now)
    ep = get_endpoint(session, ctx, endpoint_id, lock=True)
    ep.deleted_at, ep.enabled, ep.updated_at = now, False, now
    session.add(ep)
    session.execute(update(_ED).where(_ED.c.endpoint_id == ep.id, _ED.c.status == DeliveryStatus.pending.value)
                    .values(status=DeliveryStatus.cancelled.value, last_error="endpoint deleted"))
    audit.record(session, ctx.actor, "webhook_endpoint.deleted", ep, {"url": ep.url})
    session.commit()
    webhook_events.forget(ctx.organization_id)


def rotate_secret(session: Session, ctx: TenantContext, endpoint_id, *, now: datetime | None = None) -> tuple[WebhookEndpoint, str]:
    """New secret (returned once); the old one keeps signing alongside for ``WEBHOOKS_SECRET_OVERLAP_HOURS``."""
    _require(ctx)
    now = clock.resolve(now)
    ep = get_endpoint(session, ctx, endpoint_id, lock=True)
    secret = signing.new_secret()
    ep.previous_secret_enc, ep.secret_enc = ep.secret_enc, signing.seal(secret)
    ep.previous_secret_expires_at = now + timedelta(hours=get_settings().webhooks_secret_overlap_hours)
    ep.updated_at = now
    session.add(ep)
    audit.record(session, ctx.actor, "webhook_endpoint.secret_rotated", ep,
                 {"previous_valid_until": iso(ep.previous_secret_expires_at)})
    session.commit()
    return ep, secret


def signing_secrets(ep: WebhookEndpoint, *, now: datetime | None = None) -> list[str]:
    """The secrets to sign with now: the current one, plus the previous one during the overlap."""
    now = clock.resolve(now)
    out = [signing.unseal(ep.secret_enc)]
    if ep.previous_secret_enc and ep.previous_secret_expires_at and clock.aware(ep.previous_secret_expires_at) > now:
        out.append(signing.unseal(ep.previous_secret_enc))
    return out
