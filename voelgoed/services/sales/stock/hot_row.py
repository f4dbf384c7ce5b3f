"""Hot-row protection for the one-statement holds: an admission gate per row and a short sold-out memo.

In a flash sale every hold wants the same ticket type row. Left alone, each web process lets as many
transactions queue on that row lock as it has pool connections and threads; PostgreSQL then wakes them
one at a time, each wake-up costs a context switch and a re-evaluation of the row, and the waiting grows
with the crowd (the hot-row collapse, issue 16). Two things bound it, per process:

- :func:`admission` — a gate (a counting semaphore) per hot row key: at most ``HOLD_GATE_PER_ROW``
  statements of this process run against the row at once; the others wait here, in memory, FIFO
  (a ticket queue, so the p99 does not depend on who is luckiest at waking). The gate is entered with
  the request's connection already checked out and the event already read, and left as soon as the
  statement has committed, so it never spans a client round trip. ``HOLD_GATE_PER_ROW=0`` turns it off.
  Keys are opaque strings (``"tt:<ticket type id>"`` for GA; a seat keeper can gate per seat block).
- the **sold-out memo** (:func:`sold_out`, :func:`remember_sold_out`, :func:`forget`) — after the
  statement itself saw the row short with *no lapsed hold of the event* (the same snapshot that decides
  409 ``sold_out`` today), the process remembers "sold out" for at most ``HOLD_SOLD_OUT_MEMO_MS``
  milliseconds **and never past the earliest expiry of a live hold of that event** (read in the same
  statement), so an expired hold never counts: once any live hold could have lapsed, the next attempt runs
  the statement (and the reclaim) again. Stock changes that give units back in this process (release,
  release of sold units, reclaim, capacity or quantity edits) drop the memo at once; in other processes
  a returned unit is seen after at most the TTL. ``HOLD_SOLD_OUT_MEMO_MS=0`` turns it off.

The hold entry point also asks :func:`sold_out_by_alias` before it reads the event: a request for a
single ticket type already seen sold out in this process (and validated then, without a waiting room) is
answered before any database work and without a pool connection, which is where a crowd's sold-out
attempts spend their time.

Per process, no Redis: both are about not touching the row, and a Redis round trip per attempt would
cost about what the sold-out statement costs.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from voelgoed.config import get_settings

_LOCK = threading.Lock()


class _FifoGate:
    """A counting semaphore that admits waiters in arrival order: a leaving holder hands its slot straight to
    the oldest waiter (one wake-up per admission, no thundering herd)."""

    __slots__ = ("lock", "limit", "inside", "waiters")

    def __init__(self, limit: int) -> None:
        self.lock = threading.Lock()
        self.limit = limit
        self.inside = 0
        self.waiters: deque[threading.Lock] = deque()

    def enter(self) -> None:
        with self.lock:
            if self.inside < self.limit and not self.waiters:
                self.inside += 1
                return
            baton = threading.Lock()
            baton.acquire()
            self.waiters.append(baton)
        baton.acquire()  # released by leave(): the slot is ours (``inside`` unchanged)

    def leave(self) -> None:
        with self.lock:
            if self.waiters:
                self.waiters.popleft().release()
            else:
                self.inside -= 1

    def idle(self) -> bool:
        return self.inside == 0 and not self.waiters


_GATES: dict[str, _FifoGate] = {}


def _gate(key: str, limit: int) -> _FifoGate:
    gate = _GATES.get(key)
    if gate is None or gate.limit != limit:
        with _LOCK:
            gate = _GATES.get(key)
            if gate is None or gate.limit != limit:
                if len(_GATES) > 10_000:  # bounded: idle gates of past sales are dropped
                    for k in [k for k, g in _GATES.items() if g.idle()]:
                        del _GATES[k]
                gate = _GATES[key] = _FifoGate(limit)
    return gate


@contextmanager
def admission(key: str) -> Iterator[None]:
    """At most ``HOLD_GATE_PER_ROW`` statements of this process inside the block for ``key`` at once (FIFO)."""
    limit = get_settings().hold_gate_per_row
    if limit <= 0:
        yield
        return
    gate = _gate(key, limit)
    gate.enter()
    try:
        yield
    finally:
        gate.leave()


# --------------------------------------------------------------------------- sold-out memo

# key → (monotonic deadline, wall-clock bound: the earliest expiry of a live hold of the event, or None)
_SOLD_OUT: dict[str, tuple[float, datetime | None]] = {}


def sold_out(key: str, now: datetime) -> bool:
    """Whether this process saw ``key`` sold out (no lapsed hold) less than the TTL ago, and no live hold of
    the event can have lapsed since (``now`` is the request's time: a hold expired at ``now`` never counts)."""
    entry = _SOLD_OUT.get(key)
    if entry is None:
        return False
    deadline, lapse_at = entry
    if time.monotonic() >= deadline or (lapse_at is not None and now >= lapse_at):
        _SOLD_OUT.pop(key, None)
        return False
    return True


def remember_sold_out(key: str, next_lapse: datetime | None) -> None:
    """Remember ``key`` as sold out for ``HOLD_SOLD_OUT_MEMO_MS``, never past ``next_lapse``."""
    ttl_ms = get_settings().hold_sold_out_memo_ms
    if ttl_ms <= 0:
        return
    if len(_SOLD_OUT) > 10_000:
        _SOLD_OUT.clear()
    _SOLD_OUT[key] = (time.monotonic() + ttl_ms / 1000.0, next_lapse)


def forget(keys=None) -> None:
    """Drop the memo for ``keys`` (all when None): units came back in this process."""
    if keys is None:
        _SOLD_OUT.clear()
        _ALIASES.clear()
        return
    for key in keys:
        _SOLD_OUT.pop(key, None)


# request alias ("<event slug or id>|<ticket type id>") → (type key, wall-clock bound: the sales' end)
_ALIASES: dict[str, tuple[str, datetime | None]] = {}


def request_alias(event_ref, wanted: dict) -> str | None:
    """The alias of a one-type hold request (``None`` for several types): lets a sold-out answer come before the
    event is read, once :func:`link` tied it to its ticket type."""
    if event_ref is None or len(wanted) != 1:
        return None
    return f"{event_ref}|{next(iter(wanted))}"


def link(alias: str | None, ticket_type_id, sale_ends: list[datetime | None]) -> None:
    """Tie ``alias`` to its ticket type after the event was read and the request validated (call only when no
    waiting-room pass is needed: the pass check must not be skipped); never past the sales' end."""
    if alias is None or get_settings().hold_sold_out_memo_ms <= 0:
        return
    ends = [e for e in sale_ends if e is not None]
    if len(_ALIASES) > 10_000:
        _ALIASES.clear()
    _ALIASES[alias] = (type_key(ticket_type_id), min(ends) if ends else None)


def sold_out_by_alias(alias: str | None, now: datetime) -> bool:
    """:func:`sold_out` for the linked ticket type, before any database work (no pool connection either)."""
    entry = _ALIASES.get(alias) if alias is not None else None
    if entry is None:
        return False
    key, sale_end = entry
    if sale_end is not None and now >= sale_end:
        _ALIASES.pop(alias, None)
        return False
    return sold_out(key, now)


def type_key(ticket_type_id) -> str:
    """The GA hot row key of a ticket type."""
    return f"tt:{ticket_type_id}"
