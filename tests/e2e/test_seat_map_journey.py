"""Browser journey (two real Chromium buyers on one seat map, issue 12): buyer 1 picks two seats on the
canvas and holds them; buyer 2's open map shows them held (pushed over the seat stream, not polled) and buyer
2's own selection of one of them is dropped with "just taken"; buyer 1 lands on the hold page with the countdown and checks out;
buyer 2 uses best available and gets other seats. Then buyer 1 pays (sandbox): the order page shows each
ticket's section / row / seat, the downloaded PDF's text carries them and its QR is a signed VG2 with the seat,
and a paired door scanner typing the ticket code shows the seat big on its green answer. Last, the organiser's
live dashboard and reports count the seats by section: 2 sold, 2 held (buyer 2's hold), 16 free."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import httpx
import pypdfium2 as pdfium
import pytest
import zxingcpp
from playwright.sync_api import expect
from sqlmodel import select

from tests.e2e import seat_canvas
from tests.e2e.door import paired_door, type_ticket_code
from tests.e2e.seat_canvas import click_plan
from tests.seated_factories import seated_event
from voelgoed.models import EventSeat, Order, Ticket, User
from voelgoed.services.gate import devices
from voelgoed.services.tickets import ticket_identity


def _click_seat(page, x, y):
    click_plan(page, x, y, seat_map=seat_canvas.CUSTOMER)


@pytest.mark.e2e
def test_two_buyers_one_map_hold_live_and_best_available(page, app_db, live_app, browser):
    event, ctx, _ = seated_event(app_db, rows=(("A", 10), ("B", 10)))
    app_db.commit()
    other = browser.new_context(base_url=live_app, viewport={"width": 1280, "height": 900}).new_page()
    other.set_default_timeout(20_000)
    for p in (page, other):
        p.goto(f"/e/{event.slug}")
        expect(p.locator("#seat-map canvas").first).to_be_visible()
        p.wait_for_function("() => window.__seatMap && window.__seatMap.seats() === 20")
    # seat A-4 is at x = 100 + 3*30, y = 200 (tests/seating_factories.block_layout)
    other.wait_for_function("() => window.__seatFeed && window.__seatFeed.mode === 'stream'")
    other.evaluate("() => window.__seatMap.select(['A-5'])")
    _click_seat(page, 190, 200)
    _click_seat(page, 220, 200)
    expect(page.locator("#seat-selection")).to_have_text("Stalls A-4, Stalls A-5")
    page.click("#hold-seats")
    expect(page).to_have_url(re.compile(r"/hold/[0-9a-f-]{36}\.[0-9a-f]{64}$"))
    expect(page.locator("#hold-countdown")).to_be_visible()
    # the other buyer's map turns them held and drops A-5 from their selection
    other.wait_for_function("() => window.__seatMap.status('A-4') === 'held' && window.__seatMap.status('A-5') === 'held'")
    expect(other.locator("#seat-taken")).to_contain_text("Stalls A-5 was just taken")
    assert other.evaluate("() => window.__seatFeed.mode") == "stream"
    assert other.evaluate("() => window.__seatFeed.messages") >= 1  # the change came pushed
    expect(other.locator("#seat-announce")).to_contain_text("Stalls A-5 was just taken")  # screen readers hear it
    expect(other.locator('#seat-list-grid button[data-key="A-4"]')).to_have_count(0)  # gone from the list too
    other.click("#best-available")
    expect(other).to_have_url(re.compile(r"/hold/[0-9a-f-]{36}\.[0-9a-f]{64}$"))
    app_db.expire_all()
    held = app_db.exec(select(EventSeat).where(EventSeat.event_id == event.id, EventSeat.status == "held")).all()
    assert len(held) == 4 and {"A-4", "A-5"} <= {s.seat_key for s in held}
    assert len({s.hold_id for s in held}) == 2

    # buyer 1 pays for: the tickets carry the seat (order page, PDF, scanner)
    page.fill("#buyer_name", "Naledi Khumalo")
    page.fill("#buyer_email", "naledi@example.co.za")
    page.click("#checkout")
    page.wait_for_url(re.compile(r"/pay/sandbox/VGP-"))
    page.click("#sandbox-pay")
    page.wait_for_selector(".ticket-card", timeout=90_000)
    expect(page.locator(".ticket-card")).to_have_count(2)
    seats = page.locator(".ticket-seat")
    expect(seats).to_have_count(2)
    assert sorted(seats.nth(i).get_attribute("data-seat") for i in range(2)) == [
        "Section Stalls · Row A · Seat 4", "Section Stalls · Row A · Seat 5"]
    expect(page.locator(".ticket-seat-row").first).to_have_text("A")
    expect(page.locator(".ticket-seat-section").first).to_have_text("Stalls")
    first_seat = page.locator(".ticket-seat-seat").first.inner_text().strip()
    assert first_seat in ("4", "5")

    with page.expect_download() as info:
        page.locator(".ticket-pdf").first.click()
    pdf = pdfium.PdfDocument(Path(info.value.path()).read_bytes())
    text = pdf[0].get_textpage().get_text_range()
    assert all(word in text for word in ("SECTION", "Stalls", "ROW", "SEAT"))
    (found,) = zxingcpp.read_barcodes(pdf[0].render(scale=2).to_pil())
    app_db.expire_all()
    verified = ticket_identity.verify(found.text, ticket_identity.public_key_map(app_db, event.id))
    assert found.text.startswith("VG2:") and verified.seat.row == "A" and verified.seat.seat == first_seat

    # the door: a paired scanner types that ticket's code → green, with the seat big
    order = app_db.exec(select(Order).where(Order.event_id == event.id, Order.status == "paid")).one()
    ticket = next(t for t in app_db.exec(select(Ticket).where(Ticket.order_id == order.id))
                  if ticket_identity.verify(t.qr_payload, ticket_identity.public_key_map(app_db, event.id)).seat.seat == first_seat)
    _device, _token, code = devices.create_device(app_db, ctx, event_id=event.id, name="Door 1")
    door = paired_door(browser, live_app, code)
    type_ticket_code(door, ticket.ticket_code)
    expect(door.locator('#vg-history li[data-result="accepted"][data-offline="false"]')).to_have_count(1)
    answer_seat = door.locator("#vg-answer-seat")
    expect(answer_seat).to_have_attribute("aria-label", f"Section Stalls · Row A · Seat {first_seat}")
    expect(answer_seat.locator(".vg-seat-value")).to_have_text(["Stalls", "A", first_seat])

    # the organiser: the live dashboard and the reports count the seats by section
    owner = app_db.get(User, uuid.UUID(ctx.actor.id))
    org_page = browser.new_context(base_url=live_app, viewport={"width": 1280, "height": 900}).new_page()
    org_page.set_default_timeout(30_000)
    org_page.goto(f"/events/{event.id}/live")
    expect(org_page).to_have_url(re.compile(r"/signin"))
    org_page.fill("#email", owner.email)
    org_page.fill("#password", "correct horse battery")  # tests.factories.make_user's default
    org_page.click("#signin-submit")
    expect(org_page).to_have_url(re.compile(f"/events/{event.id}/live"))
    stalls = org_page.locator('#live-by-section .live-section[data-section="Stalls"]')
    expect(stalls).to_contain_text("2 / 20 sold")
    expect(stalls).to_contain_text("held 2")
    expect(stalls).to_contain_text("free 16")
    org_page.goto("/reports")
    row = org_page.locator("#sections-table tbody tr")
    expect(row).to_have_count(1)
    expect(row.locator("td")).to_have_text(["Stalls", "2", "2", "16", "0", "20"])


@pytest.mark.e2e
def test_a_map_whose_stream_fails_falls_back_to_polling(app_db, live_app, browser):
    """The stream's requests are cut off in the browser (as a proxy that drops them would): the map errors out,
    polls the changes feed instead and still shows another buyer's hold; ``?seatfeed=poll`` polls from the start."""
    event, _, _ = seated_event(app_db, rows=(("A", 10),))
    app_db.commit()
    cut = browser.new_context(base_url=live_app, viewport={"width": 1280, "height": 900}).new_page()
    cut.set_default_timeout(20_000)
    cut.route("**/seating/stream**", lambda route: route.abort())
    forced = browser.new_context(base_url=live_app, viewport={"width": 1280, "height": 900}).new_page()
    forced.set_default_timeout(20_000)
    cut.goto(f"/e/{event.slug}")
    forced.goto(f"/e/{event.slug}?seatfeed=poll")
    for p in (cut, forced):
        p.wait_for_function("() => window.__seatMap && window.__seatMap.seats() === 10 && window.__seatFeed")
    cut.wait_for_function("() => window.__seatFeed.mode === 'poll' && window.__seatFeed.errors >= 1")
    assert forced.evaluate("() => [window.__seatFeed.mode, window.__seatFeed.errors]") == ["poll", 0]
    r = httpx.post(f"{live_app}/api/v1/public/events/{event.slug}/seat-holds", json={"seat_keys": ["A-3"]}, timeout=30)
    assert r.status_code == 201, r.text
    for p in (cut, forced):
        p.wait_for_function("() => window.__seatMap.status('A-3') === 'held'")
        assert p.evaluate("() => window.__seatFeed.messages") == 0  # it came polled
