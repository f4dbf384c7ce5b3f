"""Caps on live holds per client address and per waiting-room pass (issue 9, item 5: no hoarding).

A hold is *live* while it still ties up tickets: status ``active`` or ``converted`` (checkout
started, payment pending — otherwise starting a checkout with any name would escape the cap) and
``expires_at > now`` (an expired hold never counts, whether or not the expiry job has run).
Released, expired and completed (paid) holds do not count. Caps are per event:

| scope | holds | tickets | key on the hold row |
| --- | --- | --- | --- |
| client address | ``HOLD_MAX_LIVE_PER_CLIENT`` (5) | ``HOLD_MAX_TICKETS_PER_CLIENT`` (20) | ``client_hash`` = HMAC-SHA256(SECRET_KEY, purpose ``hold-client``, address), 32 hex; the raw address is not stored |
| waiting-room pass | ``HOLD_MAX_LIVE_PER_PASS`` (1) | ``HOLD_MAX_TICKETS_PER_PASS`` (10) | ``pass_id`` (the pass's visitor id) |

A cap ≤ 0 switches that check off. A hold placed without a client address (internal callers) is
not capped per client.

Race safety: every hold attempt with a key takes PostgreSQL advisory locks on ``(NAMESPACE, key
hash)`` for its client and pass, in ascending order, before counting, and keeps them until its hold
row is committed — a transaction lock (``pg_advisory_xact_lock``) on the session path, a session
lock released right after the autocommit statement on the single-statement fast path (so the hot
ticket-type row lock still lasts only for that statement). On SQLite writers are serialised by the
database file lock; the session path counts *after* inserting its own hold row (which takes that
lock), so the count includes every committed competitor.

Error: 429 ``too_many_holds`` with ``Retry-After``/``details.retry_after`` = seconds until the first
live hold expires, and ``details`` ``{scope: "client"|"pass", live_holds, live_tickets,
max_live_holds, max_tickets}``.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, text

from voelgoed.config import get_settings
from voelgoed.models import Hold, HoldItem
from voelgoed.services.platform import VoelgoedError, clock, hmac_sign

NAMESPACE = 0x56474843  # "VGHC": the advisory-lock namespace of the hold caps (two-int4 form)
LIVE_STATUSES = ("active", "converted")
_H, _I = Hold.__table__, HoldItem.__table__


@dataclass(frozen=True)
class Who:
    """Who places a hold: the keyed hash of the client address (None: not capped per client) and the pass id."""

    client_hash: str | None = None
    pass_id: str | None = None

    def lock_keys(self) -> list[int]:
        """The advisory-lock keys of the scopes that are capped (a scope whose two caps are 0 needs no lock:
        :func:`check` skips it), ascending."""
        s = get_settings()
        client_on = self.client_hash and (s.hold_max_live_per_client > 0 or s.hold_max_tickets_per_client > 0)
        pass_on = self.pass_id and (s.hold_max_live_per_pass > 0 or s.hold_max_tickets_per_pass > 0)
        keys = {_int4(f"c:{self.client_hash}") if client_on else None, _int4(f"p:{self.pass_id}") if pass_on else None}
        return sorted(k for k in keys if k is not None)


def client_hash(address: str | None) -> str | None:
    """HMAC-SHA256 (SECRET_KEY, purpose ``hold-client``) of the address, 32 hex characters; None when empty."""
    address = (address or "").strip()
    return hmac_sign(address.encode(), purpose="hold-client")[:32] if address else None


def _int4(value: str) -> int:
    return int(hashlib.sha256(value.encode()).hexdigest()[:8], 16) - 2 ** 31


def _is_pg(conn) -> bool:
    bind = conn.get_bind() if hasattr(conn, "get_bind") else conn
    return bind.dialect.name == "postgresql"


def lock_for_transaction(session, who: Who) -> None:
    """PostgreSQL: ``pg_advisory_xact_lock`` on the keys (ascending), released at commit/rollback. SQLite: nothing."""
    if _is_pg(session):
        for key in who.lock_keys():
            session.execute(text("SELECT pg_advisory_xact_lock(:ns, :k)"), {"ns": NAMESPACE, "k": key})


@contextmanager
def session_locks(conn, who: Who) -> Iterator[None]:
    """For an AUTOCOMMIT PostgreSQL connection: session-level advisory locks around the block; a connection
    whose unlock fails is invalidated (closed, never returned to the pool holding a lock)."""
    held: list[int] = []
    try:
        for key in who.lock_keys():
            conn.execute(text("SELECT pg_advisory_lock(:ns, :k)"), {"ns": NAMESPACE, "k": key})
            held.append(key)
        yield
    finally:
        try:
            for key in reversed(held):
                conn.execute(text("SELECT pg_advisory_unlock(:ns, :k)"), {"ns": NAMESPACE, "k": key})
        except Exception:
            conn.invalidate()
            raise


def _usage(conn, event_id, column, key: str, now: datetime) -> tuple[int, int, datetime | None]:
    row = conn.execute(
        select(func.count(func.distinct(_H.c.id)), func.coalesce(func.sum(_I.c.quantity), 0), func.min(_H.c.expires_at))
        .select_from(_H.join(_I, _I.c.hold_id == _H.c.id))
        .where(_H.c.event_id == event_id, column == key, _H.c.status.in_(LIVE_STATUSES), _H.c.expires_at > now)
    ).one()
    return int(row[0]), int(row[1]), clock.aware(row[2])


def check(conn, *, event_id, who: Who, quantity: int, now: datetime, counted: bool = False) -> None:
    """Raise 429 ``too_many_holds`` if a new hold of ``quantity`` tickets would pass a cap (see module docstring).

    ``counted``: the new hold's rows are already inserted in this transaction (and so in the count).
    Call it holding the locks of :func:`lock_for_transaction` / :func:`session_locks`."""
    s = get_settings()
    scopes = (("client", _H.c.client_hash, who.client_hash, s.hold_max_live_per_client, s.hold_max_tickets_per_client),
              ("pass", _H.c.pass_id, who.pass_id, s.hold_max_live_per_pass, s.hold_max_tickets_per_pass))
    for scope, column, key, max_holds, max_tickets in scopes:
        if key is None or (max_holds <= 0 and max_tickets <= 0):
            continue
        holds, tickets, first_expiry = _usage(conn, event_id, column, key, now)
        if counted:
            holds, tickets = holds - 1, tickets - quantity
        if (0 < max_holds <= holds) or (0 < max_tickets < tickets + quantity):
            raise _too_many(scope, holds, tickets, max_holds, max_tickets, first_expiry, now)


def _too_many(scope: str, holds: int, tickets: int, max_holds: int, max_tickets: int,
              first_expiry: datetime | None, now: datetime) -> VoelgoedError:
    retry = max(1, math.ceil((first_expiry - now).total_seconds())) if first_expiry else 1
    who = "this waiting-room pass" if scope == "pass" else "your connection"
    limits = " and ".join(p for p in (f"{max_holds} reservation{'s' * (max_holds != 1)}" if max_holds > 0 else "",
                                      f"{max_tickets} tickets" if max_tickets > 0 else "") if p)
    have = f"{holds} reservation{'s' * (holds != 1)} with {tickets} ticket{'s' * (tickets != 1)}"
    message = (f"Too many reservations: {who} already has {have} for this event, and at most {limits} "
               f"are allowed at a time. Finish or release a reservation you don't need, or wait for one to "
               f"expire (about {max(1, math.ceil(retry / 60))} min), then try again.")
    return VoelgoedError("too_many_holds", message, {"scope": scope, "live_holds": holds, "live_tickets": tickets,
                                                     "max_live_holds": max_holds, "max_tickets": max_tickets,
                                                     "retry_after": retry}, status=429)
