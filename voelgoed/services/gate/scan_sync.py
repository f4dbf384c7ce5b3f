"""Offline upload (``POST /api/v1/scanner/sync``): idempotent, ordered, deterministic merge.

See :mod:`voelgoed.services.gate.scanning` for the rules and docs/scanner-contract.md for the contract.
The merge key of an admissible scan is ``(scanned_at, device_id, client_scan_id)``; the smallest key
of a ticket is its admission, whatever order devices reconnect in.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from voelgoed.models import Device, Scan, Ticket
from voelgoed.services.gate import scan_support as sup
from voelgoed.services.gate.scanning import _check_client_scan_id, _replay, _stored, _ticket_view, event_cancelled
from voelgoed.services.platform import Busy, ValidationFailed, clock, outbox, stats_feed, webhook_events
from voelgoed.services.tickets import labels_for

MAX_BATCH = 5000
CHUNK = 500
_SCAN, _TK = Scan.__table__, Ticket.__table__
# Core statements (typed binds on every dialect; FOR UPDATE is dropped on SQLite, whose writers are serialised)
_LOCK_TICKETS = (select(_TK.c.id, _TK.c.ticket_code, _TK.c.holder_name, _TK.c.ticket_type_id, _TK.c.status,
                        _TK.c.checked_in_at, _TK.c.checked_in_gate_code, _TK.c.seat_id)
                 .where(_TK.c.id.in_(bindparam("ids", expanding=True)), _TK.c.event_id == bindparam("e"))
                 .order_by(_TK.c.id).with_for_update())
_ADMISSIONS = (select(_SCAN.c.id, _SCAN.c.ticket_id, _SCAN.c.scanned_at, _SCAN.c.device_id, _SCAN.c.client_scan_id)
               .where(_SCAN.c.ticket_id.in_(bindparam("ids", expanding=True)), _SCAN.c.result == "accepted"))
_INSERT = insert(_SCAN)
_CHECK_IN = (update(_TK).where(_TK.c.id == bindparam("tid"))
             .values(status="checked_in", checked_in_at=bindparam("t"), checked_in_gate_code=bindparam("g"),
                     updated_at=bindparam("now")))
_RELABEL = (update(_SCAN).where(_SCAN.c.id == bindparam("sid"))
            .values(result="duplicate_offline", updated_at=bindparam("now")))  # read API: updated_since sees it


class _Item:
    __slots__ = ("csid", "qr", "gate_code", "when", "local", "gate", "ident")

    def __init__(self, csid, qr, gate_code, when, local):
        self.csid, self.qr, self.gate_code, self.when, self.local = csid, qr, gate_code, when, local


def _parse(scans: object, now: datetime) -> list[_Item]:
    if not isinstance(scans, list):
        raise ValidationFailed({"scans": "scans must be a list"})
    if len(scans) > MAX_BATCH:
        raise ValidationFailed({"scans": f"Upload at most {MAX_BATCH} scans per request (got {len(scans)})"})
    items = []
    for i, s in enumerate(scans):
        if not isinstance(s, dict):
            raise ValidationFailed({f"scans.{i}": "each scan must be an object"})
        csid = _check_client_scan_id(s.get("client_scan_id"), f"scans.{i}.client_scan_id")
        when = s.get("scanned_at")
        if when is not None and not isinstance(when, datetime):
            raise ValidationFailed({f"scans.{i}.scanned_at": "scanned_at must be an RFC 3339 time"})
        local = s.get("local_result")
        items.append(_Item(csid, s.get("qr"), s.get("gate_code"), sup.clamp_time(when, now),
                           sup.excerpt(local)[:24] if isinstance(local, str) else None))
    return items


def sync(session: Session, device: Device, *, scans: list[dict], now: datetime | None = None) -> list[dict]:
    """Upload offline scans → one result per uploaded scan, in upload order. Commits per chunk of 500.

    Each scan: ``{client_scan_id, qr, gate_code?, scanned_at, local_result?}`` (``scanned_at`` a
    datetime; missing, more than 2 min in the future or older than 30 days → the received time).
    Each result: ``{client_scan_id, result, scanned_at, ticket?, first_scanned_at?, first_gate_code?,
    replayed?}`` (``ticket.seat``: ``{section, row, seat, label}`` or ``None``, as in the online answer). A ``client_scan_id`` already stored for this device (earlier upload or online scan)
    is answered from the store with its current label; repeated within one batch, the first wins.
    Errors: 422 ``validation_failed`` (more than :data:`MAX_BATCH` scans, bad client_scan_id, bad
    time), 503 ``busy`` if a concurrent upload of the same scans keeps conflicting.
    """
    now = clock.resolve(now)
    items = _parse(scans, now)
    info = sup.event_info(session, device.event_id)
    unique: dict[str, _Item] = {}
    for it in items:
        unique.setdefault(it.csid, it)
    ordered = sorted(unique.values(), key=lambda it: (it.when, it.csid))
    results: dict[str, dict] = {}
    for start in range(0, len(ordered), CHUNK):
        chunk = ordered[start:start + CHUNK]
        for _attempt in range(3):
            try:
                results.update(_sync_chunk(session, device, info, chunk, now))
                break
            except IntegrityError:  # the same scans uploaded concurrently: retry, they are now stored
                session.rollback()
        else:
            raise Busy("busy", "The same scans are being uploaded by another request; retry shortly")
    if ordered:
        stats_feed.touch(device.event_id, device.organization_id)
    return [results[it.csid] for it in items]


def _sync_chunk(session: Session, device: Device, info: sup.EventInfo, chunk: list[_Item], now: datetime) -> dict[str, dict]:
    stored = _stored(session, device, [it.csid for it in chunk])
    results = {csid: _replay(session, info, row) for csid, row in stored.items()}
    new = [it for it in chunk if it.csid not in stored]
    for it in new:
        it.gate = sup.resolve_gate(session, info, device.gate_id, it.gate_code)
        it.ident = sup.identify(session, info, it.qr, it.when)
    cancelled = bool(new) and event_cancelled(session, info.event_id)
    ids = sorted({it.ident.ticket_id for it in new if it.ident.result is None or it.ident.result == "not_valid_now"})
    tickets = {r.id: r for r in session.execute(_LOCK_TICKETS, {"ids": ids, "e": info.event_id})} if ids else {}
    admissions = {}
    if ids:
        for r in session.execute(_ADMISSIONS, {"ids": ids}):
            admissions[r.ticket_id] = ((clock.aware(r.scanned_at), str(r.device_id), r.client_scan_id), r.id)
    state = {tid: {"status": r.status, "at": clock.aware(r.checked_in_at), "gate": r.checked_in_gate_code}
             for tid, r in tickets.items()}
    rows, first_admissions = [], []
    for it in new:
        scan_id, result, tid = uuid.uuid4(), it.ident.result, it.ident.ticket_id
        if cancelled and result in (None, "not_valid_now") and tid in tickets:
            result = "event_cancelled"  # a genuine ticket of a cancelled event: never admitted
        elif result is None:
            st = state.get(tid)
            if st is None:
                result = "invalid"
            elif st["status"] in ("voided", "refunded"):
                result = "revoked"
            elif st["status"] == "valid":
                result = "accepted"
                first_admissions.append((tid, scan_id, it))
            elif st["status"] == "checked_in":
                key = (it.when, str(device.id), it.csid)
                current = admissions.get(tid)
                current_key = current[0] if current else (st["at"], "", "")
                if current_key[0] is not None and key < current_key:
                    if current:
                        session.execute(_RELABEL, {"sid": current[1], "now": now})
                    result = "accepted"
                else:
                    result = "duplicate_offline"
            else:
                result = "invalid"
            if result == "accepted":
                session.execute(_CHECK_IN, {"t": it.when, "g": it.gate, "now": now, "tid": tid})
                st.update(status="checked_in", at=it.when, gate=it.gate)
                admissions[tid] = ((it.when, str(device.id), it.csid), scan_id)
        rows.append({"id": scan_id, "organization_id": device.organization_id, "event_id": device.event_id,
                     "device_id": device.id, "ticket_id": tid if result != "wrong_event" else None,
                     "client_scan_id": it.csid, "gate_code": it.gate, "qr_excerpt": sup.excerpt(it.qr),
                     "result": result, "local_result": it.local, "offline": True,
                     "scanned_at": it.when, "received_at": now, "updated_at": now})
        results[it.csid] = (result, tid, it)
    if rows:
        session.execute(_INSERT, rows)
    hooked = [webhook_events.emit(session, event_type="ticket.checked_in", organization_id=device.organization_id, now=now,
                                  payload={"ticket_id": tid, "event_id": info.event_id, "scan_id": sid, "gate_code": it.gate,
                                           "checked_in_at": it.when.isoformat()})
              for tid, sid, it in first_admissions
              if webhook_events.wanted(session, device.organization_id, "ticket.checked_in")]
    session.commit()
    if any(hooked):
        outbox.nudge()
    out = {}
    seats = labels_for(session, [r.seat_id for r in tickets.values()])  # one query for the chunk's seated tickets
    for csid, value in results.items():
        if isinstance(value, dict):
            out[csid] = value
            continue
        result, tid, it = value
        entry = {"client_scan_id": csid, "result": result, "scanned_at": it.when.isoformat()}
        row = tickets.get(tid)
        if row is not None and result != "wrong_event":
            entry["ticket"] = _ticket_view(session, info, row.ticket_code, row.holder_name, row.ticket_type_id, row.id,
                                           row.seat_id, seats)
            if result == "duplicate_offline":
                st = state[tid]
                entry["first_scanned_at"] = st["at"].isoformat() if st["at"] else None
                entry["first_gate_code"] = st["gate"]
        out[csid] = entry
    return out
