"""An organiser sets up a webhook endpoint in the browser, copies the secret shown once, sends a test
event, and a real local receiver gets a delivery that verifies with the ``standardwebhooks`` library
(delivered by the real RQ worker of ``live_app``); the page shows it delivered; deleting asks first."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect
from sqlmodel import select
from standardwebhooks import Webhook

from tests.e2e.conftest import SHOTS
from tests.factories import make_org, make_user
from tests.services.webhook_receiver import Receiver
from voelgoed.models import EndpointDelivery, WebhookEndpoint

T = 20_000  # ms for UI assertions: generous because the test machine is shared, not a performance claim


@pytest.mark.e2e
def test_organiser_creates_endpoint_and_test_event_verifies(page, app_db):
    org = make_org(app_db, name="Hook Events Co")
    make_user(app_db, org=org, role="owner", email="hooks-owner@example.co.za")
    app_db.commit()
    page.goto("/signin")
    page.fill("#email", "hooks-owner@example.co.za")
    page.fill("#password", "correct horse battery")
    page.click("#signin-submit")
    expect(page.locator("#dashboard-welcome")).to_contain_text("Hook Events Co", timeout=T)

    with Receiver() as rx:
        page.goto("/settings/webhooks")
        page.fill("#webhook-url", rx.url)
        page.click("#create-webhook")
        secret = page.locator("#webhook-secret").inner_text().strip()
        assert secret.startswith("whsec_")
        page.get_by_role("button", name="Done").click()
        expect(page.locator("#webhook-secret")).to_have_count(0, timeout=T)
        expect(page.get_by_text(rx.url)).to_be_visible(timeout=T)
        endpoint = app_db.exec(select(WebhookEndpoint).where(WebhookEndpoint.organization_id == org.id)).one()
        assert endpoint.event_types == ["order.paid", "ticket.issued", "ticket.checked_in"]  # the defaults ticked

        page.get_by_role("button", name="Send test").click()
        expect(page.get_by_text("Test event queued")).to_be_visible(timeout=T)
        assert rx.got_request.wait(60), "the worker never delivered the test event"
        deadline = time.monotonic() + 30
        while not rx.answered and time.monotonic() < deadline:
            time.sleep(0.1)
        _status, headers, body = rx.answered[0]
        assert Webhook(secret).verify(body, headers)["type"] == "webhook.test"

        deadline = time.monotonic() + 30  # the worker commits "delivered" right after the receiver's answer
        while time.monotonic() < deadline:
            app_db.expire_all()
            if app_db.exec(select(EndpointDelivery).where(EndpointDelivery.endpoint_id == endpoint.id)).one().status == "delivered":
                break
            time.sleep(0.2)
        page.reload()
        expect(page.locator("#webhook-deliveries")).to_contain_text("webhook.test", timeout=T)
        expect(page.locator("#webhook-deliveries")).to_contain_text("delivered", timeout=T)
        page.screenshot(path=str(SHOTS / "webhooks.png"))

        page.get_by_role("button", name="Delete").click()
        expect(page.get_by_role("alertdialog")).to_contain_text("Delete this endpoint?", timeout=T)
        page.get_by_role("alertdialog").get_by_role("button", name="Delete").click()
        expect(page.get_by_text("Endpoint deleted")).to_be_visible(timeout=T)
        app_db.expire_all()
        assert app_db.get(WebhookEndpoint, endpoint.id).deleted_at is not None
