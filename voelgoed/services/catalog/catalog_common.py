"""Small helpers shared by the catalog services (venues, events, ticket types, orders admin).

- :func:`parse_id` turns a path/form id into a UUID; anything unparsable is *not found* (404).
- :func:`get_owned` loads a tenant row and treats another organisation's row as *not found*
  (architecture decision 3: cross-tenant reads are 404 ``not_found``, never 403).
- :func:`iso` renders a timestamp as RFC 3339 in UTC (``2026-12-12T16:00:00+00:00``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlmodel import Session

from voelgoed.services.platform import NotFound, TenantContext, ValidationFailed, clock, parse_id

T = TypeVar("T")


def get_owned(session: Session, ctx: TenantContext, model: type[T], value: Any, what: str, *, lock: bool = False) -> T:
    """The row ``model[value]`` if it belongs to ``ctx``'s organisation, else 404 ``not_found``."""
    row_id = parse_id(value, what)
    row = session.get(model, row_id, with_for_update=lock or None)
    if row is None or getattr(row, "organization_id", None) != ctx.organization_id:
        raise NotFound("not_found", f"{what.capitalize()} not found")
    return row


def iso(dt: datetime | None) -> str | None:
    """RFC 3339 (UTC offset) or None."""
    dt = clock.aware(dt)
    return dt.astimezone(UTC).isoformat() if dt is not None else None


def clean_text(fields: dict[str, str], name: str, value: Any, *, max_len: int, required: bool = False) -> str:
    """Strip a text input; record a message in ``fields`` when it is missing or too long."""
    text = "" if value is None else str(value).strip()
    if required and not text:
        fields[name] = "This field is required"
    elif len(text) > max_len:
        fields[name] = f"At most {max_len} characters"
    return text


def raise_if(fields: dict[str, str]) -> None:
    """Raise 422 ``validation_failed`` with ``details.fields`` when any field failed."""
    if fields:
        raise ValidationFailed(fields)
