"""Seated GA (issue 12 item 1): standing areas and tables sold whole in the SAME hold as seats — one token, one
expiry, the caps counting places, all or none; capacity never oversold; expiry, payment (incl. the late payment
without a re-seat), refunds and a version change handle the new lines."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from tests.seated_factories import ga_layout, seated_event
from voelgoed.config import get_settings
from voelgoed.models import (
    AuditLog,
    Event,
    EventArea,
    EventSeat,
    Hold,
    HoldItem,
    Order,
    OrderItem,
    SeatingPlanVersion,
    Ticket,
)
from voelgoed.services import seating
from voelgoed.services.platform import VoelgoedError
from voelgoed.services.sales import checkout, create_refund, orders, seated_type_figures, stock

T0 = datetime.now(UTC).replace(microsecond=0)


def ga_event(db, capacity: int = 5, **kw):
    return seated_event(db, layout=ga_layout(capacity), **kw)


def code_of(fn, *a, **kw):
    with pytest.raises(VoelgoedError) as exc:
        fn(*a, **kw)
    return exc.value


def remaining(db, event, now=None):
    db.expire_all()
    return stock.area_remaining(db, event.id, now or datetime.now(UTC))["floor"]["remaining"]


def statuses(db, event):
    db.expire_all()
    return {s.seat_key: s.status for s in db.exec(select(EventSeat).where(EventSeat.event_id == event.id))}


def _buy(db, hold, now=None):
    order = checkout.start_checkout(db, hold_id=hold["hold_token"], buyer_name="Thabo", buyer_email="t@example.co.za", now=now)
    return order, checkout.payment_for_order(db, order)


def _pay(db, order, pay):
    return orders.mark_paid(db, reference=pay.reference, amount_cents=order.total_cents, currency="ZAR", provider="sandbox")


def test_configure_materialises_standing_areas_and_whole_tables(db):
    event, _, _ = ga_event(db)
    rows = {a.area_key: a for a in db.exec(select(EventArea).where(EventArea.event_id == event.id))}
    assert set(rows) == {"floor", "T1"}  # T2 is sold per seat: no area row
    assert (rows["floor"].kind, rows["floor"].capacity, rows["floor"].sold_count, rows["floor"].label) == ("standing", 5, 0, "Floor")
    assert (rows["T1"].kind, rows["T1"].capacity) == ("table", 4)
    snap = seating.status_snapshot(db, event.slug)
    assert snap["areas"] == {"floor": 5} and snap["tables"] == {"T1": "free"}
    layout, _ = seating.public_layout(db, event.slug)
    assert {a["key"]: a["kind"] for a in layout["areas"]} == {"floor": "standing", "T1": "table"}


def test_one_hold_for_seats_standing_places_and_a_whole_table(db):
    event, _, types = ga_event(db)
    h = seating.hold_seats(db, event_slug=event.slug, seat_keys=["A-1"], areas=[{"key": "floor", "quantity": 2}],
                           tables=["T1"], client_address="1.1.1.1", now=T0)
    assert [s["key"] for s in h["seats"]] == ["A-1", "T1-1", "T1-2", "T1-3", "T1-4"]
    assert h["areas"] == [{"key": "floor", "label": "Floor", "quantity": 2, "category": "std",
                           "ticket_type_id": str(types["std"].id), "price_cents": 20000}]
    assert h["tables"] == ["T1"]
    assert h["total_cents"] == 20000 + 4 * 50000 + 2 * 20000  # a table costs its seats (the layout has no table price)
    assert db.exec(select(Hold)).one().id.hex == h["hold_id"].replace("-", "")
    st = statuses(db, event)
    assert st["A-1"] == st["T1-1"] == st["T1-4"] == "held"
    snap = seating.status_snapshot(db, event.slug, now=T0)
    assert snap["areas"] == {"floor": 3} and snap["tables"] == {"T1": "held"}
    ch = seating.changes_since(db, event.slug, 0, now=T0)
    assert ch["areas"] == {"floor": 3} and ch["tables"] == {"T1": "held"}
    # the same seats of the table cannot be had one by one, nor the table twice
    err = code_of(seating.hold_seats, db, event_slug=event.slug, seat_keys=["T1-2"], now=T0)
    assert (err.code, err.status, err.details) == ("table_whole", 409, {"seat_key": "T1-2", "table_key": "T1"})
    assert code_of(seating.hold_seats, db, event_slug=event.slug, tables=["T1"], now=T0).code == "seat_held"
    # a table sold per seat is just seats
    seating.hold_seats(db, event_slug=event.slug, seat_keys=["T2-1"], now=T0)
    assert code_of(seating.hold_seats, db, event_slug=event.slug, tables=["T2"], now=T0).details == {"table_key": "T2"}


def test_all_or_none_across_seats_areas_and_tables(db):
    event, _, _ = ga_event(db, capacity=3)
    seating.hold_seats(db, event_slug=event.slug, seat_keys=["A-2"], now=T0)
    holds = len(db.exec(select(Hold)).all())
    # a seat taken: the area places and the table are not held either
    err = code_of(seating.hold_seats, db, event_slug=event.slug, seat_keys=["A-2"], areas=[{"key": "floor", "quantity": 2}],
                  tables=["T1"], now=T0)
    assert (err.code, err.details) == ("seat_held", {"seat_key": "A-2"})
    assert remaining(db, event, T0) == 3 and statuses(db, event)["T1-1"] == "free"
    # the area full: the seats and the table are not held either
    err = code_of(seating.hold_seats, db, event_slug=event.slug, seat_keys=["A-3"], areas=[{"key": "floor", "quantity": 4}],
                  tables=["T1"], now=T0)
    assert (err.code, err.status, err.details) == ("area_full", 409, {"area_key": "floor"})
    st = statuses(db, event)
    assert st["A-3"] == "free" and st["T1-1"] == "free" and remaining(db, event, T0) == 3
    assert len(db.exec(select(Hold)).all()) == holds
    # exactly the capacity fits; one more does not
    seating.hold_seats(db, event_slug=event.slug, areas=[{"key": "floor", "quantity": 3}], now=T0)
    assert remaining(db, event, T0) == 0
    assert code_of(seating.hold_seats, db, event_slug=event.slug, areas=[{"key": "floor", "quantity": 1}],
                   now=T0).code == "area_full"


def test_caps_count_places(db):
    event, _, _ = ga_event(db, capacity=50, max_per_order=6, max_per_buyer=8)
    err = code_of(seating.hold_seats, db, event_slug=event.slug, seat_keys=["A-1", "A-2"],
                  areas=[{"key": "floor", "quantity": 5}], now=T0)
    assert (err.code, err.details) == ("over_cap", {"max_per_order": 6})
    err = code_of(seating.hold_seats, db, event_slug=event.slug, seat_keys=["A-1", "A-2", "A-3"], tables=["T1"], now=T0)
    assert err.code == "over_cap"  # 3 seats + a table of 4 = 7 places
    seating.hold_seats(db, event_slug=event.slug, areas=[{"key": "floor", "quantity": 6}], client_address="7.7.7.7", now=T0)
    err = code_of(seating.hold_seats, db, event_slug=event.slug, seat_keys=["A-1", "A-2", "A-3"], client_address="7.7.7.7",
                  now=T0)
    assert (err.code, err.details["max_per_buyer"], err.details["held"]) == ("over_cap", 8, 6)
    assert statuses(db, event)["A-1"] == "free"


def test_bad_selections_are_refused_and_hold_nothing(db):
    event, _, _ = ga_event(db)
    other, _, _ = seated_event(db, layout=ga_layout(9))
    for areas in ([{"key": "floor", "quantity": 0}], [{"key": "floor", "quantity": -2}], [{"key": "floor", "quantity": "2"}],
                  [{"key": "floor", "quantity": True}], [{"key": "floor"}], [{"quantity": 1}], "floor",
                  [{"key": "floor", "quantity": 1}, {"key": "floor", "quantity": 1}]):
        assert code_of(seating.hold_seats, db, event_slug=event.slug, areas=areas, now=T0).code == "validation_failed", areas
    assert code_of(seating.hold_seats, db, event_slug=event.slug, tables="T1", now=T0).code == "validation_failed"
    assert code_of(seating.hold_seats, db, event_slug=event.slug, seat_keys=[], areas=[], tables=[],
                   now=T0).code == "validation_failed"
    err = code_of(seating.hold_seats, db, event_slug=event.slug, areas=[{"key": "stage", "quantity": 1}], now=T0)
    assert (err.code, err.status, err.details) == ("not_found", 404, {"area_key": "stage"})
    err = code_of(seating.hold_seats, db, event_slug=event.slug, tables=["T9"], now=T0)
    assert (err.code, err.status, err.details) == ("not_found", 404, {"table_key": "T9"})
    # > capacity (5) but within the cap (10): the area is full; the table's key is not an area
    assert code_of(seating.hold_seats, db, event_slug=event.slug, areas=[{"key": "floor", "quantity": 6}],
                   now=T0).code == "area_full"
    assert code_of(seating.hold_seats, db, event_slug=event.slug, areas=[{"key": "T1", "quantity": 1}],
                   now=T0).code == "not_found"
    # another event's area with the same key: only that event's counts are looked at
    seating.hold_seats(db, event_slug=other.slug, areas=[{"key": "floor", "quantity": 9}], now=T0)
    assert remaining(db, event, T0) == 5 and remaining(db, other, T0) == 0
    assert len(db.exec(select(Hold)).all()) == 1


def test_expiry_returns_the_places_at_read_time_and_extension_keeps_them(db):
    event, _, _ = ga_event(db, capacity=4)
    ttl = get_settings().hold_ttl_seconds
    h = seating.hold_seats(db, event_slug=event.slug, areas=[{"key": "floor", "quantity": 4}], tables=["T1"], now=T0)
    assert remaining(db, event, T0 + timedelta(seconds=ttl - 1)) == 0
    assert code_of(seating.hold_seats, db, event_slug=event.slug, areas=[{"key": "floor", "quantity": 1}],
                   now=T0 + timedelta(seconds=ttl - 1)).code == "area_full"
    ext = seating.extend_hold(db, token=h["hold_token"], now=T0 + timedelta(seconds=ttl - 10))
    later = datetime.fromisoformat(ext["expires_at"])
    assert remaining(db, event, later - timedelta(seconds=1)) == 0 and remaining(db, event, later) == 4
    assert seating.status_snapshot(db, event.slug, now=later)["tables"] == {"T1": "free"}
    # lapsed: another buyer takes every place and the table, no worker ran
    seating.hold_seats(db, event_slug=event.slug, areas=[{"key": "floor", "quantity": 4}], tables=["T1"], now=later)
    assert remaining(db, event, later) == 0


def test_release_returns_the_places(db):
    event, _, _ = ga_event(db, capacity=4)
    h = seating.hold_seats(db, event_slug=event.slug, areas=[{"key": "floor", "quantity": 3}], tables=["T1"])
    assert remaining(db, event) == 1
    seating.release_seat_hold(db, token=h["hold_token"])
    assert remaining(db, event) == 4 and statuses(db, event)["T1-3"] == "free"


def test_payment_sells_places_and_the_table_and_a_refund_returns_them(db):
    event, ctx, types = ga_event(db, capacity=5)
    h = seating.hold_seats(db, event_slug=event.slug, seat_keys=["A-4"], areas=[{"key": "floor", "quantity": 2}],
                           tables=["T1"])
    order, pay = _buy(db, h)
    items = db.exec(select(OrderItem).where(OrderItem.order_id == order.id)).all()
    assert sorted((i.quantity, i.area_id is not None, i.seat_id is not None) for i in items) == [
        (1, False, True)] * 5 + [(2, True, False)]
    assert _pay(db, order, pay).status == "paid"
    db.expire_all()
    area = db.exec(select(EventArea).where(EventArea.event_id == event.id, EventArea.area_key == "floor")).one()
    assert area.sold_count == 2 and remaining(db, event) == 3
    assert db.get(Hold, order.hold_id).status == "completed"  # places no longer counted as held: 5 - 2 sold
    st = statuses(db, event)
    assert all(st[f"T1-{i}"] == "sold" for i in range(1, 5)) and st["A-4"] == "sold"
    assert seating.status_snapshot(db, event.slug)["tables"] == {"T1": "sold"}
    tickets = db.exec(select(Ticket).where(Ticket.order_id == order.id)).all()
    standing = [t for t in tickets if t.seat_id is None]
    assert len(tickets) == 7 and len(standing) == 2
    assert all(t.qr_payload.startswith("VG1:") for t in standing)  # plain GA tickets of the area's ticket type
    assert all(t.qr_payload.startswith("VG2:") for t in tickets if t.seat_id is not None)
    # the GA counters of the area's ticket type are never touched (one source of capacity: the area)
    db.refresh(types["std"])
    assert (types["std"].sold_count, types["std"].held_count) == (0, 0)
    fig = seated_type_figures(db, event.id)[types["std"].id]  # 8 std seats (A-1…6, T2-1…2) + 5 standing places
    assert (fig["sold"], fig["free"], fig["total"]) == (3, 10, 13)
    refund, _ = create_refund(db, ctx, order_id=order.id, ticket_ids=[standing[0].id], return_to_sale=True)
    db.expire_all()
    assert db.get(EventArea, area.id).sold_count == 1 and remaining(db, event) == 4
    create_refund(db, ctx, order_id=order.id, return_to_sale=True, request_key="rest")
    db.expire_all()
    assert db.get(EventArea, area.id).sold_count == 0 and remaining(db, event) == 5
    st = statuses(db, event)
    assert st["T1-1"] == "free" and st["A-4"] == "free"


def test_a_late_payment_for_places_that_are_gone_requires_a_refund(db):
    event, _, _ = ga_event(db, capacity=3)
    ttl = get_settings().hold_ttl_seconds
    past = datetime.now(UTC) - timedelta(seconds=ttl + 60)
    # a late payment whose places are still free: sold (the places are available)
    ok = seating.hold_seats(db, event_slug=event.slug, areas=[{"key": "floor", "quantity": 1}], now=past)
    ok_order, ok_pay = _buy(db, ok, now=past)
    assert _pay(db, ok_order, ok_pay).status == "paid" and remaining(db, event) == 2
    # a late payment whose places went meanwhile: no re-seat for a place → refund_required, nothing sold
    late = seating.hold_seats(db, event_slug=event.slug, areas=[{"key": "floor", "quantity": 2}], now=past)
    late_order, late_pay = _buy(db, late, now=past)
    h = seating.hold_seats(db, event_slug=event.slug, areas=[{"key": "floor", "quantity": 2}])
    o, p = _buy(db, h)
    assert _pay(db, o, p).status == "paid"
    gone = _pay(db, late_order, late_pay)
    assert gone.status == "refund_required"
    assert db.exec(select(Ticket).where(Ticket.order_id == late_order.id)).first() is None
    db.expire_all()
    assert db.exec(select(EventArea).where(EventArea.event_id == event.id, EventArea.area_key == "floor")).one().sold_count == 3


def test_a_version_change_resyncs_the_areas_and_protects_sold_places(db):
    event, ctx, _ = ga_event(db, capacity=5)
    h = seating.hold_seats(db, event_slug=event.slug, areas=[{"key": "floor", "quantity": 2}])
    order, pay = _buy(db, h)
    _pay(db, order, pay)
    plan = db.get(SeatingPlanVersion, db.get(Event, event.id).seating_plan_version_id).plan_id
    seating.save_draft(db, ctx, plan, ga_layout(capacity=8))
    v2 = seating.publish(db, ctx, plan)["version"]["id"]
    seating.attach_version(db, ctx, event.id, v2)
    db.expire_all()
    area = db.exec(select(EventArea).where(EventArea.event_id == event.id, EventArea.area_key == "floor")).one()
    assert (area.capacity, area.sold_count) == (8, 2) and remaining(db, event) == 6
    no_floor = ga_layout()
    no_floor["standing_areas"] = []
    seating.save_draft(db, ctx, plan, no_floor)
    v3 = seating.publish(db, ctx, plan)["version"]["id"]
    err = code_of(seating.attach_version, db, ctx, event.id, v3)
    assert err.code == "seats_protected" and err.details["areas"][0]["key"] == "floor"
    db.rollback()
    assert db.get(Event, event.id).seating_plan_version_id is not None
    assert db.exec(select(AuditLog).where(AuditLog.action == "event.seating_attached")).first().data["areas"] == 2
    assert len(db.exec(select(HoldItem).where(HoldItem.area_id == area.id)).all()) == 1
    assert db.exec(select(Order).where(Order.id == order.id)).one().status == "paid"
