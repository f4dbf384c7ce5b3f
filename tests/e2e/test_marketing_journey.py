"""Browser journey (issue 15): an organiser creates a campaign, a tracked link and a promo code; a buyer opens
the link's short URL in a second browser, buys with the code through the sandbox; the organiser sees the visit
and the sale (orders, revenue, the link's row) on the campaign dashboard. Real app, worker, Chromium."""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from tests.e2e.conftest import SHOTS
from tests.factories import make_event, make_org, make_ticket_type, make_user
from tests.marketing_helpers import owner_ctx
from voelgoed.models import HoldItem, Order, OrderAttribution, PromoCode, TrackedLink
from voelgoed.services.marketing import create_promo_code, update_promo_code


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

    # campaigns over time: a bar for "Poster run" (its paid order today), then the revenue view
    page.wait_for_selector("#campaign-trend .recharts-bar-rectangle")
    assert "Poster run" in page.locator("#campaign-trend-card").inner_text()
    ticks = ("() => Array.from(document.querySelectorAll('#campaign-trend text')).map(e => e.textContent.trim())"
             ".filter(t => /^[0-9]+$/.test(t)).map(Number)")  # the y axis' ticks (the x axis' are dates)
    assert max(page.evaluate(ticks)) < 300  # orders: 1
    page.get_by_role("radio", name="Revenue").click()
    page.wait_for_function(f"({ticks})().some(v => v >= 300)")  # revenue: R300
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("#campaign-trend-card").screenshot(path=str(SHOTS / "marketing-campaigns-over-time.png"))

    # deactivate the code and the link, each after a confirmation
    promo_row = page.locator(".promo-row", has_text="POSTER25")
    promo_row.get_by_role("button", name="Deactivate").click()
    page.get_by_role("button", name="Keep it").click()  # the first answer keeps it
    assert promo_row.get_by_text("Active", exact=True).is_visible()
    promo_row.get_by_role("button", name="Deactivate").click()
    page.get_by_role("button", name="Deactivate code").click()
    promo_row.get_by_text("Deactivated", exact=True).wait_for()
    link_row = page.locator(".link-row", has_text="Stellenbosch posters")
    link_row.get_by_role("button", name="Deactivate").click()
    page.get_by_role("button", name="Deactivate link").click()
    link_row.get_by_text("Deactivated", exact=True).wait_for()
    app_db.expire_all()
    assert app_db.exec(select(PromoCode).where(PromoCode.event_id == event.id)).one().is_active is False
    assert app_db.get(TrackedLink, link.id).is_active is False


@pytest.mark.e2e
def test_access_code_on_the_event_page_unlocks_a_hidden_ticket_type(page, live_app, app_db):
    org = make_org(app_db, name="Access Code Org")
    event = make_event(app_db, org)
    make_ticket_type(app_db, event, name="General", price_cents=20000, quantity=50)
    crew = make_ticket_type(app_db, event, name="Crew pass", price_cents=5000, quantity=5, is_hidden=True)
    app_db.commit()
    ctx = owner_ctx(app_db, org)
    create_promo_code(app_db, ctx, event_id=event.id, code="CREW2026", unlocks_hidden=True, ticket_type_ids=[crew.id])
    old = create_promo_code(app_db, ctx, event_id=event.id, code="OLDCODE", percent_off=10)
    update_promo_code(app_db, ctx, event_id=event.id, promo_id=old.id, changes={"is_active": False})

    page.goto(f"/e/{event.slug}")
    page.wait_for_selector("#event-name")
    assert page.locator(".ticket-type").count() == 1 and "Crew pass" not in page.inner_text("body")
    page.fill("#promo-code", "crew2025")
    page.click("#apply-code")
    page.wait_for_selector("#code-error")
    assert "not valid" in page.inner_text("#code-error")
    page.fill("#promo-code", "oldcode")
    page.click("#apply-code")
    page.wait_for_function("(document.querySelector('#code-error') || {textContent: ''}).textContent.includes('withdrawn')")
    page.fill("#promo-code", "crew2026")
    page.click("#apply-code")
    page.wait_for_selector("#code-note")
    assert "Crew pass" in page.inner_text("#code-note")
    crew_card = page.locator(".ticket-type", has_text="Crew pass")
    assert crew_card.locator(".unlocked-badge").is_visible() and page.locator(".ticket-type").count() == 2
    crew_card.get_by_role("button", name="More Crew pass").click()
    page.wait_for_function("document.querySelector('#selection-total').textContent.includes('50.00')")
    page.click("#reserve")
    page.wait_for_url(re.compile(r"/hold/[0-9a-f-]{36}$"))
    page.wait_for_selector("#hold-total")
    assert "50.00" in page.locator("#hold-total").inner_text()
    app_db.expire_all()
    items = app_db.exec(select(HoldItem).where(HoldItem.ticket_type_id == crew.id)).all()
    assert [(i.quantity, i.unit_price_cents) for i in items] == [(1, 5000)]
