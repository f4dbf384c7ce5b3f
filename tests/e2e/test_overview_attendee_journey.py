"""Browser journey (issue 13, items 4 and 7): the organiser watches `/dashboard` while a buyer, in another
browser, checks out a ticket type that requires each attendee's name and e-mail; the overview's "Sales today"
moves by itself (pushed, no reload) and the ticket carries the attendee. Then a scan moves "Check-ins now".
Real app (prod build), real worker, Debian's Chromium, the sandbox provider."""

from __future__ import annotations

import re

import httpx
import pytest
from sqlmodel import select

from tests.e2e.conftest import SHOTS
from tests.factories import make_event, make_org, make_ticket_type, make_user
from tests.scan_factories import make_device
from voelgoed.models import Order, Ticket


@pytest.mark.e2e
def test_overview_moves_after_a_sale_with_a_required_attendee(page, browser, live_app, app_db):
    org = make_org(app_db, name="Overview Journey Org")
    event = make_event(app_db, org)
    event.name = "Attendee Night"
    make_ticket_type(app_db, event, name="Named pass", price_cents=18000, quantity=20, attendee_mode="required")
    user = make_user(app_db, org=org, role="owner")
    _device, token = make_device(app_db, event)
    app_db.commit()

    # the organiser's overview, open before the sale
    page.goto("/signin")
    page.fill("#email", user.email)
    page.fill("#password", "correct horse battery")
    page.click("#signin-submit")
    page.wait_for_url("**/dashboard**")
    page.wait_for_selector("#live-overview")
    page.wait_for_function("document.querySelector('#ov-sales-today').textContent.trim() === '0'")
    assert page.locator("#ov-checkins-now").inner_text().strip() == "0"
    page.get_by_text("No sales in this range yet.").wait_for()

    # a buyer in another browser: the hold page asks for the attendee of the ticket
    buyer = browser.new_context(base_url=live_app, viewport={"width": 390, "height": 844})
    shop = buyer.new_page()
    shop.set_default_timeout(20_000)
    shop.goto(f"/e/{event.slug}")
    shop.click("#qty-plus-0")
    shop.click("#reserve")
    shop.wait_for_url(re.compile(r"/hold/[0-9a-f-]{36}$"))
    shop.wait_for_selector("#attendees")
    assert "Ticket 1 · Named pass" in shop.locator("#attendees").inner_text()
    shop.fill("#buyer_name", "Lerato Nkosi")
    shop.fill("#buyer_email", "lerato@example.co.za")
    shop.fill("#attendee_1_name", "Sipho Dlamini")
    shop.fill("#attendee_1_email", "sipho@example")  # the browser lets this through; the server names the ticket
    shop.click("#checkout")
    shop.get_by_text("Ticket 1 (Named pass): this is not a valid e-mail address").first.wait_for()
    shop.fill("#attendee_1_email", "sipho@example.co.za")
    shop.click("#checkout")
    shop.wait_for_url(re.compile(r"/pay/sandbox/VGP-"))
    shop.click("#sandbox-pay")
    shop.wait_for_url(re.compile(r"/orders/VG-[A-Z0-9]{6}\?token="), timeout=60_000)
    shop.get_by_text("Sipho Dlamini").first.wait_for(timeout=60_000)
    buyer.close()

    app_db.expire_all()
    order = app_db.exec(select(Order).where(Order.event_id == event.id)).one()
    [ticket] = app_db.exec(select(Ticket).where(Ticket.order_id == order.id)).all()
    assert (order.status, ticket.holder_name, ticket.holder_email) == ("paid", "Sipho Dlamini", "sipho@example.co.za")

    # the overview moved by itself: no reload, no navigation
    page.wait_for_function("document.querySelector('#ov-sales-today').textContent.trim() === '1'", timeout=60_000)
    page.wait_for_function("document.querySelector('#ov-revenue-today').textContent.includes('180.00')")
    page.wait_for_selector("#chart-sales")

    # a check-in at the door moves "Check-ins now"
    api = httpx.Client(base_url=live_app, timeout=30)
    r = api.post("/api/v1/scanner/scans", headers={"Authorization": f"Bearer {token}"},
                 json={"qr": ticket.qr_payload, "client_scan_id": f"e2e-{ticket.ticket_code}"})
    assert r.json()["result"] == "accepted"
    page.wait_for_function("document.querySelector('#ov-checkins-now').textContent.trim() === '1'", timeout=60_000)
    page.wait_for_selector("#chart-checkins")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "overview-live.png"), full_page=True)


@pytest.mark.e2e
def test_organiser_finds_an_attendee_and_changes_the_holder(page, live_app, app_db):
    org = make_org(app_db, name="Holder Journey Org")
    event = make_event(app_db, org)
    event.name = "Holder Night"
    tt = make_ticket_type(app_db, event, name="Named pass", price_cents=10000, quantity=10, attendee_mode="optional")
    user = make_user(app_db, org=org, role="owner")
    app_db.commit()
    api = httpx.Client(base_url=live_app, timeout=30)
    hold = api.post(f"/api/v1/public/events/{event.slug}/holds", json={"items": [{"ticket_type_id": str(tt.id), "quantity": 2}]})
    co = api.post(f"/api/v1/public/holds/{hold.json()['hold_id']}/checkout", json={
        "buyer_name": "Lerato Nkosi", "buyer_email": "lerato@example.co.za",
        "attendees": [{"ticket_type_id": str(tt.id), "name": "Zanele Khumalo", "email": "zanele@example.co.za"}]}).json()
    assert api.post(f"/api/v1/sandbox/payments/{co['payment']['reference']}/complete", json={"outcome": "success"}).status_code == 200

    page.goto("/signin")
    page.fill("#email", user.email)
    page.fill("#password", "correct horse battery")
    page.click("#signin-submit")
    page.wait_for_url("**/dashboard**")
    page.goto("/attendees")
    page.fill("#attendee-query", "zanele")
    page.click("#attendee-search")
    page.wait_for_selector(".attendee-row")
    assert page.locator(".attendee-row").count() == 1
    assert "Zanele Khumalo" in page.locator(".attendee-row").inner_text()
    page.locator(".attendee-row a").first.click()  # the order
    page.wait_for_url(re.compile(r"/dashboard/orders/"))
    page.wait_for_selector(".change-holder")
    row = page.locator("#order-tickets tr", has_text="Zanele Khumalo")
    row.locator(".change-holder").click()
    page.fill("#holder-name", "Thabo Mahlangu")
    page.fill("#holder-email", "thabo@example")
    page.click("#confirm-holder")
    page.get_by_text("This is not an e-mail address").wait_for()
    page.fill("#holder-email", "thabo@example.co.za")
    page.click("#confirm-holder-resend")
    page.get_by_text("tickets e-mailed again to lerato@example.co.za").wait_for()
    page.locator("#order-tickets").get_by_text("Thabo Mahlangu").wait_for()
    app_db.expire_all()
    holders = sorted((t.holder_name, t.holder_email) for t in app_db.exec(
        select(Ticket).join(Order, Order.id == Ticket.order_id).where(Order.order_code == co["order_code"])).all())
    assert holders == [("Lerato Nkosi", ""), ("Thabo Mahlangu", "thabo@example.co.za")]
