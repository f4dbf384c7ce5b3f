"""Browser journey (real Chromium, issue 12 item 1): on the customer seat map a buyer clicks the standing area,
is asked how many places (2), clicks a seat of a table sold whole (the whole table is picked), picks one seat,
and holds everything in ONE hold; the hold page shows the countdown and the places with their area; the
snapshot then reports the area's remaining places and the table held."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from tests.e2e import seat_canvas
from tests.e2e.seat_canvas import click_plan
from tests.seated_factories import ga_layout, seated_event
from voelgoed.models import EventSeat, Hold, HoldItem


def _click(page, x, y):
    click_plan(page, x, y, seat_map=seat_canvas.CUSTOMER, scroll=True)


@pytest.mark.e2e
def test_standing_places_a_whole_table_and_a_seat_in_one_hold(page, app_db, live_app):
    event, _, _ = seated_event(app_db, layout=ga_layout(5))
    app_db.commit()
    page.goto(f"/e/{event.slug}")
    expect(page.locator("#seat-map canvas").first).to_be_visible()
    page.wait_for_function("() => window.__seatMap && window.__seatMap.ga().status.areas.floor === 5")
    _click(page, 400, 700)  # inside the standing area "Floor"
    expect(page.locator("#area-chooser")).to_contain_text("Floor — 5 places left")
    page.fill("#area-quantity", "2")
    page.click("#area-add")
    _click(page, 860, 380)  # seat T1-2 of table T1 (sold whole): the whole table
    _click(page, 100, 200)  # seat A-1
    expect(page.locator("#seat-selection")).to_have_text("Stalls A-1, 2 × Floor, table T1")
    page.click("#hold-seats")
    expect(page).to_have_url(re.compile(r"/hold/[0-9a-f-]{36}\.[0-9a-f]{64}$"))
    expect(page.locator("#hold-countdown")).to_be_visible()
    expect(page.get_by_text("2 × Standard · Floor")).to_be_visible()  # the standing places name their area
    app_db.expire_all()
    (hold,) = app_db.exec(select(Hold).where(Hold.event_id == event.id)).all()
    items = app_db.exec(select(HoldItem).where(HoldItem.hold_id == hold.id)).all()
    assert sorted(i.quantity for i in items if i.area_id is not None) == [2]
    held = {s.seat_key for s in app_db.exec(select(EventSeat).where(EventSeat.event_id == event.id,
                                                                    EventSeat.status == "held"))}
    assert held == {"A-1", "T1-1", "T1-2", "T1-3", "T1-4"}
    page.goto(f"/e/{event.slug}")
    page.wait_for_function("() => window.__seatMap && window.__seatMap.ga().status.areas.floor === 3"
                           " && window.__seatMap.ga().status.tables.T1 === 'held'")
