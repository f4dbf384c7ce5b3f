"""A fair waiting room for flash sales (issue #6), kept in Redis, safe with several web workers.

How it works (one sorted set per event, ``wr:<event_id>:q``, member = visitor id, score = place):

- **Joining before opening** (``now < opens_at``): the visitor's score is the server-side draw
  (:func:`~voelgoed.services.sales.waiting_room_tokens.draw_key`, a keyed pseudo-random number in ``[0, 1)``
  fixed per visitor token, not in the token, never shown before opening). At opening the set's
  order among them is therefore a random draw — arriving an hour early is no better than arriving a
  minute early, and re-joining with the same token cannot re-roll it. Nothing in a pre-opening
  answer depends on the draw (rank, position and wait are hidden or the same for everyone).
- **One place per token, new tokens capped per address**: a join with a valid token is a rejoin
  (same member, same score); a join without one makes a new place and counts against
  ``WAITING_ROOM_JOIN_RATE_LIMIT`` per client address (429 ``rate_limited`` + Retry-After).
- **Joining after opening**: score ``1 + seconds since opening`` (µs resolution, 6 decimals), made
  strictly larger than the previous post-opening score by a Lua script (atomic across workers), so
  later arrivals are served in arrival order and always after every pre-opening visitor.
- **Admission by rate, no per-visitor loop**: ``admitted = floor(minutes since opening × rate)``;
  a visitor is admitted when their 0-based rank (``ZRANK``, O(log n)) is below that number.
- **Visitor token** ``VGV1.<visitor_id>.<place>.<sig>`` is signed (``security.hmac_sign``, purpose
  ``waiting-room-visitor``, bound to the event id); see :mod:`voelgoed.services.sales.waiting_room_tokens`.
  If Redis loses the set (restart, flush), ``status``/``join`` with the token re-insert the visitor
  with their score (signed arrival place, or the recomputed draw key; ``ZADD NX``): nobody loses their place. Holds and orders live in PostgreSQL, so no order is
  lost either. (Ranks may briefly be *lower* than before while others have not returned yet, so a
  restart can only admit people earlier, never later.)
- **Pass** ``VGP1.<event_id_hex>.<visitor_id>.<exp_unix>.<sig>`` (HMAC with SECRET_KEY, purpose
  ``waiting-room-pass``), valid :data:`PASS_TTL_SECONDS` (10 minutes) from the first time it is
  issued (remembered in Redis with ``SET NX``, so polling does not extend it).
- **Reuse policy**: one pass backs at most :data:`MAX_HOLDS_PER_PASS` (3) hold attempts, counted in
  Redis (``INCR wr:<event>:uses:<visitor>``, expiring with the pass). An attempt counts whether or
  not the hold succeeds (sold out still consumes one). If Redis is unavailable the signature and
  expiry are still checked and the use count is skipped (PostgreSQL keeps inventory exact).

Redis is optional elsewhere, but the queue itself needs it: ``join``/``status`` raise ``busy`` (503)
when Redis does not answer. Error codes: ``waiting_room_pass_required`` (403),
``visitor_token_invalid`` (404), ``not_found`` (404), ``forbidden`` (403), ``validation_failed`` (422),
``busy`` (503).
"""

from __future__ import annotations

import math
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import Session, select

from voelgoed.config import get_settings
from voelgoed.models import Event
from voelgoed.services.platform import (
    Busy,
    NotFound,
    TenantContext,
    ValidationFailed,
    VoelgoedError,
    audit,
    clock,
    get_redis,
    hmac_verify,
    ratelimit,
    rbac,
)
from voelgoed.services.sales.waiting_room_tokens import (  # noqa: F401  (Room, Visitor, parse_visitor_token re-exported)
    EARLY_PLACE,
    PASS_PURPOSE,
    Room,
    Visitor,
    make_pass,
    new_visitor_id,
    parse_visitor_token,
    place_of_score,
    queue_score,
    visitor_token,
)

PASS_TTL_SECONDS = 600
MAX_HOLDS_PER_PASS = 3
MAX_RATE_PER_MINUTE = 1_000_000
EVENT_CACHE_SECONDS = 2.0
_KEY_TTL_SECONDS = 3 * 24 * 3600
PUBLIC_STATUSES = ("published", "live")

# KEYS[1]=queue zset, KEYS[2]=last post-opening score
# ARGV[1]=member, ARGV[2]=score (string), ARGV[3]=mode: "fixed" (draw key / signed place) | "next" (post-opening)
# ARGV[4]=key ttl seconds. Returns {rank, score-string}. A member already in the set keeps its score (ZADD NX).
_JOIN_LUA = """
local member, mode = ARGV[1], ARGV[3]
local existing = redis.call('ZSCORE', KEYS[1], member)
local score
if existing then
  score = existing
elseif mode == 'next' then
  local s = tonumber(ARGV[2])
  local last = tonumber(redis.call('GET', KEYS[2]) or '0')
  if s <= last then s = last + 0.000001 end
  score = string.format('%.6f', s)
  redis.call('SET', KEYS[2], score, 'EX', ARGV[4])
  redis.call('ZADD', KEYS[1], score, member)
else
  score = ARGV[2]
  redis.call('ZADD', KEYS[1], score, member)
  if tonumber(score) >= 1 then
    local last = tonumber(redis.call('GET', KEYS[2]) or '0')
    if tonumber(score) > last then redis.call('SET', KEYS[2], score, 'EX', ARGV[4]) end
  end
end
redis.call('EXPIRE', KEYS[1], ARGV[4])
return {redis.call('ZRANK', KEYS[1], member), score}
"""


_room_cache: dict[str, tuple[float, Room]] = {}


def load_room(session: Session, *, slug: str) -> Room:
    """The waiting-room settings of a published/live event by slug (cached per process for
    :data:`EVENT_CACHE_SECONDS`, so status polls stay off PostgreSQL). Raises ``not_found``."""
    hit = _room_cache.get(slug)
    mono = time.monotonic()
    if hit and hit[0] > mono:
        return hit[1]
    if not slug or len(slug) > 120:
        raise NotFound("not_found", "Event not found")
    event = session.exec(select(Event).where(Event.slug == slug, Event.status.in_(PUBLIC_STATUSES))).first()
    if event is None:
        raise NotFound("not_found", "Event not found")
    room = Room.of(event)
    _room_cache[slug] = (mono + EVENT_CACHE_SECONDS, room)
    return room


def cached_room(slug: str) -> Room | None:
    """The cached settings for ``slug`` if still fresh (no database access), else None."""
    hit = _room_cache.get(slug)
    return hit[1] if hit and hit[0] > time.monotonic() else None


def forget_cached_rooms() -> None:
    _room_cache.clear()


# ---- keys and time -----------------------------------------------------------------------------

def _qkey(room: Room) -> str:
    return f"wr:{room.event_id.hex}:q"


def _lastkey(room: Room) -> str:
    return f"wr:{room.event_id.hex}:last"


def _elapsed_seconds(room: Room, now: datetime) -> float:
    return (now - room.opens_at).total_seconds()


def admitted_count(room: Room, now: datetime) -> int:
    """How many visitors (by rank) are admitted at ``now``: floor(minutes since opening × rate)."""
    elapsed_us = int((now - room.opens_at) / timedelta(microseconds=1))
    if elapsed_us <= 0:
        return 0
    return elapsed_us * room.rate_per_minute // 60_000_000


# ---- the public use cases ----------------------------------------------------------------------

def join(event: Any, visitor_token: str | None = None, *, client_address: str | None = None,
         now: datetime | None = None) -> dict:
    """Enter the queue (or come back to it with a previous token).

    ``event``: an Event or :class:`Room`. Returns the same dict as :func:`status`. A valid token of
    this event is a rejoin: the same place, never a second one (re-inserted with its score if Redis
    lost it). A missing/invalid token gets a new place: the server-side draw before opening, next in
    line after. With ``client_address`` (the API passes it), a new place counts against
    ``settings.waiting_room_join_rate_limit`` per address (``;``-separated windows allowed, e.g.
    ``10/minute;30/day``); a rejoin does not (it cannot gain anything).
    Raises ``rate_limited`` (429, ``details.retry_after`` seconds), ``busy`` (503) without Redis.
    """
    room = Room.of(event)
    now = clock.resolve(now)
    visitor = parse_visitor_token(room, visitor_token)
    if visitor is not None:
        rank, score = _place(room, visitor, queue_score(room, visitor), "fixed")
    else:
        if client_address is not None:
            for i, window in enumerate(w.strip() for w in get_settings().waiting_room_join_rate_limit.split(";")):
                if window:
                    ratelimit.hit(f"waiting_room_new{i or ''}", client_address, window)
        if now < room.opens_at:
            visitor = Visitor(new_visitor_id(), EARLY_PLACE)
            rank, score = _place(room, visitor, queue_score(room, visitor), "fixed")
        else:
            visitor = Visitor(new_visitor_id(), f"{1 + _elapsed_seconds(room, now):.6f}")
            rank, score = _place(room, visitor, visitor.place, "next")
    return _present(room, Visitor(visitor.visitor_id, place_of_score(score)), rank, now)


def status(event: Any, visitor_token: str, *, now: datetime | None = None) -> dict:
    """Where a visitor stands: one Redis script call (ZSCORE/ZADD NX/ZRANK, O(log n)).

    Returns ``{visitor_token, waiting_room_enabled, opens_at, opened, position, queue_rank,
    admitted, admitted_count, estimated_wait_seconds, pass, pass_expires_at, poll_after_seconds}``:
    ``queue_rank`` is the 1-based place in the whole line; ``position`` the 1-based place among
    those not yet admitted (0 once admitted). Before opening ``queue_rank`` and ``position`` are
    None and ``estimated_wait_seconds`` is the time until opening, the same for everyone (nothing
    reveals the draw). ``estimated_wait_seconds`` is an integer ≥ 0; ``pass`` is set only once admitted.
    Raises ``visitor_token_invalid`` (404) for a forged/foreign token, ``busy`` (503) without Redis.
    """
    room = Room.of(event)
    now = clock.resolve(now)
    visitor = parse_visitor_token(room, visitor_token)
    if visitor is None:
        raise NotFound("visitor_token_invalid", "This queue ticket is not valid for this event; join again")
    rank, score = _place(room, visitor, queue_score(room, visitor), "fixed")
    return _present(room, Visitor(visitor.visitor_id, place_of_score(score)), rank, now)


def _place(room: Room, visitor: Visitor, score: str, mode: str) -> tuple[int, str]:
    """Run the join script (EVALSHA, loaded on first use); one retry, then ``busy`` (503), never a 500."""
    last_exc: Exception | None = None
    for attempt in range(2):
        r = get_redis()
        if r is None:
            if attempt == 0:
                time.sleep(0.05)
            continue
        try:
            global _script
            if _script is None:
                _script = r.register_script(_JOIN_LUA)
            rank, stored = _script(keys=[_qkey(room), _lastkey(room)],
                                   args=[visitor.visitor_id, score, mode, _KEY_TTL_SECONDS], client=r)
            stored = stored.decode() if isinstance(stored, bytes) else str(stored)
            return int(rank), stored
        except Exception as exc:  # redis errors → retry once, then busy
            last_exc = exc
            if attempt == 0:
                time.sleep(0.05)
    raise Busy("busy", "The waiting room is unavailable right now; please retry shortly") from last_exc


_script: Any = None  # redis Script (EVALSHA with automatic SCRIPT LOAD); always called with client=


def _present(room: Room, visitor: Visitor, rank: int, now: datetime) -> dict:
    token = visitor_token(room, visitor)
    base = {"visitor_token": token, "waiting_room_enabled": room.enabled, "opens_at": room.opens_at.isoformat(),
            "queue_rank": rank + 1, "pass": None, "pass_expires_at": None}
    if not room.enabled:
        return base | {"opened": True, "position": 0, "admitted": True, "admitted_count": None,
                       "estimated_wait_seconds": 0, "poll_after_seconds": 0}
    elapsed = _elapsed_seconds(room, now)
    if elapsed < 0:  # before opening: nothing in the answer may depend on the draw (rank)
        wait = math.ceil(-elapsed)
        return base | {"opened": False, "queue_rank": None, "position": None, "admitted": False, "admitted_count": 0,
                       "estimated_wait_seconds": wait, "poll_after_seconds": max(2, min(30, wait // 4 or 2))}
    count = admitted_count(room, now)
    admitted = rank < count
    wait = 0 if admitted else max(0, math.ceil((rank + 1) * 60 / room.rate_per_minute - elapsed))
    out = base | {"opened": True, "position": 0 if admitted else rank - count + 1,
                  "admitted": admitted, "admitted_count": count, "estimated_wait_seconds": wait,
                  "poll_after_seconds": 0 if admitted else max(2, min(30, wait // 4 or 2))}
    if admitted:
        exp = _pass_expiry(room, visitor.visitor_id, now)
        out["pass"] = make_pass(room, visitor.visitor_id, exp)
        out["pass_expires_at"] = datetime.fromtimestamp(exp, tz=now.tzinfo).isoformat()
    return out


def _pass_expiry(room: Room, visitor_id: str, now: datetime) -> int:
    """The pass expiry (unix seconds), fixed at first issue so polling never extends it."""
    proposed = int(now.timestamp()) + PASS_TTL_SECONDS
    r = get_redis()
    if r is None:
        return proposed
    key = f"wr:{room.event_id.hex}:pass:{visitor_id}"
    try:
        r.set(key, proposed, nx=True, ex=_KEY_TTL_SECONDS)
        return int(r.get(key) or proposed)
    except Exception:
        return proposed


def require_pass_for_hold(event: Any, pass_token: str | None, *, now: datetime | None = None) -> str | None:
    """Check the waiting-room pass backing a hold attempt; returns the pass id (the visitor id,
    recorded on the hold for the per-pass hold caps), or None when the room is off.

    Raises ``waiting_room_pass_required`` (403) when the pass is missing, malformed, forged,
    expired, for another event, or already backed :data:`MAX_HOLDS_PER_PASS` attempts
    (``details.reason`` is one of ``missing | invalid | expired | used_up``).
    """
    room = Room.of(event)
    if not room.enabled:
        return None
    now = clock.resolve(now)

    def refuse(reason: str, message: str):
        raise VoelgoedError("waiting_room_pass_required", message,
                            {"reason": reason, "queue_url": f"/e/{room.slug}/queue"}, status=403)

    if not pass_token:
        refuse("missing", "This sale uses a waiting room: join the queue to get a pass")
    parts = pass_token.split(".") if len(pass_token) <= 300 else []
    if len(parts) != 5 or parts[0] != "VGP1" or parts[1] != room.event_id.hex or not parts[3].isdigit():
        refuse("invalid", "This waiting-room pass is not valid for this event")
    body = ".".join(parts[:4])
    if not hmac_verify(body.encode(), parts[4], purpose=PASS_PURPOSE):
        refuse("invalid", "This waiting-room pass is not valid for this event")
    exp = int(parts[3])
    if now.timestamp() >= exp:
        refuse("expired", "Your waiting-room pass has expired; join the queue again")
    r = get_redis()
    if r is None:
        return parts[2]
    key = f"wr:{room.event_id.hex}:uses:{parts[2]}"
    try:
        pipe = r.pipeline()
        pipe.incr(key)
        pipe.expire(key, max(1, exp - int(now.timestamp())) + 60)
        uses = int(pipe.execute()[0])
    except Exception:
        return parts[2]
    if uses > MAX_HOLDS_PER_PASS:
        refuse("used_up", f"This pass has already been used for {MAX_HOLDS_PER_PASS} hold attempts")
    return parts[2]


# ---- organiser switch --------------------------------------------------------------------------

def configure_waiting_room(session: Session, ctx: TenantContext, *, event_id: uuid.UUID, enabled: bool,
                           opens_at: datetime | None = None, rate_per_minute: int | None = None,
                           now: datetime | None = None) -> Event:
    """Turn an event's waiting room on/off and set its opening time (UTC) and admission rate
    (visitors per minute, 1…1,000,000). Requires ``can_manage_events``; another organisation's
    event → ``not_found``. Enabling needs ``opens_at`` (given or already set, else the event's
    ``sale_starts_at``). Writes audit ``event.waiting_room_configured`` and commits.
    Raises ``forbidden`` (403), ``not_found`` (404), ``validation_failed`` (422)."""
    rbac.require(ctx, rbac.can_manage_events, "change the waiting room")
    event = session.get(Event, event_id)
    if event is None or event.organization_id != ctx.organization_id:
        raise NotFound("not_found", "Event not found")
    fields: dict[str, str] = {}
    if rate_per_minute is not None and not (1 <= int(rate_per_minute) <= MAX_RATE_PER_MINUTE):
        fields["rate_per_minute"] = f"Give a rate between 1 and {MAX_RATE_PER_MINUTE} visitors per minute"
    if opens_at is not None:
        opens_at = clock.resolve(opens_at).astimezone(UTC)
    effective_opens = opens_at or clock.aware(event.waiting_room_opens_at) or clock.aware(event.sale_starts_at)
    if enabled and effective_opens is None:
        fields["opens_at"] = "Give the time the waiting room opens"
    if fields:
        raise ValidationFailed(fields)
    before = {"enabled": event.waiting_room_enabled, "opens_at": event.waiting_room_opens_at,
              "rate_per_minute": event.waiting_room_rate_per_minute}
    event.waiting_room_enabled = bool(enabled)
    if effective_opens is not None:
        event.waiting_room_opens_at = effective_opens
    if rate_per_minute is not None:
        event.waiting_room_rate_per_minute = int(rate_per_minute)
    event.updated_at = clock.resolve(now)
    session.add(event)
    audit.record(session, ctx.actor, "event.waiting_room_configured", event,
                 {"before": before, "after": {"enabled": event.waiting_room_enabled,
                                              "opens_at": event.waiting_room_opens_at,
                                              "rate_per_minute": event.waiting_room_rate_per_minute}})
    session.commit()
    _room_cache.pop(event.slug, None)
    return event
