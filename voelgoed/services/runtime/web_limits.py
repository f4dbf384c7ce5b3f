"""The web process's thread budget for the synchronous API routes (issue 16, flash crowds).

FastAPI runs every ``def`` route in anyio's worker threads, at most ``total_tokens`` at once per event
loop (anyio's default: 40). Under a crowd of hundreds of connections, 40 threads of one process compete
for the GIL and for a database pool of ``DB_POOL_SIZE + DB_MAX_OVERFLOW`` connections, and neither the
GIL nor SQLAlchemy's pool queue hands out turns in arrival order, so the slowest requests wait for many
rounds (a long p99). anyio's ``CapacityLimiter`` *is* first come, first served: with ``WEB_THREADS`` set
(e.g. to the pool size) the excess waits there, in order, instead. ``0`` keeps anyio's default.
Source: anyio's documentation, "Working with threads — Adjusting the default maximum worker thread count".
"""

from __future__ import annotations

import logging

import anyio.to_thread

from voelgoed.config import get_settings

log = logging.getLogger(__name__)


async def apply_thread_limit() -> None:
    """Reflex lifespan task: set the event loop's default thread limiter to ``WEB_THREADS`` (if > 0)."""
    n = get_settings().web_threads
    if n > 0:
        anyio.to_thread.current_default_thread_limiter().total_tokens = n
        log.info("web threads per process: %d", n)
