"""Browser journey (organiser): demo seed → sign in → venues + gates → create an event → ticket type →
publish with confirmation → orders list with a refund_required order highlighted → order detail."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from tests.e2e.conftest import SHOTS
from voelgoed.models import Event, Gate, Order, OrderItem, TicketType, Venue
from voelgoed.services.demo import seed


def _sign_in(page):
    page.goto("/signin?next=%2Fvenues")
    page.fill("#email", seed.DEMO_OWNER_EMAIL)
    page.fill("#password", seed.DEMO_OWNER_PASSWORD)
    page.click("#signin-submit")
    expect(page).to_have_url(re.compile(r"/venues/?$"))


@pytest.mark.e2e
def test_organiser_catalog_journey(page, app_db):
    seed.seed_demo(app_db)  # idempotent: fine if another journey seeded already
    _sign_in(page)

    # venues: the seeded venue with its two gates; add a gate, see the duplicate refused on the form
    expect(page.get_by_text("Mary Fitzgerald Square")).to_be_visible()
    expect(page.get_by_text("Main entrance (Jeppe St)")).to_be_visible()
    card = page.locator(".venue-card", has_text="Mary Fitzgerald Square")  # the demo also has the arena's venue
    card.locator(".add-gate").click()
    page.fill("#g-code", "vip")
    page.click("#g-save")
    expect(page.get_by_text("already has a gate VIP").first).to_be_visible()
    page.fill("#g-code", "north-2")
    page.fill("#g-name", "North gate")
    page.click("#g-save")
    expect(card.get_by_text("North gate", exact=True)).to_be_visible()
    venue = app_db.exec(select(Venue).where(Venue.name == "Mary Fitzgerald Square")).one()
    assert sorted(app_db.exec(select(Gate.gate_code).where(Gate.venue_id == venue.id)).all()) == ["MAIN", "NORTH-2", "VIP"]
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(300)
    page.screenshot(path=str(SHOTS / "venues.png"))

    # events list shows the published demo event; create a new draft
    page.locator("#nav-events").click()
    expect(page.locator("#events-table")).to_contain_text("Summer Sounds Joburg")
    expect(page.locator("#events-table")).to_contain_text("published")
    page.click("#new-event")
    year = datetime.now(UTC).year + 1  # always a future date, whatever the calendar says
    page.fill("#f-name", "Jazz at the Square")
    page.fill("#f-starts_at", f"{year}-02-06T18:00")
    page.fill("#f-ends_at", f"{year}-02-06T17:00")
    page.click("#create-event-submit")
    expect(page.get_by_text("The event must end after it starts").first).to_be_visible()
    page.fill("#f-ends_at", f"{year}-02-06T23:00")
    page.click("#create-event-submit")
    expect(page).to_have_url(re.compile(r"/events/[0-9a-f-]{36}/?$"))
    expect(page.locator("#event-name")).to_have_text("Jazz at the Square")
    expect(page.locator("#publish-problems")).to_contain_text("Add at least one active ticket type")
    event = app_db.exec(select(Event).where(Event.name == "Jazz at the Square")).one()
    assert event.starts_at == datetime(year, 2, 6, 16, 0, tzinfo=UTC)  # 18:00 in Johannesburg
    assert event.status == "draft"

    # add a ticket type (a bad price first: the error shows on the form)
    page.click("#add-ticket-type")
    page.fill("#tt-name", "General")
    page.fill("#tt-price", "lots")
    page.fill("#tt-quantity", "400")
    page.click("#tt-save")
    expect(page.get_by_text("Enter an amount like 350 or 350.50").first).to_be_visible()
    page.fill("#tt-price", "180")
    page.click("#tt-save")
    expect(page.locator("#ticket-types-table")).to_contain_text("General")
    expect(page.locator("#ticket-types-table")).to_contain_text("400")
    assert app_db.exec(select(TicketType).where(TicketType.event_id == event.id)).one().price_cents == 18000

    # publish, confirming in the dialog
    page.click("#publish")
    page.click("#publish-confirm")
    expect(page.get_by_text("Published: tickets are on sale")).to_be_visible()
    app_db.expire_all()
    assert app_db.get(Event, event.id).status == "published"
    page.screenshot(path=str(SHOTS / "event-editor.png"), full_page=True)

    # orders: a refund_required order is highlighted and opens its detail page
    demo = app_db.exec(select(Event).where(Event.slug == seed.DEMO_EVENT_SLUG)).one()
    tt = app_db.exec(select(TicketType).where(TicketType.event_id == demo.id, TicketType.name == "VIP")).one()
    order = Order(organization_id=demo.organization_id, event_id=demo.id, order_code="VG-RQ7K3M", access_token=uuid.uuid4().hex,
                  status="refund_required", buyer_name="Naledi Mokoena", buyer_email="naledi@example.co.za",
                  total_cents=95000, currency="ZAR")
    app_db.add(order)
    app_db.flush()
    app_db.add(OrderItem(organization_id=order.organization_id, order_id=order.id, ticket_type_id=tt.id, quantity=1,
                         unit_price_cents=95000))
    app_db.commit()
    page.locator("#nav-orders").click()
    expect(page.locator("#orders-table .order-attention")).to_contain_text("VG-RQ7K3M")
    page.fill("#order-search", "naledi")
    expect(page.locator("#orders-table")).to_contain_text("Naledi Mokoena")
    page.screenshot(path=str(SHOTS / "orders.png"))
    page.get_by_role("link", name="VG-RQ7K3M").click()
    expect(page).to_have_url(re.compile(r"/dashboard/orders/"))
    expect(page.locator("#order-code")).to_have_text("VG-RQ7K3M")
    expect(page.locator("#refund-required")).to_be_visible()
    expect(page.locator("#order-items")).to_contain_text("VIP")
