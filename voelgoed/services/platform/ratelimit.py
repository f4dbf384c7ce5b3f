"""Rate limits with the `limits` library on Redis (fixed window); a no-op when Redis is absent.

Fixed window (``FixedWindowRateLimiter``): one EVALSHA (INCR + EXPIRE on the first hit) per check, on a
counter key of a few bytes. The moving window stored one list entry per hit and its script trimmed that
list; in a flash sale this check runs on every hold attempt. The price: a client can get up to twice
the limit across a window boundary (the window starts at its first hit), which is fine for abuse
protection; PostgreSQL, not the limiter, guards inventory.

``check(name, key, rate)`` raises the same when the window is already used up, without counting;
``count(name, key, rate)`` counts one hit and never raises (together: limits on *failures* only,
e.g. failed sign-ins per account).

``hit(name, key, rate)`` raises ``RateLimited`` (429 ``rate_limited``, ``details.retry_after`` in
seconds; the API adds ``Retry-After``). ``rate`` uses the library's notation, e.g. ``"30/minute"``.
"""

from __future__ import annotations

import math
import time
from functools import lru_cache

from limits import parse
from limits.storage import RedisStorage
from limits.strategies import FixedWindowRateLimiter

from voelgoed.config import get_settings
from voelgoed.services.platform.errors import RateLimited
from voelgoed.services.platform.redis_conn import get_redis

_limiter: FixedWindowRateLimiter | None = None
_limiter_url = ""


def _get_limiter() -> FixedWindowRateLimiter | None:
    global _limiter, _limiter_url
    if get_redis() is None:
        return None
    url = get_settings().redis_url
    if _limiter is None or url != _limiter_url:
        _limiter = FixedWindowRateLimiter(RedisStorage(url))
        _limiter_url = url
    return _limiter


@lru_cache(maxsize=64)
def _parse(rate: str):
    return parse(rate)


def parse_rate(rate: str):
    """The ``limits`` item for ``rate`` (e.g. ``"600/minute"``); raises ``ValueError`` when it is not one."""
    return _parse(rate)


def hit(name: str, key: str, rate: str) -> None:
    limiter = _get_limiter()
    if limiter is None:
        return
    item = _parse(rate)
    try:
        allowed = limiter.hit(item, name, key)
    except Exception:  # Redis trouble must not block sales: PostgreSQL stays the source of truth
        return
    if not allowed:
        reset_at, _remaining = limiter.get_window_stats(item, name, key)
        raise RateLimited(max(1, math.ceil(reset_at - time.time())))


def _raise_limited(limiter: FixedWindowRateLimiter, item, name: str, key: str) -> None:
    reset_at, _remaining = limiter.get_window_stats(item, name, key)
    raise RateLimited(max(1, math.ceil(reset_at - time.time())))


def check(name: str, key: str, rate: str) -> None:
    """429 ``rate_limited`` when ``key`` has no hits left in the window; counts nothing."""
    limiter = _get_limiter()
    if limiter is None:
        return
    item = _parse(rate)
    try:
        allowed = limiter.test(item, name, key)
    except Exception:
        return
    if not allowed:
        _raise_limited(limiter, item, name, key)


def count(name: str, key: str, rate: str) -> None:
    """Count one hit for ``key`` (never raises; see :func:`check`)."""
    limiter = _get_limiter()
    if limiter is None:
        return
    try:
        limiter.hit(_parse(rate), name, key)
    except Exception:
        return
