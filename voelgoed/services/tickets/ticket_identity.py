"""Signed, offline-verifiable ticket identity (architecture decision 7; spec: docs/ticket-identity.md).

A ticket's QR string is ``"VG1:" + base45(payload ‖ signature)`` (base45: RFC 9285; the alphabet is
exactly the QR alphanumeric set, so the code stays at QR version ≤ 8 at error correction M):

======  =====  ==========================================================
offset  bytes  field
======  =====  ==========================================================
0       1      format version, ``0x01``
1       4      key id (the event signing key; hex of these bytes = ``key_id``)
5       16     ticket id (UUID, RFC 9562 byte order)
21      16     event id (UUID)
37      16     ticket type id (UUID)
53      4      valid_from, uint32 big-endian, Unix seconds UTC
57      4      valid_until, uint32 big-endian, Unix seconds UTC
61      64     Ed25519 signature (RFC 8032) over bytes 0..60
======  =====  ==========================================================

``VG2:`` (issue 12) is the same 61 bytes with version ``0x02`` followed by the seat — three length-prefixed
UTF-8 labels (section, row, seat; each 0–40 bytes, at least one non-empty) — and the signature over all of it:
``payload = v1 fields ‖ len ‖ section ‖ len ‖ row ‖ len ‖ seat`` (64–184 bytes). Seated tickets are signed
``VG2:``; tickets without a seat stay ``VG1:``, and both verify (scanners in the field hold old tickets).

No personal data is carried. One Ed25519 key pair per event (:class:`EventSigningKey`); the private
key is stored encrypted with AES-256-GCM under a key derived by HKDF-SHA256 from ``SECRET_KEY``.

Public API (used by tickets and scanning):

- :func:`get_or_create_event_key` ``(session, event) -> EventSigningKey`` (flushes, never commits)
- :func:`sign_ticket` ``(session, ticket) -> str`` — the QR string; fills the ticket's validity window
- :func:`verify` ``(qr, public_keys) -> VerifiedTicket | None`` — ``None`` for *any* bad input; ``seat`` is
  the signed :class:`SeatLabels` of a ``VG2:`` string, ``None`` for ``VG1:``
- :func:`decode_unverified` ``(qr) -> dict | None`` — for diagnostics only
- :func:`event_public_keys` ``(session, event_id) -> list[{key_id, algorithm, public_key}]``
"""

from __future__ import annotations

import base64
import os
import struct
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import base45
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlmodel import Session, select

from voelgoed.config import get_settings
from voelgoed.models import Event, EventSigningKey, Ticket
from voelgoed.services.platform import clock
from voelgoed.services.tickets.seat_labels import SeatLabels, labels_for

PREFIX = "VG1:"
VERSION = 1
PREFIX_V2 = "VG2:"
VERSION_V2 = 2
PREFIXES = (PREFIX, PREFIX_V2)  # every signed format a scanner accepts
SEAT_LABEL_MAX_BYTES = 40  # per label, UTF-8, in the VG2 payload (longer labels are cut at a character boundary)
ALGORITHM = "Ed25519"
PAYLOAD_LEN = 61
SIGNATURE_LEN = 64
TOTAL_LEN = PAYLOAD_LEN + SIGNATURE_LEN
MAX_QR_CHARS = 512  # anything longer is rejected before decoding
VALIDITY_GRACE = timedelta(hours=6)  # a ticket stays valid until the event's ends_at + 6 h
_LAYOUT = struct.Struct(">B4s16s16s16sII")  # 61 bytes
_ENC_PREFIX = "v1."
_HKDF_INFO = b"voelgoed/event-signing-key/aes-256-gcm/v1"


@dataclass(frozen=True)
class VerifiedTicket:
    """The fields of a QR whose signature checked out. Times are UTC-aware datetimes."""

    ticket_id: uuid.UUID
    event_id: uuid.UUID
    ticket_type_id: uuid.UUID
    key_id: str
    valid_from: datetime
    valid_until: datetime
    seat: SeatLabels | None = None  # the signed seat of a VG2 ticket; None for VG1

    @property
    def version(self) -> int:
        return VERSION if self.seat is None else VERSION_V2

    def is_valid_at(self, when: datetime) -> bool:
        """True when ``valid_from <= when <= valid_until`` (``when`` tz-aware)."""
        return self.valid_from <= clock.resolve(when) <= self.valid_until


# --- pure encoding (no database) -------------------------------------------------------------

def _unix(dt: datetime) -> int:
    value = int(clock.resolve(dt).timestamp())
    return min(max(value, 0), 0xFFFFFFFF)


def _label_bytes(value: str) -> bytes:
    raw = (value or "").encode("utf-8")[:SEAT_LABEL_MAX_BYTES]
    return raw.decode("utf-8", "ignore").encode("utf-8")  # never cut inside a character


def seat_block(seat: SeatLabels) -> bytes:
    """The VG2 seat bytes: ``len ‖ section ‖ len ‖ row ‖ len ‖ seat`` (each label UTF-8, ≤ 40 bytes)."""
    out = b""
    for value in (seat.section, seat.row, seat.seat):
        raw = _label_bytes(value)
        out += bytes([len(raw)]) + raw
    return out


def build_qr(private_key: Ed25519PrivateKey, *, key_id: str, ticket_id: uuid.UUID, event_id: uuid.UUID,
             ticket_type_id: uuid.UUID, valid_from: datetime, valid_until: datetime,
             seat: SeatLabels | None = None) -> str:
    """Encode and sign the payload; returns the QR string.

    Without ``seat`` (or an empty one): ``VG1:`` + 188 base45 characters. With a seat: ``VG2:`` — the same
    fields with version 2, then the seat labels (:func:`seat_block`), then the signature over all of it.
    ``key_id`` is 8 lowercase hex characters (4 bytes). Times are truncated to whole seconds.
    """
    seated = seat is not None and not seat.is_empty()
    payload = _LAYOUT.pack(VERSION_V2 if seated else VERSION, bytes.fromhex(key_id), ticket_id.bytes, event_id.bytes,
                           ticket_type_id.bytes, _unix(valid_from), _unix(valid_until))
    if seated:
        payload += seat_block(seat)
    signature = private_key.sign(payload)
    return (PREFIX_V2 if seated else PREFIX) + base45.b45encode(payload + signature).decode("ascii")


def _seat_of(extra: bytes) -> SeatLabels | None:
    """Parse the VG2 seat bytes; ``None`` unless they are exactly three valid length-prefixed labels."""
    labels, at = [], 0
    for _ in range(3):
        if at >= len(extra) or extra[at] > SEAT_LABEL_MAX_BYTES or at + 1 + extra[at] > len(extra):
            return None
        labels.append(extra[at + 1:at + 1 + extra[at]].decode("utf-8"))  # UnicodeDecodeError → caller rejects
        at += 1 + extra[at]
    seat = SeatLabels(*labels)
    return None if at != len(extra) or seat.is_empty() else seat


def _split(qr: object) -> tuple[bytes, bytes] | None:
    if not isinstance(qr, str) or len(qr) > MAX_QR_CHARS or not qr.startswith(PREFIXES):
        return None
    v2 = qr.startswith(PREFIX_V2)
    body = qr[len(PREFIX):]
    try:
        raw = base45.b45decode(body)
    except (ValueError, TypeError):
        return None
    # reject non-canonical encodings (e.g. trailing newline tolerated by the decoder)
    if base45.b45encode(raw).decode("ascii") != body or not raw or raw[0] != (VERSION_V2 if v2 else VERSION):
        return None
    if not v2:
        return (raw[:PAYLOAD_LEN], raw[PAYLOAD_LEN:]) if len(raw) == TOTAL_LEN else None
    if len(raw) < PAYLOAD_LEN + 3 + SIGNATURE_LEN:
        return None
    return raw[:-SIGNATURE_LEN], raw[-SIGNATURE_LEN:]


def _fields(payload: bytes) -> dict:
    version, kid, tid, eid, ttid, vf, vu = _LAYOUT.unpack(payload[:PAYLOAD_LEN])
    seat = None
    if version == VERSION_V2:
        seat = _seat_of(payload[PAYLOAD_LEN:])
        if seat is None:
            raise ValueError("malformed seat block")
    elif len(payload) != PAYLOAD_LEN:
        raise ValueError("trailing bytes")
    return {
        "version": version, "key_id": kid.hex(), "ticket_id": uuid.UUID(bytes=tid), "event_id": uuid.UUID(bytes=eid),
        "ticket_type_id": uuid.UUID(bytes=ttid),
        "valid_from": datetime.fromtimestamp(vf, UTC), "valid_until": datetime.fromtimestamp(vu, UTC), "seat": seat,
    }


def _public_key(value: bytes | str) -> Ed25519PublicKey | None:
    try:
        if isinstance(value, str):
            value = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
        if not isinstance(value, bytes | bytearray) or len(value) != 32:
            return None
        return Ed25519PublicKey.from_public_bytes(bytes(value))
    except Exception:
        return None


def verify(qr: str, public_keys: dict[str, bytes | str]) -> VerifiedTicket | None:
    """Check a scanned QR string against ``public_keys`` (``key_id`` → raw 32 bytes or base64url).

    Returns the :class:`VerifiedTicket`, or ``None`` when the input is not a well-formed ``VG1:`` or
    ``VG2:`` string (for VG2 also: a seat block that is not three valid UTF-8 labels of ≤ 40 bytes), its key id is not in ``public_keys``, or the Ed25519 signature does not verify. Never
    raises. It does not check the validity window, the ticket's status or the event: callers do
    (see :meth:`VerifiedTicket.is_valid_at`).
    """
    try:
        parts = _split(qr)
        if parts is None or not isinstance(public_keys, dict):
            return None
        payload, signature = parts
        fields = _fields(payload)
        key = _public_key(public_keys.get(fields["key_id"], b""))
        if key is None:
            return None
        key.verify(signature, payload)
        if fields["valid_from"] > fields["valid_until"]:
            return None
        fields.pop("version")
        return VerifiedTicket(**fields)
    except Exception:  # InvalidSignature and anything unexpected
        return None


def decode_unverified(qr: str) -> dict | None:
    """The payload fields WITHOUT checking the signature (diagnostics only; never trust them).

    Returns ``{version, key_id, ticket_id, event_id, ticket_type_id, valid_from, valid_until, seat}`` or ``None``
    (``seat``: :class:`SeatLabels` for VG2, ``None`` for VG1).
    """
    try:
        parts = _split(qr)
        return None if parts is None else _fields(parts[0])
    except Exception:
        return None


# --- keys at rest ----------------------------------------------------------------------------

def _wrapping_key() -> bytes:
    secret = get_settings().effective_secret_key.encode("utf-8")
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_HKDF_INFO).derive(secret)


def _aad(key_id: str, event_id: uuid.UUID) -> bytes:
    return f"{key_id}:{event_id}".encode()


def encrypt_private_key(seed: bytes, *, key_id: str, event_id: uuid.UUID) -> str:
    """AES-256-GCM of the 32-byte Ed25519 seed; ``"v1." + base64url(nonce ‖ ciphertext ‖ tag)``."""
    nonce = os.urandom(12)
    blob = nonce + AESGCM(_wrapping_key()).encrypt(nonce, seed, _aad(key_id, event_id))
    return _ENC_PREFIX + base64.urlsafe_b64encode(blob).decode("ascii").rstrip("=")


def load_private_key(key: EventSigningKey) -> Ed25519PrivateKey:
    """Decrypt an :class:`EventSigningKey` (raises ``cryptography.exceptions.InvalidTag`` if SECRET_KEY changed)."""
    text = key.private_key_encrypted.removeprefix(_ENC_PREFIX)
    blob = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    seed = AESGCM(_wrapping_key()).decrypt(blob[:12], blob[12:], _aad(key.key_id, key.event_id))
    return Ed25519PrivateKey.from_private_bytes(seed)


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def get_or_create_event_key(session: Session, event: Event) -> EventSigningKey:
    """The event's active signing key, created (and flushed, not committed) on first use.

    Creation locks the event row (``SELECT … FOR UPDATE`` on PostgreSQL) so concurrent first
    issuances for one event agree on a single key.
    """
    stmt = select(EventSigningKey).where(EventSigningKey.event_id == event.id, EventSigningKey.is_active.is_(True))
    key = session.exec(stmt.order_by(EventSigningKey.created_at)).first()
    if key is not None:
        return key
    session.exec(select(Event.id).where(Event.id == event.id).with_for_update()).first()
    key = session.exec(stmt.order_by(EventSigningKey.created_at)).first()
    if key is not None:
        return key
    private = Ed25519PrivateKey.generate()
    seed = private.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())
    public = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    key_id = os.urandom(4).hex()
    key = EventSigningKey(organization_id=event.organization_id, event_id=event.id, key_id=key_id,
                          public_key=_b64url(public),
                          private_key_encrypted=encrypt_private_key(seed, key_id=key_id, event_id=event.id))
    session.add(key)
    session.flush()
    return key


def sign_ticket(session: Session, ticket: Ticket) -> str:
    """The QR string for ``ticket`` (does not assign ``ticket.qr_payload``; flushes, never commits).

    A ticket with a ``seat_id`` (an event seat, :mod:`.seat_labels`) is signed ``VG2:`` with that seat's
    current labels; any other ticket ``VG1:``.

    Fills ``ticket.valid_from`` (default: ``issued_at``) and ``ticket.valid_until`` (default: the
    event's ``ends_at`` + :data:`VALIDITY_GRACE`) when they are unset, so the row and the QR agree.
    """
    event = session.get(Event, ticket.event_id)
    if event is None:
        raise LookupError(f"event {ticket.event_id} not found")
    key = get_or_create_event_key(session, event)
    if ticket.valid_from is None:
        ticket.valid_from = clock.resolve(ticket.issued_at).replace(microsecond=0)
    if ticket.valid_until is None:
        ticket.valid_until = clock.resolve(event.ends_at).replace(microsecond=0) + VALIDITY_GRACE
    seat = labels_for(session, [ticket.seat_id]).get(ticket.seat_id) if ticket.seat_id is not None else None
    return build_qr(load_private_key(key), key_id=key.key_id, ticket_id=ticket.id, event_id=ticket.event_id,
                    ticket_type_id=ticket.ticket_type_id, valid_from=ticket.valid_from, valid_until=ticket.valid_until,
                    seat=seat)


def event_public_keys(session: Session, event_id: uuid.UUID) -> list[dict]:
    """Manifest entries ``[{key_id, algorithm: "Ed25519", public_key: base64url raw 32 bytes}]``.

    All keys of the event are listed (tickets signed before a rotation stay verifiable).
    """
    rows = session.exec(select(EventSigningKey).where(EventSigningKey.event_id == event_id)
                        .order_by(EventSigningKey.created_at)).all()
    return [{"key_id": k.key_id, "algorithm": ALGORITHM, "public_key": k.public_key} for k in rows]


def public_key_map(session: Session, event_id: uuid.UUID) -> dict[str, str]:
    """``{key_id: public_key}`` for :func:`verify`."""
    return {k["key_id"]: k["public_key"] for k in event_public_keys(session, event_id)}
