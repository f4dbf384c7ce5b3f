"""Browser journey (issue 15 branding): an owner uploads a logo in settings (a fake PNG and an SVG are refused with
clear messages first), sets colours and the sender name, checks the preview — nothing is stored yet — saves, and
a buyer sees the logo and the primary colour on the public event page. Real app, worker, Chromium."""

from __future__ import annotations

import re

import pytest

from tests.branding_helpers import sample_logo
from tests.e2e.conftest import SHOTS
from tests.factories import make_event, make_org, make_ticket_type, make_user
from voelgoed.models import Organization

GREEN = "rgb(11, 110, 79)"  # #0B6E4F


def _background(page, selector: str) -> str:
    return page.eval_on_selector(selector, "el => getComputedStyle(el).backgroundColor")


@pytest.mark.e2e
def test_upload_preview_save_and_see_it_on_the_event_page(page, browser, live_app, app_db):
    org = make_org(app_db, name="Jozi Live")
    user = make_user(app_db, org=org)
    event = make_event(app_db, org)
    make_ticket_type(app_db, event, name="General", price_cents=15000, quantity=50)
    app_db.commit()

    page.goto("/signin")
    page.fill("#email", user.email)
    page.fill("#password", "correct horse battery")
    page.click("#signin-submit")
    page.wait_for_url(re.compile(r"/dashboard"))
    page.goto("/settings")
    page.wait_for_selector("#branding-settings")
    page.wait_for_selector("#brand-primary:not([disabled])")  # the state has loaded: the upload zone is enabled too
    upload = "#logo-upload input[type=file]"

    # bad uploads: a text file named .png (checked by the server), an SVG (refused by the browser's picker rules)
    page.set_input_files(upload, files=[{"name": "logo.png", "mimeType": "image/png", "buffer": b"not really a png"}])
    page.wait_for_selector("#logo-error")
    assert "PNG or JPEG" in page.locator("#logo-error").inner_text()
    page.set_input_files(upload, files=[{"name": "logo.svg", "mimeType": "image/svg+xml",
                                         "buffer": b"<svg xmlns='http://www.w3.org/2000/svg'></svg>"}])
    page.wait_for_function("document.querySelector('#logo-error').innerText.includes('SVG')")

    page.set_input_files(upload, files=[{"name": "logo.png", "mimeType": "image/png", "buffer": sample_logo()}])
    page.wait_for_selector("#brand-preview-logo")
    assert page.get_attribute("#brand-preview-logo", "src").startswith("data:image/png;base64,")
    assert "not saved yet" in page.locator("#logo-status").inner_text()

    page.fill("#brand-primary", "#808080")  # unreadable: the preview says so and saving is off
    page.wait_for_selector("#brand-primary-error")
    page.wait_for_function("document.querySelector('#brand-save').disabled")
    page.fill("#brand-primary", "#0B6E4F")
    page.fill("#brand-accent", "#7A1FA2")
    page.fill("#brand-sender", "Jozi Live Tickets")
    page.wait_for_function("document.querySelector('#brand-from-line').innerText.includes('Jozi Live Tickets')")
    page.wait_for_function(f"getComputedStyle(document.querySelector('#brand-preview-band')).backgroundColor === '{GREEN}'")
    assert _background(page, "#brand-preview-button") == "rgb(122, 31, 162)"
    app_db.expire_all()
    assert app_db.get(Organization, org.id).brand_primary is None  # a preview, nothing stored yet
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("#branding-settings").screenshot(path=str(SHOTS / "branding-settings.png"))

    page.click("#brand-save")
    page.wait_for_function("document.querySelector('#logo-status') && "
                           "document.querySelector('#logo-status').innerText.includes('Current logo')")
    app_db.expire_all()
    saved = app_db.get(Organization, org.id)
    assert (saved.brand_primary, saved.brand_accent, saved.email_sender_name) == ("#0B6E4F", "#7A1FA2", "Jozi Live Tickets")
    assert saved.logo_sha and page.get_attribute("#brand-preview-logo", "src").startswith(f"/brand/{org.id}/logo.png?v=")

    buyer_ctx = browser.new_context(base_url=live_app, viewport={"width": 390, "height": 844})
    buyer = buyer_ctx.new_page()
    try:
        buyer.goto(f"/e/{event.slug}")
        buyer.wait_for_selector("#event-name")
        buyer.wait_for_selector("#brand-banner-logo")
        assert _background(buyer, "#brand-banner") == GREEN
        assert "Jozi Live" in buyer.locator("#brand-banner").inner_text()
        buyer.wait_for_function("document.querySelector('#brand-banner-logo').naturalWidth === 480")
        assert buyer.get_attribute("#brand-banner-logo", "src") == f"/brand/{org.id}/logo.png?v={saved.logo_sha[:12]}"
        buyer.click("#qty-plus-0")
        buyer.wait_for_function("getComputedStyle(document.querySelector('#reserve')).backgroundColor === 'rgb(122, 31, 162)'")
        buyer.screenshot(path=str(SHOTS / "branding-event-page.png"))
    finally:
        buyer_ctx.close()
