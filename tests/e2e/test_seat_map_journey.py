"""Browser journey (two real Chromium buyers on one seat map, issue 12): buyer 1 picks two seats on the
canvas and holds them; buyer 2's open map shows them held (polled changes feed) and buyer 2's own selection
of one of them is dropped with "just taken"; buyer 1 lands on the hold page with the countdown and checks out;
buyer 2 uses best available and gets other seats."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from tests.seated_factories import seated_event
from voelgoed.models import EventSeat


def _click_seat(page, x, y):
    """Click the seat at layout coordinates (x, y) through the map's current view."""
    box = page.locator("#seat-map canvas").first.bounding_box()
    v = page.evaluate("() => window.__seatMap.view()")
    page.mouse.click(box["x"] + v["x"] + x * v["scale"], box["y"] + v["y"] + y * v["scale"])


@pytest.mark.e2e
def test_two_buyers_one_map_hold_live_and_best_available(page, app_db, live_app, browser):
    event, _, _ = seated_event(app_db, rows=(("A", 10), ("B", 10)))
    app_db.commit()
    other = browser.new_context(base_url=live_app, viewport={"width": 1280, "height": 900}).new_page()
    other.set_default_timeout(20_000)
    for p in (page, other):
        p.goto(f"/e/{event.slug}")
        expect(p.locator("#seat-map canvas").first).to_be_visible()
        p.wait_for_function("() => window.__seatMap && window.__seatMap.seats() === 20")
    # seat A-4 is at x = 100 + 3*30, y = 200 (tests/seating_factories.block_layout)
    other.evaluate("() => window.__seatMap.select(['A-5'])")
    _click_seat(page, 190, 200)
    _click_seat(page, 220, 200)
    expect(page.locator("#seat-selection")).to_have_text("Stalls A-4, Stalls A-5")
    page.click("#hold-seats")
    expect(page).to_have_url(re.compile(r"/hold/[0-9a-f-]+$"))
    expect(page.locator("#hold-countdown")).to_be_visible()
    # the other buyer's map turns them held and drops A-5 from their selection
    other.wait_for_function("() => window.__seatMap.status('A-4') === 'held' && window.__seatMap.status('A-5') === 'held'")
    expect(other.locator("#seat-taken")).to_contain_text("Stalls A-5 was just taken")
    other.click("#best-available")
    expect(other).to_have_url(re.compile(r"/hold/[0-9a-f-]+$"))
    app_db.expire_all()
    held = app_db.exec(select(EventSeat).where(EventSeat.event_id == event.id, EventSeat.status == "held")).all()
    assert len(held) == 4 and {"A-4", "A-5"} <= {s.seat_key for s in held}
    assert len({s.hold_id for s in held}) == 2
