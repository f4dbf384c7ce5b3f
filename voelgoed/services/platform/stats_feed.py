"""Change signals and the shared stats snapshot for live dashboards (Redis; optional).

- ``touch(event_id)``: call after a commit that changes an event's numbers (a scan, a sale, a hold).
  It drops the cached snapshot and bumps ``vg:event:<id>:version``. Scanning calls it; checkout,
  payments and holds may call it too (without it their changes still show within
  :data:`SNAPSHOT_TTL_MS`).
- ``version(event_id)``: the counter dashboards poll (cheap ``GET``).
- ``get_snapshot`` / ``put_snapshot``: the last computed stats, shared by every web process and
  viewer, so N open dashboards cost one computation per change (or per TTL), not N.

With Redis absent every function degrades to a no-op / miss; PostgreSQL stays the source of truth.
"""

from __future__ import annotations

import json
import uuid

import redis

from voelgoed.services.platform.redis_conn import get_redis

SNAPSHOT_TTL_MS = 500


def _k(event_id, what: str) -> str:
    return f"vg:event:{event_id}:{what}"


def touch(event_id: uuid.UUID | str) -> None:
    client = get_redis()
    if client is None:
        return
    try:
        pipe = client.pipeline(transaction=False)
        pipe.delete(_k(event_id, "stats"))
        pipe.incr(_k(event_id, "version"))
        pipe.execute()
    except redis.RedisError:
        pass


def version(event_id: uuid.UUID | str) -> int:
    client = get_redis()
    if client is None:
        return 0
    try:
        return int(client.get(_k(event_id, "version")) or 0)
    except (redis.RedisError, ValueError):
        return 0


def get_snapshot(event_id: uuid.UUID | str) -> dict | None:
    client = get_redis()
    if client is None:
        return None
    try:
        raw = client.get(_k(event_id, "stats"))
        return json.loads(raw) if raw else None
    except (redis.RedisError, ValueError):
        return None


def put_snapshot(event_id: uuid.UUID | str, snapshot: dict, *, seen_version: int) -> None:
    """Store ``snapshot`` unless the version moved on while it was computed (then it is already stale)."""
    client = get_redis()
    if client is None:
        return
    try:
        if version(event_id) == seen_version:
            client.set(_k(event_id, "stats"), json.dumps(snapshot, default=str), px=SNAPSHOT_TTL_MS)
    except redis.RedisError:
        pass
