"""Seat change signals over Redis pub/sub (issue 12, pushed seat map changes; optional: polling is the fallback).

- :func:`publish` ``(event_id, seq)`` — after a transaction that changed seats committed (the seat keeper's
  ``after_commit`` hook): ``PUBLISH vg:seats "<event id> <seq>"``. Never raises: a failure is logged and
  Redis is treated as down (``redis_conn.report_failure``); readers miss nothing for good, because every
  stream answer is "changes since the client's seq" read from PostgreSQL (the next change carries the
  missed one, and maps refetch their snapshot every 30 s anyway).
- :class:`Watch` / :func:`watch` — in a web process's event loop: ``async with watch(event_id) as w`` then
  ``await w.wait(timeout_s)`` → the highest seq published for that event since the last wait (``None`` on
  timeout). One Redis connection per process and loop listens on the one channel and wakes the watchers of
  the event (so N open streams cost one subscription, not N). ``w.lost`` turns True when that connection
  broke: the caller ends its stream (clients reconnect or fall back to polling). Entering raises
  :class:`SignalsUnavailable` when Redis is not configured or does not answer within
  :data:`CONNECT_TIMEOUT_S`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid

import redis

from voelgoed.config import get_settings
from voelgoed.services.platform.redis_conn import get_redis, report_failure

CHANNEL = "vg:seats"
CONNECT_TIMEOUT_S = 2.0
log = logging.getLogger(__name__)


class SignalsUnavailable(Exception):
    """Redis is absent or not answering: no pushed changes (clients poll)."""


def publish(event_id: uuid.UUID | str, seq: int) -> bool:
    """Announce that the event's seats reached ``seq`` (committed). True when Redis took it; never raises."""
    client = get_redis()
    if client is None:
        return False
    try:
        client.publish(CHANNEL, f"{event_id} {int(seq)}")
        return True
    except redis.RedisError as exc:
        report_failure()
        log.warning("seat change signal for event %s seq %s not published (%s); readers poll", event_id, seq, exc)
        return False
    except Exception:  # noqa: BLE001 — a sale is never failed by its signal
        log.exception("seat change signal for event %s seq %s not published", event_id, seq)
        return False


class Watch:
    """One stream's interest in one event (see the module docstring)."""

    def __init__(self, event_id: str) -> None:
        self.event_id = event_id
        self.seq: int | None = None  # highest seq published since the last wait
        self.lost = False
        self._flag = asyncio.Event()

    def _notify(self, seq: int | None) -> None:
        if seq is None:
            self.lost = True
        elif self.seq is None or seq > self.seq:
            self.seq = seq
        self._flag.set()

    async def wait(self, timeout_s: float) -> int | None:
        """The highest seq published since the previous call (waits up to ``timeout_s``); None if none."""
        if not self._flag.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._flag.wait(), timeout_s)
        self._flag.clear()
        seq, self.seq = self.seq, None
        return seq


class _Hub:
    """The process's (and event loop's) one subscription; restarts on the next watch after a failure."""

    def __init__(self) -> None:
        self.watchers: dict[str, set[Watch]] = {}
        self.task: asyncio.Task | None = None
        self.ready: asyncio.Future | None = None

    async def ensure(self) -> None:
        if self.task is None or self.task.done():
            url = get_settings().redis_url
            if not url:
                raise SignalsUnavailable("REDIS_URL is empty")
            self.ready = asyncio.get_running_loop().create_future()
            self.task = asyncio.create_task(self._listen(url), name="seat-signals")
        try:
            await asyncio.wait_for(asyncio.shield(self.ready), CONNECT_TIMEOUT_S)
        except (TimeoutError, SignalsUnavailable, OSError, redis.RedisError) as exc:
            raise SignalsUnavailable(str(exc) or "Redis did not answer") from exc

    async def _listen(self, url: str) -> None:
        import redis.asyncio as aioredis

        client = aioredis.Redis.from_url(url, socket_connect_timeout=CONNECT_TIMEOUT_S, health_check_interval=15)
        pubsub = client.pubsub(ignore_subscribe_messages=True)
        try:
            await pubsub.subscribe(CHANNEL)
            self.ready.set_result(True)
            while True:
                msg = await pubsub.get_message(timeout=15.0)
                if msg is None:
                    await pubsub.ping()  # notices a dead connection while nothing is published
                    continue
                self._dispatch(msg.get("data"))
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 — the connection broke: streams end, clients reconnect
            if not self.ready.done():
                self.ready.set_exception(SignalsUnavailable(str(exc)))
                self.ready.exception()  # retrieved: no "never retrieved" warning
            else:
                log.warning("seat signals subscription lost (%s)", exc)
            for ws in list(self.watchers.values()):
                for w in list(ws):
                    w._notify(None)
        finally:
            with contextlib.suppress(Exception):
                await pubsub.aclose()
                await client.aclose()

    def _dispatch(self, data) -> None:
        try:
            event_id, seq = (data.decode() if isinstance(data, bytes) else str(data)).split()
            seq = int(seq)
        except (ValueError, AttributeError):
            return
        for w in list(self.watchers.get(event_id, ())):
            w._notify(seq)


_hubs: dict[int, _Hub] = {}


def _hub() -> _Hub:
    loop = asyncio.get_running_loop()
    hub = _hubs.get(id(loop))
    if hub is None or getattr(hub, "_loop", None) is not loop:
        hub = _hubs[id(loop)] = _Hub()
        hub._loop = loop
    return hub


@contextlib.asynccontextmanager
async def watch(event_id: uuid.UUID | str):
    """``async with watch(event_id) as w`` — see :class:`Watch`; raises :class:`SignalsUnavailable`."""
    hub = _hub()
    await hub.ensure()
    w = Watch(str(event_id))
    hub.watchers.setdefault(w.event_id, set()).add(w)
    try:
        yield w
    finally:
        ws = hub.watchers.get(w.event_id)
        if ws is not None:
            ws.discard(w)
            if not ws:
                hub.watchers.pop(w.event_id, None)
