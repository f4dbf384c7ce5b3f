"""FastAPI dependencies: sessions, API-key and device-token authentication, client address."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import Header, Request
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


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"
