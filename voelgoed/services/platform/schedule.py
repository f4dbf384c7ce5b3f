"""Venue-local time ↔ UTC (architecture decision 2: store UTC, show and enter in the venue's zone).

Timezones are IANA names checked with :mod:`zoneinfo` (``Africa/Johannesburg`` default).
Organiser forms enter ``YYYY-MM-DDTHH:MM`` wall-clock times (HTML ``datetime-local``); they are
read in the venue's timezone with :func:`local_to_utc` and shown again with :func:`utc_to_local_input`.
An ambiguous wall-clock time during a DST fall-back takes the first occurrence (``fold=0``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from voelgoed.services.platform import clock
from voelgoed.services.platform.errors import ValidationFailed

DEFAULT_TIMEZONE = "Africa/Johannesburg"


def valid_timezone(name: str) -> bool:
    """True for a real IANA zone name (``Africa/Johannesburg``), False for anything else."""
    if not name or not isinstance(name, str) or len(name) > 64 or name.startswith("/") or ".." in name:
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


def common_timezones() -> list[str]:
    """Sorted IANA names for a picker (Africa/* first, then the rest)."""
    names = sorted(n for n in available_timezones() if "/" in n and not n.startswith(("Etc/", "SystemV/")))
    return [n for n in names if n.startswith("Africa/")] + [n for n in names if not n.startswith("Africa/")]


def local_to_utc(value: str | datetime, tz: str, *, field: str = "time") -> datetime:
    """A wall-clock time in zone ``tz`` → aware UTC. Strings: ISO 8601 (``2026-12-12T18:00``).

    An aware input keeps its own offset. Raises 422 ``validation_failed`` on unparsable input.
    """
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValidationFailed({field: "Enter a date and time like 2026-12-12T18:00"}) from None
    if not isinstance(value, datetime):
        raise ValidationFailed({field: "Enter a date and time"})
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(tz))
    return value.astimezone(UTC)


def utc_to_local(dt: datetime | None, tz: str) -> datetime | None:
    """Aware UTC (or naive-as-UTC from SQLite) → aware time in ``tz``."""
    dt = clock.aware(dt)
    return dt.astimezone(ZoneInfo(tz)) if dt is not None else None


def utc_to_local_input(dt: datetime | None, tz: str) -> str:
    """The value for an HTML ``datetime-local`` input (``YYYY-MM-DDTHH:MM``), or ``""``."""
    local = utc_to_local(dt, tz)
    return local.strftime("%Y-%m-%dT%H:%M") if local else ""


def format_local(dt: datetime | None, tz: str, fmt: str = "%a %d %b %Y, %H:%M") -> str:
    """Human display in the venue's zone, e.g. ``Sat 12 Dec 2026, 18:00``."""
    local = utc_to_local(dt, tz)
    return local.strftime(fmt) if local else ""
