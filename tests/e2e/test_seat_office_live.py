"""Browser journeys (real Chromium, production mode; the organiser seat map, docs/seated-sales.md "Organiser
views"): two organisers have the same event's map open — what one blocks, allocates or sells at the box office
shows on the other's map without a reload, and it comes PUSHED over the organiser's seat stream: the other map
never asks the status route again (its 30 s safety snapshot is moved ten minutes off for the test) nor polls
the changes feed. A third map whose stream requests are cut off falls back to polling the changes feed and
still sees the change. Then the list alternative: keyboard only, two seats are chosen from the seat list
(arrow keys, Enter / Space), the Block action applies to them, and the list shows them blocked."""

from __future__ import annotations

import re
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from tests.e2e.seat_canvas import office_act
from tests.factories import make_user
from tests.seated_factories import seated_event
from voelgoed.models import EventSeat, Organization

FAR_OFF = "window.__seatFeedSnapshotMs = 600000;"   # the safety snapshot (seatfeed.js SNAPSHOT_MS) out of the way


def _signed_in_map(browser, live_app, user, event, *, init: str = "", cut: bool = False):
    page = browser.new_context(base_url=live_app, viewport={"width": 1280, "height": 1100}).new_page()
    page.set_default_timeout(20_000)
    if init:
        page.add_init_script(init)
    page.goto(f"/signin?next=%2Fevents%2F{event.id}%2Fseats")
    page.fill("#email", user.email)
    page.fill("#password", "correct horse battery")
    page.click("#signin-submit")
    expect(page).to_have_url(re.compile(rf"/events/{event.id}/seats$"))
    if cut:   # every request to the organiser's seat stream fails, from the first after a reload
        page.route("**/seats/stream**", lambda route: route.abort())
        page.reload()
    page.wait_for_function("() => window.__seatOffice && window.__seatOffice.seats() === 16 && window.__seatFeed")
    return page


def _count_requests(page, event) -> dict:
    """Requests the page makes to the organiser's status route and changes feed (counted as they are sent)."""
    seen = {"status": 0, "changes": 0}
    base = f"/api/organiser/events/{event.id}/seats"

    def on_request(request):
        path = urlparse(request.url).path
        if path == base:
            seen["status"] += 1
        elif path == f"{base}/changes":
            seen["changes"] += 1
    page.on("request", on_request)
    return seen


def _organisers(app_db, event):
    org = app_db.get(Organization, event.organization_id)
    first = make_user(app_db, org=org, role="owner", email=f"desk-1-{event.slug}@market.example.co.za")
    second = make_user(app_db, org=org, role="staff", email=f"desk-2-{event.slug}@market.example.co.za")
    app_db.commit()
    return first, second


@pytest.mark.e2e
def test_one_organisers_actions_reach_another_organisers_open_map_pushed(browser, live_app, app_db):
    event, _, _ = seated_event(app_db, rows=(("A", 8), ("B", 8)))
    first, second = _organisers(app_db, event)
    acting = _signed_in_map(browser, live_app, first, event)
    watching = _signed_in_map(browser, live_app, second, event, init=FAR_OFF)
    seen = _count_requests(watching, event)       # from here on: the map's snapshot has been read already
    cut = _signed_in_map(browser, live_app, second, event, init=FAR_OFF, cut=True)
    cut.wait_for_function("() => window.__seatFeed.mode === 'poll' && window.__seatFeed.errors >= 1")
    watching.wait_for_function("() => window.__seatFeed.mode === 'stream'")
    assert watching.evaluate("() => window.__seatOffice.status('A-1')") == "free"

    # 1. block one seat on the first map
    office_act(acting, ["A-1"], "#seats-block", "1 seat(s) blocked.")
    watching.wait_for_function("() => window.__seatOffice.status('A-1') === 'blocked'")
    expect(watching.locator("#count-blocked")).to_have_text("1")
    expect(watching.locator("#count-free")).to_have_text("15")
    # 2. allocate two to the press, 3. sell one at the box office
    office_act(acting, ["A-2", "A-3"], "#seats-allocate", "2 seat(s) allocated to Press.", label="Press")
    expect(watching.locator("#allocation-summary")).to_contain_text("Press: 2")
    expect(watching.locator("#count-allocated")).to_have_text("2")
    acting.evaluate("() => window.__seatOffice.select(['A-3'])")
    acting.fill("#box-office-name", "Lerato Khumalo")
    acting.fill("#box-office-email", "lerato@example.co.za")
    acting.click("#box-office-sell")
    acting.click("#box-office-confirm")
    expect(acting.locator("#box-office-done")).to_contain_text("Stalls A-3")
    watching.wait_for_function("() => window.__seatOffice.status('A-3') === 'sold'")
    expect(watching.locator("#count-sold")).to_have_text("1")
    expect(watching.locator("#allocation-summary")).to_contain_text("Press: 1")
    expect(watching.locator("#section-counts")).to_contain_text("Stalls")
    sections = watching.locator("#section-counts tbody tr").first.inner_text().split()
    assert sections == ["Stalls", "13", "0", "1", "1", "1", "16"]   # free, held, sold, blocked, allocated, total

    # all of it came pushed: no status snapshot and no changes poll since the map loaded
    assert watching.evaluate("() => window.__seatFeed.mode") == "stream"
    assert watching.evaluate("() => window.__seatFeed.messages") >= 3
    assert seen == {"status": 0, "changes": 0}, seen

    # the map whose stream is cut off polls the changes feed instead, and gets there too
    cut.wait_for_function("() => window.__seatOffice.status('A-3') === 'sold' && window.__seatOffice.status('A-1') === 'blocked'")
    expect(cut.locator("#count-allocated")).to_have_text("1")
    assert cut.evaluate("() => window.__seatFeed.messages") == 0
    for p in (acting, watching, cut):
        p.context.close()


@pytest.mark.e2e
def test_the_seat_list_chooses_seats_by_keyboard_and_an_action_applies_to_them(browser, live_app, app_db):
    event, _, _ = seated_event(app_db, rows=(("A", 8), ("B", 8)))
    first, _second = _organisers(app_db, event)
    page = _signed_in_map(browser, live_app, first, event)
    expect(page.locator("#seat-list-title")).to_have_text("Seats as a list")
    expect(page.locator("#seat-list-section")).to_contain_text("Stalls (16 seats, 16 free)")
    page.focus("#seat-list-row")
    page.keyboard.press("Tab")                     # the row's one tab stop: its first seat
    assert page.evaluate("() => document.activeElement.dataset.key") == "A-1"
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    page.keyboard.press("ArrowDown")               # the next row, same place: B-3
    assert page.evaluate("() => document.activeElement.dataset.key") == "B-3"
    page.keyboard.press("Space")
    assert sorted(page.evaluate("() => window.__seatOffice.selected()")) == ["A-3", "B-3"]
    expect(page.locator("#selection-summary")).to_have_text("2 seat(s) selected")
    expect(page.locator('#seat-list-grid button[data-key="B-3"]')).to_have_attribute("aria-pressed", "true")
    expect(page.locator('#seat-list-grid button[data-key="B-3"]')).to_have_attribute("aria-label", "Stalls B-3, Free, Standard")
    # the action, by keyboard too
    page.focus("#seats-block")
    page.keyboard.press("Enter")
    expect(page.locator("#seat-office-notice")).to_have_text("2 seat(s) blocked.")
    b3 = page.locator('#seat-list-grid button[data-key="B-3"]')
    expect(b3).to_contain_text("Blocked")
    expect(b3).to_have_attribute("aria-label", "Stalls B-3, Blocked, Standard")
    expect(page.locator("#seat-list-row")).to_contain_text("B (8 seats, 7 free)")
    app_db.expire_all()
    rows = {s.seat_key: s.status for s in app_db.exec(select(EventSeat).where(EventSeat.event_id == event.id))}
    assert sorted(k for k, st in rows.items() if st == "blocked") == ["A-3", "B-3"]
    page.context.close()
