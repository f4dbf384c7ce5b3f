"""Opaque, signed keyset cursors and the shared list filters of the read API.

A cursor names the last row a page returned, as its position in the stable order
``(updated_at, id)`` ascending, together with the resource and a fingerprint of the organisation and
the filters it was issued for. It is ``base64url(json) "." hex HMAC-SHA256`` (key derived from
``SECRET_KEY`` for the purpose ``read-cursor``, :func:`voelgoed.services.platform.hmac_sign`), so a
client cannot forge a position, and a cursor used with other filters, another resource or another
organisation's key is refused. Every problem is 422 ``validation_failed`` with ``details.fields.cursor``.

:class:`Window` holds the common parameters (``limit`` 1..:data:`MAX_LIMIT`, ``updated_since``,
``updated_before``, ``created_from``, ``created_to``) and turns them into SQL conditions on a
model's ``updated_at``/``id`` and creation column; :func:`page` runs the keyset query and builds
``{data, next_cursor, has_more}``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_
from sqlmodel import Session

from voelgoed.services.platform import TenantContext, ValidationFailed, clock, hmac_sign, hmac_verify

MAX_LIMIT = 200
DEFAULT_LIMIT = 50
MAX_CURSOR_LENGTH = 512
_PURPOSE = "read-cursor"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def fingerprint(ctx: TenantContext, resource: str, filters: dict[str, Any]) -> str:
    """16 hex characters binding a cursor to its organisation, resource and filters."""
    canon = json.dumps({"o": str(ctx.organization_id), "r": resource,
                        "f": {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in sorted(filters.items())}},
                       sort_keys=True, default=str)
    return hashlib.sha256(canon.encode()).hexdigest()[:16]


def encode_cursor(updated_at: datetime, row_id: uuid.UUID, fp: str) -> str:
    """The cursor after the row ``(updated_at, row_id)`` for the filter fingerprint ``fp``."""
    body = _b64(json.dumps({"v": 1, "t": clock.aware(updated_at).isoformat(), "i": str(row_id), "f": fp},
                           separators=(",", ":")).encode())
    return f"{body}.{hmac_sign(body.encode(), purpose=_PURPOSE)}"


def decode_cursor(cursor: str, fp: str) -> tuple[datetime, uuid.UUID]:
    """``(updated_at, id)`` of a cursor from :func:`encode_cursor`. Raises 422 ``validation_failed``
    (``fields.cursor``) for a malformed, tampered or foreign cursor, or one issued for other filters."""
    bad = ValidationFailed({"cursor": "Invalid cursor: pass back next_cursor exactly as it was returned"})
    if not isinstance(cursor, str) or len(cursor) > MAX_CURSOR_LENGTH or cursor.count(".") != 1:
        raise bad
    body, signature = cursor.split(".")
    if not hmac_verify(body.encode(), signature, purpose=_PURPOSE):
        raise bad
    try:
        data = json.loads(_unb64(body))
        at, row_id = datetime.fromisoformat(data["t"]), uuid.UUID(data["i"])
    except (ValueError, KeyError, TypeError, binascii.Error, json.JSONDecodeError) as exc:
        raise bad from exc
    if data.get("f") != fp:
        raise ValidationFailed({"cursor": "This cursor was issued for other filters; repeat the same filters or start "
                                          "without a cursor"})
    return clock.aware(at), row_id


@dataclass
class Window:
    """The common list parameters (all times tz-aware; naive is read as UTC)."""

    limit: int = DEFAULT_LIMIT
    cursor: str | None = None
    updated_since: datetime | None = None
    updated_before: datetime | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def check(self) -> None:
        """422 ``validation_failed`` for a limit outside 1..MAX_LIMIT or an empty time range."""
        fields: dict[str, str] = {}
        if not isinstance(self.limit, int) or not 1 <= self.limit <= MAX_LIMIT:
            fields["limit"] = f"limit must be between 1 and {MAX_LIMIT}"
        for lo, hi in (("updated_since", "updated_before"), ("created_from", "created_to")):
            a, b = clock.aware(getattr(self, lo)), clock.aware(getattr(self, hi))
            if a is not None and b is not None and a >= b:
                fields[hi] = f"{hi} must be after {lo}"
        if fields:
            raise ValidationFailed(fields)

    def filters(self) -> dict[str, Any]:
        """What a cursor is bound to: every filter except ``limit`` and ``cursor``."""
        out = {k: clock.aware(getattr(self, k)) for k in ("updated_since", "updated_before", "created_from", "created_to")}
        out.update(self.extra)
        return {k: v for k, v in out.items() if v not in (None, "")}

    def conditions(self, model: Any, created_col: Any) -> list:
        where = []
        if self.updated_since is not None:
            where.append(model.updated_at >= clock.aware(self.updated_since))
        if self.updated_before is not None:
            where.append(model.updated_at < clock.aware(self.updated_before))
        if self.created_from is not None:
            where.append(created_col >= clock.aware(self.created_from))
        if self.created_to is not None:
            where.append(created_col < clock.aware(self.created_to))
        return where


def page(session: Session, ctx: TenantContext, resource: str, window: Window, stmt: Any, model: Any,
         where: Sequence, present: Callable[[Sequence[Any]], list[dict]]) -> dict[str, Any]:
    """Run ``stmt`` (a select whose first entity is ``model``) with ``where`` + the window, in
    ``(updated_at, id)`` order after the cursor, ``limit + 1`` rows. ``present(rows)`` turns the page's
    rows into dicts. Returns ``{data, next_cursor, has_more}``: ``next_cursor`` is the position after
    the last row (null on an empty page, where the given cursor stays valid) and can be kept to resume
    later; ``has_more`` says whether rows were already waiting beyond this page."""
    window.check()
    fp = fingerprint(ctx, resource, window.filters())
    conds = [model.organization_id == ctx.organization_id, *where, *window.conditions(model, _created(model))]
    if window.cursor:
        at, row_id = decode_cursor(window.cursor, fp)
        conds.append(or_(model.updated_at > at, and_(model.updated_at == at, model.id > row_id)))
    rows = list(session.execute(stmt.where(*conds).order_by(model.updated_at, model.id).limit(window.limit + 1)).all())
    has_more = len(rows) > window.limit
    rows = rows[:window.limit]
    last = rows[-1][0] if rows else None
    return {"data": present(rows), "has_more": has_more,
            "next_cursor": encode_cursor(last.updated_at, last.id, fp) if last is not None else window.cursor}


def _created(model: Any) -> Any:
    for name in ("created_at", "issued_at", "scanned_at"):
        if name in model.__table__.c:
            return getattr(model, name)
    raise AttributeError(f"{model.__name__} has no creation column")  # pragma: no cover - programming error

