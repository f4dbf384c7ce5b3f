"""Seated GA at the box office (issue 12): standing places and whole tables sold next to chosen seats in one
order, paid at the desk; the organiser's map reads (areas with places sold / held / free, tables as a whole);
bad input (more places than left, a table seat alone, another event's keys, bad quantities) → a clear error and
nothing changed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from tests.seated_factories import ga_layout, seated_event
from voelgoed.models import AuditLog, EventArea, EventSeat, Hold, LedgerEntry, Order, OrderItem, Ticket
from voelgoed.services import seating
from voelgoed.services.platform import VoelgoedError

T0 = datetime.now(UTC).replace(microsecond=0)
BUYER = {"buyer_name": "Naledi Desk", "buyer_email": "naledi@example.co.za", "payment_method": "cash"}


def sell(db, ctx, event, **kw):
    return seating.box_office_sale(db, ctx, event_id=event.id, now=T0, **(BUYER | kw))


def err_of(fn, *a, **kw):
    with pytest.raises(VoelgoedError) as exc:
        fn(*a, **kw)
    return exc.value


def floor(db, event):
    db.expire_all()
    return db.exec(select(EventArea).where(EventArea.event_id == event.id, EventArea.area_key == "floor")).one()


def statuses(db, event):
    db.expire_all()
    return {s.seat_key: s.status for s in db.exec(select(EventSeat).where(EventSeat.event_id == event.id))}


def snapshot(db):
    """What must not change after a refused sale."""
    db.expire_all()
    return (len(db.exec(select(Hold)).all()), len(db.exec(select(Order)).all()), len(db.exec(select(Ticket)).all()),
            len(db.exec(select(LedgerEntry)).all()))


def test_box_office_sells_standing_places_a_whole_table_and_a_seat_in_one_order(db):
    event, ctx, types = seated_event(db, layout=ga_layout(5))
    seating.allocate_seats(db, ctx, event_id=event.id, seat_keys=["T1-2"], label="Sponsor", now=T0)
    out = sell(db, ctx, event, seat_keys=["A-1"], areas=[{"key": "floor", "quantity": 2}], tables=["T1"])
    std, vip = types["std"].price_cents, types["vip"].price_cents
    assert (out["status"], out["tickets"], out["total_cents"]) == ("paid", 7, std + 4 * vip + 2 * std)
    assert [s["key"] for s in out["seats"]] == ["A-1", "T1-1", "T1-2", "T1-3", "T1-4"]
    assert out["areas"] == [{"key": "floor", "label": "Floor", "quantity": 2, "category": "std",
                             "ticket_type_id": str(types["std"].id), "price_cents": std}]
    assert out["tables"] == ["T1"]
    st = statuses(db, event)
    assert {k: st[k] for k in ("A-1", "T1-1", "T1-2", "T1-3", "T1-4", "A-2")} == {
        "A-1": "sold", "T1-1": "sold", "T1-2": "sold", "T1-3": "sold", "T1-4": "sold", "A-2": "free"}
    assert floor(db, event).sold_count == 2
    order = db.get(Order, out["order_id"])
    items = db.exec(select(OrderItem).where(OrderItem.order_id == order.id)).all()
    assert sorted((i.area_id is not None, i.quantity) for i in items) == [(False, 1)] * 5 + [(True, 2)]
    tickets = db.exec(select(Ticket).where(Ticket.order_id == order.id)).all()
    assert len(tickets) == 7 and sum(t.seat_id is None for t in tickets) == 2   # the standing tickets have no seat
    assert db.exec(select(LedgerEntry.amount_cents).where(LedgerEntry.order_id == order.id)).all() == [out["total_cents"]]
    paid = db.exec(select(AuditLog).where(AuditLog.action == "order.paid", AuditLog.target_id == order.id)).one()
    assert (paid.data["areas"], paid.data["tables"], paid.data["allocations"]) == ({"floor": 2}, ["T1"], ["Sponsor"])
    # the organiser's map: the area's places and the table as a whole
    view = seating.organiser_status(db, ctx, event.id, now=T0)
    assert view["areas"] == {"floor": {"capacity": 5, "sold": 2, "held": 0, "free": 3}}
    assert view["tables"] == {"T1": "sold"}
    layout, _ = seating.organiser_layout(db, ctx, event.id)
    assert {a["key"]: (a["kind"], a["capacity"]) for a in layout["areas"]} == {"floor": ("standing", 5), "T1": ("table", 4)}


def test_standing_places_alone_and_the_map_counts_held_places(db):
    event, ctx, _ = seated_event(db, layout=ga_layout(5))
    seating.hold_seats(db, event_slug=event.slug, areas=[{"key": "floor", "quantity": 1}], client_address="1.2.3.4", now=T0)
    seating.allocate_seats(db, ctx, event_id=event.id, seat_keys=["T1-3"], label="Press", now=T0)
    view = seating.organiser_status(db, ctx, event.id, now=T0)
    assert view["areas"]["floor"] == {"capacity": 5, "sold": 0, "held": 1, "free": 4}
    assert view["tables"] == {"T1": "allocated"}
    out = sell(db, ctx, event, areas=[{"key": "floor", "quantity": 4}])
    assert (out["seats"], out["tables"], out["tickets"]) == ([], [], 4)
    view = seating.organiser_status(db, ctx, event.id, now=T0)
    assert view["areas"]["floor"] == {"capacity": 5, "sold": 4, "held": 1, "free": 0}


def test_bad_places_and_tables_are_refused_and_nothing_changes(db):
    event, ctx, _ = seated_event(db, layout=ga_layout(3))
    other, other_ctx, _ = seated_event(db, layout=ga_layout(3))
    seating.hold_seats(db, event_slug=event.slug, areas=[{"key": "floor", "quantity": 1}], client_address="1.2.3.4", now=T0)
    before = snapshot(db)
    cases = [
        # more places than are left (3 − 1 held): the seat and the table are not sold either
        ({"seat_keys": ["A-1"], "areas": [{"key": "floor", "quantity": 3}], "tables": ["T1"]},
         ("area_full", 409, {"area_key": "floor"})),
        # a seat of a table sold whole, alone
        ({"seat_keys": ["T1-2"]}, ("table_whole", 409, {"seat_key": "T1-2", "table_key": "T1"})),
        # a table sold per seat is not a whole table; unknown keys
        ({"tables": ["T2"]}, ("not_found", 404, {"table_key": "T2"})),
        ({"areas": [{"key": "nowhere", "quantity": 1}]}, ("not_found", 404, {"area_key": "nowhere"})),
        ({"tables": ["T1"], "areas": [{"key": "T1", "quantity": 1}]}, ("not_found", 404, {"area_key": "T1"})),
        ({"areas": [{"key": "floor", "quantity": 0}]}, ("validation_failed", 422, None)),
        ({"areas": [{"key": "floor", "quantity": "2"}]}, ("validation_failed", 422, None)),
        ({"areas": [{"key": "floor", "quantity": True}]}, ("validation_failed", 422, None)),
        ({"areas": [{"key": "floor", "quantity": 1}, {"key": "floor", "quantity": 1}]}, ("validation_failed", 422, None)),
        ({"areas": [{"key": "floor", "quantity": 51}]}, ("validation_failed", 422, None)),
        ({"areas": "floor"}, ("validation_failed", 422, None)),
        ({"tables": "T1"}, ("validation_failed", 422, None)),
        ({"seat_keys": [], "areas": [], "tables": []}, ("validation_failed", 422, None)),
    ]
    for kw, (code, status, details) in cases:
        e = err_of(sell, db, ctx, event, **kw)
        assert (e.code, e.status) == (code, status), kw
        if details is not None:
            assert e.details == details, kw
        assert snapshot(db) == before, kw
    assert statuses(db, event)["A-1"] == "free" and statuses(db, event)["T1-1"] == "free"
    assert floor(db, event).sold_count == 0
    # another organisation's event: 404 before anything is read
    assert err_of(sell, db, other_ctx, event, areas=[{"key": "floor", "quantity": 1}]).code == "not_found"
    # a table a buyer holds cannot be sold at the desk; once sold, not twice
    seating.hold_seats(db, event_slug=other.slug, tables=["T1"], client_address="5.6.7.8", now=T0)
    e = err_of(sell, db, other_ctx, other, tables=["T1"])
    assert (e.code, e.status, e.details) == ("seat_held", 409, {"seat_key": "T1-1"})
    seating.box_office_sale(db, other_ctx, event_id=other.id, seat_keys=["A-1"], now=T0, **BUYER)
    e = err_of(sell, db, other_ctx, other, seat_keys=["A-1"], areas=[{"key": "floor", "quantity": 1}])
    assert (e.code, e.details) == ("seat_sold", {"seat_key": "A-1"})
    assert floor(db, other).sold_count == 0
