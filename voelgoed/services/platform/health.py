"""Health of the stores and the worker, for `GET /api/health`."""

from __future__ import annotations

from sqlalchemy import text

from voelgoed.services.platform.db import get_engine
from voelgoed.services.platform.redis_conn import get_redis


def check() -> dict:
    """Returns ``{"status", "database", "redis", "worker"}`` with values ``ok``/``unavailable``."""
    database = "ok"
    try:
        with get_engine().connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception:
        database = "unavailable"
    client = get_redis()
    redis_state = "unavailable"
    worker = "unavailable"
    if client is not None:
        try:
            client.ping()
            redis_state = "ok"
            from rq import Worker

            if Worker.all(connection=client):
                worker = "ok"
        except Exception:
            redis_state = "unavailable"
    return {"status": "ok" if database == "ok" else "degraded", "database": database, "redis": redis_state, "worker": worker}
