"""Gate admission: online scans, offline sync with a deterministic merge, the device manifest.

Contract: docs/api-v1.md (Scanner endpoints) and docs/scanner-contract.md.

Rules
- Every scan is stored (:class:`~voelgoed.models.Scan`), whatever its result, keyed by
  ``(device_id, client_scan_id)``: a retry returns the stored result (with its *current* label).
- Admission happens exactly once per ticket. Online: one conditional
  ``UPDATE ticket SET status='checked_in' … WHERE id=:id AND status='valid'`` — 1 row → ``accepted``,
  0 rows → the ticket is re-read → ``already_scanned`` (with ``first_scanned_at``/``first_gate_code``)
  or ``revoked`` (voided/refunded).
- Offline uploads (``sync``): a ticket's admission is its admissible scan with the smallest key
  ``(scanned_at, device_id, client_scan_id)`` across all devices. An earlier scan arriving late takes
  the admission over (ticket ``checked_in_at``/gate move to it) and the superseded scan is
  re-labelled ``duplicate_offline``; later ones are ``duplicate_offline``. Ticket rows are locked
  (``SELECT … FOR UPDATE`` in id order, one statement per chunk, so concurrent uploads never deadlock).
- A genuine ticket of a **cancelled** event (one that would otherwise be admitted, repeated, revoked or
  outside its window) is answered ``event_cancelled`` online and in uploads, and never admitted; the
  manifest's ``event.status`` tells offline devices the same (docs/scanner-contract.md).
- ``scanned_at`` more than ``scan_support.CLOCK_SKEW`` (2 min) in the future, or older than
  ``scan_support.MAX_AGE`` (30 days), is replaced by the time the server received it. A batch holds at most :data:`MAX_BATCH` scans (422 beyond).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from voelgoed.models import Device, Event, EventSeat, Gate, Scan, ScanResult, Ticket
from voelgoed.services.catalog import effective_status
from voelgoed.services.gate import scan_support as sup
from voelgoed.services.platform import ValidationFailed, clock, is_postgres, outbox, stats_feed, webhook_events
from voelgoed.services.tickets import SeatLabels, labels_for, seat_dict, ticket_identity

ACCEPTED = ScanResult.accepted.value
# Core statements on the model tables, so every dialect binds UUIDs and times with the columns' types
# (raw SQL bound uuid.UUID values, which SQLite — the embedded default — cannot bind).
_SCAN, _TK, _EV, _GATE, _DEV = (m.__table__ for m in (Scan, Ticket, Event, Gate, Device))
_TICKET_COLS = (_TK.c.id, _TK.c.ticket_code, _TK.c.holder_name, _TK.c.ticket_type_id, _TK.c.status,
                _TK.c.checked_in_at, _TK.c.checked_in_gate_code, _TK.c.seat_id)
_SEAT = EventSeat.__table__


def _insert_scan_stmt(dialect_module):
    return (dialect_module.insert(_SCAN).on_conflict_do_nothing(index_elements=["device_id", "client_scan_id"])
            .returning(_SCAN.c.id))


_INSERT_SCAN = {"postgresql": _insert_scan_stmt(postgresql), "sqlite": _insert_scan_stmt(sqlite)}


def _admit_statement(guarded: bool):
    """The one-statement admission: ``UPDATE ticket … WHERE status = 'valid'`` (the guard) ``RETURNING …``."""
    cond = [_TK.c.id == bindparam("tid"), _TK.c.event_id == bindparam("e"),
            select(_EV.c.id).where(_EV.c.id == bindparam("e"), _EV.c.status != "cancelled").exists()]
    if guarded:
        cond.append(_TK.c.status == "valid")
    return (update(_TK).where(*cond)
            .values(status="checked_in", checked_in_at=bindparam("t"), checked_in_gate_code=bindparam("g"),
                    updated_at=bindparam("now"))
            .returning(_TK.c.ticket_code, _TK.c.holder_name, _TK.c.ticket_type_id, _TK.c.seat_id))


_ADMIT, _ADMIT_UNGUARDED = _admit_statement(True), _admit_statement(False)
# TESTS ONLY (the race tests' control): False drops the ``status = 'valid'`` condition, so the control shows
# the double admission that condition prevents. Never changed by the app.
ADMISSION_GUARD = True
_TICKET = select(*_TICKET_COLS).where(_TK.c.id == bindparam("tid"), _TK.c.event_id == bindparam("e"))
_EVENT_STATUS = select(_EV.c.status).where(_EV.c.id == bindparam("e"))
CANCELLED = "cancelled"


def event_cancelled(session: Session, event_id: uuid.UUID) -> bool:
    """Whether the event is cancelled now (read fresh from the database, never from a cache)."""
    return session.execute(_EVENT_STATUS, {"e": event_id}).scalar() == CANCELLED


def _check_client_scan_id(value: object, field: str = "client_scan_id") -> str:
    if not isinstance(value, str) or not 1 <= len(value) <= 64 or sup.excerpt(value) != value:
        raise ValidationFailed({field: "client_scan_id must be 1–64 printable ASCII characters"})
    return value


def seat_view(session: Session, seat_id: uuid.UUID | None, known: dict | None = None) -> dict | None:
    """The ``seat`` of a scan answer's ticket: ``{section, row, seat, label}`` (current labels of the event seat,
    docs/scanner-contract.md) or ``None`` for general admission. ``known``: labels already read in bulk."""
    if seat_id is None:
        return None
    labels = (known or {}).get(seat_id)
    if labels is None:
        labels = labels_for(session, [seat_id]).get(seat_id)
    return seat_dict(labels)


def _ticket_view(session: Session, info: sup.EventInfo, code: str, holder: str, type_id, ticket_id,
                 seat_id: uuid.UUID | None = None, seats: dict | None = None) -> dict:
    return {"id": str(ticket_id), "ticket_code": code, "ticket_type": sup.type_name(session, info, type_id),
            "holder_name": holder, "seat": seat_view(session, seat_id, seats)}


def _present(session: Session, info: sup.EventInfo, result: str, ticket_row, **extra) -> dict:
    out: dict = {"result": result, **extra}
    if ticket_row is not None and result != "wrong_event":
        out["ticket"] = _ticket_view(session, info, ticket_row.ticket_code, ticket_row.holder_name,
                                     ticket_row.ticket_type_id, ticket_row.id, ticket_row.seat_id)
        if result in ("already_scanned", "duplicate_offline") and ticket_row.checked_in_at is not None:
            out["first_scanned_at"] = clock.aware(ticket_row.checked_in_at).isoformat()
            out["first_gate_code"] = ticket_row.checked_in_gate_code
    return out


def _stored(session: Session, device: Device, client_scan_ids: list[str]) -> dict[str, tuple]:
    if not client_scan_ids:
        return {}
    stmt = (select(_SCAN.c.client_scan_id, _SCAN.c.result, _SCAN.c.ticket_id, _SCAN.c.scanned_at, _SCAN.c.gate_code)
            .where(_SCAN.c.device_id == device.id, _SCAN.c.client_scan_id.in_(client_scan_ids)))
    return {r[0]: r for r in session.execute(stmt)}


def _replay(session: Session, info: sup.EventInfo, stored) -> dict:
    csid, result, ticket_id, scanned_at, _gate = stored
    row = session.execute(_TICKET, {"tid": ticket_id, "e": info.event_id}).first() if ticket_id else None
    return {"client_scan_id": csid, "scanned_at": clock.aware(scanned_at).isoformat(), "replayed": True,
            **_present(session, info, result, row)}


def scan(session: Session, device: Device, *, qr: object, gate_code: str | None = None,
         scanned_at: datetime | None = None, client_scan_id: str, now: datetime | None = None) -> dict:
    """Check one scan online and admit the ticket if it may enter. Commits.

    Returns ``{result, client_scan_id, scanned_at, ticket?: {id, ticket_code, ticket_type, holder_name, seat},
    first_scanned_at?, first_gate_code?, replayed?}`` (api-v1.md; ``seat`` — added — is ``{section, row, seat,
    label}`` for a seated ticket, ``None`` otherwise). ``qr`` is the scanned string: a
    signed ``VG1:`` payload or a ticket code typed by hand. Raises 422 ``validation_failed`` only for
    a bad ``client_scan_id``; any ``qr`` (garbage, binary, huge) is answered ``invalid``.
    """
    now = clock.resolve(now)
    csid = _check_client_scan_id(client_scan_id)
    info = sup.event_info(session, device.event_id)
    when = sup.clamp_time(scanned_at, now)
    gate = sup.resolve_gate(session, info, device.gate_id, gate_code)
    ident = sup.identify(session, info, qr, when)
    result, row = ident.result, None
    if result is None:
        admitted = session.execute(_ADMIT if ADMISSION_GUARD else _ADMIT_UNGUARDED, {"t": when, "g": gate, "now": now, "tid": ident.ticket_id, "e": info.event_id}).first()
        if admitted is not None:
            result = ACCEPTED
            ticket = _ticket_view(session, info, admitted.ticket_code, admitted.holder_name, admitted.ticket_type_id,
                                  ident.ticket_id, admitted.seat_id)
        else:
            row = session.execute(_TICKET, {"tid": ident.ticket_id, "e": info.event_id}).first()
            result = ("invalid" if row is None else ScanResult.event_cancelled.value if event_cancelled(session, info.event_id)
                      else "revoked" if row.status in ("voided", "refunded")
                      else "already_scanned" if row.status == "checked_in" else "invalid")
    elif result == "not_valid_now":
        row = session.execute(_TICKET, {"tid": ident.ticket_id, "e": info.event_id}).first()
        if row is not None and event_cancelled(session, info.event_id):
            result = ScanResult.event_cancelled.value
    inserted = session.execute(_INSERT_SCAN["postgresql" if is_postgres(session) else "sqlite"], {
        "id": uuid.uuid4(), "organization_id": device.organization_id, "event_id": device.event_id, "device_id": device.id,
        "ticket_id": ident.ticket_id if result != "wrong_event" else None, "client_scan_id": csid, "gate_code": gate,
        "qr_excerpt": sup.excerpt(qr), "result": result, "local_result": None, "offline": False,
        "scanned_at": when, "received_at": now, "updated_at": now}).first()
    if inserted is None:  # a retry of a scan already stored: undo this attempt, answer what was stored
        session.rollback()
        return _replay(session, info, _stored(session, device, [csid])[csid])
    _touch_device(session, device, now)
    hooked = result == ACCEPTED and webhook_events.emit(
        session, event_type="ticket.checked_in", organization_id=device.organization_id, now=now,
        payload={"ticket_id": ident.ticket_id, "event_id": info.event_id, "scan_id": inserted[0],
                 "gate_code": gate, "checked_in_at": when.isoformat()})
    session.commit()
    stats_feed.touch(device.event_id, device.organization_id)
    if hooked:
        outbox.nudge()
    out = {"client_scan_id": csid, "scanned_at": when.isoformat()}
    if result == ACCEPTED:
        return {**out, "result": result, "ticket": ticket}
    return {**out, **_present(session, info, result, row)}


def _touch_device(session: Session, device: Device, now: datetime) -> None:
    seen = clock.aware(device.last_seen_at)
    if seen is None or (now - seen).total_seconds() > 60:
        session.execute(update(_DEV).where(_DEV.c.id == device.id).values(last_seen_at=now))


def manifest(session: Session, device: Device, *, now: datetime | None = None) -> dict:
    """All a device needs to decide offline (api-v1.md): event, gates, public keys, tickets, revoked ids.

    ``{event: {id, name, starts_at, ends_at, status}, device: {id, name, gate_code}, gates: [{gate_code, name}],
    public_keys: [{key_id, algorithm, public_key}], tickets: [{ticket_id, ticket_code, status,
    ticket_type, holder_name, checked_in_at, checked_in_gate_code, seat}], revoked: [ticket_id], generated_at}``;
    ``seat`` = ``{section, row, seat, label}`` (the event seat's current labels, one outer join) or ``None``.
    """
    now = clock.resolve(now)
    info = sup.event_info(session, device.event_id, refresh=True)
    ev = session.execute(select(_EV.c.id, _EV.c.name, _EV.c.starts_at, _EV.c.ends_at, _EV.c.status)
                         .where(_EV.c.id == device.event_id)).first()
    gates = session.execute(select(_GATE.c.gate_code, _GATE.c.name).where(_GATE.c.venue_id == info.venue_id,
                                                                        _GATE.c.archived_at.is_(None))
                            .order_by(_GATE.c.gate_code)).all()
    rows = session.execute(select(*_TICKET_COLS, _SEAT.c.section_label, _SEAT.c.row_label, _SEAT.c.seat_label)
                           .select_from(_TK.outerjoin(_SEAT, _SEAT.c.id == _TK.c.seat_id))
                           .where(_TK.c.event_id == device.event_id).order_by(_TK.c.ticket_code)).all()
    tickets = [{"ticket_id": str(r.id), "ticket_code": r.ticket_code, "status": r.status,
                "ticket_type": sup.type_name(session, info, r.ticket_type_id), "holder_name": r.holder_name,
                "checked_in_at": clock.aware(r.checked_in_at).isoformat() if r.checked_in_at else None,
                "checked_in_gate_code": r.checked_in_gate_code,
                "seat": None if r.section_label is None else
                seat_dict(SeatLabels(r.section_label, r.row_label or "", r.seat_label or ""))} for r in rows]
    _touch_device(session, device, now)
    session.commit()
    return {
        "event": {"id": str(ev.id), "name": ev.name, "starts_at": clock.aware(ev.starts_at).isoformat(),
                  "ends_at": clock.aware(ev.ends_at).isoformat(), "status": effective_status(ev, now)},
        "device": {"id": str(device.id), "name": device.name, "gate_code": sup.device_gate(session, device.gate_id)},
        "gates": [{"gate_code": g.gate_code, "name": g.name} for g in gates],
        "public_keys": ticket_identity.event_public_keys(session, device.event_id),
        "tickets": tickets,
        "revoked": [t["ticket_id"] for t in tickets if t["status"] in ("voided", "refunded")],
        "generated_at": now.isoformat(),
    }



__all__ = ["manifest", "scan"]
