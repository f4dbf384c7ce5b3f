"""Browser journey: sign up (creates the organisation) → dashboard → invite a member → sign out → sign in."""

from __future__ import annotations

import email
import email.policy
import os
import re
import time
import uuid
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect
from sqlmodel import select

from tests.e2e.conftest import SHOTS
from voelgoed.models import Invitation, Membership, User, UserSession

ROOT = Path(__file__).resolve().parents[2]
T = 20_000  # ms for UI assertions: generous because the test machine is shared, not a performance claim


def invitation_link(to: str, timeout: float = 60.0) -> str:
    """The accept link from the invitation email the worker filed in MAIL_DIR (SMTP_HOST is empty in tests)."""
    mail_dir = Path(os.environ.get("MAIL_DIR", ROOT / "var/e2e/mail"))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for path in sorted(mail_dir.glob("*.eml")) if mail_dir.exists() else []:
            msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            if msg["To"] == to:
                body = msg.get_body(preferencelist=("plain",)).get_content()
                return re.search(r"https?://\S+/invite/\S+", body).group(0)
        time.sleep(0.5)
    raise AssertionError(f"no invitation email to {to} in {mail_dir}")


@pytest.mark.e2e
def test_sign_up_dashboard_invite_sign_out_sign_in(page, app_db, browser, live_app):
    # an anonymous visit to the dashboard is sent to sign-in
    page.goto("/dashboard")
    expect(page).to_have_url(re.compile(r"/signin\?next=%2Fdashboard"), timeout=T)

    page.goto("/signup")
    page.fill("#full_name", "Thandi Mokoena")
    page.fill("#email", "thandi@example.co.za")
    page.fill("#password", "short")
    page.fill("#organization_name", "Soweto Sound Co")
    page.click("#signup-submit")
    expect(page.locator("#password-error")).to_contain_text("at least 10", timeout=T)  # on the form, no traceback

    page.fill("#password", "a-strong-password")
    page.click("#signup-submit")
    expect(page).to_have_url(re.compile(r"/dashboard/?$"), timeout=T)
    expect(page.locator("#dashboard-welcome")).to_contain_text("Soweto Sound Co", timeout=T)
    expect(page.get_by_text("Upcoming events").first).to_be_visible(timeout=T)
    user = app_db.exec(select(User).where(User.email == "thandi@example.co.za")).one()
    assert app_db.exec(select(Membership).where(Membership.user_id == user.id)).one().role == "owner"

    page.set_viewport_size({"width": 1280, "height": 800})
    page.wait_for_timeout(300)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "dashboard.png"))

    # invite a member from settings
    page.locator("#nav-settings").click()
    expect(page).to_have_url(re.compile(r"/settings"), timeout=T)
    expect(page.locator("#members-table")).to_contain_text("thandi@example.co.za", timeout=T)
    invitee = f"sipho-{uuid.uuid4().hex[:8]}@example.co.za"
    page.fill("#invite-email", "someone@localhost")  # passes the browser check, not ours
    page.click("#invite-submit")
    expect(page.locator("#invite-error")).to_contain_text("valid email", timeout=T)
    page.fill("#invite-email", invitee)
    page.click("#invite-submit")
    expect(page.locator("#pending-invitations")).to_contain_text(invitee, timeout=T)
    app_db.expire_all()
    invitation = app_db.exec(select(Invitation).where(Invitation.email == invitee)).one()
    assert invitation.role == "staff" and invitation.accepted_at is None

    # the invitee follows the emailed link (sent by the real RQ worker) and joins with a new account
    link = invitation_link(invitee)
    assert link.startswith(live_app)
    guest = browser.new_context(base_url=live_app, viewport={"width": 390, "height": 844})
    invited = guest.new_page()
    invited.goto(link)
    expect(invited.get_by_text("Join Soweto Sound Co as staff.")).to_be_visible(timeout=T)
    invited.fill("#full_name", "Sipho Dlamini")
    invited.fill("#password", "sipho-password-1")
    invited.click("#invite-signup")
    expect(invited.locator("#dashboard-welcome")).to_contain_text("Soweto Sound Co", timeout=T)
    guest.close()
    page.reload()
    expect(page.locator("#members-table")).to_contain_text(invitee, timeout=T)
    expect(page.locator("#pending-invitations")).to_have_count(0, timeout=T)

    # role change asks for confirmation first
    page.locator("#members-table tr", has_text=invitee).get_by_role("combobox").click()
    page.get_by_role("option", name="viewer", exact=True).click()
    expect(page.get_by_role("alertdialog")).to_contain_text("Make " + invitee + " viewer?", timeout=T)
    page.click("#confirm-role")
    expect(page.get_by_text(invitee + " is now viewer")).to_be_visible(timeout=T)
    app_db.expire_all()
    sipho = app_db.exec(select(User).where(User.email == invitee)).one()
    assert app_db.exec(select(Membership).where(Membership.user_id == sipho.id)).one().role == "viewer"
    page.screenshot(path=str(SHOTS / "settings.png"))

    # removing a member asks for confirmation too
    page.locator("#members-table tr", has_text=invitee).get_by_role("button", name="Remove member").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Remove").click()
    expect(page.get_by_text(invitee + " was removed")).to_be_visible(timeout=T)
    expect(page.locator("#members-table")).not_to_contain_text(invitee, timeout=T)
    app_db.expire_all()
    assert app_db.exec(select(Membership).where(Membership.user_id == sipho.id)).first() is None

    # an API key is shown once and works against the API
    page.get_by_role("tab", name="API keys").click()
    page.fill("#key-name", "Box office")
    page.click("#create-key")
    secret = page.locator("#new-key-secret").inner_text().strip()
    assert secret.startswith("vg_live_")
    assert httpx.get(live_app + "/api/v1/events", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    page.get_by_role("button", name="Done").click()
    expect(page.locator("#new-key-secret")).to_have_count(0, timeout=T)

    # a second organisation, then switch back with the organisation switcher
    page.click("#org-switcher")
    page.get_by_role("menuitem", name="New organisation").click()
    page.fill("#new-org-name", "Second Stage")
    page.click("#new-org-submit")
    expect(page.locator("#dashboard-welcome")).to_contain_text("Second Stage", timeout=T)
    page.click("#org-switcher")
    page.get_by_role("menuitem", name=re.compile("Soweto Sound Co")).click()
    expect(page.locator("#dashboard-welcome")).to_contain_text("Soweto Sound Co", timeout=T)

    # sign out through the user menu
    page.click("#user-menu")
    page.click("#sign-out")
    expect(page).to_have_url(re.compile(r"/signin"), timeout=T)
    app_db.expire_all()
    assert app_db.exec(select(UserSession).where(UserSession.user_id == user.id,
                                                 UserSession.revoked_at.is_(None))).all() == []
    page.goto("/settings")
    expect(page).to_have_url(re.compile(r"/signin\?next="), timeout=T)

    # wrong password, then the right one; `next` brings us back to settings
    page.fill("#email", "thandi@example.co.za")
    page.fill("#password", "not-the-password")
    page.click("#signin-submit")
    expect(page.locator("#form-error")).to_contain_text("Email or password is incorrect", timeout=T)
    page.fill("#password", "a-strong-password")
    page.click("#signin-submit")
    expect(page).to_have_url(re.compile(r"/settings/?$"), timeout=T)
    expect(page.locator("#members-table")).to_contain_text("thandi@example.co.za", timeout=T)

    # phone width: top bar + menu instead of the sidebar
    phone = browser.new_context(base_url=live_app, viewport={"width": 390, "height": 844}, device_scale_factor=2,
                                is_mobile=True, has_touch=True)
    phone.add_cookies(page.context.cookies())
    mobile = phone.new_page()
    mobile.goto("/dashboard")
    expect(mobile.locator("#dashboard-welcome")).to_contain_text("Soweto Sound Co", timeout=T)
    expect(mobile.locator("#mobile-menu")).to_be_visible(timeout=T)
    expect(mobile.locator("#nav-events")).to_be_hidden(timeout=T)
    mobile.wait_for_timeout(300)
    mobile.screenshot(path=str(SHOTS / "dashboard-phone.png"))
    phone.close()


def _sign_in(page, email: str, password: str) -> None:
    page.goto("/signin")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("#signin-submit")


@pytest.mark.e2e
def test_role_aware_shell_and_user_without_organisation(page, app_db):
    from tests.factories import make_org, make_user
    from voelgoed.services.accounts import accounts

    org = make_org(app_db, name="Door Crew Org")
    make_user(app_db, org=org, role="scanner_only", email="door-only@example.co.za")
    accounts.create_user(app_db, email="loner@example.co.za", password="loner-password-1", full_name="Lona")
    app_db.commit()

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/signin")
    expect(page.locator("#signin-submit")).to_be_enabled(timeout=T)
    page.screenshot(path=str(SHOTS / "signin-phone.png"))
    page.set_viewport_size({"width": 1280, "height": 900})
    _sign_in(page, "door-only@example.co.za", "correct horse battery")
    expect(page.locator("#dashboard-welcome")).to_contain_text("Door Crew Org", timeout=T)
    expect(page.locator("#nav-scanning")).to_be_visible(timeout=T)
    expect(page.locator("#nav-orders")).to_have_count(0, timeout=T)
    expect(page.locator("#nav-reports")).to_have_count(0, timeout=T)
    expect(page.get_by_text("R 0.00")).to_have_count(0, timeout=T)  # no money figures for door staff
    page.goto("/settings?tab=api")
    expect(page.get_by_text("Owners and admins only")).to_be_visible(timeout=T)
    expect(page.locator("#invite-submit")).to_have_count(0, timeout=T)
    page.goto("/reports")  # hidden in the nav, and the service refuses it too
    expect(page.get_by_text("may not view sales reports")).to_be_visible(timeout=T)
    page.click("#user-menu")
    page.click("#sign-out")
    expect(page).to_have_url(re.compile(r"/signin"), timeout=T)

    _sign_in(page, "loner@example.co.za", "loner-password-1")
    expect(page.get_by_text("You're not part of an organisation yet")).to_be_visible(timeout=T)
    page.get_by_role("button", name="Create an organisation").click()
    page.fill("#new-org-name", "Lona Live")
    page.click("#new-org-submit")
    expect(page.locator("#dashboard-welcome")).to_contain_text("Lona Live", timeout=T)
