"""Audit entries, written in the caller's transaction (never committed here).

``record(session, actor, "order.paid", target, data)`` — actor is an :class:`Actor` (or None for
the system); target is any model with ``id`` (and usually ``organization_id``).
"""

from __future__ import annotations

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

    The ONLY writer of audit rows (no SQL-text or Core inserts into ``auditlog`` elsewhere). Set-based
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


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)
