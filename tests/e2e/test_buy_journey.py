"""Browser journey: /e/<slug> → choose tickets → hold page with a ticking countdown → sandbox Pay →
the buyer order page with the order code. Real app (prod build), real worker, Debian's Chromium."""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from tests.factories import make_event, make_org, make_ticket_type
from voelgoed.models import Hold, Order, Ticket, TicketType


@pytest.mark.e2e
def test_buyer_journey_from_event_page_to_paid_order(page, live_app, app_db):
    org = make_org(app_db, name="Jozi Live Journey")
    event = make_event(app_db, org)
    event.name = "Summer Sounds Journey"
    app_db.add(event)
    ga = make_ticket_type(app_db, event, name="General Admission", price_cents=25000, quantity=50, sort_order=0)
    make_ticket_type(app_db, event, name="VIP", price_cents=90000, quantity=1, sort_order=1, sold_count=1)
    app_db.commit()

    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    page.goto(f"/e/{event.slug}")
    page.wait_for_selector("#event-name")
    assert "Summer Sounds Journey" in page.locator("#event-name").inner_text()
    assert page.locator(".ticket-type").count() == 2
    assert "Sold out" in page.locator(".ticket-type").nth(1).inner_text()

    page.click("#qty-plus-0")
    page.click("#qty-plus-0")
    page.wait_for_function("document.querySelector('#qty-0').textContent.trim() === '2'")
    assert "500.00" in page.locator("#selection-total").inner_text()
    page.click("#reserve")

    page.wait_for_url(re.compile(r"/hold/[0-9a-f-]{36}$"))
    countdown = page.locator("#hold-countdown")
    countdown.wait_for()
    first = countdown.inner_text()
    assert re.fullmatch(r"[0-9]+:[0-5][0-9]", first)
    # it ticks in the browser (wait for the text to change; no timing assertion)
    page.wait_for_function("t => document.querySelector('#hold-countdown').textContent !== t", arg=first)
    assert "500.00" in page.locator("#hold-total").inner_text()
    hold_id = page.url.rsplit("/", 1)[-1]
    app_db.expire_all()
    assert app_db.get(TicketType, ga.id).held_count == 2

    page.fill("#buyer_name", "Lerato Nkosi")
    page.fill("#buyer_email", "lerato@example.co.za")
    page.click("#checkout")

    page.wait_for_url(re.compile(r"/pay/sandbox/VGP-"))
    page.wait_for_selector("#sandbox-pay")
    assert "500.00" in page.locator("#sandbox-amount").inner_text()
    page.click("#sandbox-pay")

    page.wait_for_url(re.compile(r"/orders/VG-[A-Z0-9]{6}\?token="), timeout=60_000)
    app_db.expire_all()
    order = app_db.exec(select(Order).where(Order.hold_id == __import__("uuid").UUID(hold_id))).one()
    page.wait_for_selector("#order-code")
    assert page.locator("#order-code").inner_text().strip() == order.order_code
    page.wait_for_function("document.querySelector('#order-status') && document.querySelector('#order-status').textContent.includes('Paid')",
                           timeout=60_000)
    assert order.status == "paid"
    assert app_db.get(Hold, order.hold_id).status == "completed"
    fresh = app_db.get(TicketType, ga.id)
    assert (fresh.held_count, fresh.sold_count) == (0, 2)
    assert len(app_db.exec(select(Ticket).where(Ticket.order_id == order.id)).all()) == 2


@pytest.mark.e2e
def test_decline_in_sandbox_releases_tickets_and_cancel_on_hold_page(page, live_app, app_db):
    org = make_org(app_db, name="Decline Org")
    event = make_event(app_db, org)
    tt = make_ticket_type(app_db, event, name="Standing", price_cents=10000, quantity=3)
    app_db.commit()

    # cancel from the hold page (with confirmation) → tickets back on sale at once
    page.goto(f"/e/{event.slug}")
    page.click("#qty-plus-0")
    page.click("#reserve")
    page.wait_for_url(re.compile(r"/hold/"))
    page.click("#cancel-hold")
    page.click("#confirm-cancel")
    page.wait_for_url(re.compile(rf"/e/{event.slug}$"))
    app_db.expire_all()
    assert app_db.get(TicketType, tt.id).held_count == 0

    # reserve all three, then decline at the provider
    page.wait_for_selector("#qty-plus-0")
    for _ in range(3):
        page.click("#qty-plus-0")
    page.wait_for_function("document.querySelector('#qty-0').textContent.trim() === '3'")
    assert page.locator("#qty-plus-0").is_disabled()  # can't pick more than are left
    page.click("#reserve")
    page.wait_for_url(re.compile(r"/hold/"))
    page.fill("#buyer_name", "Pieter")
    page.fill("#buyer_email", "pieter@example.co.za")
    page.click("#checkout")
    page.wait_for_url(re.compile(r"/pay/sandbox/"))
    page.click("#sandbox-decline")
    page.wait_for_selector("#sandbox-declined")
    app_db.expire_all()
    order = app_db.exec(select(Order).where(Order.event_id == event.id)).one()
    assert order.status == "cancelled"
    fresh = app_db.get(TicketType, tt.id)
    assert (fresh.held_count, fresh.sold_count) == (0, 0)
