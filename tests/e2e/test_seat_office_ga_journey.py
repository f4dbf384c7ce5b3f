"""Browser journey (real Chromium, issue 12 seated GA, the organiser side): the organiser's seat map shows the
standing area with its places sold / held / free and the table sold whole as a table; a click in the area asks
how many places to sell (2), a click on a seat of the whole table picks the table; the box office sells both in
one paid order; the map then counts the places sold and the table sold. A second sale of more places than are
left (a buyer held one meanwhile) is refused with a clear message and sells nothing."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from tests.e2e import seat_canvas
from tests.e2e.conftest import SHOTS
from tests.e2e.seat_canvas import click_plan
from tests.factories import make_user
from tests.seated_factories import ga_layout, seated_event
from voelgoed.models import EventArea, EventSeat, Order, OrderItem, Organization, Ticket
from voelgoed.services import seating


def _click(page, x, y):
    click_plan(page, x, y, seat_map=seat_canvas.ORGANISER, scroll=True)


@pytest.mark.e2e
def test_box_office_sells_standing_places_and_a_whole_table_from_the_seat_map(page, app_db, live_app):
    event, _, _ = seated_event(app_db, layout=ga_layout(5))
    owner = make_user(app_db, org=app_db.get(Organization, event.organization_id), role="owner",
                      email="ga-desk@market.example.co.za")
    seating.hold_seats(app_db, event_slug=event.slug, areas=[{"key": "floor", "quantity": 1}], client_address="203.0.113.7")
    app_db.commit()

    page.goto(f"/signin?next=%2Fevents%2F{event.id}%2Fseats")
    page.fill("#email", owner.email)
    page.fill("#password", "correct horse battery")
    page.click("#signin-submit")
    expect(page).to_have_url(re.compile(rf"/events/{event.id}/seats$"))
    page.wait_for_function("() => window.__seatOffice && window.__seatOffice.areas() && window.__seatOffice.areas().floor")
    expect(page.locator("#area-count-floor")).to_have_text("Floor: 0 sold · 1 held · 4 free")

    # a click in the standing area: how many places to sell
    _click(page, 400, 700)
    expect(page.locator("#office-area-chooser")).to_contain_text("Floor — 0 sold, 1 held, 4 free")
    page.fill("#office-area-quantity", "2")
    page.click("#office-area-add")
    # a click on one seat of the table sold whole picks the whole table
    _click(page, 860, 380)   # T1-2
    assert page.evaluate("() => window.__seatOffice.tablesPicked()") == ["T1"]
    assert page.evaluate("() => window.__seatOffice.selected()") == []
    places = page.locator("#place-details")
    expect(places).to_contain_text("Table T1 (whole, 4 seats)")
    expect(places).to_contain_text("2 × Floor (standing)")
    expect(page.locator("#selection-summary")).to_have_text("1 table, 2 standing places selected")

    page.fill("#box-office-name", "Sipho Ndlovu")
    page.fill("#box-office-email", "sipho@example.co.za")
    expect(page.locator("#box-office-sell")).to_have_text("Sell 1 table, 2 standing places · R 2400.00")
    page.click("#box-office-sell")
    expect(page.locator("#box-office-confirm-box")).to_contain_text("Sipho Ndlovu")
    page.click("#box-office-confirm")
    expect(page.locator("#box-office-done")).to_contain_text("table T1 (4 seats), 2 × Floor")
    code = page.locator("#box-office-order-code").inner_text()
    expect(page.locator("#area-count-floor")).to_have_text("Floor: 2 sold · 1 held · 2 free")
    page.wait_for_function("() => window.__seatOffice.tables().T1 === 'sold' && window.__seatOffice.status('T1-1') === 'sold'")
    page.set_viewport_size({"width": 1280, "height": 1400})
    page.screenshot(path=str(SHOTS / "seat-office-ga.png"))

    app_db.expire_all()
    order = app_db.exec(select(Order).where(Order.order_code == code)).one()
    assert (order.status, order.provider, order.total_cents) == ("paid", "box_office", 4 * 50000 + 2 * 20000)
    items = app_db.exec(select(OrderItem).where(OrderItem.order_id == order.id)).all()
    assert sorted((i.area_id is not None, i.quantity) for i in items) == [(False, 1)] * 4 + [(True, 2)]
    assert len(app_db.exec(select(Ticket).where(Ticket.order_id == order.id)).all()) == 6
    floor = app_db.exec(select(EventArea).where(EventArea.event_id == event.id, EventArea.area_key == "floor")).one()
    assert floor.sold_count == 2
    sold = {s.seat_key for s in app_db.exec(select(EventSeat).where(EventSeat.event_id == event.id, EventSeat.status == "sold"))}
    assert sold == {"T1-1", "T1-2", "T1-3", "T1-4"}

    # more places than are left: a buyer takes one of the last 2 while the desk confirms 2 → refused, nothing sold
    page.click("#area-count-floor")
    page.fill("#office-area-quantity", "2")
    page.click("#office-area-add")
    page.fill("#box-office-name", "Late Desk")
    page.fill("#box-office-email", "late@example.co.za")
    page.click("#box-office-sell")
    seating.hold_seats(app_db, event_slug=event.slug, areas=[{"key": "floor", "quantity": 1}], client_address="203.0.113.8")
    app_db.commit()
    page.click("#box-office-confirm")
    expect(page.locator("#seat-office-action-error")).to_have_text("Floor: Not that many places are left in this area")
    expect(page.locator("#area-count-floor")).to_contain_text("Floor: 2 sold · 2 held · 1 free")
    app_db.expire_all()
    assert len(app_db.exec(select(Order).where(Order.event_id == event.id)).all()) == 1
    floor = app_db.exec(select(EventArea).where(EventArea.event_id == event.id, EventArea.area_key == "floor")).one()
    assert floor.sold_count == 2
