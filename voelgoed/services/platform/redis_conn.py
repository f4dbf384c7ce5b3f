"""The Redis connection (optional: Redis accelerates, PostgreSQL is the source of truth).

``get_redis()`` returns a client or ``None`` when ``REDIS_URL`` is empty or Redis does not answer
(checked once per process, then again at most every 10 seconds).
"""

from __future__ import annotations

import time

import redis

from voelgoed.config import get_settings

_client: redis.Redis | None = None
_checked_at = 0.0
_ok = False


def get_redis() -> redis.Redis | None:
    global _client, _checked_at, _ok
    url = get_settings().redis_url
    if not url:
        return None
    if _client is None:
        _client = redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=2, health_check_interval=30)
    now = time.monotonic()
    if not _ok and now - _checked_at > 10 or _checked_at == 0:
        # ping first, then record the check: a concurrent first caller (threads of one web worker)
        # must not see "checked, not ok" while the first ping is still in flight
        try:
            _client.ping()
            _ok = True
        except redis.RedisError:
            _ok = False
        _checked_at = now
    return _client if _ok else None


def reset() -> None:
    """Forget the cached client (tests, or after REDIS_URL changed)."""
    global _client, _checked_at, _ok
    _client, _checked_at, _ok = None, 0.0, False
