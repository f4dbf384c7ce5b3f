"""Browser journey: buy in the sandbox → the order page shows the signed QR → the PDF downloads and scans,
and "Add to calendar" downloads the order's .ics.

Runs against the real app (prod build) with its real RQ worker; the confirmation e-mail the worker
writes (no SMTP_HOST in e2e: an .eml file in MAIL_DIR) is checked too.
"""

from __future__ import annotations

import base64
import email
import os
import time
from email import policy
from pathlib import Path

import httpx
import icalendar
import pypdfium2 as pdfium
import pytest
import zxingcpp
from PIL import Image

from tests.factories import make_event, make_org, make_ticket_type
from voelgoed.services.tickets import ticket_identity

ROOT = Path(__file__).resolve().parents[2]


def _wait_for_mail(order_code: str) -> email.message.EmailMessage:
    mail_dir = Path(os.environ.get("MAIL_DIR", ROOT / "var/e2e/mail"))
    for _ in range(600):  # the worker sends it after commit; poll (no timing assertion)
        for path in mail_dir.glob("*.eml") if mail_dir.exists() else []:
            raw = path.read_bytes()
            if order_code.encode() in raw:
                return email.message_from_bytes(raw, policy=policy.default)
        time.sleep(0.2)
    pytest.fail(f"no confirmation e-mail for {order_code} in {mail_dir}")


@pytest.mark.e2e
def test_buy_then_order_page_shows_qr_and_pdf_downloads(page, live_app, app_db, tmp_path):
    org = make_org(app_db, name="Jozi Live Test")
    event = make_event(app_db, org)
    tt = make_ticket_type(app_db, event, name="Early Bird", price_cents=18000, quantity=20)
    app_db.commit()

    api = httpx.Client(base_url=live_app, timeout=30)
    hold = api.post(f"/api/v1/public/events/{event.slug}/holds",
                    json={"items": [{"ticket_type_id": str(tt.id), "quantity": 2}]})
    assert hold.status_code == 201, hold.text
    checkout = api.post(f"/api/v1/public/holds/{hold.json()['hold_id']}/checkout",
                        json={"buyer_name": "Lerato Nkosi", "buyer_email": "lerato@example.co.za", "provider": "sandbox"})
    assert checkout.status_code == 201, checkout.text
    order = checkout.json()
    done = api.post(f"/api/v1/sandbox/payments/{order['payment']['reference']}/complete", json={"outcome": "success"})
    assert done.status_code == 200, done.text

    # the wrong token looks exactly like a missing order
    page.goto(f"/orders/{order['order_code']}?token=wrong-token")
    page.wait_for_selector("#order-not-found")

    page.goto(f"/orders/{order['order_code']}?token={order['access_token']}")
    page.wait_for_selector(".ticket-card", timeout=90_000)
    assert page.locator(".ticket-card").count() == 2
    assert "Paid" in page.locator("#order-status").inner_text()
    assert event.name in page.locator("#event-name").inner_text()

    # the on-screen QR decodes to a ticket signed with the event's key
    public = api.get(f"/api/v1/public/orders/{order['order_code']}", params={"access_token": order["access_token"]}).json()
    src = page.locator(".ticket-qr").first.get_attribute("src")
    assert src.startswith("data:image/svg+xml;base64,")
    shot = tmp_path / "qr.png"
    page.locator(".ticket-qr").first.screenshot(path=str(shot))
    (found,) = zxingcpp.read_barcodes(Image.open(shot))
    app_db.expire_all()
    keys = ticket_identity.public_key_map(app_db, event.id)
    verified = ticket_identity.verify(found.text, keys)
    assert verified is not None and str(verified.ticket_id) in {t["id"] for t in public["tickets"]}
    assert base64.b64decode(src.split(",", 1)[1])  # a real SVG payload

    # the PDF link downloads a PDF whose QR verifies
    with page.expect_download() as info:
        page.locator(".ticket-pdf").first.click(modifiers=[])
    download = info.value
    pdf_bytes = Path(download.path()).read_bytes()
    assert pdf_bytes.startswith(b"%PDF")
    image = pdfium.PdfDocument(pdf_bytes)[0].render(scale=2).to_pil()
    (pdf_qr,) = zxingcpp.read_barcodes(image)
    assert ticket_identity.verify(pdf_qr.text, keys) is not None

    # "Add to calendar" downloads the order's .ics: the event in the venue's timezone
    with page.expect_download() as info:
        page.locator("#add-to-calendar").click()
    (vevent,) = icalendar.Calendar.from_ical(Path(info.value.path()).read_bytes()).walk("VEVENT")
    assert str(vevent["SUMMARY"]) == event.name and vevent["DTSTART"].params["TZID"] == "Africa/Johannesburg"
    assert info.value.suggested_filename == f"{order['order_code']}.ics"

    # the worker e-mailed the confirmation with both PDFs and the calendar file attached
    msg = _wait_for_mail(order["order_code"])
    assert msg["To"] == "lerato@example.co.za"
    assert len([p for p in msg.iter_attachments() if p.get_content_type() == "application/pdf"]) == 2
    assert [p.get_filename() for p in msg.iter_attachments() if p.get_content_type() == "text/calendar"] == [
        f"{order['order_code']}.ics"]

    # resend from the page: a toast confirms
    page.locator("#resend-email").click()
    page.get_by_text("On its way").wait_for()

    # how it looks on a phone (kept for review)
    shots = ROOT / "var/e2e/screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(shots / "ticket-order-page-mobile.png"), full_page=True)


@pytest.mark.e2e
def test_organiser_voids_a_ticket_and_the_buyer_sees_it(page, live_app, app_db):
    from tests.factories import make_user
    from tests.ticket_factories import make_order
    from voelgoed.services.tickets import tickets

    org = make_org(app_db, name="Void Test Org")
    event = make_event(app_db, org)
    tt = make_ticket_type(app_db, event, name="General")
    user = make_user(app_db, org=org, role="owner")
    order = make_order(app_db, tt, quantity=2)
    issued = tickets.issue_for_order(app_db, order)
    app_db.commit()

    page.goto("/signin")
    page.fill("#email", user.email)
    page.fill("#password", "correct horse battery")
    page.click("#signin-submit")
    page.wait_for_url("**/dashboard**")
    page.goto(f"/dashboard/orders/{order.id}")
    page.wait_for_selector(".void-ticket")
    assert page.locator(".void-ticket").count() == 2
    page.locator(".void-ticket").first.click()
    page.fill("#void-reason", "Duplicate purchase")
    page.click("#confirm-void")
    page.get_by_text("voided: it will be refused at the gate").wait_for()
    page.wait_for_function("document.querySelectorAll('.void-ticket').length === 1")

    app_db.expire_all()
    statuses = sorted(app_db.get(type(t), t.id).status for t in issued)
    assert statuses == ["valid", "voided"]

    page.goto(f"/orders/{order.order_code}?token={order.access_token}")
    page.wait_for_selector(".ticket-card")
    page.get_by_text("no longer valid").wait_for()
    assert page.locator(".ticket-qr").count() == 1
