"""Browser journey: the organiser refunds one ticket of a two-ticket order from the order page, sees the
refund processed and the balance halved, and the refunded ticket is rejected at the scanner (``revoked``)
while the other is admitted. Real app, real worker, real Chromium; the sandbox provider refunds at once."""

from __future__ import annotations

import httpx
import pytest
from sqlmodel import select

from tests.factories import make_event, make_org, make_ticket_type, make_user
from tests.scan_factories import make_device
from voelgoed.models import Order, Ticket


@pytest.mark.e2e
def test_organiser_refunds_one_ticket_and_the_scanner_rejects_it(page, live_app, app_db):
    org = make_org(app_db, name="Refund Test Org")
    event = make_event(app_db, org)
    tt = make_ticket_type(app_db, event, name="General", price_cents=15000, quantity=10)
    user = make_user(app_db, org=org, role="owner")
    _device, token = make_device(app_db, event)
    app_db.commit()

    api = httpx.Client(base_url=live_app, timeout=30)
    hold = api.post(f"/api/v1/public/events/{event.slug}/holds", json={"items": [{"ticket_type_id": str(tt.id), "quantity": 2}]})
    co = api.post(f"/api/v1/public/holds/{hold.json()['hold_id']}/checkout",
                  json={"buyer_name": "Lerato", "buyer_email": "lerato@example.com"}).json()
    paid = api.post(f"/api/v1/sandbox/payments/{co['payment']['reference']}/complete", json={"outcome": "success"})
    assert paid.status_code == 200, paid.text
    app_db.expire_all()
    order = app_db.exec(select(Order).where(Order.order_code == co["order_code"])).one()
    first, second = app_db.exec(select(Ticket).where(Ticket.order_id == order.id)
                                .order_by(Ticket.order_item_id, Ticket.position)).all()

    page.goto("/signin")
    page.fill("#email", user.email)
    page.fill("#password", "correct horse battery")
    page.click("#signin-submit")
    page.wait_for_url("**/dashboard**")
    page.goto(f"/dashboard/orders/{order.id}")
    page.wait_for_selector("#open-refund")
    page.click("#open-refund")
    page.get_by_text("Pick tickets").click()
    page.wait_for_selector(".refund-pick")
    page.locator(".refund-pick").first.click()
    page.fill("#refund-reason", "Cannot attend")
    page.click("#confirm-refund")
    page.get_by_text("Refund sent to the payment provider").wait_for()
    page.wait_for_selector(".refund-row")
    row = page.locator(".refund-row").first
    row.get_by_text("processed").wait_for()
    assert first.ticket_code in row.inner_text()
    page.locator("#order-balance").get_by_text("150.00").wait_for()

    scans = [api.post("/api/v1/scanner/scans", headers={"Authorization": f"Bearer {token}"},
                      json={"qr": t.qr_payload, "client_scan_id": f"e2e-{t.ticket_code}"}).json()["result"]
             for t in (first, second)]
    assert scans == ["revoked", "accepted"]
