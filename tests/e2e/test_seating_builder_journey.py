"""Browser journey (venue staff, real Chromium): venues page → New seating plan → draw a row of 10 seats →
number them (odd, then A1–A10) → the problem list names what blocks publishing and selects it on click →
paint a category → place the focal point → save → publish with the diff confirmation → version 1 in the
database with its 10 seat rows → the Table tool places a table of 6 seats sold whole, rotated, copied and
pasted (then undone) → version 2 holds the table's seats and a whole-table unit; the venues page links the plan
→ the event editor attaches version 2 to an event."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from tests.e2e.conftest import SHOTS
from tests.factories import make_event, make_org, make_user, make_venue
from voelgoed.models import Event, SeatingArea, SeatingPlan, SeatingPlanVersion, SeatingSeat


def _labels(page) -> list[str]:
    return page.evaluate("() => window.__seatingBuilder.doc().sections.flatMap(s => s.rows.flatMap(r => r.seats.map(x => r.label + x.label)))")


@pytest.mark.e2e
def test_venue_staff_draw_number_paint_and_publish_a_row(page, app_db):
    org = make_org(app_db, name="Baxter Theatre Centre")
    staff = make_user(app_db, org=org, role="staff", email="stage@baxter.example.co.za")
    venue = make_venue(app_db, org)
    event = make_event(app_db, org, venue=venue)
    app_db.commit()

    page.goto("/signin?next=%2Fvenues")
    page.fill("#email", staff.email)
    page.fill("#password", "correct horse battery")
    page.click("#signin-submit")
    expect(page).to_have_url(re.compile(r"/venues/?$"))
    expect(page.get_by_text("No seating plan yet")).to_be_visible()
    page.locator(".new-seating-plan").first.click()
    expect(page).to_have_url(re.compile(rf"/venues/{venue.id}/plans/[0-9a-f-]+$"))
    canvas = page.get_by_test_id("seating-canvas")
    expect(canvas).to_be_visible()
    expect(page.locator("#plan-name")).to_contain_text("Test Venue seating")
    expect(page.locator("#sb-version")).to_have_text("never published")

    # draw a row of 10 seats with one click of the row tool
    page.click("#sb-tool-row")
    page.fill("#sb-seats", "10")
    box = canvas.bounding_box()
    page.mouse.click(box["x"] + 100, box["y"] + 150)
    expect(page.locator("#sb-selection-count")).to_have_text("10 seats in 1 row")
    assert _labels(page) == [f"A{i}" for i in range(1, 11)]

    # marquee-select the row, number it odd, then A1–A10
    page.click("#sb-tool-select")
    page.mouse.click(box["x"] + 500, box["y"] + 450)       # empty space clears the selection
    expect(page.locator("#sb-selection-count")).to_have_text("Nothing selected")
    page.mouse.move(box["x"] + 70, box["y"] + 120)
    page.mouse.down()
    page.mouse.move(box["x"] + 250, box["y"] + 160, steps=5)
    page.mouse.move(box["x"] + 380, box["y"] + 180, steps=5)
    page.mouse.up()
    expect(page.locator("#sb-selection-count")).to_have_text("10 seats in 1 row")
    page.select_option("#sb-seat-scheme", "odd")
    page.click("#sb-number")
    assert _labels(page) == [f"A{i}" for i in range(1, 20, 2)]
    page.select_option("#sb-seat-scheme", "numeric")
    page.fill("#sb-row-start", "A")
    page.fill("#sb-seat-start", "1")
    page.click("#sb-number")
    assert _labels(page) == [f"A{i}" for i in range(1, 11)]
    expect(page.locator("#sb-selection-labels")).to_contain_text("A1, A2, A3")

    # the problem list: no category, no focal point; a click on a problem selects what it concerns
    page.mouse.click(box["x"] + 500, box["y"] + 450)
    page.click("#sb-validate")
    problems = page.locator("#sb-problems")
    expect(problems).to_contain_text("no price category")
    expect(problems).to_contain_text("focal point")
    page.locator("[data-code=seat_without_category]").click()
    expect(page.locator("#sb-selection-count")).to_have_text("10 seats in 1 row")

    # paint the default category, place the focal point, save, check again
    page.click("#sb-paint")
    cats = page.evaluate("() => [...new Set(window.__seatingBuilder.doc().sections[0].rows[0].seats.map(s => s.category))]")
    assert cats == ["standard"]
    page.click("#sb-tool-focal")
    page.mouse.click(box["x"] + 220, box["y"] + 50)
    page.click("#sb-save")
    expect(page.locator("#sb-status")).to_have_text("Saved")
    page.click("#sb-validate")
    expect(page.locator("#sb-no-problems")).to_be_visible()

    # publish: the confirmation shows the diff; then version 1 exists with 10 seats
    page.click("#sb-publish")
    diff = page.locator("#sb-diff")
    expect(diff).to_contain_text("Added10")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "seating-builder-publish.png"))
    page.click("#sb-confirm-publish")
    expect(page.locator("#sb-status")).to_have_text("Published version 1 (10 seats)")
    expect(page.locator("#sb-version")).to_have_text("v1 published")
    page.screenshot(path=str(SHOTS / "seating-builder.png"))

    app_db.expire_all()
    plan = app_db.exec(select(SeatingPlan).where(SeatingPlan.organization_id == org.id)).one()
    version = app_db.exec(select(SeatingPlanVersion).where(SeatingPlanVersion.plan_id == plan.id)).one()
    assert version.number == 1 and version.seat_count == 10 and version.layout["focal_point"] is not None
    seats = app_db.exec(select(SeatingSeat).where(SeatingSeat.version_id == version.id)).all()
    assert sorted((s.row_label, int(s.seat_label), s.category_key) for s in seats) == [("A", i, "standard") for i in range(1, 11)]

    # the Table tool: a round table of 6 seats, sold whole, seats around it in the default category
    page.click("#sb-tool-table")
    page.fill("#sb-table-seats", "6")
    page.check("#sb-table-whole")
    page.mouse.click(box["x"] + 300, box["y"] + 380)
    expect(page.locator("#sb-selection-count")).to_have_text("6 seats in 1 table")
    table = page.evaluate("() => window.__seatingBuilder.doc().tables[0]")
    assert table["label"] == "T1" and table["book_whole"] is True and table["category"] == "standard"
    assert [s["label"] for s in table["seats"]] == ["1", "2", "3", "4", "5", "6"]
    top = table["seats"][0]
    assert top["x"] == table["x"] and top["y"] < table["y"], "seat 1 sits at the top"
    # rotate the table a quarter turn: seat 1 moves to the right of the centre
    page.fill("#sb-angle", "90")
    page.click("#sb-rotate")
    table = page.evaluate("() => window.__seatingBuilder.doc().tables[0]")
    assert table["rotation"] == 90
    assert table["seats"][0]["x"] > table["x"] + 30 and abs(table["seats"][0]["y"] - table["y"]) < 1
    # copy/paste makes a second table (new keys, next label); undo takes it away again
    page.get_by_test_id("seating-canvas").focus()
    page.keyboard.press("Control+c")
    page.keyboard.press("Control+v")
    tables = page.evaluate("() => window.__seatingBuilder.doc().tables.map(t => [t.label, t.seats.map(s => s.key)])")
    assert [t[0] for t in tables] == ["T1", "T2"] and not set(tables[0][1]) & set(tables[1][1])
    page.keyboard.press("Control+z")
    assert page.evaluate("() => window.__seatingBuilder.doc().tables.length") == 1
    page.click("#sb-publish")
    expect(page.locator("#sb-diff")).to_contain_text("Added6")
    page.click("#sb-confirm-publish")
    expect(page.locator("#sb-status")).to_have_text("Published version 2 (16 seats)")
    page.screenshot(path=str(SHOTS / "seating-builder-table.png"))
    app_db.expire_all()
    v2 = app_db.exec(select(SeatingPlanVersion).where(SeatingPlanVersion.plan_id == plan.id, SeatingPlanVersion.number == 2)).one()
    table_seats = app_db.exec(select(SeatingSeat).where(SeatingSeat.version_id == v2.id, SeatingSeat.table_key.is_not(None))).all()
    assert sorted((s.row_label, s.seat_label, s.category_key) for s in table_seats) == [("T1", str(i), "standard") for i in range(1, 7)]
    unit = app_db.exec(select(SeatingArea).where(SeatingArea.version_id == v2.id)).one()
    assert (unit.kind, unit.label, unit.capacity) == ("table", "T1", 6)

    page.goto("/venues")
    expect(page.locator(".seating-plan-link").first).to_contain_text("v2")

    # the event editor: choose version 2 for the event
    page.goto(f"/events/{event.id}")
    expect(page.locator("#event-seating-current")).to_have_text("No seating plan (general admission)")
    page.select_option("#event-seating-select", label="Test Venue seating · v2 (16 seats)")
    page.click("#event-seating-save")
    expect(page.locator("#event-seating-current")).to_have_text("Test Venue seating · v2 (16 seats)")
    app_db.expire_all()
    assert app_db.get(Event, event.id).seating_plan_version_id == v2.id
