"""Rate limits with the `limits` library on Redis (moving window); a no-op when Redis is absent.

``hit(name, key, rate)`` raises ``RateLimited`` (429 ``rate_limited``, ``details.retry_after`` in
seconds; the API adds ``Retry-After``). ``rate`` uses the library's notation, e.g. ``"30/minute"``.
"""

from __future__ import annotations

import math
import time

from limits import parse
from limits.storage import RedisStorage
from limits.strategies import MovingWindowRateLimiter

from voelgoed.config import get_settings
from voelgoed.services.errors import RateLimited
from voelgoed.services.redis_conn import get_redis

_limiter: MovingWindowRateLimiter | None = None
_limiter_url = ""


def _get_limiter() -> MovingWindowRateLimiter | None:
    global _limiter, _limiter_url
    if get_redis() is None:
        return None
    url = get_settings().redis_url
    if _limiter is None or url != _limiter_url:
        _limiter = MovingWindowRateLimiter(RedisStorage(url))
        _limiter_url = url
    return _limiter


def hit(name: str, key: str, rate: str) -> None:
    limiter = _get_limiter()
    if limiter is None:
        return
    item = parse(rate)
    try:
        allowed = limiter.hit(item, name, key)
    except Exception:  # Redis trouble must not block sales: PostgreSQL stays the source of truth
        return
    if not allowed:
        reset_at, _remaining = limiter.get_window_stats(item, name, key)
        raise RateLimited(max(1, math.ceil(reset_at - time.time())))
