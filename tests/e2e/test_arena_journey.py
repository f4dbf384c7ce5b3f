"""Browser journey on the demo's seeded 18 504-seat arena (issue 12 "Done when"): buyers on two real Chromium
browsers pick and pay for seats on the live map of ``jozi-arena-live`` (seeded by ``seed_demo`` exactly as
``make run`` seeds it), no seat ever sells twice, and the door scanner shows each ticket's seat.

Buyer 1 zooms the map in with the mouse wheel on Stand 101 and clicks two seats of row 5; buyer 2, whose open map
had chosen one of them, sees both turn held (pushed over the seat stream) and is told it was just taken; buyer 2
asks for the best available 4 upper-tier seats. Both pay (sandbox provider); every ticket carries its seat and a
paired door scanner answers green with each ticket's seat. The database then holds 6 sold seats, 6 seated
tickets on 6 different seats, and every other seat of the arena still free."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlmodel import func, select

from tests.e2e import seat_canvas
from tests.e2e.conftest import SHOTS
from tests.e2e.door import paired_door, type_ticket_code
from tests.e2e.seat_canvas import click_plan
from voelgoed.models import Event, EventSeat, Membership, Order, OrderStatus, SeatingSeat, Ticket
from voelgoed.services.demo import ARENA_SEATS, ARENA_SLUG, seed
from voelgoed.services.gate import devices
from voelgoed.services.platform import Actor, TenantContext
from voelgoed.services.tickets import ticket_identity


def _seat(db, event, section: str, row: str, seat: str) -> SeatingSeat:
    return db.exec(select(SeatingSeat).where(SeatingSeat.version_id == event.seating_plan_version_id,
                                             SeatingSeat.section_label == section, SeatingSeat.row_label == row,
                                             SeatingSeat.seat_label == seat)).one()


def _zoom_to(page, x: float, y: float, scale: float = 1.5) -> None:
    """Wheel-zoom the customer map in around layout point (x, y), as a buyer with a mouse does."""
    page.locator("#seat-map canvas").first.evaluate("(c) => c.scrollIntoView({block: 'center'})")
    box = page.locator("#seat-map canvas").first.bounding_box()
    for _ in range(40):
        v = page.evaluate("() => window.__seatMap.view()")
        if v["scale"] >= scale:
            return
        page.mouse.move(box["x"] + v["x"] + x * v["scale"], box["y"] + v["y"] + y * v["scale"])
        page.mouse.wheel(0, -120)
        page.wait_for_function(f"() => window.__seatMap.view().scale > {v['scale']}")
    raise AssertionError("the map did not zoom in")


def _pixel(page, x: float, y: float) -> list[int]:
    """The RGB the customer map's canvas shows at layout point (x, y)."""
    return page.evaluate("""([x, y]) => {
        const c = document.querySelector("#seat-map canvas"), v = window.__seatMap.view();
        const k = c.width / c.getBoundingClientRect().width;
        const d = c.getContext("2d").getImageData(Math.round((v.x + x * v.scale) * k), Math.round((v.y + y * v.scale) * k), 1, 1).data;
        return [d[0], d[1], d[2]];
    }""", [x, y])


def _pay(page, name: str, email: str) -> None:
    page.fill("#buyer_name", name)
    page.fill("#buyer_email", email)
    page.click("#checkout")
    page.wait_for_url(re.compile(r"/pay/sandbox/VGP-"))
    page.click("#sandbox-pay")
    page.wait_for_selector(".ticket-card", timeout=90_000)


@pytest.mark.e2e
def test_two_buyers_pick_and_pay_for_seats_on_the_seeded_arena(page, app_db, live_app, browser):
    seed.seed_demo(app_db)  # what `make run` seeds (idempotent)
    event = app_db.exec(select(Event).where(Event.slug == ARENA_SLUG)).one()
    a, b = _seat(app_db, event, "Stand 101", "5", "10"), _seat(app_db, event, "Stand 101", "5", "11")
    other = browser.new_context(base_url=live_app, viewport={"width": 1280, "height": 900}).new_page()
    other.set_default_timeout(30_000)
    page.set_default_timeout(30_000)
    for p in (page, other):
        p.goto(f"/e/{ARENA_SLUG}")
        expect(p.locator("#seat-map canvas").first).to_be_visible()
        p.wait_for_function(f"() => window.__seatMap && window.__seatMap.seats() === {ARENA_SEATS}")
    other.wait_for_function("() => window.__seatFeed && window.__seatFeed.mode === 'stream'")
    other.evaluate(f"() => window.__seatMap.select(['{b.seat_key}'])")

    # the stage is drawn (the plan's shapes, decor.js) and best available proposes a seated category first
    layout = page.evaluate(f"() => fetch('/api/v1/public/events/{ARENA_SLUG}/seating/layout').then((r) => r.json())")
    stage = layout["layout"]["shapes"][0]
    drawn = _pixel(page, stage["x"] + 30, stage["y"] + stage["height"] - 20)
    assert max(abs(c - w) for c, w in zip(drawn, (0x34, 0x3A, 0x40), strict=True)) <= 8, drawn  # the stage's fill
    expect(page.locator('select[aria-label="Category"]')).to_have_value("lower")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("#seat-map").screenshot(path=str(SHOTS / "arena-map.png"))
    # buyer 1: zoom in on Stand 101 and click two seats of row 5
    _zoom_to(page, (a.x + b.x) / 2, (a.y + b.y) / 2)
    click_plan(page, a.x, a.y, seat_map=seat_canvas.CUSTOMER)
    click_plan(page, b.x, b.y, seat_map=seat_canvas.CUSTOMER)
    expect(page.locator("#seat-selection")).to_have_text("Stand 101 5-10, Stand 101 5-11")
    page.locator("#seat-map").screenshot(path=str(SHOTS / "arena-map-zoomed.png"))
    page.click("#hold-seats")
    expect(page).to_have_url(re.compile(r"/hold/[^/]+$"))
    expect(page.locator("#hold-countdown")).to_be_visible()

    # buyer 2's open map turns them held, pushed, and drops the seat it had chosen
    other.wait_for_function(f"() => window.__seatMap.status('{a.seat_key}') === 'held' && "
                            f"window.__seatMap.status('{b.seat_key}') === 'held'")
    expect(other.locator("#seat-taken")).to_contain_text("Stand 101 5-11 was just taken")
    assert other.evaluate("() => window.__seatFeed.messages") >= 1
    # buyer 2: best available, 4 upper-tier seats
    other.fill('input[aria-label="Number of seats"]', "4")
    other.select_option('select[aria-label="Category"]', "upper")
    other.click("#best-available")
    expect(other).to_have_url(re.compile(r"/hold/[^/]+$"))
    app_db.expire_all()
    held = app_db.exec(select(EventSeat).where(EventSeat.event_id == event.id, EventSeat.status == "held")).all()
    assert len(held) == 6 and {a.seat_key, b.seat_key} <= {s.seat_key for s in held}
    best = [s for s in held if s.seat_key not in (a.seat_key, b.seat_key)]
    assert len({s.hold_id for s in best}) == 1 and {s.row_label for s in best} == {best[0].row_label}  # one row
    assert {s.section_label for s in best} == {best[0].section_label} and int(best[0].row_label) >= 18  # upper tier

    # both pay; each order page shows each ticket's seat
    _pay(page, "Naledi Khumalo", "naledi@example.co.za")
    expect(page.locator(".ticket-seat")).to_have_count(2)
    assert sorted(page.locator(".ticket-seat").nth(i).get_attribute("data-seat") for i in range(2)) == [
        "Section Stand 101 · Row 5 · Seat 10", "Section Stand 101 · Row 5 · Seat 11"]
    _pay(other, "Johan van Wyk", "johan@example.co.za")
    expect(other.locator(".ticket-seat")).to_have_count(4)

    # the database: 6 seats sold, 6 seated tickets on 6 different seats, the rest of the arena free
    app_db.expire_all()
    statuses = dict(app_db.exec(select(EventSeat.status, func.count()).where(EventSeat.event_id == event.id)
                                .group_by(EventSeat.status)).all())
    assert statuses == {"sold": 6, "free": ARENA_SEATS - 6}
    orders = app_db.exec(select(Order).where(Order.event_id == event.id)).all()
    assert len(orders) == 2 and {o.status for o in orders} == {OrderStatus.paid.value}
    tickets = app_db.exec(select(Ticket).where(Ticket.event_id == event.id)).all()
    assert len(tickets) == 6 and len({t.seat_id for t in tickets}) == 6 and None not in {t.seat_id for t in tickets}
    sold = {s.id: s for s in app_db.exec(select(EventSeat).where(EventSeat.event_id == event.id,
                                                                  EventSeat.status == "sold")).all()}
    assert {t.seat_id for t in tickets} == set(sold)

    # the door: a paired scanner shows each ticket's seat on its green answer
    owner = app_db.exec(select(Membership).where(Membership.organization_id == event.organization_id,
                                                 Membership.role == "owner")).first()
    ctx = TenantContext(organization_id=event.organization_id, actor=Actor("user", str(owner.user_id)), role="owner")
    _device, _token, code = devices.create_device(app_db, ctx, event_id=event.id, name="North gate 1", gate_code="NORTH")
    door = paired_door(browser, live_app, code)
    keys = ticket_identity.public_key_map(app_db, event.id)
    for n, ticket in enumerate(sorted(tickets, key=lambda t: t.ticket_code), start=1):
        seat = sold[ticket.seat_id]
        verified = ticket_identity.verify(ticket.qr_payload, keys)
        assert ticket.qr_payload.startswith("VG2:") and (verified.seat.section, verified.seat.row, verified.seat.seat) == (
            seat.section_label, seat.row_label, seat.seat_label)
        type_ticket_code(door, ticket.ticket_code)
        expect(door.locator('#vg-history li[data-result="accepted"]')).to_have_count(n)
        expect(door.locator("#vg-answer-seat")).to_have_attribute(
            "aria-label", f"Section {seat.section_label} · Row {seat.row_label} · Seat {seat.seat_label}")
    # a second scan of the first ticket is a double scan, not a second entry
    type_ticket_code(door, sorted(tickets, key=lambda t: t.ticket_code)[0].ticket_code)
    expect(door.locator('#vg-history li[data-result="already_scanned"]')).to_have_count(1)
