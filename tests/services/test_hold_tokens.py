"""Hold tokens (issue 12): a seat hold is checked out, viewed and released by its hold token only — its bare id
answers 403 ``hold_token_required`` and changes nothing, a forged token 404 — while a GA hold keeps being named
by its id (api-v1.md)."""

from __future__ import annotations

import uuid

import pytest
from sqlmodel import func, select

from tests.factories import make_event, make_org, make_ticket_type
from tests.seated_factories import ga_layout, seated_event
from voelgoed.models import EventSeat, Hold, Order, Payment
from voelgoed.services import seating
from voelgoed.services.platform import VoelgoedError
from voelgoed.services.sales import checkout, hold_tokens, inventory, storefront


def error_of(fn, *a, **kw) -> VoelgoedError:
    with pytest.raises(VoelgoedError) as exc:
        fn(*a, **kw)
    return exc.value


def orders_count(db) -> int:
    return db.exec(select(func.count()).select_from(Order)).one()


def seat_status(db, event, key: str) -> str:
    db.expire_all()
    return db.exec(select(EventSeat.status).where(EventSeat.event_id == event.id, EventSeat.seat_key == key)).one()


def buy(db, ref, **kw):
    return checkout.start_checkout(db, hold_id=ref, buyer_name="Lerato", buyer_email="l@example.co.za", **kw)


def test_parse_ref_reads_bare_ids_and_tokens_and_refuses_the_rest():
    hid = uuid.uuid4()
    token = hold_tokens.token_for(hid)
    assert len(token) == 101 and token.startswith(f"{hid}.")
    assert hold_tokens.parse_ref(str(hid)) == (hid, False)
    assert hold_tokens.parse_ref(hid) == (hid, False)
    assert hold_tokens.parse_ref(token) == (hid, True)
    other = uuid.uuid4()
    for bad in (f"{hid}.{'0' * 64}", f"{hid}.", f"{other}.{token.split('.')[1]}", "nope", "", None, 7,
                token + "0" * 100, f"{hid}.{hold_tokens.token_for(hid).split('.')[1].upper()}"):
        err = error_of(hold_tokens.parse_ref, bad)
        assert (err.code, err.status) == ("not_found", 404), bad


def test_needs_token_for_seats_places_and_tables_not_for_ga(db):
    event, _, _ = seated_event(db, layout=ga_layout(5))
    seats = seating.hold_seats(db, event_slug=event.slug, seat_keys=["A-1"], client_address="1.1.1.1")
    places = seating.hold_seats(db, event_slug=event.slug, areas=[{"key": "floor", "quantity": 2}], client_address="1.1.1.2")
    table = seating.hold_seats(db, event_slug=event.slug, tables=["T1"], client_address="1.1.1.3")
    for h in (seats, places, table):
        assert hold_tokens.needs_token(db, uuid.UUID(h["hold_id"])) is True
    org = make_org(db)
    tt = make_ticket_type(db, make_event(db, org), quantity=5)
    ga = inventory.create_hold(db, event_id=tt.event_id, items=[(tt.id, 2)], client_address="1.1.1.4")
    assert hold_tokens.needs_token(db, ga) is False


def test_seat_hold_checkout_needs_its_token(db):
    event, _, _ = seated_event(db)
    h = seating.hold_seats(db, event_slug=event.slug, seat_keys=["A-1", "A-2"], client_address="1.1.1.1")
    err = error_of(buy, db, h["hold_id"])
    assert (err.code, err.status) == ("hold_token_required", 403) and "hold token" in err.message
    db.expire_all()
    assert orders_count(db) == 0 and db.get(Hold, uuid.UUID(h["hold_id"])).status == "active"
    assert seat_status(db, event, "A-1") == "held"
    err = error_of(buy, db, h["hold_id"] + "." + "0" * 64)  # forged
    assert (err.code, err.status) == ("not_found", 404) and orders_count(db) == 0
    order = buy(db, h["hold_token"])
    assert order.hold_id == uuid.UUID(h["hold_id"]) and order.total_cents == 40000
    assert db.exec(select(Payment).where(Payment.order_id == order.id)).one().status == "initiated"
    # a retry by the bare id still cannot reach the order or start a payment
    err = error_of(buy, db, h["hold_id"])
    assert err.code == "hold_token_required"
    assert db.exec(select(func.count()).select_from(Payment)).one() == 1


def test_standing_places_hold_checkout_needs_its_token(db):
    event, _, _ = seated_event(db, layout=ga_layout(5))
    h = seating.hold_seats(db, event_slug=event.slug, areas=[{"key": "floor", "quantity": 3}], client_address="1.1.1.1")
    assert error_of(buy, db, h["hold_id"]).code == "hold_token_required" and orders_count(db) == 0
    assert buy(db, h["hold_token"]).status == "pending"


def test_seat_hold_view_and_release_need_the_token(db):
    event, _, _ = seated_event(db)
    h = seating.hold_seats(db, event_slug=event.slug, seat_keys=["A-3"], client_address="1.1.1.1")
    assert error_of(storefront.hold_view, db, h["hold_id"]).code == "hold_token_required"
    view = storefront.hold_view(db, h["hold_token"])
    assert view["hold_id"] == h["hold_id"] and view["status"] == "active" and view["items"][0]["quantity"] == 1
    err = error_of(inventory.release_hold, db, hold_id=h["hold_id"])
    assert (err.code, err.status) == ("hold_token_required", 403)
    assert seat_status(db, event, "A-3") == "held" and db.get(Hold, uuid.UUID(h["hold_id"])).status == "active"
    assert error_of(inventory.release_hold, db, hold_id=h["hold_id"] + ".ab").code == "not_found"
    inventory.release_hold(db, hold_id=h["hold_token"])
    assert seat_status(db, event, "A-3") == "free" and db.get(Hold, uuid.UUID(h["hold_id"])).status == "released"


def test_one_holds_token_never_acts_on_another(db):
    event, _, _ = seated_event(db)
    mine = seating.hold_seats(db, event_slug=event.slug, seat_keys=["A-1"], client_address="1.1.1.1")
    theirs = seating.hold_seats(db, event_slug=event.slug, seat_keys=["A-5"], client_address="2.2.2.2")
    spliced = theirs["hold_id"] + "." + mine["hold_token"].split(".", 1)[1]  # their id, my signature
    for act in (lambda: buy(db, spliced), lambda: storefront.hold_view(db, spliced),
                lambda: inventory.release_hold(db, hold_id=spliced),
                lambda: seating.release_seat_hold(db, token=spliced)):
        assert error_of(act).code == "not_found"
    assert seat_status(db, event, "A-5") == "held" and orders_count(db) == 0
    order = buy(db, mine["hold_token"])
    assert order.hold_id == uuid.UUID(mine["hold_id"])
    db.expire_all()
    assert db.get(Hold, uuid.UUID(theirs["hold_id"])).status == "active"


def test_ga_hold_is_still_named_by_its_id(db):
    org = make_org(db)
    tt = make_ticket_type(db, make_event(db, org), quantity=5, price_cents=5000)
    hold = inventory.create_hold(db, event_id=tt.event_id, items=[(tt.id, 2)], client_address="1.1.1.1")
    assert storefront.hold_view(db, str(hold.id))["status"] == "active"
    assert storefront.hold_view(db, hold_tokens.token_for(hold.id))["status"] == "active"  # a token works too
    order = buy(db, str(hold.id))
    assert order.total_cents == 10000 and order.hold_id == hold.id
    other = inventory.create_hold(db, event_id=tt.event_id, items=[(tt.id, 1)], client_address="1.1.1.2")
    inventory.release_hold(db, hold_id=str(other.id))
    db.expire_all()
    assert db.get(Hold, other.id).status == "released"
