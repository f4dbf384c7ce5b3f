"""The embedded default (`make run` without DATABASE_URL) is SQLite: the scanner path must work there too.

Regression: raw SQL bound ``uuid.UUID`` values, which SQLite cannot bind, so ``GET /api/v1/scanner/manifest``
answered 503 on the demo. Here the manifest, an online scan and an offline sync run on a real SQLite file.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from tests.scan_factories import make_device, make_scan_setup, owner_ctx
from voelgoed.models import Scan, Ticket
from voelgoed.services.gate import devices, scan_support, scan_sync, scanning
from voelgoed.services.insights import stats


@pytest.fixture
def sqlite_session(tmp_path, engine):
    from voelgoed.cli import db_upgrade
    from voelgoed.services.platform import make_engine

    url = f"sqlite:///{tmp_path / 'embedded.db'}"
    db_upgrade(url)
    eng = make_engine(url)
    scan_support.clear_cache()
    with Session(eng, expire_on_commit=False) as session:
        yield session
    scan_support.clear_cache()
    eng.dispose()


def test_manifest_scan_and_sync_on_sqlite(sqlite_session, redis_client):
    s = sqlite_session
    _org, event, _tt, tickets = make_scan_setup(s, quantity=3)
    _device, token = make_device(s, event)
    s.commit()
    device = devices.authenticate_device(s, token)
    m = scanning.manifest(s, device)
    assert m["event"]["id"] == str(event.id) and m["event"]["status"] == "live"
    assert sorted(t["ticket_id"] for t in m["tickets"]) == sorted(str(t.id) for t in tickets)
    assert m["public_keys"]
    assert [g["gate_code"] for g in m["gates"]] == ["MAIN"]

    first = scanning.scan(s, device, qr=tickets[0].qr_payload, gate_code="MAIN", client_scan_id="on-1")
    assert first["result"] == "accepted" and first["ticket"]["ticket_code"] == tickets[0].ticket_code
    assert scanning.scan(s, device, qr=tickets[0].qr_payload, client_scan_id="on-2")["result"] == "already_scanned"
    assert scanning.scan(s, device, qr=tickets[0].ticket_code, client_scan_id="on-3")["result"] == "already_scanned"
    assert scanning.scan(s, device, qr=tickets[0].qr_payload, client_scan_id="on-1")["replayed"] is True

    now = datetime.now(UTC)
    results = scan_sync.sync(s, device, scans=[
        {"client_scan_id": "off-1", "qr": tickets[1].qr_payload, "scanned_at": now - timedelta(minutes=3), "local_result": "accepted"},
        {"client_scan_id": "off-2", "qr": tickets[1].qr_payload, "scanned_at": now - timedelta(minutes=2), "local_result": "accepted"},
        {"client_scan_id": "off-3", "qr": "garbage", "scanned_at": now - timedelta(minutes=1)},
        {"client_scan_id": "off-4", "qr": tickets[2].ticket_code, "scanned_at": now - timedelta(minutes=1)},
    ])
    assert [r["result"] for r in results] == ["accepted", "duplicate_offline", "invalid", "accepted"]
    again = scan_sync.sync(s, device, scans=[{"client_scan_id": "off-1", "qr": tickets[1].qr_payload,
                                              "scanned_at": now - timedelta(minutes=3)}])
    assert again[0]["result"] == "accepted" and again[0]["replayed"] is True
    s.expire_all()
    assert {t.status for t in s.exec(select(Ticket)).all()} == {"checked_in"}
    assert len(s.exec(select(Scan)).all()) == 7
    assert uuid.UUID(m["device"]["id"]) == device.id


def test_live_dashboard_stats_on_sqlite(sqlite_session, redis_client):
    """The live dashboard's numbers (``stats.event_stats``: raw SQL with typed ids and timestamps) on SQLite."""
    s = sqlite_session
    org, event, tt, tickets = make_scan_setup(s, quantity=3)
    device, _token = make_device(s, event)
    s.commit()
    now = datetime.now(UTC)
    scanning.scan(s, device, qr=tickets[0].qr_payload, gate_code="MAIN", client_scan_id="dash-1", now=now)
    snap = stats.event_stats(s, owner_ctx(org), event.id, now=now)
    assert (snap["tickets_sold"], snap["checked_in"]) == (3, 1)
    assert snap["by_ticket_type"][0]["ticket_type_id"] == str(tt.id) and snap["by_ticket_type"][0]["checked_in"] == 1
    assert snap["by_gate"] == [{"gate_code": "MAIN", "checked_in": 1}]
    assert sum(a["count"] for a in snap["arrivals_per_minute"]) == 1
    assert [r["ticket_code"] for r in snap["recent_scans"]] == [tickets[0].ticket_code]
