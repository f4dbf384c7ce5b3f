"""Browser journey (the organiser side of a seated event, real Chromium; issues 11 item 3 and 12 item 5): the
event editor attaches a published version, the first save names the unmapped category, both categories are
mapped to ticket types (with their prices) → the seats are ready to sell; the seat map shows a buyer's hold with
who holds it, blocks one seat, allocates two to "Press", and sells an allocated and a free seat at the box office
(cash) → a paid box-office order with seated tickets and a ledger entry; screenshots of the seated-sales card
and of the seat map."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from tests.e2e import seat_canvas
from tests.e2e.conftest import SHOTS
from tests.e2e.seat_canvas import click_plan, office_act
from tests.factories import make_event, make_org, make_ticket_type, make_user, make_venue
from tests.seating_factories import block_layout, ctx_for
from voelgoed.models import EventSeat, EventSeating, LedgerEntry, Order, Ticket
from voelgoed.services import seating


def _click_seat(page, x, y):
    click_plan(page, x, y, seat_map=seat_canvas.ORGANISER)


@pytest.mark.e2e
def test_organiser_attaches_maps_blocks_allocates_and_sells_at_the_box_office(page, app_db):
    org = make_org(app_db, name="Market Theatre")
    owner = make_user(app_db, org=org, role="owner", email="boxoffice@market.example.co.za")
    venue = make_venue(app_db, org)
    event = make_event(app_db, org, venue=venue)
    make_ticket_type(app_db, event, name="Standard", price_cents=20000, quantity=0)
    make_ticket_type(app_db, event, name="VIP", price_cents=50000, quantity=0)
    doc = block_layout((("A", 8), ("B", 8)))
    doc["sections"][0]["rows"][1]["seats"] = [{**s, "category": "vip"} for s in doc["sections"][0]["rows"][1]["seats"]]
    plan = seating.create_plan(app_db, ctx_for(org, owner), venue_id=venue.id, name="Hall", layout_doc=doc)
    seating.publish(app_db, ctx_for(org, owner), plan.id)
    app_db.commit()

    page.goto(f"/signin?next=%2Fevents%2F{event.id}")
    page.fill("#email", owner.email)
    page.fill("#password", "correct horse battery")
    page.click("#signin-submit")
    expect(page).to_have_url(re.compile(rf"/events/{event.id}$"))

    # 1. attach the version, then set up seated sales (the first try names the category left unmapped)
    page.select_option("#event-seating-select", label="Hall · v1 (16 seats)")
    page.click("#event-seating-save")
    expect(page.locator("#event-seating-current")).to_have_text("Hall · v1 (16 seats)")
    expect(page.locator("#seated-sales-off")).to_be_visible()
    page.select_option("#seat-category-std", label="Standard · R 200.00")
    page.click("#seated-sales-save")
    expect(page.locator("#seated-sales-error")).to_contain_text("VIP: Choose a ticket type of this event")
    assert app_db.get(EventSeating, event.id) is None
    page.select_option("#seat-category-vip", label="VIP · R 500.00")
    page.select_option("#seated-isolated-rule", value="off")
    page.fill("#seated-max-per-order", "8")
    page.click("#seated-sales-save")
    expect(page.locator("#seated-sales-on")).to_contain_text("16 seats ready to sell")
    expect(page.locator("[data-sonner-toast]")).to_have_count(0, timeout=20_000)  # the toasts have faded
    page.locator(".rt-Card", has=page.locator("#seated-sales-on")).screenshot(path=str(SHOTS / "seated-sales-setup.png"))
    app_db.expire_all()
    settings = app_db.get(EventSeating, event.id)
    assert (settings.isolated_rule, settings.max_per_order, sorted(settings.category_types)) == ("off", 8, ["std", "vip"])

    # a buyer holds B-1 on the public map meanwhile
    seating.hold_seats(app_db, event_slug=event.slug, seat_keys=["B-1"], client_address="203.0.113.9")

    # 2. the seat map: live statuses, counts, who holds what
    page.click("#open-seat-map")
    expect(page).to_have_url(re.compile(rf"/events/{event.id}/seats$"))
    page.wait_for_function("() => window.__seatOffice && window.__seatOffice.seats() === 16")
    expect(page.locator("#count-held")).to_have_text("1")
    expect(page.locator("#count-free")).to_have_text("15")
    _click_seat(page, 100, 230)   # B-1: x = 100, y = 200 + 30 (tests/seating_factories.block_layout)
    expect(page.locator("#seat-details")).to_contain_text("Held by a buyer")
    expect(page.locator("#seat-details")).to_contain_text("Stalls B-1")

    # 3. block one seat, allocate two to the press
    office_act(page, ["A-1"], "#seats-block", "1 seat(s) blocked.")
    page.wait_for_function("() => window.__seatOffice.status('A-1') === 'blocked'")
    office_act(page, ["A-2", "A-3"], "#seats-allocate", "2 seat(s) allocated to Press.", label="Press")
    expect(page.locator("#allocation-summary")).to_contain_text("Press: 2")
    expect(page.locator("#count-allocated")).to_have_text("2")

    # 4. box office: a held seat cannot be sold; an allocated and a free seat can
    page.evaluate("() => window.__seatOffice.select(['A-3', 'B-1'])")
    page.fill("#box-office-name", "Lerato Khumalo")
    page.fill("#box-office-email", "lerato@example.co.za")
    expect(page.get_by_text("Only free or allocated seats can be sold")).to_be_visible()
    expect(page.locator("#box-office-sell")).to_be_disabled()
    page.evaluate("() => window.__seatOffice.select(['A-3', 'A-4'])")
    expect(page.locator("#seat-details")).to_contain_text("Kept for Press")
    expect(page.locator("#box-office-sell")).to_have_text("Sell 2 seat(s) · R 400.00")
    page.click("#box-office-sell")
    expect(page.locator("#box-office-confirm-box")).to_contain_text("Lerato Khumalo")
    page.click("#box-office-confirm")
    expect(page.locator("#box-office-done")).to_contain_text("Stalls A-3, Stalls A-4")
    code = page.locator("#box-office-order-code").inner_text()
    expect(page.locator("#count-sold")).to_have_text("2")
    expect(page.locator("#count-allocated")).to_have_text("1")
    # who holds what, for a selection across statuses (and the screenshot of it)
    page.evaluate("() => window.__seatOffice.select(['A-1', 'A-2', 'A-3', 'B-1'])")
    details = page.locator("#seat-details")
    expect(details).to_contain_text(f"Order {code} · Lerato Khumalo · box office")
    expect(details).to_contain_text("Kept for Press")
    expect(details).to_contain_text("Held by a buyer")
    expect(details.locator(".seat-detail-row")).to_have_count(4)
    page.set_viewport_size({"width": 1280, "height": 1400})
    page.screenshot(path=str(SHOTS / "seat-office.png"))

    app_db.expire_all()
    order = app_db.exec(select(Order).where(Order.order_code == code)).one()
    assert (order.status, order.provider, order.buyer_email, order.total_cents) == ("paid", "box_office",
                                                                                   "lerato@example.co.za", 40000)
    seats = {s.seat_key: s for s in app_db.exec(select(EventSeat).where(EventSeat.event_id == event.id))}
    assert {k: seats[k].status for k in ("A-1", "A-2", "A-3", "A-4", "B-1")} == {
        "A-1": "blocked", "A-2": "allocated", "A-3": "sold", "A-4": "sold", "B-1": "held"}
    tickets = app_db.exec(select(Ticket).where(Ticket.order_id == order.id)).all()
    assert sorted(t.seat_id for t in tickets) == sorted([seats["A-3"].id, seats["A-4"].id])
    assert app_db.exec(select(LedgerEntry.amount_cents).where(LedgerEntry.order_id == order.id)).all() == [40000]
    # the public map shows the allocated and blocked seats as blocked, and the box-office seats as sold
    public = seating.status_snapshot(app_db, event.slug)
    assert (public["blocked"], public["sold"]) == (["A-1", "A-2"], ["A-3", "A-4"])
