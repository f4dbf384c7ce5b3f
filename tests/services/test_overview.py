"""The live overview `/dashboard` (issue 13, item 7): its figures from orders, the ledger and scans (checked
number by number), and the sharing: one computation per change for every viewer, none per viewer."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event as sa_event

from tests.factories import make_event, make_org, make_ticket_type, make_venue
from tests.scan_factories import make_device, make_order_with_tickets
from tests.ticket_factories import make_order
from voelgoed.models import LedgerKind, Scan
from voelgoed.services.insights import compute_overview, live_overview
from voelgoed.services.platform import Actor, TenantContext, VoelgoedError, stats_feed
from voelgoed.services.sales import ledger

NOW = datetime(datetime.now(UTC).year + 1, 3, 14, 10, 0, tzinfo=UTC)  # 12:00 in Johannesburg


def ctx(org, role="owner"):
    return TenantContext(organization_id=org.id, actor=Actor("user", str(uuid.uuid4())), role=role)


def _paid(db, tt, qty, at, *, with_tickets=False):
    if with_tickets:
        order, tickets = make_order_with_tickets(db, tt, quantity=qty)
    else:
        order, tickets = make_order(db, tt, quantity=qty), []
    order.paid_at = at
    ledger.record(db, order=order, kind=LedgerKind.payment.value, amount_cents=order.total_cents, currency="ZAR",
                  source_key=f"payment:{order.id}", now=at)
    db.flush()
    return order, tickets


def _scan(db, event, device, ticket, gate, at, result="accepted"):
    db.add(Scan(organization_id=event.organization_id, event_id=event.id, device_id=device.id, ticket_id=ticket.id,
                client_scan_id=uuid.uuid4().hex, gate_code=gate, result=result, scanned_at=at, received_at=at, updated_at=at))
    db.flush()


@pytest.fixture
def org_data(db):
    org = make_org(db)
    venue = make_venue(db, org, gates=("MAIN", "VIP"))
    upcoming = make_event(db, org, venue=venue)
    upcoming.name, upcoming.starts_at, upcoming.ends_at = "Summer", NOW + timedelta(days=10), NOW + timedelta(days=10, hours=5)
    past = make_event(db, org, venue=venue)
    past.name, past.starts_at, past.ends_at = "Jazz", NOW - timedelta(days=3), NOW - timedelta(days=3) + timedelta(hours=5)
    gone = make_event(db, org, venue=venue, status="cancelled")
    gone.starts_at, gone.ends_at = NOW - timedelta(days=4), NOW - timedelta(days=4) + timedelta(hours=5)
    general = make_ticket_type(db, upcoming, name="General", price_cents=25000, quantity=100)
    vip = make_ticket_type(db, upcoming, name="VIP", price_cents=90000, quantity=20)
    standard = make_ticket_type(db, past, name="Standard", price_cents=15000, quantity=50)
    today, _ = _paid(db, general, 2, NOW - timedelta(hours=1))
    _paid(db, vip, 1, NOW - timedelta(days=2))
    _paid(db, general, 3, NOW - timedelta(days=40))
    _order, tickets = _paid(db, standard, 4, NOW - timedelta(days=5), with_tickets=True)
    general.sold_count, vip.sold_count = 5, 1
    ledger.record(db, order=today, kind=LedgerKind.refund.value, amount_cents=-10000, currency="ZAR",
                  source_key=f"refund:{uuid.uuid4()}", now=NOW - timedelta(minutes=30))
    ledger.record(db, order=today, kind=LedgerKind.fee.value, amount_cents=-700, currency="ZAR",  # fees are not revenue
                  source_key=f"fee:{uuid.uuid4()}", now=NOW - timedelta(minutes=59))
    device, _ = make_device(db, past)
    for t, gate, minutes in ((tickets[0], "MAIN", 3), (tickets[1], "MAIN", 10), (tickets[2], "VIP", 12)):
        t.status = "checked_in"
        _scan(db, past, device, t, gate, past.starts_at + timedelta(minutes=minutes))
    _scan(db, past, device, tickets[0], "MAIN", past.starts_at + timedelta(minutes=14), result="already_checked_in")
    # another organisation's sale today never shows
    other = make_org(db)
    _paid(db, make_ticket_type(db, make_event(db, other), price_cents=99900), 7, NOW - timedelta(minutes=5))
    db.flush()
    return org, upcoming, past, device, tickets


def test_overview_figures(db, org_data):
    org, upcoming, past, _device, _tickets = org_data
    s = compute_overview(db, org.id, days=30, now=NOW)
    assert (s["timezone"], s["currency"], s["range_days"]) == ("Africa/Johannesburg", "ZAR", 30)
    assert s["today"] == {"tickets": 2, "orders": 1, "revenue_cents": 50000 - 10000}
    assert s["range"] == {"tickets": 7, "orders": 3, "revenue_cents": 50000 + 90000 + 60000 - 10000}
    assert s["checkins"] == {"now": 0, "today": 0}
    assert s["sales_series"] == [{"key": "s0", "label": "Standard · Jazz"}, {"key": "s1", "label": "General · Summer"},
                                 {"key": "s2", "label": "VIP · Summer"}]
    days = s["sales_by_day"]
    assert len(days) == 30 and days[-1]["day"] == NOW.strftime("%d %b")
    assert (days[-1]["s1"], days[-1]["revenue"]) == (2, 400.0)
    assert (days[-3]["s2"], days[-3]["revenue"]) == (1, 900.0)
    assert (days[-6]["s0"], days[-6]["revenue"]) == (4, 600.0)
    assert sum(d["s0"] + d["s1"] + d["s2"] for d in days) == 7
    # check-ins: no recent ones, so the 3-hour window ends at the last check-in (10:12 UTC → 10:15)
    assert s["gate_series"] == [{"key": "s0", "label": "MAIN"}, {"key": "s1", "label": "VIP"}]
    assert s["checkins_window"]["end"] == (past.starts_at + timedelta(minutes=15)).isoformat()
    buckets = s["checkins_by_5min"]
    assert len(buckets) == 36 and buckets[-1]["time"] == "12:10"  # local time
    assert [(b["s0"], b["s1"]) for b in buckets[-3:]] == [(1, 0), (0, 0), (1, 1)]
    assert sum(b["s0"] + b["s1"] for b in buckets) == 3  # the rejected scan does not count
    assert [(e["name"], e["sold"], e["capacity"], e["pct"]) for e in s["sell_through"]] == [
        ("Jazz", 4, 50, 8.0), ("Summer", 6, 120, 5.0)]
    assert [(e["name"], e["tickets"], e["checked_in"], e["no_show"], e["pct"]) for e in s["no_shows"]] == [
        ("Jazz", 4, 3, 1, 25.0)]

    assert [(e["name"], e["sold"], e["capacity"]) for e in s["next_events"]] == [("Summer", 6, 120)]
    assert len(s["recent_orders"]) == 4 and {o["currency"] for o in s["recent_orders"]} == {"ZAR"}  # not the other org's

    wide = compute_overview(db, org.id, days=90, now=NOW)
    assert (wide["range"]["tickets"], wide["range"]["orders"], len(wide["sales_by_day"])) == (10, 4, 90)


def test_checkins_now_and_the_window_follow_live_scans(db, org_data):
    org, _upcoming, past, device, tickets = org_data
    tickets[3].status = "checked_in"
    _scan(db, past, device, tickets[3], "VIP", NOW - timedelta(minutes=4))
    s = compute_overview(db, org.id, days=7, now=NOW)
    assert s["checkins"] == {"now": 1, "today": 1}
    assert s["checkins_window"]["end"] == (NOW + timedelta(minutes=5)).isoformat()
    assert s["gate_series"] == [{"key": "s0", "label": "VIP"}]
    assert [b["s0"] for b in s["checkins_by_5min"][-2:]] == [1, 0]


def test_overview_is_shared_and_recomputed_once_per_change(db, engine, org_data, redis_client, monkeypatch):
    org, upcoming, _past, _device, _tickets = org_data
    monkeypatch.setattr(stats_feed, "ORG_COMPUTE_EVERY_MS", 600_000)  # one recompute per claim in this test, however slow
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    first = live_overview(db, ctx(org))  # computes and shares (real clock: last 30 days up to now)
    sa_event.listen(engine, "before_cursor_execute", count)
    try:
        for role in ("owner", "admin", "viewer"):  # three more viewers: answered from Redis, no query at all
            again = live_overview(db, ctx(org, role))
            assert again["version"] == first["version"] and again["generated_at"] == first["generated_at"]
        assert statements == []
        stats_feed.touch(upcoming.id, org.id)  # a sale / scan committed
        moved = live_overview(db, ctx(org))  # one viewer recomputes …
        assert moved["version"] == first["version"] + 1 and statements
        n = len(statements)
        assert live_overview(db, ctx(org, "admin"))["version"] == moved["version"] and len(statements) == n
        stats_feed.touch(upcoming.id, org.id)  # … and until the claim lapses nobody else does: the stale copy is served
        assert live_overview(db, ctx(org))["version"] == moved["version"] and len(statements) == n
    finally:
        sa_event.remove(engine, "before_cursor_execute", count)


def test_overview_rules(db, org_data, redis_client):
    org, *_ = org_data
    seen = live_overview(db, ctx(org, "scanner_only"))  # may see events, not money
    assert seen["financials_visible"] is False
    assert seen["today"]["revenue_cents"] is None and seen["range"]["revenue_cents"] is None
    assert {d["revenue"] for d in seen["sales_by_day"]} == {None} and seen["recent_orders"] == []
    assert live_overview(db, ctx(org, "admin"))["financials_visible"] is True
    with pytest.raises(VoelgoedError) as err:
        live_overview(db, ctx(org), days=14)
    assert (err.value.status, err.value.details["fields"]) == (422, {"days": "Choose one of 7, 30, 90 days"})
    with pytest.raises(VoelgoedError) as err:
        live_overview(db, ctx(org, "nobody"))
    assert err.value.code == "forbidden"
