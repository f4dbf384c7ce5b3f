"""Browser journeys (real Chromium) for the customer seat map's tooltip, keyboard/list alternative and touch
gestures (issue 12 item 2, docs/seated-sales.md "Customer seat map").

- Hovering a seat shows its label, category, price and flags; a seat another buyer holds is not offered in
  the list; a buyer who never touches the mouse chooses two seats with the arrow keys and Enter/Space (each
  choice announced in the aria-live region), moves rows with ↑/↓, and holds them with the keyboard → the hold
  page with its countdown, and exactly those seats held in PostgreSQL.
- On a phone (touch): a tap selects a seat and shows its tooltip; a two-finger pinch (CDP touch events)
  zooms in around the fingers; a one-finger drag pans.
- A 3,000-seat plan renders at most one row's seat buttons (no DOM node per seat of the plan).
"""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import expect
from sqlmodel import select

from tests.seated_factories import seated_event
from tests.seating_factories import block_layout
from voelgoed.models import EventSeat


def _layout_with_flags():
    doc = block_layout((("A", 10), ("B", 10)))
    seats = doc["sections"][0]["rows"][0]["seats"]
    seats[0]["flags"] = ["wheelchair"]
    seats[1]["flags"] = ["companion", "restricted_view"]
    return doc


def _wait_map(page, n):
    expect(page.locator("#seat-map canvas").first).to_be_visible()
    page.wait_for_function(f"() => window.__seatMap && window.__seatMap.seats() === {n} && window.__seatMap.seq() >= 0")


def _screen(page, x, y):
    """Page coordinates of the layout point (x, y) through the map's current view."""
    box = page.locator("#seat-map canvas").first.bounding_box()
    v = page.evaluate("() => window.__seatMap.view()")
    return box["x"] + v["x"] + x * v["scale"], box["y"] + v["y"] + y * v["scale"]


@pytest.mark.e2e
def test_tooltip_and_keyboard_only_selection_and_hold(page, app_db, live_app):
    event, _ctx, _ = seated_event(app_db, layout=_layout_with_flags())
    app_db.commit()
    # another buyer already holds A-3: it is grey on the map and absent from the list
    r = httpx.post(f"{live_app}/api/v1/public/events/{event.slug}/seat-holds", json={"seat_keys": ["A-3"]},
                   headers={"X-Forwarded-For": "203.0.113.9"}, timeout=30)
    assert r.status_code == 201, r.text
    page.goto(f"/e/{event.slug}")
    _wait_map(page, 20)
    page.wait_for_function("() => window.__seatMap.status('A-3') === 'held'")

    # tooltips: A-1 (wheelchair), A-2 (companion, restricted view), A-3 (held)
    page.mouse.move(*_screen(page, 100, 200))
    tip = page.locator("#seat-tooltip")
    expect(tip).to_be_visible()
    expect(tip.locator(".vg-tip-label")).to_have_text("Stalls A-1")
    expect(tip.locator(".vg-tip-category")).to_have_text("Standard · R 200.00")
    expect(tip.locator(".vg-tip-flags")).to_have_text("wheelchair space")
    expect(tip.locator(".vg-tip-status")).to_have_text("free")
    page.mouse.move(*_screen(page, 130, 200))
    expect(tip.locator(".vg-tip-label")).to_have_text("Stalls A-2")
    expect(tip.locator(".vg-tip-flags")).to_have_text("companion seat · restricted view")
    page.mouse.move(*_screen(page, 160, 200))
    expect(tip.locator(".vg-tip-status")).to_have_text("held by another buyer")
    page.mouse.move(5, 5)
    expect(tip).to_have_count(0)

    # the list alternative: section → row → the free seats of that row only
    expect(page.locator("#seat-list-section")).to_contain_text("Stalls (19 free)")
    expect(page.locator("#seat-list-row option")).to_have_text(["A (9 free)", "B (10 free)"])
    buttons = page.locator("#seat-list-grid button.vg-seat-btn")
    expect(buttons).to_have_count(9)
    assert "A-3" not in [buttons.nth(i).get_attribute("data-key") for i in range(9)]
    expect(buttons.first).to_have_attribute("aria-label", "Stalls A-1, Standard, R 200.00, wheelchair space")

    # keyboard only from here: Tab into the seat buttons (one tab stop), arrows to move, Enter/Space to choose
    page.locator("#seat-list-row").focus()
    page.keyboard.press("Tab")
    expect(page.locator("#seat-list-grid button:focus")).to_have_attribute("data-key", "A-1")
    for _ in range(2):
        page.keyboard.press("ArrowRight")
    expect(page.locator("#seat-list-grid button:focus")).to_have_attribute("data-key", "A-4")  # A-3 is skipped
    page.keyboard.press("Enter")
    announce = page.locator("#seat-announce")
    expect(announce).to_have_text("Chose Stalls A-4, Standard, R 200.00. 1 seat chosen.")
    page.keyboard.press("ArrowDown")
    expect(page.locator("#seat-list-grid button:focus")).to_have_attribute("data-key", "B-3")
    expect(page.locator("#seat-list-row")).to_have_value("1")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowRight")
    expect(page.locator("#seat-list-grid button:focus")).to_have_attribute("data-key", "A-5")
    page.keyboard.press("Space")
    expect(announce).to_have_text("Chose Stalls A-5, Standard, R 200.00. 2 seats chosen.")
    expect(page.locator('#seat-list-grid button[data-key="A-5"]')).to_have_attribute("aria-pressed", "true")
    page.keyboard.press("End")
    page.keyboard.press("Enter")
    expect(announce).to_have_text(re.compile(r"^Chose Stalls A-10, .* 3 seats chosen\.$"))
    page.keyboard.press("Enter")  # again: removed
    expect(announce).to_have_text("Removed Stalls A-10, Standard, R 200.00. 2 seats chosen.")
    expect(page.locator("#seat-selection")).to_have_text("Stalls A-4, Stalls A-5")

    page.locator("#hold-seats").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/hold/[0-9a-f-]{36}\.[0-9a-f]{64}$"))
    expect(page.locator("#hold-countdown")).to_be_visible()
    app_db.expire_all()
    held = app_db.exec(select(EventSeat).where(EventSeat.event_id == event.id, EventSeat.status == "held")).all()
    assert sorted(s.seat_key for s in held) == ["A-3", "A-4", "A-5"]


@pytest.mark.e2e
def test_phone_tap_tooltip_pinch_zoom_and_pan(browser, app_db, live_app):
    event, _ctx, _ = seated_event(app_db, rows=(("A", 10), ("B", 10)))
    app_db.commit()
    context = browser.new_context(base_url=live_app, viewport={"width": 390, "height": 844}, has_touch=True,
                                  is_mobile=True, device_scale_factor=2)
    phone = context.new_page()
    phone.set_default_timeout(30_000)
    phone.goto(f"/e/{event.slug}")
    _wait_map(phone, 20)
    phone.touchscreen.tap(*_screen(phone, 190, 200))
    expect(phone.locator("#seat-selection")).to_have_text("Stalls A-4")
    expect(phone.locator("#seat-tooltip .vg-tip-label")).to_have_text("Stalls A-4")
    expect(phone.locator("#seat-tooltip .vg-tip-status")).to_contain_text("your choice")

    cdp = context.new_cdp_session(phone)
    box = phone.locator("#seat-map canvas").first.bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    before = phone.evaluate("() => window.__seatMap.view()")
    plan_x = (cx - box["x"] - before["x"]) / before["scale"]  # the plan point under the fingers' midpoint

    def touch(kind, points):
        cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": [
            {"x": x, "y": y, "id": i} for i, (x, y) in enumerate(points)]})

    touch("touchStart", [(cx - 20, cy), (cx + 20, cy)])
    for step in range(1, 9):
        touch("touchMove", [(cx - 20 - step * 10, cy), (cx + 20 + step * 10, cy)])
    touch("touchEnd", [])
    after = phone.evaluate("() => window.__seatMap.view()")
    assert after["scale"] == pytest.approx(before["scale"] * 200 / 40, rel=0.01)
    # the same plan point is still under the midpoint
    assert (cx - box["x"] - after["x"]) / after["scale"] == pytest.approx(plan_x, abs=0.5)
    assert phone.evaluate("() => window.__seatMap.selected()") == ["A-4"]  # a pinch is not a tap

    touch("touchStart", [(cx, cy)])
    for step in range(1, 6):
        touch("touchMove", [(cx + step * 12, cy + step * 6)])
    touch("touchEnd", [])
    panned = phone.evaluate("() => window.__seatMap.view()")
    assert panned["x"] == pytest.approx(after["x"] + 60, abs=1) and panned["y"] == pytest.approx(after["y"] + 30, abs=1)
    assert panned["scale"] == after["scale"]
    context.close()


@pytest.mark.e2e
def test_large_plan_list_renders_one_row_of_buttons(page, app_db, live_app):
    rows = tuple((f"R{i + 1}", 100) for i in range(30))
    event, _ctx, _ = seated_event(app_db, rows=rows)
    app_db.commit()
    page.goto(f"/e/{event.slug}")
    _wait_map(page, 3000)
    expect(page.locator("#seat-list-row option")).to_have_count(30)
    expect(page.locator("#seat-list-grid button.vg-seat-btn")).to_have_count(100)
    page.select_option("#seat-list-row", "29")
    expect(page.locator("#seat-list-grid button.vg-seat-btn").first).to_have_attribute("data-key", "R30-1")
    assert page.evaluate("() => document.querySelectorAll('#seat-map *').length") < 600
