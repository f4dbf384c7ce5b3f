"""Browser journey: sign up (creates the organisation) → dashboard → invite a member → sign out → sign in."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from voelgoed.models import Invitation, Membership, User, UserSession

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "docs" / "screenshots"


@pytest.mark.e2e
def test_sign_up_dashboard_invite_sign_out_sign_in(page, app_db, browser, live_app):
    # an anonymous visit to the dashboard is sent to sign-in
    page.goto("/dashboard")
    expect(page).to_have_url(re.compile(r"/signin\?next=%2Fdashboard"))

    page.goto("/signup")
    page.fill("#full_name", "Thandi Mokoena")
    page.fill("#email", "thandi@example.co.za")
    page.fill("#password", "short")
    page.fill("#organization_name", "Soweto Sound Co")
    page.click("#signup-submit")
    expect(page.locator("#password-error")).to_contain_text("at least 10")  # shown on the form, no traceback

    page.fill("#password", "a-strong-password")
    page.click("#signup-submit")
    expect(page).to_have_url(re.compile(r"/dashboard/?$"))
    expect(page.locator("#dashboard-welcome")).to_contain_text("Soweto Sound Co")
    expect(page.get_by_text("Upcoming events").first).to_be_visible()
    user = app_db.exec(select(User).where(User.email == "thandi@example.co.za")).one()
    assert app_db.exec(select(Membership).where(Membership.user_id == user.id)).one().role == "owner"

    page.set_viewport_size({"width": 1280, "height": 800})
    page.wait_for_timeout(300)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "dashboard.png"))

    # invite a member from settings
    page.locator("#nav-settings").click()
    expect(page).to_have_url(re.compile(r"/settings"))
    expect(page.locator("#members-table")).to_contain_text("thandi@example.co.za")
    page.fill("#invite-email", "sipho@example.co.za")
    page.click("#invite-submit")
    expect(page.locator("#pending-invitations")).to_contain_text("sipho@example.co.za")
    app_db.expire_all()
    invitation = app_db.exec(select(Invitation).where(Invitation.email == "sipho@example.co.za")).one()
    assert invitation.role == "staff" and invitation.accepted_at is None

    # sign out through the user menu
    page.click("#user-menu")
    page.click("#sign-out")
    expect(page).to_have_url(re.compile(r"/signin"))
    app_db.expire_all()
    assert app_db.exec(select(UserSession).where(UserSession.user_id == user.id,
                                                 UserSession.revoked_at.is_(None))).all() == []
    page.goto("/settings")
    expect(page).to_have_url(re.compile(r"/signin\?next="))

    # wrong password, then the right one; `next` brings us back to settings
    page.fill("#email", "thandi@example.co.za")
    page.fill("#password", "not-the-password")
    page.click("#signin-submit")
    expect(page.locator("#form-error")).to_contain_text("Email or password is incorrect")
    page.fill("#password", "a-strong-password")
    page.click("#signin-submit")
    expect(page).to_have_url(re.compile(r"/settings/?$"))
    expect(page.locator("#members-table")).to_contain_text("thandi@example.co.za")

    # phone width: top bar + menu instead of the sidebar
    phone = browser.new_context(base_url=live_app, viewport={"width": 390, "height": 844}, device_scale_factor=2,
                                is_mobile=True, has_touch=True)
    phone.add_cookies(page.context.cookies())
    mobile = phone.new_page()
    mobile.goto("/dashboard")
    expect(mobile.locator("#dashboard-welcome")).to_contain_text("Soweto Sound Co")
    expect(mobile.locator("#mobile-menu")).to_be_visible()
    expect(mobile.locator("#nav-events")).to_be_hidden()
    mobile.wait_for_timeout(300)
    mobile.screenshot(path=str(SHOTS / "dashboard-phone.png"))
    phone.close()
