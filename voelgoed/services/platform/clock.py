"""Time in one place: UTC, timezone-aware. Services accept ``now=`` and call :func:`resolve`."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)


def resolve(now: datetime | None) -> datetime:
    """``now`` if given (must be tz-aware; naive is taken as UTC), else the current UTC time."""
    if now is None:
        return utcnow()
    if now.tzinfo is None:
        return now.replace(tzinfo=UTC)
    return now


def aware(dt: datetime | None) -> datetime | None:
    """SQLite returns naive datetimes; treat them as UTC."""
    if dt is None or dt.tzinfo is not None:
        return dt
    return dt.replace(tzinfo=UTC)
