"""Shared arrangements for the marketing tests (issue 15)."""

from __future__ import annotations

from tests.factories import make_user
from voelgoed.services.platform import audit, rbac


def owner_ctx(session, org) -> rbac.TenantContext:
    user = make_user(session, org=org)
    return rbac.TenantContext(org.id, audit.Actor("user", str(user.id)), "owner")
