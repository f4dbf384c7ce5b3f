"""Change signals and the shared stats snapshot for live dashboards (Redis; optional).

- ``touch(event_id)``: call after a commit that changes an event's numbers (a scan, a sale, a hold).
  It drops the cached snapshot and bumps ``vg:event:<id>:version``. Scanning calls it; checkout,
  payments and holds may call it too (without it their changes still show within
  :data:`SNAPSHOT_TTL_MS`).
- ``version(event_id)``: the counter dashboards poll (cheap ``GET``).
- ``get_snapshot`` / ``put_snapshot``: the last computed stats, shared by every web process and
  viewer, so N open dashboards cost one computation per change (or per TTL), not N.

Organisation level (the `/dashboard` live overview, issue 13 item 7):

- ``touch(event_id, organization_id=...)`` / ``touch_org(organization_id)`` also bump
  ``vg:org:<id>:version``: every change that touches an event of the organisation (sale, refund, scan).
- ``get_org_snapshot(org_id, key)`` → ``(snapshot | None, fresh: bool)``: one ``MGET`` of the version and
  the snapshot; ``fresh`` when the snapshot was computed at the current version (it lives at most
  :data:`ORG_SNAPSHOT_TTL_MS`, so time-based figures move on their own too).
- ``claim_org_compute(org_id, key)``: ``SET … NX PX`` :data:`ORG_COMPUTE_EVERY_MS`: True for exactly one
  caller per interval (across viewers and web processes), the one that recomputes; the others keep the
  snapshot they have. So N open overviews cost at most one computation per second per organisation.
- ``put_org_snapshot(org_id, key, snapshot, *, seen_version)``.

With Redis absent every function degrades to a no-op / miss; PostgreSQL stays the source of truth.
"""

from __future__ import annotations

import json
import uuid

import redis

from voelgoed.services.platform.redis_conn import get_redis

SNAPSHOT_TTL_MS = 500
ORG_SNAPSHOT_TTL_MS = 15_000
ORG_COMPUTE_EVERY_MS = 1_000


def _k(event_id, what: str) -> str:
    return f"vg:event:{event_id}:{what}"


def available() -> bool:
    """True when Redis is configured and answering (snapshots are shared)."""
    return get_redis() is not None


def _o(org_id, what: str) -> str:
    return f"vg:org:{org_id}:{what}"


def touch(event_id: uuid.UUID | str, organization_id: uuid.UUID | str | None = None) -> None:
    """After a commit that changed the event's numbers; with ``organization_id`` the organisation's overview too."""
    client = get_redis()
    if client is None:
        return
    try:
        pipe = client.pipeline(transaction=False)
        pipe.delete(_k(event_id, "stats"))
        pipe.incr(_k(event_id, "version"))
        if organization_id is not None:
            pipe.incr(_o(organization_id, "version"))
        pipe.execute()
    except redis.RedisError:
        pass


def touch_org(organization_id: uuid.UUID | str) -> None:
    """After a commit that changed the organisation's overview figures but no single event's stats (a refund)."""
    client = get_redis()
    if client is None:
        return
    try:
        client.incr(_o(organization_id, "version"))
    except redis.RedisError:
        pass


def org_version(organization_id: uuid.UUID | str) -> int:
    client = get_redis()
    if client is None:
        return 0
    try:
        return int(client.get(_o(organization_id, "version")) or 0)
    except (redis.RedisError, ValueError):
        return 0


def get_org_snapshot(organization_id: uuid.UUID | str, key: str) -> tuple[dict | None, bool]:
    """``(snapshot | None, fresh)`` (module docstring); ``(None, False)`` without Redis."""
    client = get_redis()
    if client is None:
        return None, False
    try:
        ver, raw = client.mget(_o(organization_id, "version"), _o(organization_id, key))
        snap = json.loads(raw) if raw else None
        return snap, snap is not None and int(snap.get("version", -1)) == int(ver or 0)
    except (redis.RedisError, ValueError, TypeError, AttributeError):
        return None, False


def claim_org_compute(organization_id: uuid.UUID | str, key: str) -> bool:
    """True for one caller per :data:`ORG_COMPUTE_EVERY_MS` (and always without Redis)."""
    client = get_redis()
    if client is None:
        return True
    try:
        return bool(client.set(_o(organization_id, key + ":compute"), "1", nx=True, px=ORG_COMPUTE_EVERY_MS))
    except redis.RedisError:
        return True


def put_org_snapshot(organization_id: uuid.UUID | str, key: str, snapshot: dict, *, seen_version: int) -> None:
    """Share ``snapshot`` (its ``version`` = ``seen_version``) for :data:`ORG_SNAPSHOT_TTL_MS`."""
    client = get_redis()
    if client is None:
        return
    try:
        client.set(_o(organization_id, key), json.dumps({**snapshot, "version": seen_version}, default=str),
                   px=ORG_SNAPSHOT_TTL_MS)
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
