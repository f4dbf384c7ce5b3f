"""Who may do what. Services call these (pages only hide what a role can't use).

A :class:`TenantContext` is the explicit actor + tenant every organiser-side service takes.
Roles (Membership.role): owner | admin | staff | viewer | scanner_only. API keys act with the
``admin`` role of their organisation (scopes come with the integrations slice). ``can_refund`` also
admits a ``finance`` role, should one be added to ``Role`` (financial rights without event management).

| helper | owner | admin | staff | viewer | scanner_only |
| --- | --- | --- | --- | --- | --- |
| can_manage_members | ✓ | ✓ | | | |
| can_publish_events | ✓ | ✓ | | | |
| can_manage_events (create/edit events, ticket types, venues) | ✓ | ✓ | ✓ | | |
| can_manage_orders (void, resend, cancel) | ✓ | ✓ | ✓ | | |
| can_view_financials (revenue, orders, payments) | ✓ | ✓ | ✓ | ✓ | |
| can_refund (refunds, cancelling paid orders and events with refunds) | ✓ | ✓ | | | |
| can_view_events | ✓ | ✓ | ✓ | ✓ | ✓ |
| can_manage_scanners (devices) | ✓ | ✓ | ✓ | | |
| can_scan | ✓ | ✓ | ✓ | | ✓ |
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from voelgoed.services.platform.audit import Actor
from voelgoed.services.platform.errors import Forbidden


@dataclass(frozen=True)
class TenantContext:
    organization_id: uuid.UUID
    actor: Actor
    role: str
    scopes: frozenset[str] | None = None  # an API key's scopes (None: not a scoped key, e.g. a signed-in user)
    event_ids: frozenset[uuid.UUID] | None = None  # an API key limited to these events (None: every event)

    @property
    def user_id(self) -> uuid.UUID | None:
        return uuid.UUID(self.actor.id) if self.actor.type == "user" and self.actor.id else None


_MANAGERS = {"owner", "admin"}
_STAFF = {"owner", "admin", "staff"}


def can_manage_members(ctx: TenantContext) -> bool:
    return ctx.role in _MANAGERS


def can_publish_events(ctx: TenantContext) -> bool:
    return ctx.role in _MANAGERS


def can_manage_events(ctx: TenantContext) -> bool:
    return ctx.role in _STAFF


def can_manage_orders(ctx: TenantContext) -> bool:
    return ctx.role in _STAFF


def can_view_financials(ctx: TenantContext) -> bool:
    return ctx.role in _STAFF | {"viewer"}


_FINANCIAL = {"owner", "admin", "finance"}


def can_refund(ctx: TenantContext) -> bool:
    """Money leaves the organisation: owner/admin (and ``finance``), never staff, viewers or door staff."""
    return ctx.role in _FINANCIAL


def can_view_events(ctx: TenantContext) -> bool:
    return ctx.role in _STAFF | {"viewer", "scanner_only"}


def can_manage_scanners(ctx: TenantContext) -> bool:
    return ctx.role in _STAFF


def can_scan(ctx: TenantContext) -> bool:
    return ctx.role in _STAFF | {"scanner_only"}


def require(ctx: TenantContext, check: Callable[[TenantContext], bool], what: str = "do this") -> None:
    """Raise ``Forbidden`` (403 ``forbidden``) unless ``check(ctx)``."""
    if not check(ctx):
        raise Forbidden("forbidden", f"Your role ({ctx.role}) may not {what}")
