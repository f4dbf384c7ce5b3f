"""reports service: dashboard overview and per-event sales summary (paid orders only, role-aware)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.factories import make_event, make_org, make_ticket_type, make_user
from voelgoed.models import Order
from voelgoed.services.accounts import tenancy
from voelgoed.services.insights import reports
from voelgoed.services.platform import VoelgoedError, clock


def _order(db, event, status, total):
    db.add(Order(organization_id=event.organization_id, event_id=event.id, order_code=f"VG-{status[:2].upper()}{total}",
                 access_token="t" * 32, status=status, buyer_name="Buyer", buyer_email="b@example.com",
                 total_cents=total))
    db.flush()


def test_overview_and_summary_count_paid_orders_only(db):
    org = make_org(db)
    owner = make_user(db, org=org)
    viewer = make_user(db, org=org, role="viewer")
    scanner = make_user(db, org=org, role="scanner_only")
    soon = make_event(db, org, starts_in=timedelta(days=3))
    later = make_event(db, org, starts_in=timedelta(days=60), status="draft")
    make_event(db, org, starts_in=timedelta(days=-10))  # past: not upcoming
    tt = make_ticket_type(db, soon, quantity=100)
    tt.sold_count, tt.held_count = 3, 2
    _order(db, soon, "paid", 50000)
    _order(db, soon, "paid", 25000)
    _order(db, soon, "pending", 99999)
    _order(db, soon, "expired", 12345)

    ctx = tenancy.tenant_context_for(db, user_id=owner.id, organization_id=org.id)
    data = reports.dashboard_overview(db, ctx, now=clock.utcnow())
    assert data["upcoming_events"] == 2 and data["draft_events"] == 1
    assert data["orders_paid"] == 2 and data["revenue_cents"] == 75000 and data["tickets_sold"] == 3
    assert [e["id"] for e in data["next_events"]] == [str(soon.id), str(later.id)]
    assert data["next_events"][0]["sold"] == 3 and data["next_events"][0]["capacity"] == 100
    assert len(data["recent_orders"]) == 4

    rows = {r["event_id"]: r for r in reports.event_sales_summary(db, ctx)}
    assert rows[str(soon.id)]["revenue_cents"] == 75000 and rows[str(soon.id)]["orders_paid"] == 2
    assert rows[str(soon.id)]["tickets_sold"] == 3 and rows[str(soon.id)]["tickets_held"] == 2
    assert rows[str(later.id)]["revenue_cents"] == 0

    viewer_ctx = tenancy.tenant_context_for(db, user_id=viewer.id, organization_id=org.id)
    assert reports.dashboard_overview(db, viewer_ctx)["revenue_cents"] == 75000
    scanner_ctx = tenancy.tenant_context_for(db, user_id=scanner.id, organization_id=org.id)
    hidden = reports.dashboard_overview(db, scanner_ctx)
    assert hidden["revenue_cents"] == 0 and hidden["recent_orders"] == [] and hidden["upcoming_events"] == 2
    assert hidden["financials_visible"] is False and data["financials_visible"] is True
    with pytest.raises(VoelgoedError) as exc:
        reports.event_sales_summary(db, scanner_ctx)
    assert exc.value.code == "forbidden"
