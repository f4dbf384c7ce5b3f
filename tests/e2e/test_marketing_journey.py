"""Browser journey (issue 15): an organiser creates a campaign, a tracked link and a promo code; a buyer opens
the link's short URL in a second browser, buys with the code through the sandbox; the organiser sees the visit
and the sale (orders, revenue, the link's row) on the campaign dashboard. Real app, worker, Chromium."""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from tests.factories import make_event, make_org, make_ticket_type, make_user
from voelgoed.models import Order, OrderAttribution, TrackedLink


@pytest.mark.e2e
def test_campaign_link_promo_code_purchase_and_dashboard(page, browser, live_app, app_db):
    org = make_org(app_db, name="Agency Journey Org")
    user = make_user(app_db, org=org)
    event = make_event(app_db, org)
    make_ticket_type(app_db, event, name="General", price_cents=20000, quantity=50)
    app_db.commit()

    page.goto("/signin")
    page.fill("#email", user.email)
    page.fill("#password", "correct horse battery")
    page.click("#signin-submit")
    page.wait_for_url(re.compile(r"/dashboard"))
    page.goto(f"/events/{event.id}/marketing")
    page.fill("#campaign-name", "Poster run")
    page.click("#campaign-create")
    page.wait_for_selector("#link-campaign")
    page.click("#link-campaign")
    page.get_by_role("option", name="Poster run").click()
    page.fill("#link-label", "Stellenbosch posters")
    page.click("#link-create")
    page.wait_for_selector(".short-url")
    short_url = page.locator(".short-url").first.inner_text().strip()
    assert re.search(r"/go/[A-Z0-9]{8}$", short_url)
    page.fill("#promo-new-code", "POSTER25")
    page.fill("#promo-value", "25")
    page.click("#promo-create")
    page.wait_for_function("document.body.innerText.includes('POSTER25')")

    buyer_ctx = browser.new_context(base_url=live_app, viewport={"width": 390, "height": 844})
    buyer = buyer_ctx.new_page()
    try:
        buyer.goto("/go/" + short_url.rsplit("/", 1)[-1])  # what the QR code encodes
        buyer.wait_for_url(re.compile(rf"/e/{event.slug}\?utm_"))
        buyer.wait_for_selector("#event-name")
        buyer.click("#qty-plus-0")
        buyer.click("#qty-plus-0")
        buyer.wait_for_function("document.querySelector('#qty-0').textContent.trim() === '2'")
        buyer.fill("#promo-code", "poster25")
        buyer.click("#reserve")
        buyer.wait_for_url(re.compile(r"/hold/[0-9a-f-]{36}$"))
        buyer.wait_for_selector("#hold-total")
        assert "300.00" in buyer.locator("#hold-total").inner_text()  # 2 × R200 less 25 %
        buyer.fill("#buyer_name", "Anele Dube")
        buyer.fill("#buyer_email", "anele@example.co.za")
        buyer.click("#checkout")
        buyer.wait_for_url(re.compile(r"/pay/sandbox/VGP-"))
        buyer.click("#sandbox-pay")
        buyer.wait_for_url(re.compile(r"/orders/VG-[A-Z0-9]{6}\?token="), timeout=60_000)
    finally:
        buyer_ctx.close()

    app_db.expire_all()
    link = app_db.exec(select(TrackedLink).where(TrackedLink.event_id == event.id)).one()
    order = app_db.exec(select(Order).where(Order.event_id == event.id)).one()
    assert order.total_cents == 30000 and link.visit_count == 1
    assert app_db.exec(select(OrderAttribution).where(OrderAttribution.order_id == order.id)).one().last_link_id == link.id

    page.goto(f"/events/{event.id}/marketing")
    page.wait_for_function("document.querySelector('#mkt-orders') && document.querySelector('#mkt-orders').textContent.trim() === '1'",
                           timeout=60_000)
    assert "300.00" in page.locator("#mkt-revenue").inner_text()
    assert page.locator("#mkt-visits").inner_text().strip() == "1"
    row = page.locator("#marketing-table tr", has_text="Stellenbosch posters")
    assert "300.00" in row.inner_text() and "Poster run" in row.inner_text()
