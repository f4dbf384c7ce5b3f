"""The Redis connection (optional: Redis accelerates, PostgreSQL is the source of truth).

``get_redis()`` returns a client, or ``None`` when ``REDIS_URL`` is empty or Redis does not answer.
Neither answer is permanent: after a failed ping Redis is tried again :data:`RETRY_AFTER_S` seconds
later (so it is used again soon after it comes back), and while it is "up" it is pinged again every
:data:`RECHECK_OK_S` seconds. A caller whose command failed calls :func:`report_failure`, which makes
the next ``get_redis()`` answer ``None`` until the retry ping succeeds.
"""

from __future__ import annotations

import threading
import time

import redis

from voelgoed.config import get_settings

RETRY_AFTER_S = 3.0
RECHECK_OK_S = 30.0

_client: redis.Redis | None = None
_checked_at = 0.0
_ok = False
_lock = threading.Lock()


def get_redis() -> redis.Redis | None:
    global _client, _checked_at, _ok
    url = get_settings().redis_url
    if not url:
        return None
    now = time.monotonic()
    if _checked_at and now - _checked_at < (RECHECK_OK_S if _ok else RETRY_AFTER_S):
        return _client if _ok else None
    with _lock:  # one ping per process at a time; concurrent callers wait for its answer
        if not _checked_at or time.monotonic() - _checked_at >= (RECHECK_OK_S if _ok else RETRY_AFTER_S):
            if _client is None:
                _client = redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=2,
                                               health_check_interval=30)
            try:
                _client.ping()
                _ok = True
            except redis.RedisError:
                _ok = False
            _checked_at = time.monotonic()
    return _client if _ok else None


def report_failure() -> None:
    """A command on the client failed: treat Redis as down until a ping succeeds (tried again after
    :data:`RETRY_AFTER_S`)."""
    global _ok, _checked_at
    _ok, _checked_at = False, time.monotonic()


def reset() -> None:
    """Forget the cached client (tests, or after REDIS_URL changed)."""
    global _client, _checked_at, _ok
    _client, _checked_at, _ok = None, 0.0, False
