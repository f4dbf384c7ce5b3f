"""Event stats: counters, live holds only, check-ins by gate/type, snapshot sharing and Redis loss."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.factories import make_org
from tests.scan_factories import make_device, make_scan_setup, owner_ctx
from voelgoed.models import Hold, HoldItem
from voelgoed.services.gate import scanning
from voelgoed.services.insights import stats
from voelgoed.services.platform import TenantContext, VoelgoedError, stats_feed


def _hold(db, tt, qty, expires_at, status="active"):
    h = Hold(organization_id=tt.organization_id, event_id=tt.event_id, status=status, expires_at=expires_at)
    db.add(h)
    db.flush()
    db.add(HoldItem(organization_id=tt.organization_id, hold_id=h.id, ticket_type_id=tt.id, quantity=qty, unit_price_cents=tt.price_cents))
    db.flush()


def test_stats_shape_and_numbers(db, redis_client):
    org, event, tt, tickets = make_scan_setup(db, quantity=4)
    now = datetime.now(UTC)
    _hold(db, tt, 5, now + timedelta(minutes=3))
    _hold(db, tt, 7, now - timedelta(minutes=1))  # expired, job not run yet: never counts
    _hold(db, tt, 9, now + timedelta(minutes=3), status="released")
    tt.held_count = 21
    db.flush()
    device, _ = make_device(db, event)
    scanning.scan(db, device, qr=tickets[0].qr_payload, gate_code="MAIN", client_scan_id="a")
    scanning.scan(db, device, qr=tickets[1].qr_payload, client_scan_id="b")
    scanning.scan(db, device, qr=tickets[1].qr_payload, client_scan_id="c")
    s = stats.event_stats(db, owner_ctx(org), event.id, now=now)
    assert (s["tickets_sold"], s["tickets_held"], s["tickets_available"], s["checked_in"]) == (4, 5, 100 - 4 - 5, 2)
    assert s["revenue_cents"] == 4 * tt.price_cents
    assert s["by_gate"] == [{"gate_code": "MAIN", "checked_in": 1}, {"gate_code": None, "checked_in": 1}]
    assert s["by_ticket_type"] == [{"ticket_type_id": str(tt.id), "name": tt.name, "sold": 4, "held": 5,
                                    "available": 91, "checked_in": 2}]
    assert [r["result"] for r in s["recent_scans"]][:3] == ["already_scanned", "accepted", "accepted"]


def test_snapshot_is_shared_until_a_change_and_survives_redis_loss(db, redis_client):
    org, event, _tt, tickets = make_scan_setup(db, quantity=2)
    device, _ = make_device(db, event)
    ctx = owner_ctx(org)
    first = stats.event_stats(db, ctx, event.id)
    assert stats_feed.get_snapshot(event.id) is not None  # cached for every viewer
    v0 = stats_feed.version(event.id)
    scanning.scan(db, device, qr=tickets[0].qr_payload, client_scan_id="x")
    assert stats_feed.version(event.id) == v0 + 1
    assert stats_feed.get_snapshot(event.id) is None  # a scan invalidates at once
    assert stats.event_stats(db, ctx, event.id)["checked_in"] == first["checked_in"] + 1
    redis_client.flushdb()  # Redis lost: numbers come back from PostgreSQL
    assert stats.event_stats(db, ctx, event.id)["checked_in"] == 1


def test_stats_tenancy_and_roles(db, redis_client):
    org, event, *_r = make_scan_setup(db, quantity=1)
    with pytest.raises(VoelgoedError) as e:
        stats.event_stats(db, owner_ctx(make_org(db)), event.id)
    assert e.value.code == "not_found"
    scanner_only = TenantContext(organization_id=org.id, actor=owner_ctx(org).actor, role="scanner_only")
    assert stats.event_stats(db, scanner_only, event.id)["revenue_cents"] is None
