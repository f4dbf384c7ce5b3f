"""Organiser `/scanning`: register a device for a gate, see its pairing code + QR, pair a phone, revoke with confirmation."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
import pytest
from playwright.sync_api import expect
from sqlmodel import select

from tests.factories import make_event, make_org, make_ticket_type, make_user
from voelgoed.models import Device

PASSWORD = "correct horse battery"


@pytest.mark.e2e
def test_register_pair_and_revoke_a_scanner(live_app, app_db, page):
    org = make_org(app_db)
    owner = make_user(app_db, org=org, role="owner", password=PASSWORD)
    event = make_event(app_db, org, starts_in=timedelta(hours=2))
    make_ticket_type(app_db, event)
    app_db.commit()

    page.goto("/scanning")
    expect(page).to_have_url(re.compile(r"/signin"))
    page.fill("#email", owner.email)
    page.fill("#password", PASSWORD)
    page.click("#signin-submit")
    expect(page).to_have_url(re.compile(r"/scanning"))
    expect(page.get_by_text("No scanners yet")).to_be_visible()

    page.fill("#device-name", "North gate phone")
    page.click("#device-gate")
    page.get_by_role("option", name="Gate MAIN").click()
    page.click("#device-create")
    code = page.locator("#pairing-code")
    expect(code).to_have_text(re.compile(r"^[2-9A-HJKMNP-Z]{4} [2-9A-HJKMNP-Z]{4}$"))
    expect(page.get_by_role("img", name="Pairing QR")).to_be_visible()
    pairing_code = code.inner_text()
    page.get_by_role("button", name="Done").click()
    table = page.locator("#devices-table")
    expect(table).to_contain_text("North gate phone")
    expect(table).to_contain_text("MAIN")
    expect(table).to_contain_text("not paired")

    # a phone exchanges the code for a token (what /scan does)
    paired = httpx.post(f"{live_app}/api/v1/scanner/pair", json={"pairing_code": pairing_code})
    assert paired.status_code == 200 and paired.json()["gate_code"] == "MAIN"
    token = paired.json()["token"]
    auth = {"Authorization": f"Bearer {token}"}
    assert httpx.get(f"{live_app}/api/v1/scanner/manifest", headers=auth).status_code == 200

    page.reload()
    expect(table).to_contain_text("active")
    page.get_by_role("button", name="Revoke").click()
    expect(page.get_by_role("alertdialog")).to_contain_text("Revoke “North gate phone”?")
    page.get_by_role("button", name="Cancel").click()  # nothing happens on cancel
    expect(page.get_by_role("alertdialog")).to_have_count(0)
    expect(table).to_contain_text("active")
    page.get_by_role("button", name="Revoke").click()
    expect(page.get_by_role("alertdialog")).to_be_visible()
    page.locator("#revoke-confirm").click()
    expect(table).to_contain_text("revoked")
    assert httpx.get(f"{live_app}/api/v1/scanner/manifest", headers=auth).status_code == 401
    app_db.expire_all()
    device = app_db.exec(select(Device).where(Device.organization_id == org.id)).one()
    assert device.revoked_at is not None
