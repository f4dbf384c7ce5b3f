"""Audit entries, written in the caller's transaction (never committed here).

``record(session, actor, "order.paid", target, data)`` — actor is an :class:`Actor` (or None for
the system); target is any model with ``id`` (and usually ``organization_id``).

One set-based exception, still written here: a single SQL statement that must carry its own audit row
(the GA hold fast path: one autocommit statement, so the hot row lock never spans a round trip and the hold
costs one commit, not two) embeds :func:`insert_sql` as a CTE and binds :func:`insert_params`.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from voelgoed.models import AuditLog


@dataclass(frozen=True)
class Actor:
    type: str  # user | api_key | device | system | buyer | provider
    id: str = ""

    @classmethod
    def system(cls) -> Actor:
        return cls("system", "")


def record(session: Session, actor: Actor | None, action: str, target: Any = None, data: dict | None = None, *,
           organization_id=None, target_type: str | None = None, target_id=None, created_at=None) -> AuditLog:
    """Add an :class:`AuditLog` row (``action`` like ``order.paid``; ``data`` a JSON-able dict; the
    organisation taken from ``organization_id``, else the target's) to ``session``; the caller commits.

    The ONLY writer of audit rows, with :func:`insert_sql` (no SQL-text or Core inserts into ``auditlog``
    elsewhere). Set-based
    code that has only ids (no ORM object) passes ``target_type``/``target_id``/``organization_id``.
    """
    actor = actor or Actor.system()
    org_id = organization_id or getattr(target, "organization_id", None)
    if org_id is None and target is not None and type(target).__name__ == "Organization":
        org_id = target.id
    entry = AuditLog(
        organization_id=org_id,
        actor_type=actor.type,
        actor_id=str(actor.id),
        action=action,
        target_type=target_type if target_type is not None else (type(target).__name__.lower() if target is not None else ""),
        target_id=str(target_id) if target_id is not None else (str(getattr(target, "id", "")) if target is not None else ""),
        data=_jsonable(data or {}),
    )
    if created_at is not None:
        entry.created_at = created_at
    session.add(entry)
    return entry


_COLUMNS = ("id", "organization_id", "actor_type", "actor_id", "action", "target_type", "target_id", "data", "created_at")


def insert_sql(source: str, prefix: str = "a_") -> str:
    """SQL text ``INSERT INTO auditlog (…) SELECT :a_id, … FROM <source>``: one audit row per row of ``source``
    (a CTE name of the caller's statement, so the row is written only when that CTE produced a row). Bind
    :func:`insert_params` with the same ``prefix``. PostgreSQL (``CAST(… AS json)``)."""
    values = ", ".join(f"CAST(:{prefix}data AS json)" if c == "data" else f":{prefix}{c}" for c in _COLUMNS)
    return f"INSERT INTO auditlog ({', '.join(_COLUMNS)}) SELECT {values} FROM {source}"


def insert_params(actor: Actor | None, action: str, data: dict | None = None, *, organization_id, target_type: str,
                  target_id, created_at, prefix: str = "a_") -> dict[str, Any]:
    """The bind parameters of :func:`insert_sql`: the same row :func:`record` would add (``data`` JSON-encoded)."""
    actor = actor or Actor.system()
    row = {"id": uuid.uuid4(), "organization_id": organization_id, "actor_type": actor.type, "actor_id": str(actor.id),
           "action": action, "target_type": target_type, "target_id": str(target_id),
           "data": json.dumps(_jsonable(data or {})), "created_at": created_at}
    return {f"{prefix}{k}": v for k, v in row.items()}


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)
