"""Best available's last steps (issue 12, seated GA): when the loose seats of a category cannot seat the party,
a whole table of suitable size (the fewest empty chairs, then the nearest), then places in a standing area of the
category — held in the same one hold; randomised among equally good choices; accessible requests and
bad input refused without a change."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest
from sqlmodel import select

from tests.seated_factories import party_layout, seated_event
from voelgoed.models import EventArea, EventSeat, Hold, Order, OrderItem
from voelgoed.services import seating
from voelgoed.services.platform import VoelgoedError
from voelgoed.services.sales import checkout, orders, stock

T0 = datetime.now(UTC).replace(microsecond=0)


def best(db, event, qty, category, **kw):
    return seating.choose_best_available(db, event_slug=event.slug, quantity=qty, category=category, now=T0, **kw)


def err(db, event, qty, category, **kw):
    with pytest.raises(VoelgoedError) as exc:
        best(db, event, qty, category, **kw)
    return exc.value


def statuses(db, event):
    db.expire_all()
    return {s.seat_key: s.status for s in db.exec(select(EventSeat).where(EventSeat.event_id == event.id))}


def left(db, event):
    db.expire_all()
    return {k: v["remaining"] for k, v in stock.area_remaining(db, event.id, T0).items()}


def test_a_party_that_loose_seats_cannot_seat_gets_the_whole_table_with_the_fewest_empty_chairs(db):
    layout = party_layout(tables=(("T1", 6, 400), ("T2", 4, 900), ("T3", 2, 300), ("T9", 8, 350)))
    event, _, types = seated_event(db, layout=layout, max_per_order=6)
    h = best(db, event, 3, "vip")
    # T2 (4 seats: one empty chair) beats the nearer T1 (6 seats); T9 (8) is over the per-order cap of 6
    assert (h["step"], h["tables"]) == ("table", ["T2"])
    assert [s["key"] for s in h["seats"]] == ["T2-1", "T2-2", "T2-3", "T2-4"]
    assert h["total_cents"] == 4 * types["vip"].price_cents and h["areas"] == []
    st = statuses(db, event)
    assert {k for k, v in st.items() if v == "held"} == {"T2-1", "T2-2", "T2-3", "T2-4"}
    assert seating.status_snapshot(db, event.slug, now=T0)["tables"]["T2"] == "held"
    # the next party of 3 gets T1 (T2 is held), then nothing is left for 3; a party of 2 gets T3
    assert best(db, event, 3, "vip")["tables"] == ["T1"]
    e = err(db, event, 3, "vip")
    assert (e.code, e.status, e.details) == ("sold_out", 409, {"category": "vip"})
    assert best(db, event, 2, "vip")["tables"] == ["T3"]
    assert statuses(db, event)["T9-1"] == "free"


def test_seats_first_then_standing_places_of_the_category_nearest_first(db):
    event, _, types = seated_event(db, layout=party_layout())   # 2 loose std seats; floor 7 (near), balcony 7 (far)
    two = best(db, event, 2, "std")
    assert two["step"] == "row_no_gap" and [s["key"] for s in two["seats"]] == ["A-1", "A-2"]
    h = best(db, event, 3, "std")
    assert (h["step"], h["seats"], h["tables"]) == ("standing", [], [])
    assert h["areas"] == [{"key": "floor", "label": "Floor", "quantity": 3, "category": "std",
                           "ticket_type_id": str(types["std"].id), "price_cents": types["std"].price_cents}]
    assert h["total_cents"] == 3 * types["std"].price_cents
    assert left(db, event) == {"floor": 4, "balcony": 7}
    assert best(db, event, 4, "std")["areas"][0]["key"] == "floor"
    assert best(db, event, 4, "std")["areas"][0]["key"] == "balcony"   # floor has 0 left
    assert left(db, event) == {"floor": 0, "balcony": 3}
    assert err(db, event, 4, "std").code == "sold_out"
    assert best(db, event, 3, "std")["areas"][0]["key"] == "balcony"
    assert err(db, event, 1, "std").code == "sold_out"
    assert left(db, event) == {"floor": 0, "balcony": 0}


def test_accessible_requests_are_not_offered_tables_or_standing_places(db):
    event, _, _ = seated_event(db, layout=party_layout())
    holds = len(db.exec(select(Hold)).all())
    assert err(db, event, 3, "std", accessible=True).code == "sold_out"
    assert err(db, event, 3, "vip", accessible=True).code == "sold_out"
    assert len(db.exec(select(Hold)).all()) == holds and left(db, event) == {"floor": 7, "balcony": 7}


def test_equally_good_tables_and_areas_are_chosen_at_random(db):
    layout = party_layout(tables=(("T1", 4, 600, 300), ("T2", 4, 600, 700)), areas=(("floor", 5, 700), ("pit", 5, 700)))
    event, _, _ = seated_event(db, layout=layout)
    got_tables, got_areas = set(), set()
    for i in range(16):
        for qty, cat in ((4, "vip"), (3, "std")):
            h = best(db, event, qty, cat, rng=random.Random(i), client_address=f"10.9.0.{i}")
            (got_tables if cat == "vip" else got_areas).add((h["tables"] or [a["key"] for a in h["areas"]])[0])
            seating.release_seat_hold(db, token=h["hold_token"], now=T0)
    assert got_tables == {"T1", "T2"} and got_areas == {"floor", "pit"}


def test_a_best_available_table_and_standing_places_are_paid_and_sold(db):
    event, _, _ = seated_event(db, layout=party_layout(tables=(("T1", 4, 600),)))
    for qty, cat in ((4, "vip"), (3, "std")):
        h = best(db, event, qty, cat)
        order = checkout.start_checkout(db, hold_id=h["hold_token"], buyer_name="Zanele", buyer_email="z@example.co.za", now=T0)
        pay = checkout.payment_for_order(db, order)
        assert orders.mark_paid(db, reference=pay.reference, amount_cents=order.total_cents, currency="ZAR",
                                provider="sandbox").status == "paid"
    db.expire_all()
    assert {k for k, v in statuses(db, event).items() if v == "sold"} == {"T1-1", "T1-2", "T1-3", "T1-4"}
    floor = db.exec(select(EventArea).where(EventArea.event_id == event.id, EventArea.area_key == "floor")).one()
    assert floor.sold_count == 3
    items = db.exec(select(OrderItem).join(Order, Order.id == OrderItem.order_id).where(Order.event_id == event.id)).all()
    assert sorted((i.area_id is not None, i.quantity) for i in items) == [(False, 1)] * 4 + [(True, 3)]


def test_over_the_buyer_cap_nothing_is_held(db):
    event, _, _ = seated_event(db, layout=party_layout(tables=(("T1", 4, 600),)), max_per_buyer=5)
    best(db, event, 3, "std", client_address="10.3.0.1")
    e = err(db, event, 3, "vip", client_address="10.3.0.1")      # 3 standing + a table of 4 > 5
    assert (e.code, e.status) == ("over_cap", 409)
    assert statuses(db, event)["T1-1"] == "free" and len(db.exec(select(Hold)).all()) == 1
