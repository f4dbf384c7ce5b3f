"""Waiting-room identities: the room snapshot, visitor tokens, passes and the server-side draw.

Split out of :mod:`voelgoed.services.sales.waiting_room` (which re-exports :class:`Room`, :class:`Visitor`
and :func:`parse_visitor_token`); pure functions of SECRET_KEY, no Redis, no database.

- **Visitor token** ``VGV1.<visitor_id>.<place>.<sig>`` (``<place>`` is ``int.frac``, so the token has
  5 dot-separated parts): HMAC-SHA256 (``security.hmac_sign``, purpose ``waiting-room-visitor``,
  bound to the event id), 32 hex characters of signature. ``<place>`` is :data:`EARLY_PLACE`
  (``0.000000``) for a visitor who joined before opening — their place in the draw is *not* in the
  token — or ``1 + seconds since opening`` (µs) for a later arrival (first come, first served).
- **The draw**: an early visitor's queue score is :func:`draw_key`, a keyed pseudo-random number in
  ``[0, 1)`` = HMAC(SECRET_KEY, purpose ``waiting-room-draw``, event id + visitor id). The visitor id
  is chosen by the server (72 random bits) and the key needs SECRET_KEY, so nobody can compute,
  choose or see it; it is the same every time the token comes back (re-joining cannot re-roll it)
  and the server recomputes it after a Redis flush (nobody loses their place). The set is ordered
  by it at opening, the first moment any rank is shown.
- **Pass** ``VGP1.<event_id_hex>.<visitor_id>.<exp_unix>.<sig>`` (full hex HMAC, purpose
  ``waiting-room-pass``); the pass id is the visitor id.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from voelgoed.services.platform import clock, hmac_sign

VISITOR_PURPOSE = "waiting-room-visitor"
PASS_PURPOSE = "waiting-room-pass"
DRAW_PURPOSE = "waiting-room-draw"
EARLY_PLACE = "0.000000"


@dataclass(frozen=True)
class Room:
    """A snapshot of an event's waiting-room settings (safe to cache; no ORM object)."""

    event_id: uuid.UUID
    slug: str
    enabled: bool
    opens_at: datetime
    rate_per_minute: int

    @classmethod
    def of(cls, event: Any) -> Room:
        if isinstance(event, Room):
            return event
        opens = (clock.aware(getattr(event, "waiting_room_opens_at", None))
                 or clock.aware(getattr(event, "sale_starts_at", None))
                 or clock.aware(getattr(event, "created_at", None)) or clock.utcnow())
        return cls(event_id=event.id, slug=event.slug, enabled=bool(event.waiting_room_enabled),
                   opens_at=opens, rate_per_minute=max(1, int(event.waiting_room_rate_per_minute or 1)))


@dataclass(frozen=True)
class Visitor:
    """``place``: :data:`EARLY_PLACE` for a pre-opening visitor, else ``"<1 + seconds since opening>"`` (6 decimals)."""

    visitor_id: str
    place: str

    @property
    def early(self) -> bool:
        return float(self.place) < 1


def new_visitor_id() -> str:
    """72 random bits, hex (the server chooses it; the client never can)."""
    return secrets.token_hex(9)


def draw_key(room: Room, visitor_id: str) -> str:
    """The early visitor's place in the draw: a keyed pseudo-random number in ``[0, 1)`` (52 bits), as a string."""
    digest = hmac_sign(f"{room.event_id.hex}.{visitor_id}".encode(), purpose=DRAW_PURPOSE)
    return f"{int(digest[:13], 16) / 16 ** 13:.15f}"


def queue_score(room: Room, visitor: Visitor) -> str:
    """The sorted-set score of a visitor: the draw key when early, else their arrival place."""
    return draw_key(room, visitor.visitor_id) if visitor.early else visitor.place


def place_of_score(score: str | bytes | float) -> str:
    """What goes into the token for a sorted-set score: :data:`EARLY_PLACE` below 1, else the score (6 decimals)."""
    value = float(score.decode() if isinstance(score, bytes) else score)
    return EARLY_PLACE if value < 1 else f"{value:.6f}"


def visitor_token(room: Room, visitor: Visitor) -> str:
    sig = hmac_sign(f"{room.event_id.hex}.{visitor.visitor_id}.{visitor.place}".encode(), purpose=VISITOR_PURPOSE)
    return f"VGV1.{visitor.visitor_id}.{visitor.place}.{sig[:32]}"


def parse_visitor_token(room: Room, token: str | None) -> Visitor | None:
    """The visitor a token names, or None when it is missing, malformed, forged or for another event.

    A token signed before the server-side draw existed (an early place that is not ``0.000000``)
    is read as early too: its visible number is ignored and the draw key decides its place."""
    if not token or len(token) > 200:
        return None
    parts = token.split(".")
    # VGV1 . visitor . place-int . place-frac . sig
    if len(parts) != 5 or parts[0] != "VGV1" or not (parts[2].isdigit() and parts[3].isdigit()):
        return None
    visitor_id, place, sig = parts[1], f"{parts[2]}.{parts[3]}", parts[4]
    full = hmac_sign(f"{room.event_id.hex}.{visitor_id}.{place}".encode(), purpose=VISITOR_PURPOSE)
    if not secrets.compare_digest(full[:32], sig):
        return None
    return Visitor(visitor_id, place_of_score(place))


def make_pass(room: Room, visitor_id: str, exp: int) -> str:
    body = f"VGP1.{room.event_id.hex}.{visitor_id}.{exp}"
    return f"{body}.{hmac_sign(body.encode(), purpose=PASS_PURPOSE)}"
