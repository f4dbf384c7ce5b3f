"""Venues and their gates (organiser side).

Every function takes a :class:`~voelgoed.services.platform.rbac.TenantContext`; another organisation's
venue or gate is 404 ``not_found``. Changes need ``rbac.can_manage_events`` (owner/admin/staff,
else 403 ``forbidden``), are audited (``venue.created|updated|archived``,
``gate.created|updated|archived``) and committed here.

Rules: ``timezone`` must be an IANA name (checked with :mod:`zoneinfo`), ``country`` an ISO 3166-1
alpha-2 code, ``capacity`` ≥ 0. ``gate_code`` is normalised to upper case (``[A-Z0-9_-]``, 1–32
characters) and unique per venue among all its gates, archived ones included, so a code printed on
old scanners never changes meaning (409 ``duplicate``).
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, func, select

from voelgoed.models import Gate, Venue
from voelgoed.services.catalog.catalog_common import clean_text, raise_if
from voelgoed.services.platform import (
    DEFAULT_TIMEZONE,
    Conflict,
    TenantContext,
    VoelgoedError,
    audit,
    clock,
    get_owned,
    iso,
    rbac,
    valid_timezone,
)

GATE_CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{0,31}$")
_VENUE_FIELDS = ("name", "address", "city", "country", "timezone", "capacity")


def _venue_values(data: dict[str, Any], *, partial: bool) -> dict[str, Any]:
    fields: dict[str, str] = {}
    out: dict[str, Any] = {}
    if not partial or "name" in data:
        out["name"] = clean_text(fields, "name", data.get("name"), max_len=200, required=True)
    if "address" in data:
        out["address"] = clean_text(fields, "address", data.get("address"), max_len=400)
    if "city" in data:
        out["city"] = clean_text(fields, "city", data.get("city"), max_len=120)
    if "country" in data or not partial:
        country = (clean_text(fields, "country", data.get("country") or "ZA", max_len=2)).upper()
        if not re.fullmatch(r"[A-Z]{2}", country):
            fields["country"] = "Use a two-letter country code such as ZA"
        out["country"] = country
    if "timezone" in data or not partial:
        tz = (data.get("timezone") or DEFAULT_TIMEZONE)
        tz = tz.strip() if isinstance(tz, str) else tz
        if not valid_timezone(tz):
            fields["timezone"] = "Use an IANA timezone such as Africa/Johannesburg"
        out["timezone"] = tz
    if "capacity" in data:
        cap = data.get("capacity")
        if cap in ("", None):
            out["capacity"] = None
        elif isinstance(cap, bool) or not isinstance(cap, int) or cap < 0 or cap > 10_000_000:
            fields["capacity"] = "Capacity must be a whole number from 0 to 10 000 000"
        else:
            out["capacity"] = cap
    raise_if(fields)
    return out


def _apply_changes(session: Session, ctx: TenantContext, row: Venue | Gate, changed: dict[str, Any], action: str) -> None:
    """Set ``changed`` on ``row``, audit ``action`` when anything changed, commit."""
    for key, value in changed.items():
        setattr(row, key, value)
    if changed:
        audit.record(session, ctx.actor, action, row, changed)
    session.commit()


def _archive(session: Session, ctx: TenantContext, model: type[Venue] | type[Gate], row_id: Any, kind: str, now,
             data=lambda row: None) -> Any:
    """Stamp ``archived_at`` once (idempotent), audit ``<kind>.archived`` with ``data(row)``, commit."""
    rbac.require(ctx, rbac.can_manage_events, f"archive {kind}s")
    row = get_owned(session, ctx, model, row_id, kind, lock=True)
    if row.archived_at is None:
        row.archived_at = clock.resolve(now)
        audit.record(session, ctx.actor, f"{kind}.archived", row, data(row))
        session.commit()
    return row


def create_venue(session: Session, ctx: TenantContext, *, name: str, address: str = "", city: str = "",
                 country: str = "ZA", timezone: str = DEFAULT_TIMEZONE, capacity: int | None = None) -> Venue:
    """Create a venue. Raises 403 ``forbidden``, 422 ``validation_failed`` (name, timezone, country, capacity)."""
    rbac.require(ctx, rbac.can_manage_events, "create venues")
    values = _venue_values(dict(name=name, address=address, city=city, country=country, timezone=timezone,
                                capacity=capacity), partial=False)
    venue = Venue(organization_id=ctx.organization_id, **values)
    session.add(venue)
    session.flush()
    audit.record(session, ctx.actor, "venue.created", venue, values)
    session.commit()
    return venue


def update_venue(session: Session, ctx: TenantContext, venue_id: Any, **changes: Any) -> Venue:
    """Change any of name/address/city/country/timezone/capacity. Raises 403, 404, 409 ``invalid_state`` (archived), 422."""
    rbac.require(ctx, rbac.can_manage_events, "edit venues")
    venue = get_owned(session, ctx, Venue, venue_id, "venue", lock=True)
    if venue.archived_at is not None:
        raise VoelgoedError("invalid_state", "An archived venue can't be edited")
    values = _venue_values({k: v for k, v in changes.items() if k in _VENUE_FIELDS}, partial=True)
    _apply_changes(session, ctx, venue, {k: v for k, v in values.items() if getattr(venue, k) != v}, "venue.updated")
    return venue


def archive_venue(session: Session, ctx: TenantContext, venue_id: Any, *, now=None) -> Venue:
    """Hide a venue from pickers (existing events keep it). Idempotent. Raises 403, 404."""
    return _archive(session, ctx, Venue, venue_id, "venue", now)


def get_venue(session: Session, ctx: TenantContext, venue_id: Any) -> Venue:
    """One venue of the organisation (403 without ``can_view_events``; 404 otherwise)."""
    rbac.require(ctx, rbac.can_view_events, "view venues")
    return get_owned(session, ctx, Venue, venue_id, "venue")


def list_venues(session: Session, ctx: TenantContext, *, include_archived: bool = False) -> list[Venue]:
    """The organisation's venues by name."""
    rbac.require(ctx, rbac.can_view_events, "view venues")
    stmt = select(Venue).where(Venue.organization_id == ctx.organization_id)
    if not include_archived:
        stmt = stmt.where(Venue.archived_at.is_(None))
    return list(session.exec(stmt.order_by(func.lower(Venue.name), Venue.created_at)))


# --- gates -------------------------------------------------------------------------------------


def normalise_gate_code(code: Any) -> str:
    """``" vip "`` → ``"VIP"``; raises 422 unless 1–32 of ``A-Z 0-9 _ -``."""
    text = (code if isinstance(code, str) else "").strip().upper().replace(" ", "-")
    if not GATE_CODE_RE.fullmatch(text):
        raise_if({"gate_code": "Use 1–32 letters, digits, '-' or '_' (e.g. MAIN, VIP, NORTH-1)"})
    return text


def _duplicate_gate(code: str, *, field: bool = True) -> Conflict:
    return Conflict("duplicate", f"This venue already has a gate {code}",
                    {"fields": {"gate_code": "Already used at this venue"}} if field else None)


def _code_taken(session: Session, venue_id, code: str, *, exclude=None) -> bool:
    stmt = select(Gate.id).where(Gate.venue_id == venue_id, Gate.gate_code == code)
    if exclude is not None:
        stmt = stmt.where(Gate.id != exclude)
    return session.exec(stmt).first() is not None


def create_gate(session: Session, ctx: TenantContext, venue_id: Any, *, gate_code: str, name: str = "") -> Gate:
    """Add a gate to a venue. Raises 403, 404 (venue), 409 ``duplicate`` (code exists), 409 ``invalid_state``, 422."""
    rbac.require(ctx, rbac.can_manage_events, "create gates")
    venue = get_owned(session, ctx, Venue, venue_id, "venue", lock=True)
    if venue.archived_at is not None:
        raise VoelgoedError("invalid_state", "An archived venue can't get new gates")
    code = normalise_gate_code(gate_code)
    fields: dict[str, str] = {}
    label = clean_text(fields, "name", name, max_len=120) or f"Gate {code}"
    raise_if(fields)
    if _code_taken(session, venue.id, code):
        raise _duplicate_gate(code)
    gate = Gate(organization_id=ctx.organization_id, venue_id=venue.id, gate_code=code, name=label)
    session.add(gate)
    try:
        session.flush()
    except IntegrityError:  # a concurrent create won the unique constraint
        session.rollback()
        raise _duplicate_gate(code, field=False) from None
    audit.record(session, ctx.actor, "gate.created", gate, {"gate_code": code, "name": label})
    session.commit()
    return gate


def update_gate(session: Session, ctx: TenantContext, gate_id: Any, *, gate_code: str | None = None, name: str | None = None) -> Gate:
    """Rename a gate or change its code. Raises 403, 404, 409 ``duplicate``/``invalid_state``, 422."""
    rbac.require(ctx, rbac.can_manage_events, "edit gates")
    gate = get_owned(session, ctx, Gate, gate_id, "gate", lock=True)
    if gate.archived_at is not None:
        raise VoelgoedError("invalid_state", "An archived gate can't be edited")
    changed: dict[str, Any] = {}
    if gate_code is not None:
        code = normalise_gate_code(gate_code)
        if code != gate.gate_code:
            if _code_taken(session, gate.venue_id, code, exclude=gate.id):
                raise _duplicate_gate(code)
            changed["gate_code"] = code
    if name is not None:
        fields: dict[str, str] = {}
        label = clean_text(fields, "name", name, max_len=120, required=True)
        raise_if(fields)
        if label != gate.name:
            changed["name"] = label
    _apply_changes(session, ctx, gate, changed, "gate.updated")
    return gate


def archive_gate(session: Session, ctx: TenantContext, gate_id: Any, *, now=None) -> Gate:
    """Retire a gate (its code stays reserved at the venue). Idempotent. Raises 403, 404."""
    return _archive(session, ctx, Gate, gate_id, "gate", now, lambda gate: {"gate_code": gate.gate_code})


def list_gates(session: Session, ctx: TenantContext, venue_id: Any, *, include_archived: bool = False) -> list[Gate]:
    """A venue's gates by code (404 for another organisation's venue)."""
    rbac.require(ctx, rbac.can_view_events, "view gates")
    venue = get_owned(session, ctx, Venue, venue_id, "venue")
    stmt = select(Gate).where(Gate.venue_id == venue.id)
    if not include_archived:
        stmt = stmt.where(Gate.archived_at.is_(None))
    return list(session.exec(stmt.order_by(Gate.gate_code)))


def gate_dict(gate: Gate) -> dict[str, Any]:
    """API shape: ``{id, venue_id, gate_code, name, archived, created_at}``."""
    return {"id": str(gate.id), "venue_id": str(gate.venue_id), "gate_code": gate.gate_code, "name": gate.name,
            "archived": gate.archived_at is not None, "created_at": iso(gate.created_at)}


def venue_dict(venue: Venue, gates: list[Gate] | None = None) -> dict[str, Any]:
    """API shape: ``{id, name, address, city, country, timezone, capacity, archived, created_at[, gates]}``."""
    out: dict[str, Any] = {
        "id": str(venue.id), "name": venue.name, "address": venue.address, "city": venue.city,
        "country": venue.country, "timezone": venue.timezone, "capacity": venue.capacity,
        "archived": venue.archived_at is not None, "created_at": iso(venue.created_at),
    }
    if gates is not None:
        out["gates"] = [gate_dict(g) for g in gates]
    return out
