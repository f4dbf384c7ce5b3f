"""Organisation API keys: shown once, stored as SHA-256, revocable (api-v1.md, Authentication).

Key format: ``vg_live_<43 url-safe chars>`` (256 bits). ``authenticate`` returns a TenantContext
acting with the ``admin`` role, or raises ``Unauthenticated`` (401 ``unauthenticated``).
"""

from __future__ import annotations

import uuid

from sqlmodel import Session, select

from voelgoed.models import ApiKey, Organization
from voelgoed.services.platform import (
    Actor,
    NotFound,
    TenantContext,
    Unauthenticated,
    ValidationFailed,
    audit,
    clock,
    hash_token,
    new_token,
    rbac,
)

PREFIX = "vg_live_"


def create_api_key(session: Session, *, organization_id: uuid.UUID, name: str, created_by: Actor | None = None) -> tuple[ApiKey, str]:
    """Create a key; returns ``(row, secret)``. The secret is never stored or shown again."""
    name = (name or "").strip()
    if not name or len(name) > 120:
        raise ValidationFailed({"name": "Give the key a name of 1–120 characters"})
    secret = PREFIX + new_token(32)
    key = ApiKey(organization_id=organization_id, name=name, prefix=secret[:12], key_hash=hash_token(secret),
                 created_by_id=uuid.UUID(created_by.id) if created_by and created_by.type == "user" else None)
    session.add(key)
    session.flush()
    audit.record(session, created_by, "api_key.created", key, {"name": name})
    session.commit()
    return key, secret


def create_api_key_for_org_slug(session: Session, *, org_slug: str, name: str) -> tuple[ApiKey, str]:
    """CLI ``apikey create --org <slug>``: :func:`create_api_key` by organisation slug → ``(row, secret)``.
    Raises 404 ``not_found`` (no such slug), 422 ``validation_failed`` (name)."""
    org = session.exec(select(Organization).where(Organization.slug == org_slug)).first()
    if org is None:
        raise NotFound("not_found", f"No organisation with slug '{org_slug}'")
    return create_api_key(session, organization_id=org.id, name=name, created_by=Actor("system", "cli"))


def authenticate(session: Session, secret: str, *, now=None) -> TenantContext:
    """The ``TenantContext`` (role ``admin``, actor ``api_key``) of the live key ``secret`` (``vg_live_…``,
    compared by SHA-256). Raises 401 ``unauthenticated`` for a missing, malformed, unknown or revoked key."""
    if not secret or not secret.startswith(PREFIX) or len(secret) > 200:
        raise Unauthenticated("unauthenticated", "A valid API key is required")
    key = session.exec(select(ApiKey).where(ApiKey.key_hash == hash_token(secret))).first()
    if key is None or key.revoked_at is not None:
        raise Unauthenticated("unauthenticated", "A valid API key is required")
    return TenantContext(organization_id=key.organization_id, actor=Actor("api_key", str(key.id)), role="admin")


def create_for_context(session: Session, ctx: TenantContext, *, name: str) -> tuple[ApiKey, str]:
    """Organiser UI: create a key for ``ctx``'s organisation (owners/admins; 403 ``forbidden``)."""
    rbac.require(ctx, rbac.can_manage_members, "manage API keys")
    return create_api_key(session, organization_id=ctx.organization_id, name=name, created_by=ctx.actor)


def revoke(session: Session, ctx: TenantContext, key_id: uuid.UUID, *, now=None) -> ApiKey:
    """Revoke one of ``ctx``'s keys (owners/admins; 403 ``forbidden``; another organisation's key → 404)."""
    rbac.require(ctx, rbac.can_manage_members, "manage API keys")
    key = session.get(ApiKey, key_id)
    if key is None or key.organization_id != ctx.organization_id:
        raise NotFound("not_found", "API key not found")
    if key.revoked_at is None:
        key.revoked_at = clock.resolve(now)
        audit.record(session, ctx.actor, "api_key.revoked", key)
        session.commit()
    return key


def list_keys(session: Session, ctx: TenantContext) -> list[ApiKey]:
    """The organisation's keys, oldest first (owners/admins; 403 ``forbidden``)."""
    rbac.require(ctx, rbac.can_manage_members, "manage API keys")
    return list(session.exec(select(ApiKey).where(ApiKey.organization_id == ctx.organization_id).order_by(ApiKey.created_at)))


def key_rows(session: Session, ctx: TenantContext, *, now=None) -> list[dict]:
    """:func:`list_keys` for display, never the secret: ``[{"id", "name", "prefix", "created_at",
    "last_used_at" (ISO 8601 UTC or None), "status": "active" | "revoked"}]`` (403 ``forbidden``)."""
    now = clock.resolve(now)
    return [{"id": str(k.id), "name": k.name, "prefix": k.prefix, "created_at": clock.aware(k.created_at).isoformat(),
             "last_used_at": clock.aware(k.last_used_at).isoformat() if k.last_used_at else None,
             "status": "revoked" if k.revoked_at and clock.aware(k.revoked_at) <= now else "active"}
            for k in list_keys(session, ctx)]
