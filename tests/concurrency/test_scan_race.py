"""Admission exactly once under real concurrency (threads, one session each, real commits)."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, select

from tests.scan_factories import make_device, make_scan_setup
from voelgoed.models import Device, Scan, Ticket
from voelgoed.services.gate import scan_sync, scanning


def _run_all(engine, device_ids, work):
    barrier = threading.Barrier(len(device_ids))
    results, errors = [], []

    def run(device_id):
        with Session(engine, expire_on_commit=False) as s:
            device = s.get(Device, device_id)
            barrier.wait()
            try:
                results.append(work(s, device))
            except Exception as exc:  # pragma: no cover - reported below
                errors.append(repr(exc))

    threads = [threading.Thread(target=run, args=(d,)) for d in device_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, errors


def test_same_ticket_scanned_by_24_devices_at_once(committed_db, engine):
    _org, event, _tt, tickets = make_scan_setup(committed_db, quantity=1)
    device_ids = [make_device(committed_db, event, name=f"phone {i}")[0].id for i in range(24)]
    committed_db.commit()
    qr = tickets[0].qr_payload
    results, errors = _run_all(engine, device_ids,
                               lambda s, d: scanning.scan(s, d, qr=qr, gate_code="MAIN", client_scan_id=uuid.uuid4().hex)["result"])
    assert errors == []
    assert sorted(results).count("accepted") == 1
    assert sorted(results).count("already_scanned") == 23
    committed_db.expire_all()
    rows = committed_db.exec(select(Scan).where(Scan.ticket_id == tickets[0].id)).all()
    assert len(rows) == 24 and sum(r.result == "accepted" for r in rows) == 1
    assert committed_db.get(Ticket, tickets[0].id).status == "checked_in"


def test_control_without_the_conditional_update_would_double_admit(committed_db, engine, monkeypatch):
    """The control: the same race through the real ``scanning.scan`` with the app's guard (the admission
    UPDATE's ``status = 'valid'`` condition) switched off admits one ticket at several doors."""
    _org, event, _tt, tickets = make_scan_setup(committed_db, quantity=1)
    device_ids = [make_device(committed_db, event, name=f"phone {i}")[0].id for i in range(12)]
    committed_db.commit()
    monkeypatch.setattr(scanning, "ADMISSION_GUARD", False)
    qr = tickets[0].qr_payload
    results, errors = _run_all(engine, device_ids,
                               lambda s, d: scanning.scan(s, d, qr=qr, gate_code="MAIN", client_scan_id=uuid.uuid4().hex)["result"])
    assert errors == []
    assert results.count("accepted") > 1  # without the guard, several doors let the same ticket in
    committed_db.expire_all()
    rows = committed_db.exec(select(Scan).where(Scan.ticket_id == tickets[0].id)).all()
    assert sum(r.result == "accepted" for r in rows) > 1


def test_overlapping_offline_uploads_from_8_devices_at_once(committed_db, engine):
    _org, event, _tt, tickets = make_scan_setup(committed_db, quantity=30)
    device_ids = [make_device(committed_db, event, name=f"phone {i}")[0].id for i in range(8)]
    committed_db.commit()
    t0 = datetime.now(UTC) - timedelta(hours=1)
    batches = {}
    for n, d in enumerate(device_ids):  # every device saw every ticket, at different times
        batches[d] = [{"client_scan_id": f"{n}-{i}", "qr": t.qr_payload, "gate_code": "MAIN",
                       "scanned_at": t0 + timedelta(seconds=(i * 7 + n * 13) % 97 + n)} for i, t in enumerate(reversed(tickets))]

    results, errors = _run_all(engine, device_ids, lambda s, d: scan_sync.sync(s, d, scans=batches[d.id]))
    assert errors == []
    committed_db.expire_all()
    for t in tickets:
        rows = committed_db.exec(select(Scan).where(Scan.ticket_id == t.id)).all()
        assert len(rows) == 8
        winners = [r for r in rows if r.result == "accepted"]
        assert len(winners) == 1
        earliest = min(rows, key=lambda r: (r.scanned_at, str(r.device_id), r.client_scan_id))
        assert winners[0].id == earliest.id
        assert all(r.result == "duplicate_offline" for r in rows if r.id != earliest.id)
        ticket = committed_db.get(Ticket, t.id)
        assert ticket.checked_in_at == earliest.scanned_at
