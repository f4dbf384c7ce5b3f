"""Helpers of the scan path: per-process event cache (public keys, gates), input hygiene, ticket identification.

Kept apart from :mod:`voelgoed.services.gate.scanning` (the admission rules) so both stay small.
The cache holds only public data (public keys, gate codes, ticket type names) for
:data:`CACHE_TTL` seconds; an unknown key id refreshes it at most every :data:`MIN_REFRESH` seconds,
so a key rotation is seen at once and garbage QR codes cannot hammer the database.
"""

from __future__ import annotations

import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlmodel import Session

from voelgoed.models import Event, EventSigningKey, Gate, Ticket, TicketType
from voelgoed.services.platform import CODE_ALPHABET, clock
from voelgoed.services.tickets import ticket_identity

CACHE_TTL = 60.0
MIN_REFRESH = 5.0
CLOCK_SKEW = timedelta(minutes=2)  # a device clock may run this far ahead before we clamp
MAX_AGE = timedelta(days=30)  # offline scans older than this are stamped with the receive time
EXCERPT_CHARS = 120
_TICKET_CODE = re.compile(f"^[{CODE_ALPHABET}]{{6,16}}$")
_PRINTABLE = re.compile(r"[^\x20-\x7e]")
# Core statements on the model tables (never raw SQL with bound UUIDs: SQLite, the embedded default, can't bind them)
_EV, _KEY, _GATE, _TK, _TT = (m.__table__ for m in (Event, EventSigningKey, Gate, Ticket, TicketType))


@dataclass
class EventInfo:
    event_id: uuid.UUID
    organization_id: uuid.UUID
    venue_id: uuid.UUID
    keys: dict[str, str]
    gates: set[str]
    type_names: dict[uuid.UUID, str]
    fetched_at: float = field(default_factory=time.monotonic)


_cache: dict[uuid.UUID, EventInfo] = {}
_gate_by_id: dict[uuid.UUID, str] = {}
_lock = threading.Lock()


def clear_cache() -> None:
    with _lock:
        _cache.clear()
        _gate_by_id.clear()


def _load(session: Session, event_id: uuid.UUID) -> EventInfo | None:
    row = session.execute(select(_EV.c.organization_id, _EV.c.venue_id).where(_EV.c.id == event_id)).first()
    if row is None:
        return None
    keys = dict(session.execute(select(_KEY.c.key_id, _KEY.c.public_key).where(_KEY.c.event_id == event_id)).all())
    gates = {r[0] for r in session.execute(select(_GATE.c.gate_code).where(_GATE.c.venue_id == row[1],
                                                                           _GATE.c.archived_at.is_(None)))}
    names = dict(session.execute(select(_TT.c.id, _TT.c.name).where(_TT.c.event_id == event_id)).all())
    return EventInfo(event_id=event_id, organization_id=row[0], venue_id=row[1], keys=keys, gates=gates, type_names=names)


def event_info(session: Session, event_id: uuid.UUID, *, refresh: bool = False) -> EventInfo | None:
    """Cached public facts of an event (keys, gate codes, ticket type names); ``None`` if unknown."""
    info = _cache.get(event_id)
    age = time.monotonic() - info.fetched_at if info else None
    if info is None or age > CACHE_TTL or (refresh and age > MIN_REFRESH):
        info = _load(session, event_id)
        with _lock:
            if info is None:
                _cache.pop(event_id, None)
            else:
                _cache[event_id] = info
    return info


def type_name(session: Session, info: EventInfo, ticket_type_id: uuid.UUID) -> str:
    name = info.type_names.get(ticket_type_id)
    if name is None:
        fresh = event_info(session, info.event_id, refresh=True)
        name = (fresh or info).type_names.get(ticket_type_id, "")
    return name


def device_gate(session: Session, gate_id: uuid.UUID | None) -> str | None:
    if gate_id is None:
        return None
    code = _gate_by_id.get(gate_id)
    if code is None:
        code = session.execute(select(_GATE.c.gate_code).where(_GATE.c.id == gate_id)).scalar()
        if code is not None:
            _gate_by_id[gate_id] = code
    return code


def resolve_gate(session: Session, info: EventInfo, device_gate_id: uuid.UUID | None, gate_code: object) -> str | None:
    """The gate a scan counts for: the device's own gate if it has one, else a known gate code of the venue, else None."""
    own = device_gate(session, device_gate_id)
    if own:
        return own
    if isinstance(gate_code, str) and gate_code.strip() in info.gates:
        return gate_code.strip()
    return None


def excerpt(qr: object) -> str:
    """A printable, capped excerpt of what was scanned (binary or NUL bytes never reach the database)."""
    if isinstance(qr, bytes | bytearray):
        qr = qr.decode("latin-1")
    if not isinstance(qr, str):
        return ""
    return _PRINTABLE.sub("?", qr[: EXCERPT_CHARS + 1])[:EXCERPT_CHARS]


def clamp_time(scanned_at: datetime | None, now: datetime) -> datetime:
    """``scanned_at`` (naive taken as UTC), or ``now`` when missing, more than CLOCK_SKEW in the future,
    or older than MAX_AGE (a phone with a reset clock; also keeps absurd years out of the database)."""
    if scanned_at is None:
        return now
    when = clock.resolve(scanned_at)
    try:
        return now if when > now + CLOCK_SKEW or when < now - MAX_AGE else when
    except OverflowError:
        return now


def looks_like_ticket_code(qr: object) -> str | None:
    """A manually typed ticket code (``CODE_ALPHABET``, 6–16 chars; spaces/dashes ignored, case-insensitive)."""
    if not isinstance(qr, str) or len(qr) > 40:
        return None
    code = "".join(ch for ch in qr.upper() if ch not in " -\t\r\n")
    return code if _TICKET_CODE.match(code) else None


@dataclass
class Identified:
    """What a scanned string refers to. ``result`` is set when it is already decided (not admissible)."""

    result: str | None
    ticket_id: uuid.UUID | None = None


def identify(session: Session, info: EventInfo, qr: object, when: datetime) -> Identified:
    """Decide everything that needs no ticket row lock: signature, event, validity window, manual codes.

    Signed QR (``VG1:`` or the seated ``VG2:``, docs/ticket-identity.md): verified with this event's keys (cache refreshed
    once for an unknown key id); a genuine ticket of another event → ``wrong_event``; outside
    ``valid_from..valid_until`` at ``when`` → ``not_valid_now``. A ticket code typed by hand is looked
    up in this organisation: another event → ``wrong_event``; window from the ticket row.
    Anything else → ``invalid``.
    """
    if isinstance(qr, str) and qr.startswith(ticket_identity.PREFIXES):
        verified = ticket_identity.verify(qr, info.keys)
        if verified is None:
            fields = ticket_identity.decode_unverified(qr)
            if fields is None:
                return Identified("invalid")
            if fields["event_id"] == info.event_id:
                fresh = event_info(session, info.event_id, refresh=True)
                verified = ticket_identity.verify(qr, fresh.keys) if fresh else None
            else:
                other = event_info(session, fields["event_id"])
                if other is not None and ticket_identity.verify(qr, other.keys) is not None:
                    return Identified("wrong_event", fields["ticket_id"])
            if verified is None:
                return Identified("invalid")
        if verified.event_id != info.event_id:
            return Identified("wrong_event", verified.ticket_id)
        if not verified.is_valid_at(when):
            return Identified("not_valid_now", verified.ticket_id)
        return Identified(None, verified.ticket_id)
    code = looks_like_ticket_code(qr)
    if code is None:
        return Identified("invalid")
    row = session.execute(select(_TK.c.id, _TK.c.event_id, _TK.c.valid_from, _TK.c.valid_until)
                          .where(_TK.c.ticket_code == code, _TK.c.organization_id == info.organization_id)).first()
    if row is None:
        return Identified("invalid")
    if row[1] != info.event_id:
        return Identified("wrong_event", row[0])
    valid_from, valid_until = clock.aware(row[2]), clock.aware(row[3])
    if (valid_from and when < valid_from) or (valid_until and when > valid_until):
        return Identified("not_valid_now", row[0])
    return Identified(None, row[0])
