"""Organisation API keys: shown once, stored as SHA-256, revocable, scoped (api-v1.md, Authentication;
docs/webhooks.md "Scopes").

Key format: ``vg_live_<43 url-safe chars>`` (256 bits). ``authenticate`` returns a TenantContext
acting with the ``admin`` role *within the key's scopes* (``ctx.scopes``) and, when the key is limited to
some events, only those (``ctx.event_ids``); or raises ``Unauthenticated`` (401 ``unauthenticated``).
``authorize(ctx, scopes, event_id=None)`` raises 403 ``insufficient_scope`` / ``event_not_allowed``.
``last_used_at`` is written at most once a minute per key (one conditional UPDATE), so a busy key costs
no write per request. Every authentication counts against the key's own limit (``API_KEY_RATE_LIMIT`` by
default; 429 ``rate_limited`` with ``details.retry_after``, which the API turns into ``Retry-After``).
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import or_, update
from sqlmodel import Session, select

from voelgoed.config import get_settings
from voelgoed.models import ApiKey, Event, Order, Organization, Ticket, TicketType
from voelgoed.services.platform import (
    Actor,
    Forbidden,
    NotFound,
    TenantContext,
    Unauthenticated,
    ValidationFailed,
    audit,
    clock,
    hash_token,
    new_token,
    ratelimit,
    rbac,
)

PREFIX = "vg_live_"
# every scope a key can hold; <resource>:<read|write>. New scopes are added here (and granted to new
# "all scopes" keys); a route names the scopes it needs with ``api.deps.require_scope(...)``.
SCOPES: tuple[str, ...] = (
    "events:read", "events:write", "orders:read", "orders:write", "tickets:read", "tickets:write",
    "attendees:read", "scans:read", "refunds:read", "refunds:write", "devices:write", "webhooks:write",
)
SCOPE_HELP = {
    "events:read": "read events, venues, gates, ticket types, stats",
    "events:write": "create and change events, venues, gates, ticket types; publish, cancel, archive",
    "orders:read": "read orders", "orders:write": "act on orders (resend the tickets e-mail, box-office sales)",
    "tickets:read": "read tickets", "tickets:write": "void tickets", "attendees:read": "read attendees",
    "scans:read": "read scans and check-ins", "refunds:read": "read refunds", "refunds:write": "refund orders",
    "devices:write": "register door scanners", "webhooks:write": "manage webhook endpoints",
}
LAST_USED_EVERY = timedelta(minutes=1)
_AK = ApiKey.__table__


def clean_scopes(scopes) -> list[str]:
    """``scopes`` (None or empty → all of :data:`SCOPES`) checked and ordered as in :data:`SCOPES`.
    Raises 422 ``validation_failed`` (``scopes``) naming unknown ones."""
    if not scopes:
        return list(SCOPES)
    wanted = {str(s).strip() for s in scopes if str(s).strip()}
    unknown = sorted(wanted - set(SCOPES))
    if unknown:
        raise ValidationFailed({"scopes": f"Unknown scope(s): {', '.join(unknown)}; choose from {', '.join(SCOPES)}"})
    return [s for s in SCOPES if s in wanted]


def _clean_event_ids(session: Session, organization_id: uuid.UUID, event_ids) -> list[str] | None:
    if not event_ids:
        return None
    ids = []
    for raw in event_ids:
        try:
            ids.append(uuid.UUID(str(raw)))
        except ValueError:
            raise ValidationFailed({"event_ids": f"Not an event id: {str(raw)[:40]}"}) from None
    found = set(session.exec(select(Event.id).where(Event.organization_id == organization_id, Event.id.in_(ids))))
    missing = [str(i) for i in ids if i not in found]
    if missing:
        raise ValidationFailed({"event_ids": f"No such event in this organisation: {', '.join(missing)}"})
    return sorted({str(i) for i in ids})


def _clean_rate(rate: str | None) -> str:
    rate = (rate or "").strip()
    if not rate:
        return ""
    try:
        ratelimit.parse_rate(rate)
    except ValueError:
        raise ValidationFailed({"rate_limit": "Use e.g. '600/minute' or '20/second'"}) from None
    return rate[:40]


def create_api_key(session: Session, *, organization_id: uuid.UUID, name: str, created_by: Actor | None = None,
                   scopes=None, event_ids=None, rate_limit: str | None = None) -> tuple[ApiKey, str]:
    """Create a key; returns ``(row, secret)``. The secret is never stored or shown again.

    ``scopes``: names from :data:`SCOPES` (None/empty: all of them); ``event_ids``: limit the key to these
    events of the organisation (None/empty: every event); ``rate_limit``: e.g. ``"120/minute"`` (empty:
    ``API_KEY_RATE_LIMIT``). Raises 422 ``validation_failed`` (``name``, ``scopes``, ``event_ids``, ``rate_limit``)."""
    name = (name or "").strip()
    if not name or len(name) > 120:
        raise ValidationFailed({"name": "Give the key a name of 1–120 characters"})
    scope_list = clean_scopes(scopes)
    events = _clean_event_ids(session, organization_id, event_ids)
    rate = _clean_rate(rate_limit)
    secret = PREFIX + new_token(32)
    key = ApiKey(organization_id=organization_id, name=name, prefix=secret[:12], key_hash=hash_token(secret),
                 created_by_id=uuid.UUID(created_by.id) if created_by and created_by.type == "user" else None,
                 scopes=scope_list, event_ids=events, rate_limit=rate)
    session.add(key)
    session.flush()
    audit.record(session, created_by, "api_key.created", key,
                 {"name": name, "scopes": scope_list, "event_ids": events, "rate_limit": rate})
    session.commit()
    return key, secret


def create_api_key_for_org_slug(session: Session, *, org_slug: str, name: str, scopes=None,
                                event_ids=None) -> tuple[ApiKey, str]:
    """CLI ``apikey create --org <slug> [--scope S …] [--event ID …]``: :func:`create_api_key` by
    organisation slug → ``(row, secret)``. Raises 404 ``not_found`` (no such slug), 422 ``validation_failed``."""
    org = session.exec(select(Organization).where(Organization.slug == org_slug)).first()
    if org is None:
        raise NotFound("not_found", f"No organisation with slug '{org_slug}'")
    return create_api_key(session, organization_id=org.id, name=name, created_by=Actor("system", "cli"),
                          scopes=scopes, event_ids=event_ids)


def authenticate(session: Session, secret: str, *, now=None) -> TenantContext:
    """The ``TenantContext`` (role ``admin``, actor ``api_key``, ``scopes``, ``event_ids``) of the live key
    ``secret`` (``vg_live_…``, compared by SHA-256); records ``last_used_at`` (at most once a minute: a
    conditional UPDATE, committed). Raises 401 ``unauthenticated`` for a missing, malformed, unknown or
    revoked key (``details.reason`` = ``"revoked"`` for a revoked one, so an integrator knows to replace it),
    429 ``rate_limited`` over the key's limit."""
    if not secret or not secret.startswith(PREFIX) or len(secret) > 200:
        raise Unauthenticated("unauthenticated", "A valid API key is required")
    key = session.exec(select(ApiKey).where(ApiKey.key_hash == hash_token(secret))).first()
    if key is None:
        raise Unauthenticated("unauthenticated", "A valid API key is required")
    if key.revoked_at is not None:
        raise Unauthenticated("unauthenticated", "This API key was revoked; create a new one", {"reason": "revoked"})
    ratelimit.hit("apikey", str(key.id), key.rate_limit or get_settings().api_key_rate_limit)
    now = clock.resolve(now)
    if key.last_used_at is None or clock.aware(key.last_used_at) <= now - LAST_USED_EVERY:
        session.execute(update(_AK).where(_AK.c.id == key.id, or_(_AK.c.last_used_at.is_(None),
                                                                    _AK.c.last_used_at <= now - LAST_USED_EVERY))
                        .values(last_used_at=now))
        session.commit()
    events = None if key.event_ids is None else frozenset(uuid.UUID(e) for e in key.event_ids)
    return TenantContext(organization_id=key.organization_id, actor=Actor("api_key", str(key.id)), role="admin",
                         scopes=frozenset(key.scopes or ()), event_ids=events)


def authorize(ctx: TenantContext, scopes, *, event_id=None) -> None:
    """403 ``insufficient_scope`` (``details.required`` / ``details.missing``) unless ``ctx`` holds every
    scope in ``scopes``; 403 ``event_not_allowed`` (``details.event_id``) when ``ctx`` is limited to some
    events and ``event_id`` (a str/UUID, or None: not event-bound) is not one of them. A context that is
    not a scoped key (``ctx.scopes is None``) passes."""
    if ctx.scopes is not None:
        missing = [s for s in scopes if s not in ctx.scopes]
        if missing:
            raise Forbidden("insufficient_scope", f"This API key lacks the scope {', '.join(missing)}",
                            {"required": list(scopes), "missing": missing})
    if ctx.event_ids is not None and event_id is not None:
        try:
            eid = event_id if isinstance(event_id, uuid.UUID) else uuid.UUID(str(event_id))
        except ValueError:
            return  # not an id: the route answers 404 itself
        if eid not in ctx.event_ids:
            raise Forbidden("event_not_allowed", "This API key is limited to other events", {"event_id": str(eid)})


def require_event_filter(ctx: TenantContext, event_id) -> None:
    """List routes that span events: a key limited to some events must name one (``event_id``); 403
    ``event_not_allowed`` (``details.event_ids``: the key's events) otherwise."""
    if ctx.event_ids is not None and not event_id:
        raise Forbidden("event_not_allowed", "This API key is limited to some events: pass event_id",
                        {"event_ids": sorted(str(e) for e in ctx.event_ids)})


def event_for_path(session: Session, ctx: TenantContext, path_params: dict) -> uuid.UUID | str | None:
    """The event a request addresses, from its path parameters: ``event_id`` itself, or the event of
    ``ticket_type_id`` / ``order_id`` / ``ticket_id`` in ``ctx``'s organisation (None: not event-bound or
    unknown — the route then answers 404 itself)."""
    if "event_id" in path_params:
        return path_params["event_id"]
    for param, model in (("ticket_type_id", TicketType), ("order_id", Order), ("ticket_id", Ticket)):
        if param in path_params:
            try:
                oid = uuid.UUID(str(path_params[param]))
            except ValueError:
                return None
            return session.exec(select(model.event_id).where(model.id == oid,
                                                             model.organization_id == ctx.organization_id)).first()
    return None


def create_for_context(session: Session, ctx: TenantContext, *, name: str, scopes=None, event_ids=None,
                       rate_limit: str | None = None) -> tuple[ApiKey, str]:
    """Organiser UI: create a key for ``ctx``'s organisation (owners/admins; 403 ``forbidden``); see
    :func:`create_api_key` for ``scopes`` / ``event_ids`` / ``rate_limit``."""
    rbac.require(ctx, rbac.can_manage_members, "manage API keys")
    return create_api_key(session, organization_id=ctx.organization_id, name=name, created_by=ctx.actor,
                          scopes=scopes, event_ids=event_ids, rate_limit=rate_limit)


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
    "last_used_at" (ISO 8601 UTC or None; recorded to the minute), "status": "active" | "revoked",
    "scopes": [...], "all_scopes": bool, "event_ids": [...] | None, "rate_limit": str}]`` (403 ``forbidden``)."""
    now = clock.resolve(now)
    default_rate = get_settings().api_key_rate_limit
    return [{"id": str(k.id), "name": k.name, "prefix": k.prefix, "created_at": clock.aware(k.created_at).isoformat(),
             "last_used_at": clock.aware(k.last_used_at).isoformat() if k.last_used_at else None,
             "status": "revoked" if k.revoked_at and clock.aware(k.revoked_at) <= now else "active",
             "scopes": list(k.scopes or ()), "all_scopes": set(k.scopes or ()) >= set(SCOPES),
             "event_ids": k.event_ids, "rate_limit": k.rate_limit or default_rate}
            for k in list_keys(session, ctx)]
