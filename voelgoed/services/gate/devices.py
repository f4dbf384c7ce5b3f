"""Scanner devices: registration, pairing, token authentication, revocation (docs/scanner-contract.md).

A device belongs to one event (optionally one gate) of one organisation. Its bearer token
(``vgd_<43 url-safe chars>``, 256 bits) is shown once and stored as SHA-256 (``security.hash_token``).
Creating a device also makes a short pairing code (8 characters from ``security.CODE_ALPHABET``,
valid for :data:`PAIRING_TTL`, stored hashed) that a phone exchanges once for a *fresh* token
(``pair_device``); the exchange rotates the token, so the token shown at creation stops working
once the device is paired. Revoked or unknown tokens are refused at once (401 ``unauthenticated``).

Expiry: a device stops working ``DEVICE_GRACE_HOURS`` (config ``device_grace_hours``, default 12)
after its event's ``ends_at`` — checked on every request (manifest, scans, sync) and at pairing:
401 ``device_expired``. A device registered by door-staff sign-in records the member
(``registered_by_user_id``); removing that member, or changing their role to one that may not scan,
revokes their devices in the same transaction (:func:`voelgoed.services.accounts.members.revoke_devices_of_user`, audited
``device.revoked`` with ``data.reason``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, select

from voelgoed.config import get_settings
from voelgoed.models import Device, Event, Gate
from voelgoed.services.catalog import events
from voelgoed.services.platform import (
    CODE_ALPHABET,
    Actor,
    NotFound,
    TenantContext,
    Unauthenticated,
    ValidationFailed,
    audit,
    clock,
    get_owned,
    hash_token,
    new_code,
    new_token,
    rbac,
)

TOKEN_PREFIX = "vgd_"
PAIRING_CODE_LENGTH = 8
PAIRING_TTL = timedelta(minutes=10)
LAST_SEEN_RESOLUTION = timedelta(seconds=60)


@dataclass(frozen=True)
class DeviceInfo:
    """A device as pages and API answers show it (no secrets)."""

    id: str
    name: str
    event_id: str
    gate_code: str | None
    created_at: datetime
    last_seen_at: datetime | None
    revoked_at: datetime | None
    pairing_expires_at: datetime | None

    @property
    def status(self) -> str:
        """``revoked`` | ``active`` (has called in at least once) | ``not_paired``."""
        if self.revoked_at is not None:
            return "revoked"
        return "active" if self.last_seen_at is not None else "not_paired"


def normalise_pairing_code(code: str) -> str:
    """Upper-case, without spaces or dashes (people type ``abcd-efgh``)."""
    return "".join(ch for ch in (code or "").upper() if ch not in " -\t\n")[:64]


def _event_of_tenant(session: Session, ctx: TenantContext, event_id) -> Event:
    return get_owned(session, ctx, Event, event_id, "event")


def gate_for_event(session: Session, event: Event, gate_code: str) -> Gate | None:
    return session.exec(select(Gate).where(Gate.venue_id == event.venue_id, Gate.gate_code == gate_code,
                                           Gate.archived_at.is_(None))).first()


def create_device(session: Session, ctx: TenantContext, *, event_id, name: str, gate_code: str | None = None,
                  now: datetime | None = None) -> tuple[Device, str, str]:
    """Register a scanner for an event. Returns ``(device, token, pairing_code)``; both secrets are shown once.

    Errors: 404 ``not_found`` (event of another organisation or unknown), 403 ``forbidden``
    (role may not manage scanners), 422 ``validation_failed`` (name 1–120 chars; gate_code not a
    gate of the event's venue).
    """
    rbac.require(ctx, rbac.can_manage_scanners, "manage scanner devices")
    now = clock.resolve(now)
    event = _event_of_tenant(session, ctx, event_id)
    name = (name or "").strip()
    if not name or len(name) > 120 or not name.isprintable():
        raise ValidationFailed({"name": "Give the device a name of 1–120 printable characters"})
    if gate_code is not None and (len(gate_code) > 32 or not gate_code.isprintable()):
        raise ValidationFailed({"gate_code": f"No gate '{gate_code[:32]!r}' at this event's venue"})
    gate = None
    if gate_code:
        gate = gate_for_event(session, event, gate_code.strip())
        if gate is None:
            raise ValidationFailed({"gate_code": f"No gate '{gate_code}' at this event's venue"})
    token = TOKEN_PREFIX + new_token(32)
    pairing_code = new_code(PAIRING_CODE_LENGTH, CODE_ALPHABET)
    device = Device(organization_id=event.organization_id, event_id=event.id, gate_id=gate.id if gate else None,
                    name=name, token_hash=hash_token(token), pairing_code_hash=hash_token(pairing_code),
                    pairing_expires_at=now + PAIRING_TTL, created_at=now)
    session.add(device)
    session.flush()
    audit.record(session, ctx.actor, "device.created", device, {"name": name, "gate_code": gate.gate_code if gate else None})
    session.commit()
    return device, token, pairing_code


def new_pairing_code(session: Session, ctx: TenantContext, device_id, *, now: datetime | None = None) -> str:
    """A fresh pairing code for an existing, unrevoked device (the old one stops working)."""
    rbac.require(ctx, rbac.can_manage_scanners, "manage scanner devices")
    now = clock.resolve(now)
    device = _device_of_tenant(session, ctx, device_id)
    if device.revoked_at is not None:
        raise NotFound("not_found", "Device not found")
    code = new_code(PAIRING_CODE_LENGTH, CODE_ALPHABET)
    device.pairing_code_hash = hash_token(code)
    device.pairing_expires_at = now + PAIRING_TTL
    audit.record(session, ctx.actor, "device.pairing_code_created", device)
    session.commit()
    return code


def pair_device(session: Session, *, pairing_code: str, now: datetime | None = None) -> tuple[Device, str]:
    """Exchange a pairing code (one use, 10 minutes) for a fresh device token → ``(device, token)``.

    Errors: 401 ``unauthenticated`` for an unknown, used, expired code or a revoked device;
    401 ``device_expired`` after the event's end plus ``DEVICE_GRACE_HOURS``.
    """
    now = clock.resolve(now)
    code = normalise_pairing_code(pairing_code)
    if len(code) != PAIRING_CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in code):
        raise Unauthenticated("unauthenticated", "That pairing code is not valid")
    device = session.exec(select(Device).where(Device.pairing_code_hash == hash_token(code)).with_for_update()).first()
    if (device is None or device.revoked_at is not None or device.pairing_expires_at is None
            or clock.aware(device.pairing_expires_at) <= now):
        raise Unauthenticated("unauthenticated", "That pairing code is not valid or has expired")
    _refuse_if_expired(session.get(Event, device.event_id).ends_at, now)
    token = TOKEN_PREFIX + new_token(32)
    device.token_hash = hash_token(token)
    device.pairing_code_hash = None
    device.pairing_expires_at = None
    device.last_seen_at = now
    audit.record(session, Actor("device", str(device.id)), "device.paired", device)
    session.commit()
    return device, token


def expires_at(event_ends_at: datetime) -> datetime:
    """When devices of an event whose end is ``event_ends_at`` stop working: the end plus ``DEVICE_GRACE_HOURS``."""
    return clock.aware(event_ends_at) + timedelta(hours=get_settings().device_grace_hours)


def _refuse_if_expired(event_ends_at: datetime, now: datetime) -> None:
    until = expires_at(event_ends_at)
    if now >= until:
        raise Unauthenticated("device_expired", "This event is over; this scanner device has expired",
                              {"expired_at": until.isoformat()})


def authenticate_device(session: Session, token: str, *, now: datetime | None = None) -> Device:
    """The device of a bearer token (checked on every request, no caching).

    Errors (401): ``unauthenticated`` if unknown or revoked; ``device_expired`` (``details.expired_at``)
    once its event ended more than ``DEVICE_GRACE_HOURS`` ago."""
    if not token or not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        raise Unauthenticated("unauthenticated", "A valid device token is required")
    row = session.exec(select(Device, Event.ends_at).join(Event, Event.id == Device.event_id)
                       .where(Device.token_hash == hash_token(token))).first()
    if row is None or row[0].revoked_at is not None:
        raise Unauthenticated("unauthenticated", "This device is not (or no longer) allowed to scan")
    _refuse_if_expired(row[1], clock.resolve(now))
    return row[0]


def _device_of_tenant(session: Session, ctx: TenantContext, device_id) -> Device:
    return get_owned(session, ctx, Device, device_id, "device")


def revoke_device(session: Session, ctx: TenantContext, device_id, *, now: datetime | None = None) -> Device:
    """Revoke at once (its token and pairing code stop working). Idempotent. 404 for other organisations."""
    rbac.require(ctx, rbac.can_manage_scanners, "manage scanner devices")
    device = _device_of_tenant(session, ctx, device_id)
    if device.revoked_at is None:
        device.revoked_at = clock.resolve(now)
        device.pairing_code_hash = None
        device.pairing_expires_at = None
        audit.record(session, ctx.actor, "device.revoked", device)
        session.commit()
    return device


def gate_code_of(session: Session, device: Device) -> str | None:
    if device.gate_id is None:
        return None
    gate = session.get(Gate, device.gate_id)
    return gate.gate_code if gate else None


def list_devices(session: Session, ctx: TenantContext, *, event_id) -> list[DeviceInfo]:
    """Devices of one event, newest first, as :class:`DeviceInfo` (404 for another organisation's event)."""
    rbac.require(ctx, rbac.can_view_events, "view devices")
    event = _event_of_tenant(session, ctx, event_id)
    rows = session.exec(select(Device, Gate.gate_code).join(Gate, Gate.id == Device.gate_id, isouter=True)
                        .where(Device.event_id == event.id).order_by(Device.created_at.desc())).all()
    return [DeviceInfo(id=str(d.id), name=d.name, event_id=str(d.event_id), gate_code=code,
                       created_at=clock.aware(d.created_at), last_seen_at=clock.aware(d.last_seen_at),
                       revoked_at=clock.aware(d.revoked_at), pairing_expires_at=clock.aware(d.pairing_expires_at))
            for d, code in rows]


def event_gate_codes(session: Session, ctx: TenantContext, *, event_id) -> list[str]:
    """Gate codes of the event's venue (for choosing a device's gate); 404 for another organisation's event."""
    rbac.require(ctx, rbac.can_view_events, "view gates")
    event = _event_of_tenant(session, ctx, event_id)
    return list(session.exec(select(Gate.gate_code).where(Gate.venue_id == event.venue_id, Gate.archived_at.is_(None))
                             .order_by(Gate.gate_code)))


def scanning_overview(session: Session, ctx: TenantContext, *, event_id: str = "") -> dict:
    """Everything the `/scanning` page shows, in one call.

    Returns ``{"events": [{"id", "name", "starts_at"}], "event_id", "gates": [gate_code],
    "devices": [DeviceInfo], "may_manage": bool}``. ``event_id`` falls back to the soonest event when it
    is empty or not one of the organisation's (100 most recent events listed). Times are UTC datetimes.
    Errors: 403 ``forbidden`` without ``can_view_events``.
    """
    evs = events.list_events(session, ctx, limit=100)
    ids = [str(e.id) for e in evs]
    chosen = event_id if event_id in ids else (ids[0] if ids else "")
    return {
        "events": [{"id": str(e.id), "name": e.name, "starts_at": clock.aware(e.starts_at)} for e in evs],
        "event_id": chosen,
        "gates": event_gate_codes(session, ctx, event_id=chosen) if chosen else [],
        "devices": list_devices(session, ctx, event_id=chosen) if chosen else [],
        "may_manage": rbac.can_manage_scanners(ctx),
    }


def event_name(session: Session, ctx: TenantContext, *, event_id) -> str:
    """The event's name (404 ``not_found`` for another organisation's or an unknown event)."""
    rbac.require(ctx, rbac.can_view_events, "view events")
    return _event_of_tenant(session, ctx, event_id).name
