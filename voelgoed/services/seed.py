"""The demo seed (issue #2): a ready-to-sell organisation, venue and published event.

``seed_demo(session) -> str`` is idempotent: a second run finds everything in place, changes
nothing and says so. Works on PostgreSQL and on the embedded SQLite file.
"""

from __future__ import annotations

DEMO_ORG_SLUG = "jozi-live"
DEMO_ORG_NAME = "Jozi Live Events"
DEMO_OWNER_EMAIL = "demo@voelgoed.co.za"
DEMO_OWNER_PASSWORD = "demo-password-2026"
DEMO_DOOR_EMAIL = "door@voelgoed.co.za"
DEMO_DOOR_PASSWORD = "door-password-2026"
DEMO_EVENT_SLUG = "summer-sounds-joburg"


def seed_demo(session) -> str:  # replaced by the full seed below
    raise NotImplementedError("seed_demo is being written")
