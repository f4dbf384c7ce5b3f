"""Shared helpers every package uses; each lives here once.

- ids: :func:`parse_id` (garbage → 404 ``not_found``), :func:`as_uuid` (garbage → None);
- outside keys: :func:`clean_key` (slug, code, reference → str or None);
- money: :func:`format_money` (cents → ``R 1 250.00``);
- buyer links: :func:`buyer_order_url` / :func:`order_page_url` (``<BASE_URL>/orders/<code>?token=<access_token>``);
- tenancy: :func:`get_owned` (another organisation's row → 404 ``not_found``);
- time: :func:`iso` (RFC 3339 in UTC, ``2026-12-12T16:00:00+00:00``).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, TypeVar
from urllib.parse import quote

from sqlmodel import Session

from voelgoed.config import get_settings
from voelgoed.services.platform import clock
from voelgoed.services.platform.errors import NotFound
from voelgoed.services.platform.rbac import TenantContext

T = TypeVar("T")

MONEY_SYMBOLS = {"ZAR": "R", "USD": "$", "EUR": "€", "GBP": "£"}


def parse_id(value: Any, what: str = "object") -> uuid.UUID:
    """A UUID from a UUID or string; garbage raises 404 ``not_found`` (an id that can't exist)."""
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        raise NotFound("not_found", f"{what.capitalize()} not found") from None


def as_uuid(value: Any) -> uuid.UUID | None:
    """A UUID from a UUID or string, or None for anything else."""
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError):
        return None


def clean_key(value, max_len: int) -> str | None:
    """A lookup key from the outside (slug, code, reference): None if empty, too long or holding NUL/control chars."""
    text_value = str(value or "").strip()
    if not text_value or len(text_value) > max_len or any(ord(c) < 32 for c in text_value):
        return None
    return text_value


def format_money(cents: int, currency: str) -> str:
    """``R 1 250.00`` style (space thousands separator, as used in South Africa)."""
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(int(cents)), 100)
    symbol = MONEY_SYMBOLS.get(currency, currency + " ")
    return f"{sign}{symbol} {whole:,}.{frac:02d}".replace(",", " ").replace("  ", " ")


def buyer_order_url(order, *, absolute: bool = True) -> str:
    """Where the buyer lands after paying: ``/orders/<code>?token=<access_token>`` (``<BASE_URL>`` in front
    when ``absolute``)."""
    path = f"/orders/{quote(order.order_code)}?token={quote(order.access_token)}"
    return get_settings().effective_base_url + path if absolute else path


def order_page_url(order) -> str:
    """The absolute buyer order page link (mails, PDFs): ``buyer_order_url(order)``."""
    return buyer_order_url(order)


def get_owned(session: Session, ctx: TenantContext, model: type[T], value: Any, what: str, *, lock: bool = False) -> T:
    """The row ``model[value]`` if it belongs to ``ctx``'s organisation, else 404 ``not_found``
    (architecture decision 3: cross-tenant reads are *not found*, never 403)."""
    row_id = parse_id(value, what)
    row = session.get(model, row_id, with_for_update=lock or None)
    if row is None or getattr(row, "organization_id", None) != ctx.organization_id:
        raise NotFound("not_found", f"{what.capitalize()} not found")
    return row


def iso(dt: datetime | None) -> str | None:
    """RFC 3339 (UTC offset) or None."""
    dt = clock.aware(dt)
    return dt.astimezone(UTC).isoformat() if dt is not None else None
