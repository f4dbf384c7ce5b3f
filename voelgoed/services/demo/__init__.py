"""Demo data (``voelgoed seed``), above every package.

The public face of the package: code outside it imports only the names in ``__all__``."""

from __future__ import annotations

from . import arena, history, seed
from .arena import ARENA_NAME, ARENA_SEATS, ARENA_SLUG
from .history import PAST_EVENT_NAME, PAST_EVENT_SLUG, seed_history
from .seed import (
    DEMO_DESCRIPTION,
    DEMO_DOOR_EMAIL,
    DEMO_DOOR_NAME,
    DEMO_DOOR_PASSWORD,
    DEMO_EVENT_NAME,
    DEMO_EVENT_SLUG,
    DEMO_GATES,
    DEMO_ORG_NAME,
    DEMO_ORG_SLUG,
    DEMO_OWNER_EMAIL,
    DEMO_OWNER_NAME,
    DEMO_OWNER_PASSWORD,
    DEMO_TICKET_TYPES,
    DEMO_TIMEZONE,
    DEMO_VENUE,
    seed_demo,
)

__all__ = [
    "seed",
    "DEMO_ORG_SLUG",
    "DEMO_ORG_NAME",
    "DEMO_OWNER_EMAIL",
    "DEMO_OWNER_PASSWORD",
    "DEMO_OWNER_NAME",
    "DEMO_DOOR_EMAIL",
    "DEMO_DOOR_PASSWORD",
    "DEMO_DOOR_NAME",
    "DEMO_EVENT_SLUG",
    "DEMO_EVENT_NAME",
    "DEMO_TIMEZONE",
    "DEMO_VENUE",
    "DEMO_GATES",
    "DEMO_TICKET_TYPES",
    "DEMO_DESCRIPTION",
    "seed_demo",
    "history", "seed_history", "PAST_EVENT_SLUG", "PAST_EVENT_NAME",
    "arena", "ARENA_SLUG", "ARENA_NAME", "ARENA_SEATS",
]
