"""The marketing cron job (registered in ``runtime.worker.cron_scheduler``, every ``HOUSEKEEPING_INTERVAL_SECONDS``)."""

from __future__ import annotations

from voelgoed.services.marketing.funnel import rollup
from voelgoed.services.marketing.redemption import release_lapsed_uses
from voelgoed.services.platform import session_scope


def marketing_job() -> dict:
    """RQ job: roll the Redis funnel counts up into PostgreSQL, give back the promo uses of lapsed orders.
    Returns ``{"funnel_steps", "uses_released"}``; idempotent, own session."""
    with session_scope() as session:
        steps = rollup(session)
    with session_scope() as session:
        released = release_lapsed_uses(session)
    return {"funnel_steps": steps, "uses_released": released}
