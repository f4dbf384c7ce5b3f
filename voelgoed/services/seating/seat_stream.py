"""Pushed seat changes for open seat maps: a Server-Sent Events stream (issue 12; docs/seated-sales.md).

``await open_stream(slug, since=, last_event_id=)`` → a :class:`SeatStream` (or raises before anything is sent:
422 ``validation_failed`` ``details.fields.since`` for a ``since`` / ``Last-Event-ID`` that is not a whole
number ≥ 0, 404 ``not_found`` for an unknown, unseated or unpublished event, 503 ``busy`` when this process
already serves ``SEAT_STREAM_MAX_PER_WORKER`` streams, 503 ``stream_unavailable`` when Redis is absent or not
answering — clients then poll ``…/seating/changes``). ``Last-Event-ID`` (the browser's reconnect) wins over
``since``.

``stream.frames()`` yields ``text/event-stream`` text:

- first ``retry: 1000`` (the browser's reconnect delay, ms) and a comment;
- ``id: <seq>`` + ``data: <json>`` — the changes feed's answer for the client's seq (``{seq, changes:
  [{key, status}], refetch, areas, tables}``, exactly ``changes_since``) plus ``since`` (the seq it is relative
  to). Sent at once when the feed is already past the client's seq, then each time a committed change with a
  higher seq is signalled (``platform.seat_signals``); the stream's seq then moves to the answer's ``seq``;
- ``: keep-alive`` every ``SEAT_STREAM_KEEPALIVE_S`` (15 s) while nothing changes;
- it ends after ``SEAT_STREAM_LIFETIME_S`` (300 s), when the client went away, or when the Redis subscription
  broke; the browser reconnects with ``Last-Event-ID``.

:func:`subscribe` is the shared machinery under any feed of the same shape: the organiser's stream
(``seating.office_feed.open_office_stream``, the signed-in organiser's statuses with allocations) uses it
with its own key and reader.

Nothing here blocks the event loop: every database read runs in a worker thread with its own short session
(no connection is held while a stream waits). Streams of one process at the same seq share one read (the
answer is kept :data:`SHARE_S` for streams that wake up a moment later).
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from functools import partial
from typing import Any

import anyio.to_thread

from voelgoed.config import get_settings
from voelgoed.services.platform import Busy, seat_signals, session_scope
from voelgoed.services.seating.event_seats import changes_since, parse_since, seated_event

RETRY_MS = 1000
SHARE_S = 2.0
_SHARED_MAX = 256
log = logging.getLogger(__name__)


class _Slots:
    """Streams open in this process (``SEAT_STREAM_MAX_PER_WORKER``)."""

    def __init__(self) -> None:
        self.open = 0
        self._lock = threading.Lock()

    def take(self) -> bool:
        with self._lock:
            if self.open >= max(0, get_settings().seat_stream_max_per_worker):
                return False
            self.open += 1
            return True

    def give(self) -> None:
        with self._lock:
            self.open = max(0, self.open - 1)


SLOTS = _Slots()


def _event_id(slug: str) -> uuid.UUID:
    with session_scope() as session:
        event, _ = seated_event(session, slug)
        return event.id


def _changes(slug: str, since: int) -> dict[str, Any]:
    with session_scope() as session:
        return changes_since(session, slug, since)


class _Shared:
    """One read per (feed key, since) at a time in this loop; its answer serves later wakers for SHARE_S. A caller
    takes a shared read only if it began at or after ``not_before`` (its subscription: so nothing committed
    before the stream listened is missed) and it reaches ``wanted`` (the signalled seq)."""

    def __init__(self) -> None:
        self.reads: dict[tuple[str, int], tuple[float, asyncio.Future]] = {}
        self.answers: OrderedDict[tuple[str, int], tuple[float, dict]] = OrderedDict()

    async def changes(self, feed: str, since: int, wanted: int, not_before: float,
                      read: Callable[[int], dict[str, Any]]) -> dict[str, Any]:
        key = (feed, since)
        hit = self.answers.get(key)
        if (hit is not None and hit[0] >= not_before and time.monotonic() - hit[0] < SHARE_S
                and hit[1]["seq"] >= wanted):
            return hit[1]
        pending = self.reads.get(key)
        if pending is None or pending[0] < not_before:
            pending = (time.monotonic(), asyncio.ensure_future(anyio.to_thread.run_sync(read, since)))
            self.reads[key] = pending
            pending[1].add_done_callback(lambda f, k=key, t=pending[0]: self._done(k, t, f))
        answer = await asyncio.shield(pending[1])
        if answer["seq"] < wanted and not answer.get("refetch"):  # read before that commit was visible here
            return await anyio.to_thread.run_sync(read, since)
        return answer

    def _done(self, key, started: float, fut: asyncio.Future) -> None:
        if self.reads.get(key, (None, None))[1] is fut:
            self.reads.pop(key, None)
        if not fut.cancelled() and fut.exception() is None:
            old = self.answers.get(key)
            if old is None or old[0] <= started:
                self.answers[key] = (started, fut.result())
                self.answers.move_to_end(key)
            while len(self.answers) > _SHARED_MAX:
                self.answers.popitem(last=False)


_shared: dict[int, _Shared] = {}


def _shared_here() -> _Shared:
    loop = asyncio.get_running_loop()
    return _shared.setdefault(id(loop), _Shared())


class SeatStream:
    """One open stream; :meth:`close` (idempotent) gives back its slot and subscription. ``key`` names the feed
    (streams with the same key and seq share reads: the public feed of a slug, or ``office:<event id>``);
    ``read(since)`` → the feed's answer (runs in a worker thread)."""

    def __init__(self, key: str, event_id: uuid.UUID, since: int, watch_cm, watch,
                 read: Callable[[int], dict[str, Any]], title: str | None = None) -> None:
        self.key, self.event_id, self.seq, self._read = key, event_id, since, read
        self.slug = title or key
        self._cm, self._watch, self._closed = watch_cm, watch, False
        self._listening_since = time.monotonic()

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            await self._cm.__aexit__(None, None, None)
        finally:
            SLOTS.give()

    async def _answer(self, wanted: int) -> str | None:
        answer = await _shared_here().changes(self.key, self.seq, wanted, self._listening_since, self._read)
        if answer["seq"] <= self.seq and not answer.get("refetch"):
            return None
        frame = {"since": self.seq, **answer}
        self.seq = answer["seq"]
        return f"id: {self.seq}\ndata: {json.dumps(frame, separators=(',', ':'))}\n\n"

    async def frames(self) -> AsyncIterator[str]:
        """The stream's text (module docstring). A client that went away is noticed by the server when a write
        fails (the keep-alive at the latest) or, below ASGI 2.4, by Starlette's disconnect listener."""
        s = get_settings()
        deadline = time.monotonic() + max(1, s.seat_stream_lifetime_s)
        keepalive = max(0.5, float(s.seat_stream_keepalive_s))
        try:
            yield f"retry: {RETRY_MS}\n: seat changes of {self.slug}\n\n"
            first = await self._answer(self.seq)
            if first:
                yield first
            while (left := deadline - time.monotonic()) > 0:
                seq = await self._watch.wait(min(keepalive, left))
                if self._watch.lost:
                    return
                if seq is None:
                    if deadline - time.monotonic() > 0:
                        yield ": keep-alive\n\n"
                    continue
                if seq > self.seq:
                    frame = await self._answer(seq)
                    if frame:
                        yield frame
        except Exception as exc:  # noqa: BLE001 — e.g. the database went away: end; the browser reconnects
            log.warning("seat stream of %s ended: %s", self.slug, exc)
        finally:
            await self.close()


async def open_stream(slug: str, *, since: Any = "0", last_event_id: str | None = None) -> SeatStream:
    """Validate, take a slot and subscribe (see the module docstring for the errors)."""
    start = parse_since(last_event_id if last_event_id not in (None, "") else since)
    event_id = await anyio.to_thread.run_sync(_event_id, str(slug or ""))
    return await subscribe(str(slug), event_id, start, partial(_changes, str(slug)))


async def subscribe(key: str, event_id: uuid.UUID, start: int, read: Callable[[int], dict[str, Any]], *,
                    title: str | None = None) -> SeatStream:
    """Take a slot and subscribe to ``event_id``'s signals (503 ``busy`` / ``stream_unavailable`` as above) → a
    stream of ``read(since)`` answers from ``start`` on (the caller has validated and authorised already)."""
    if not SLOTS.take():
        raise Busy("busy", "Too many open seat streams here; poll the changes feed or retry",
                   {"max_streams": get_settings().seat_stream_max_per_worker})
    cm = seat_signals.watch(event_id)
    try:
        watch = await cm.__aenter__()
    except seat_signals.SignalsUnavailable as exc:
        SLOTS.give()
        raise Busy("stream_unavailable", "Live seat changes are not available now; poll the changes feed") from exc
    except BaseException:
        SLOTS.give()
        raise
    return SeatStream(key, event_id, start, cm, watch, read, title)
