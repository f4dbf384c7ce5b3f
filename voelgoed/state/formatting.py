"""Display formatting done on the server (money is never sent to the browser as a float)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

SYMBOLS = {"ZAR": "R", "USD": "$", "EUR": "€", "GBP": "£"}
DISPLAY_TZ = ZoneInfo("Africa/Johannesburg")


def money(cents: int, currency: str = "ZAR") -> str:
    """``123456, "ZAR"`` → ``"R 1 234.56"`` (South African style: space thousands separator)."""
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(int(cents)), 100)
    symbol = SYMBOLS.get(currency, currency + " ")
    return f"{sign}{symbol} {whole:,}.{part:02d}".replace(",", "\u00a0")


def field_errors(exc) -> dict[str, str]:
    """A service error's ``details.fields`` (field name → message) as strings for the form, else ``{}``."""
    details = exc.details if isinstance(getattr(exc, "details", None), dict) else {}
    return {str(k): str(v) for k, v in (details.get("fields") or {}).items()}


def when(iso: str, fmt: str = "%a %d %b %Y, %H:%M") -> str:
    """An ISO timestamp shown in South African time."""
    try:
        return datetime.fromisoformat(iso).astimezone(DISPLAY_TZ).strftime(fmt)
    except (TypeError, ValueError):
        return ""
