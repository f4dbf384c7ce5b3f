"""Door staff sign in on their own phone: /scan → "Sign in as door staff" → event → gate → a typed ticket code is admitted.

Phone-sized Chromium, no pairing code and no organiser involved: a ``scanner_only`` user signs in,
picks the event and "any gate", and the ticket code typed by hand comes back green (accepted online).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from tests.factories import make_event, make_org, make_ticket_type, make_user
from tests.scan_factories import make_order_with_tickets
from voelgoed.models import AuditLog, Device, Ticket

PHONE = {"width": 390, "height": 844}
PASSWORD = "correct horse battery"


@pytest.mark.e2e
def test_door_staff_sign_in_pick_event_and_admit(live_app, app_db, browser, tmp_path):
    expect.set_options(timeout=30_000)
    org = make_org(app_db)
    door = make_user(app_db, org=org, role="scanner_only", password=PASSWORD)
    door.full_name = "Sipho Dlamini"
    event = make_event(app_db, org, starts_in=timedelta(hours=-1))
    tt = make_ticket_type(app_db, event, name="General Admission")
    _order, tickets = make_order_with_tickets(app_db, tt, quantity=1, holder_name="Lerato Dlamini")
    app_db.commit()

    context = browser.new_context(base_url=live_app, viewport=PHONE, has_touch=True, is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        page.goto("/scan")
        page.click("#vg-door-open")
        # a wrong password is refused with a clear message, and nothing is registered
        page.fill("#vg-door-email", door.email)
        page.fill("#vg-door-password", "not the password")
        page.click("#vg-door-submit")
        expect(page.locator("#vg-door-error")).to_have_text("Email or password is incorrect")

        page.fill("#vg-door-password", PASSWORD)
        page.click("#vg-door-submit")
        choice = page.locator(f'#vg-door-events [data-event-id="{event.id}"]')
        expect(choice).to_be_visible()
        box = choice.bounding_box()
        assert box["height"] >= 48 and box["width"] >= 300  # a big touch target on a phone
        choice.click()
        page.click("#vg-gate-any")
        expect(page.locator("#vg-start")).to_be_visible()
        expect(page.locator("#vg-event")).to_have_text("Test Event")
        expect(page.locator("#vg-net")).to_have_text("Online")

        page.click("#vg-manual-open")
        page.fill("#vg-manual-code", tickets[0].ticket_code.lower())
        page.click("#vg-manual-submit")
        # green: the full-screen answer (shown for 0.9 s) and the history line both say accepted, online
        expect(page.locator("#vg-answer")).to_have_attribute("data-result", "accepted")
        expect(page.locator('#vg-history li.vg-h-ok[data-result="accepted"][data-offline="false"]')).to_have_count(1)

        app_db.expire_all()
        assert app_db.get(Ticket, tickets[0].id).status == "checked_in"
        device = app_db.exec(select(Device).where(Device.event_id == event.id)).one()
        assert device.name == "Sipho Dlamini · phone" and device.gate_id is None
        log = app_db.exec(select(AuditLog).where(AuditLog.action == "device.registered_by_staff")).one()
        assert log.actor_id == str(door.id)

        # the token is kept like a paired phone's: a reload goes straight to the scanner
        page.reload()
        expect(page.locator("#vg-start")).to_be_visible()
    except Exception:
        page.screenshot(path=str(tmp_path / "door_signin_failure.png"))
        raise
    finally:
        context.close()
