"""Browser journey: the organiser exports the attendee list of an event with paid orders (background job,
progress on the page, the signed download link), checks the file row by row, then reads who did it in the
audit log and follows the entry's link back to the event's exports. Real app, real worker, real Chromium."""

from __future__ import annotations

import csv
import io

import httpx
import pytest
from playwright.sync_api import expect
from sqlmodel import select

from tests.factories import make_event, make_org, make_ticket_type, make_user
from voelgoed.models import Ticket


@pytest.mark.e2e
def test_export_attendees_then_read_the_audit_log(page, live_app, app_db):
    org = make_org(app_db, name="Export Test Org")
    event = make_event(app_db, org)
    tt = make_ticket_type(app_db, event, name="General", price_cents=15000, quantity=10)
    user = make_user(app_db, org=org, role="owner")
    app_db.commit()
    api = httpx.Client(base_url=live_app, timeout=30)
    hold = api.post(f"/api/v1/public/events/{event.slug}/holds", json={"items": [{"ticket_type_id": str(tt.id), "quantity": 2}]})
    co = api.post(f"/api/v1/public/holds/{hold.json()['hold_id']}/checkout",
                  json={"buyer_name": "Ayanda Zulu", "buyer_email": "ayanda@example.com"}).json()
    assert api.post(f"/api/v1/sandbox/payments/{co['payment']['reference']}/complete",
                    json={"outcome": "success"}).status_code == 200

    page.goto("/signin")
    page.fill("#email", user.email)
    page.fill("#password", "correct horse battery")
    page.click("#signin-submit")
    page.wait_for_url("**/dashboard**")
    page.goto(f"/events/{event.id}/exports")
    page.click("#export-tickets-csv")
    page.get_by_text("Tickets / attendees export started").wait_for()
    link = page.locator(".export-download").first
    link.wait_for(timeout=60_000)
    page.locator(".export-job").first.get_by_text("done").wait_for()
    assert "2 / 2 rows" in page.locator(".export-job").first.inner_text()
    body = api.get(link.get_attribute("href"))
    assert body.status_code == 200
    rows = list(csv.reader(io.StringIO(body.content.decode("utf-8-sig"))))
    app_db.expire_all()
    codes = sorted(t.ticket_code for t in app_db.exec(select(Ticket).where(Ticket.event_id == event.id)))
    assert rows[0][:4] == ["ticket_code", "status", "ticket_type", "holder_name"]
    assert sorted(r[0] for r in rows[1:]) == codes
    assert all(r[5] == co["order_code"] and r[6] == "Ayanda Zulu" for r in rows[1:])

    page.goto("/settings/audit")
    page.fill("#audit-what", "export")
    page.fill("#audit-who", user.email)
    page.click("#audit-apply")
    expect(page.locator(".audit-entry")).to_have_count(1)  # the filter applied (unfiltered there are more)
    entry = page.locator(".audit-entry").first
    entry.get_by_text("export.requested").wait_for()
    assert user.email in entry.inner_text()
    entry.locator(".audit-link").click()
    page.wait_for_url(f"**/events/{event.id}/exports")
    page.locator(".export-job").first.wait_for()
