"""Hold tokens (issue 12): a seat hold is named by its signed token, a general-admission hold by its id.

- ``token_for(hold_id) -> str``: ``"<hold id>.<hex HMAC-SHA256(SECRET_KEY, purpose "seat-hold", hold id bytes)>"``
  (36 + 1 + 64 = 101 characters, URL-safe as it is);
- ``parse_ref(ref) -> (uuid.UUID, signed: bool)``: a bare hold id (``signed`` False) or a hold token
  (``signed`` True); anything else — malformed, longer than :data:`MAX_REF_LENGTH`, a forged or foreign
  signature — 404 ``not_found``;
- ``needs_token(session, hold) -> bool``: True when the hold holds seats, standing places or whole tables (any
  ``holditem`` with ``seat_id`` or ``area_id``: only seat holds have them; a GA hold's items have neither);
- ``require_token(session, hold, signed)``: 403 ``hold_token_required`` for a seat hold named by its bare id.

Everything a buyer names a hold by (checkout, the hold view, release; the API and the ``/hold/`` page) goes
through :func:`parse_ref` then :func:`require_token`, before anything is written. GA holds keep the api-v1
contract: named by their id (a token for them is accepted too).
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import exists, or_, select
from sqlmodel import Session

from voelgoed.models import Hold, HoldItem
from voelgoed.services.platform import NotFound, VoelgoedError, hmac_sign, hmac_verify

TOKEN_PURPOSE = "seat-hold"
MAX_REF_LENGTH = 200
TOKEN_REQUIRED = "hold_token_required"
_ITEM = HoldItem.__table__


def token_for(hold_id: uuid.UUID) -> str:
    """The hold token of ``hold_id``: ``<hold id>.<64 hex HMAC>`` (str)."""
    return f"{hold_id}.{hmac_sign(hold_id.bytes, purpose=TOKEN_PURPOSE)}"


def parse_ref(ref: Any) -> tuple[uuid.UUID, bool]:
    """``(hold id, signed)`` of a bare hold id (a ``uuid.UUID`` or its string; ``signed`` False) or a hold token
    (``signed`` True). 404 ``not_found`` for anything else: not a string, empty, over :data:`MAX_REF_LENGTH`
    characters, not a UUID before the dot, or a signature that is not this id's (forged, or another hold's)."""
    if isinstance(ref, uuid.UUID):
        return ref, False
    raw = ref if isinstance(ref, str) else ""
    if not raw or len(raw) > MAX_REF_LENGTH:
        raise NotFound("not_found", "Hold not found")
    hid, dot, sig = raw.partition(".")
    try:
        hold_id = uuid.UUID(hid)
    except ValueError:
        raise NotFound("not_found", "Hold not found") from None
    if not dot:
        return hold_id, False
    if not hmac_verify(hold_id.bytes, sig, purpose=TOKEN_PURPOSE):
        raise NotFound("not_found", "Hold not found")
    return hold_id, True


def needs_token(session: Session, hold: Hold | uuid.UUID) -> bool:
    """True when the hold holds seats, standing places or whole tables (an item with ``seat_id`` or ``area_id``)."""
    hid = hold.id if isinstance(hold, Hold) else hold
    return bool(session.execute(select(exists().where(
        _ITEM.c.hold_id == hid, or_(_ITEM.c.seat_id.is_not(None), _ITEM.c.area_id.is_not(None))))).scalar())


def require_token(session: Session, hold: Hold | uuid.UUID, signed: bool) -> None:
    """403 ``hold_token_required`` when a seat hold (:func:`needs_token`) was named by its bare id; writes nothing."""
    if not signed and needs_token(session, hold):
        raise VoelgoedError(TOKEN_REQUIRED, "This reservation of seats is opened with its hold token "
                            "(hold_token from the seat hold), not its id", status=403)
