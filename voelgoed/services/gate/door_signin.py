"""Door staff sign-in on ``/scan``: a person with a scanning role turns their own phone into a scanner.

``sign_in_scanner(session, *, email, password, client_address, event_id=None, gate_code=None,
device_name=None, now=None)`` → a dict, in one of two shapes:

- without ``event_id``: ``{"events": [{"id", "name", "starts_at", "ends_at", "organization_name",
  "gates": [gate_code]}]}`` — the events the user may scan: events of every organisation where their
  role passes :func:`rbac.can_scan` (owner, admin, staff, scanner_only), status ``published`` or
  ``live``, not ended at ``now``; ordered by ``starts_at``. Times are RFC 3339 strings (UTC).
- with ``event_id`` (and optionally ``gate_code``, a gate of the event's venue; empty = any gate):
  a new :class:`~voelgoed.models.Device` for that event, named ``"<user name> · phone"`` (or
  ``device_name``), audited as ``device.registered_by_staff`` with the user as actor, and
  ``{"token", "device": {"id", "name", "gate_code"}, "event": {"id", "name", "starts_at", "ends_at"},
  "gate_code"}`` — the same answer as a pairing (``POST /api/v1/scanner/pair``). The token
  (``vgd_…``, shown once, stored as SHA-256) is used exactly like a paired device's token.

Every call checks the password again (the phone keeps no session): nothing is stored for the
listing step. Errors: 429 ``rate_limited`` (:data:`ADDRESS_RATE` per client address, plus the
accounts sign-in limit per email + address), 401 ``invalid_credentials`` (same semantics as the
organiser sign-in), 403 ``forbidden`` (no scanning role in any organisation, or in the event's
organisation), 404 ``not_found`` (unknown event, malformed id, or an organisation the user is not a
member of), 409 ``event_not_scannable`` (draft, cancelled, archived or ended event), 422
``validation_failed`` (``fields.gate_code``: not a gate of the event's venue; ``fields.device_name``).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlmodel import Session, select

from voelgoed.models import Device, Event, Gate, Organization, User
from voelgoed.services.accounts import accounts, tenancy
from voelgoed.services.gate import devices
from voelgoed.services.platform import (
    Actor,
    Conflict,
    Forbidden,
    NotFound,
    ValidationFailed,
    audit,
    clock,
    hash_token,
    new_token,
    ratelimit,
    rbac,
)

ADDRESS_RATE = "30/minute"  # per client address, on top of accounts' per email+address limit
SCANNABLE_STATUSES = ("published", "live")


def _text(value) -> str:
    return value if isinstance(value, str) else ""


def _scan_org_ids(session: Session, user: User) -> set[uuid.UUID]:
    """Organisations in which ``user`` may scan."""
    ids = set()
    for membership, _org in tenancy.list_memberships(session, user_id=user.id):
        ctx = rbac.TenantContext(organization_id=membership.organization_id, actor=Actor("user", str(user.id)),
                                 role=membership.role)
        if rbac.can_scan(ctx):
            ids.add(membership.organization_id)
    return ids


def _iso(value: datetime) -> str:
    return clock.aware(value).isoformat()


def scannable_events(session: Session, org_ids: set[uuid.UUID], *, now: datetime) -> list[dict]:
    """Published/live, not-ended events of ``org_ids`` with their venue's gate codes (module shape)."""
    if not org_ids:
        return []
    rows = session.exec(select(Event, Organization.name).join(Organization, Organization.id == Event.organization_id)
                        .where(Event.organization_id.in_(org_ids), Event.status.in_(SCANNABLE_STATUSES),
                               Event.ends_at > now)
                        .order_by(Event.starts_at, Event.name)).all()
    venue_ids = {event.venue_id for event, _ in rows}
    gates: dict[uuid.UUID, list[str]] = {}
    if venue_ids:
        for venue_id, code in session.exec(select(Gate.venue_id, Gate.gate_code).where(
                Gate.venue_id.in_(venue_ids), Gate.archived_at.is_(None)).order_by(Gate.gate_code)):
            gates.setdefault(venue_id, []).append(code)
    return [{"id": str(event.id), "name": event.name, "starts_at": _iso(event.starts_at), "ends_at": _iso(event.ends_at),
             "organization_name": org_name, "gates": gates.get(event.venue_id, [])} for event, org_name in rows]


def _event_for_user(session: Session, user: User, event_id, *, now: datetime) -> tuple[Event, rbac.TenantContext]:
    try:
        eid = event_id if isinstance(event_id, uuid.UUID) else uuid.UUID(str(event_id).strip())
    except ValueError:
        raise NotFound("not_found", "Event not found") from None
    event = session.get(Event, eid)
    if event is None:
        raise NotFound("not_found", "Event not found")
    try:
        ctx = tenancy.tenant_context_for(session, user_id=user.id, organization_id=event.organization_id)
    except NotFound:
        raise NotFound("not_found", "Event not found") from None
    rbac.require(ctx, rbac.can_scan, "scan tickets for this event")
    if event.status not in SCANNABLE_STATUSES or clock.aware(event.ends_at) <= now:
        raise Conflict("event_not_scannable", "This event is not open for scanning (not published, or it has ended)")
    return event, ctx


def _gate(session: Session, event: Event, gate_code) -> Gate | None:
    if gate_code is not None and not isinstance(gate_code, str):
        raise ValidationFailed({"gate_code": "Choose a gate of this event's venue, or any gate"})
    code = (gate_code or "").strip()
    if not code:
        return None
    gate = devices.gate_for_event(session, event, code) if len(code) <= 32 and code.isprintable() else None
    if gate is None:
        raise ValidationFailed({"gate_code": f"No gate {code[:32]!r} at this event's venue"})
    return gate


def _device_name(user: User, device_name) -> str:
    name = _text(device_name).strip()
    if device_name is not None and (not name or len(name) > 120 or not name.isprintable()):
        raise ValidationFailed({"device_name": "Give the device a name of 1–120 printable characters"})
    if not name:
        person = (user.full_name or "").strip() or user.email.split("@")[0]
        name = f"{person[:110]} · phone"
    return name


def sign_in_scanner(session: Session, *, email: str, password: str, client_address: str, event_id=None,
                    gate_code: str | None = None, device_name: str | None = None, now: datetime | None = None) -> dict:
    """Authenticate door staff; list their scannable events, or register a scanner device for one.

    See the module docstring for both answer shapes and the errors (401, 403, 404, 409, 422, 429).
    """
    now = clock.resolve(now)
    address = _text(client_address) or "unknown"
    ratelimit.hit("scanner-signin", address, ADDRESS_RATE)
    user = accounts.authenticate(session, email=_text(email), password=_text(password), client_address=address)
    org_ids = _scan_org_ids(session, user)
    if not org_ids:
        raise Forbidden("forbidden", "This account may not scan tickets; ask an organiser for door staff access")
    if event_id is None or (isinstance(event_id, str) and not event_id.strip()):
        return {"events": scannable_events(session, org_ids, now=now)}

    event, _ctx = _event_for_user(session, user, event_id, now=now)
    gate = _gate(session, event, gate_code)
    name = _device_name(user, device_name)
    token = devices.TOKEN_PREFIX + new_token(32)
    device = Device(organization_id=event.organization_id, event_id=event.id, gate_id=gate.id if gate else None,
                    name=name, token_hash=hash_token(token), created_at=now, last_seen_at=now,
                    registered_by_user_id=user.id)
    session.add(device)
    session.flush()
    audit.record(session, Actor("user", str(user.id)), "device.registered_by_staff", device,
                 {"name": name, "gate_code": gate.gate_code if gate else None, "address": address})
    session.commit()
    gate_code_out = gate.gate_code if gate else None
    return {
        "token": token,
        "device": {"id": str(device.id), "name": device.name, "gate_code": gate_code_out},
        "event": {"id": str(event.id), "name": event.name, "starts_at": _iso(event.starts_at),
                  "ends_at": _iso(event.ends_at)},
        "gate_code": gate_code_out,
    }
