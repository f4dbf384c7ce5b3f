"""Offline sync: idempotency, ordering, clamping, limits and the deterministic merge."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from tests.scan_factories import make_device, make_scan_setup
from voelgoed.models import Scan, Ticket
from voelgoed.services.gate import scan_sync, scanning
from voelgoed.services.platform import VoelgoedError


def _entry(qr, at, csid=None, gate=None):
    return {"client_scan_id": csid or uuid.uuid4().hex, "qr": qr, "scanned_at": at, "gate_code": gate, "local_result": "accepted"}


def test_sync_batch_orders_by_scanned_at_and_is_idempotent(db):
    _org, event, _tt, tickets = make_scan_setup(db, quantity=2)
    device, _ = make_device(db, event)
    t0 = datetime.now(UTC) - timedelta(minutes=30)
    batch = [_entry(tickets[0].qr_payload, t0 + timedelta(minutes=5), "late"),
             _entry(tickets[0].qr_payload, t0, "early"),
             _entry(tickets[1].qr_payload, t0 + timedelta(minutes=1), "other"),
             _entry("garbage", t0, "junk")]
    results = scan_sync.sync(db, device, scans=batch)
    assert [r["client_scan_id"] for r in results] == ["late", "early", "other", "junk"]
    by = {r["client_scan_id"]: r for r in results}
    assert by["early"]["result"] == "accepted"
    assert by["late"]["result"] == "duplicate_offline"
    assert by["late"]["first_scanned_at"] == t0.isoformat()
    assert by["other"]["result"] == "accepted"
    assert by["junk"]["result"] == "invalid"
    again = scan_sync.sync(db, device, scans=batch)
    assert [(r["client_scan_id"], r["result"]) for r in again] == [(r["client_scan_id"], r["result"]) for r in results]
    assert all(r.get("replayed") for r in again)
    assert len(db.exec(select(Scan).where(Scan.device_id == device.id)).all()) == 4
    db.refresh(tickets[0])
    assert tickets[0].checked_in_at == t0


def test_duplicates_inside_a_batch_first_wins(db):
    _org, event, _tt, tickets = make_scan_setup(db, quantity=1)
    device, _ = make_device(db, event)
    t0 = datetime.now(UTC) - timedelta(minutes=3)
    results = scan_sync.sync(db, device, scans=[_entry(tickets[0].qr_payload, t0, "dup"), _entry("garbage", t0, "dup")])
    assert [r["result"] for r in results] == ["accepted", "accepted"]
    assert len(db.exec(select(Scan).where(Scan.device_id == device.id)).all()) == 1


def test_future_times_are_clamped_and_too_many_refused(db):
    _org, event, _tt, tickets = make_scan_setup(db, quantity=1)
    device, _ = make_device(db, event)
    now = datetime.now(UTC)
    out = scan_sync.sync(db, device, scans=[_entry(tickets[0].qr_payload, now + timedelta(hours=5))], now=now)
    assert out[0]["scanned_at"] == now.isoformat()
    with pytest.raises(VoelgoedError) as e:
        scan_sync.sync(db, device, scans=[_entry("x", now) for _ in range(scan_sync.MAX_BATCH + 1)])
    assert e.value.code == "validation_failed"
    for bad in ([{"qr": "x"}], ["nope"], [{"client_scan_id": "a", "scanned_at": "yesterday"}], "not a list"):
        with pytest.raises(VoelgoedError) as e:
            scan_sync.sync(db, device, scans=bad)
        assert e.value.code == "validation_failed"


def test_late_earlier_offline_scan_takes_over_an_online_admission(db):
    _org, event, _tt, tickets = make_scan_setup(db, quantity=1)
    online, _ = make_device(db, event, name="online")
    offline, _ = make_device(db, event, name="offline")
    now = datetime.now(UTC)
    assert scanning.scan(db, online, qr=tickets[0].qr_payload, client_scan_id="on-1", gate_code="MAIN", now=now)["result"] == "accepted"
    earlier = now - timedelta(minutes=10)
    out = scan_sync.sync(db, offline, scans=[_entry(tickets[0].qr_payload, earlier, "off-1")], now=now)
    assert out[0]["result"] == "accepted"
    labels = {s.client_scan_id: s.result for s in db.exec(select(Scan).where(Scan.ticket_id == tickets[0].id))}
    assert labels == {"on-1": "duplicate_offline", "off-1": "accepted"}
    replay = scanning.scan(db, online, qr=tickets[0].qr_payload, client_scan_id="on-1", now=now)
    assert replay["result"] == "duplicate_offline"
    t = db.get(Ticket, tickets[0].id)
    db.refresh(t)
    assert t.checked_in_at == earlier and t.checked_in_gate_code is None


def _labels(db, ticket_ids):
    rows = db.exec(select(Scan).where(Scan.ticket_id.in_(ticket_ids))).all()
    return {s.client_scan_id: s.result for s in rows}


@pytest.mark.parametrize("order", list(itertools.permutations(range(3))))
def test_merge_is_deterministic_whatever_the_arrival_order(db, order):
    """Three devices scanned overlapping tickets offline; every arrival order yields the same labels."""
    _org, event, _tt, tickets = make_scan_setup(db, quantity=3)
    devs = [make_device(db, event, name=f"d{i}")[0] for i in range(3)]
    t0 = datetime.now(UTC) - timedelta(hours=1)
    q = [t.qr_payload for t in tickets]
    batches = [
        [_entry(q[0], t0 + timedelta(seconds=30), "a0"), _entry(q[1], t0 + timedelta(seconds=10), "a1")],
        [_entry(q[0], t0 + timedelta(seconds=5), "b0"), _entry(q[2], t0 + timedelta(seconds=50), "b2"),
         _entry(q[0], t0 + timedelta(seconds=60), "b0-again")],
        [_entry(q[1], t0 + timedelta(seconds=2), "c1"), _entry(q[2], t0 + timedelta(seconds=40), "c2"),
         _entry(q[0], t0 + timedelta(seconds=5), "c0-tie")],
    ]
    for i in order:
        scan_sync.sync(db, devs[i], scans=batches[i])
    for i in order:  # replays change nothing
        scan_sync.sync(db, devs[i], scans=batches[i])
    labels = _labels(db, [t.id for t in tickets])
    # b0 and c0-tie share the earliest time for ticket 0: the tie breaks on (device_id, client_scan_id)
    tie_winner = "b0" if str(devs[1].id) < str(devs[2].id) else "c0-tie"
    expected = {"a0": "duplicate_offline", "a1": "duplicate_offline", "b0": "duplicate_offline",
                "b2": "duplicate_offline", "b0-again": "duplicate_offline", "c1": "accepted", "c2": "accepted",
                "c0-tie": "duplicate_offline"}
    expected[tie_winner] = "accepted"
    assert labels == expected
    assert sum(1 for v in labels.values() if v == "accepted") == 3
    for t in tickets:
        db.refresh(t)
        assert t.status == "checked_in"
    assert tickets[1].checked_in_at == t0 + timedelta(seconds=2)
    assert tickets[2].checked_in_at == t0 + timedelta(seconds=40)
    # a replayed upload reports the current label
    replay = {r["client_scan_id"]: r["result"] for r in scan_sync.sync(db, devs[0], scans=batches[0])}
    assert replay == {"a0": "duplicate_offline", "a1": "duplicate_offline"}


def test_sync_with_revoked_and_wrong_inputs(db):
    _org, event, _tt, tickets = make_scan_setup(db, quantity=2)
    tickets[1].status = "voided"
    db.flush()
    device, _ = make_device(db, event)
    t0 = datetime.now(UTC) - timedelta(minutes=5)
    out = scan_sync.sync(db, device, scans=[_entry(tickets[1].qr_payload, t0), _entry("\x00\xff" * 5000, t0), _entry(None, t0),
                                            _entry(tickets[0].ticket_code, t0)])
    assert [r["result"] for r in out] == ["revoked", "invalid", "invalid", "accepted"]
