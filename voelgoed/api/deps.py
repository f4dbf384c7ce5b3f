"""FastAPI dependencies: sessions, API-key and device-token authentication, client address."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import Depends, Header, Request
from sqlmodel import Session

from voelgoed.services.accounts import apikeys
from voelgoed.services.platform import TenantContext, Unauthenticated, session_scope


def get_session() -> Iterator[Session]:
    with session_scope() as session:
        yield session


def bearer_token(authorization: str | None) -> str:
    if not authorization or not authorization.lower().startswith("bearer "):
        raise Unauthenticated("unauthenticated", "Send 'Authorization: Bearer <token>'")
    return authorization[7:].strip()


def api_key_context(authorization: str | None = Header(default=None)) -> TenantContext:
    """The organisation context of an integration request (401 ``unauthenticated`` otherwise)."""
    token = bearer_token(authorization)
    with session_scope() as session:
        return apikeys.authenticate(session, token)


def forwarded_client_address(peer: str, forwarded_for: str | None, trusted_hops: int) -> str:
    """The client address behind ``trusted_hops`` reverse proxies (``TRUSTED_PROXY_HOPS``).

    ``0``: the socket peer, and ``X-Forwarded-For`` is ignored (a client can write anything there).
    ``n > 0``: each trusted proxy appends the address it saw, so the client is the ``n``-th entry
    from the right; entries further left were written by the client and are never used. With fewer
    entries than ``n`` (a request that bypassed a proxy) the socket peer is used. Same rule as
    Reflex's own ``trusted_proxy_hops`` (``rxconfig.py`` passes the variable on), so the API and the
    pages agree on who a client is.
    """
    if trusted_hops <= 0 or not forwarded_for:
        return peer
    hops = [part.strip() for part in forwarded_for.split(",") if part.strip()]
    if len(hops) < trusted_hops:
        return peer
    return hops[-trusted_hops][:64]


def client_address(request: Request) -> str:
    """The client address used for rate limits and hold caps (see :func:`forwarded_client_address`)."""
    from voelgoed.config import get_settings

    peer = request.client.host if request.client else "unknown"
    return forwarded_client_address(peer, ",".join(request.headers.getlist("x-forwarded-for")),
                                    get_settings().trusted_proxy_hops)


def require_scope(*scopes: str):
    """Dependency factory for API-key routes: ``Depends(require_scope("tickets:read"))`` → the key's
    :class:`TenantContext` when the key holds every scope in ``scopes`` (``apikeys.SCOPES``; an unknown
    name is a programming error and raises ``ValueError`` at import time).

    Event limits: a key limited to some events (``ctx.event_ids``) may only address those: the event is
    read from the path (``event_id``, or the event of ``ticket_type_id`` / ``order_id`` / ``ticket_id``)
    or from an ``event_id`` query parameter; list routes that span events must filter by
    ``ctx.event_ids`` themselves. Routes declare what they need (``dep.required_scopes``) so the sweep in
    ``tests/api/test_scopes.py`` checks every one.
    Errors: 401 ``unauthenticated`` (missing, unknown or revoked key), 403 ``insufficient_scope``
    (``details.required``, ``details.missing``), 403 ``event_not_allowed`` (``details.event_id``),
    429 ``rate_limited`` (``Retry-After``)."""
    unknown = [s for s in scopes if s not in apikeys.SCOPES]
    if unknown or not scopes:
        raise ValueError(f"require_scope: unknown or no scope {unknown}; add it to apikeys.SCOPES")

    def dep(request: Request, ctx: TenantContext = Depends(api_key_context)) -> TenantContext:
        apikeys.authorize(ctx, scopes)
        if ctx.event_ids is not None:
            event_id = request.query_params.get("event_id")
            if event_id is None:
                with session_scope() as session:
                    event_id = apikeys.event_for_path(session, ctx, request.path_params)
            apikeys.authorize(ctx, (), event_id=event_id)
        return ctx

    dep.required_scopes = tuple(scopes)
    return dep
