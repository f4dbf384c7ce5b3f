"""Attendees at checkout (issue 13, item 4): per ticket type off / optional / required; the buyer gives each
ticket's attendee, checked server-side (422 naming the ticket, nothing written); the tickets carry them."""

from __future__ import annotations

import uuid

import pytest
from sqlmodel import func, select

from tests.factories import make_event, make_org, make_ticket_type
from voelgoed.models import Hold, Order, OrderItem, Ticket
from voelgoed.services.catalog import event_forms, ticket_types
from voelgoed.services.platform import Actor, TenantContext, VoelgoedError
from voelgoed.services.sales import checkout, inventory, orders, sandbox_checkout, storefront


def ctx(org):
    return TenantContext(organization_id=org.id, actor=Actor("user", str(uuid.uuid4())), role="owner")


@pytest.fixture
def shop(db):
    org = make_org(db)
    event = make_event(db, org)
    weekend = make_ticket_type(db, event, name="Weekend pass", price_cents=50000, sort_order=0, attendee_mode="required")
    day = make_ticket_type(db, event, name="Day ticket", price_cents=20000, sort_order=1, attendee_mode="optional")
    kids = make_ticket_type(db, event, name="Kids", price_cents=5000, sort_order=2)  # attendee_mode off
    db.commit()
    return org, event, weekend, day, kids


def _hold(db, event, lines):
    return inventory.create_hold(db, event_slug=event.slug, items=[(tt.id, n) for tt, n in lines])


def _orders(db) -> int:
    return db.exec(select(func.count()).select_from(Order)).one()


def _start(db, hold, attendees):
    return checkout.start_checkout(db, hold_id=hold.id, buyer_name="Thandi Mokoena", buyer_email="thandi@example.co.za",
                                   attendees=attendees)


def test_required_attendee_missing_is_422_naming_the_ticket_and_nothing_written(db, shop):
    _org, event, weekend, day, _kids = shop
    hold = _hold(db, event, [(weekend, 2), (day, 1)])
    with pytest.raises(VoelgoedError) as err:
        _start(db, hold, [{"ticket_type_id": str(weekend.id), "name": "Naledi Dlamini", "email": "naledi@example.com"}])
    e = err.value
    assert (e.status, e.code) == (422, "validation_failed")
    assert e.details["fields"] == {"attendee_2_name": "Ticket 2 (Weekend pass): enter the attendee's name",
                                   "attendee_2_email": "Ticket 2 (Weekend pass): enter the attendee's e-mail"}
    assert [(t["number"], t["ticket_type"], t["field"]) for t in e.details["tickets"]] == [
        (2, "Weekend pass", "name"), (2, "Weekend pass", "email")]
    assert e.message == "Ticket 2 (Weekend pass): enter the attendee's name"
    assert _orders(db) == 0 and db.get(Hold, hold.id).status == "active"

    # no attendees at all: both weekend tickets are named; the optional day ticket is not
    with pytest.raises(VoelgoedError) as err:
        _start(db, hold, None)
    assert sorted(err.value.details["fields"]) == ["attendee_1_email", "attendee_1_name", "attendee_2_email", "attendee_2_name"]
    assert _orders(db) == 0


@pytest.mark.parametrize("email", ["not-an-address", "a@b", "two@@example.com", "x y@example.com"])
def test_bad_attendee_email_is_422(db, shop, email):
    _org, event, weekend, day, _kids = shop
    hold = _hold(db, event, [(weekend, 1), (day, 1)])
    with pytest.raises(VoelgoedError) as err:
        _start(db, hold, [{"ticket_type_id": str(weekend.id), "name": "Naledi", "email": "naledi@example.com"},
                          {"ticket_type_id": str(day.id), "name": "Sipho", "email": email}])
    assert err.value.status == 422
    assert err.value.details["fields"] == {"attendee_2_email": "Ticket 2 (Day ticket): this is not a valid e-mail address"}
    assert _orders(db) == 0


@pytest.mark.parametrize("attendees, field, message", [
    ([{"ticket_type_id": str(uuid.uuid4()), "name": "X"}], "attendees", "is not in this reservation"),
    ("not a list", "attendees", "must be a list"),
    ([{"ticket_type_id": "nope", "name": "Sipho"}], "attendees", "is not in this reservation"),
    (["Sipho"], "attendees", "Each attendee is an object"),
])
def test_malformed_attendees_are_422(db, shop, attendees, field, message):
    _org, event, _weekend, day, _kids = shop
    hold = _hold(db, event, [(day, 1)])
    with pytest.raises(VoelgoedError) as err:
        _start(db, hold, attendees)
    assert err.value.status == 422 and message in err.value.details["fields"][field]
    assert _orders(db) == 0


def test_more_attendees_than_tickets_and_email_without_name_are_422(db, shop):
    _org, event, _weekend, day, _kids = shop
    hold = _hold(db, event, [(day, 1)])
    with pytest.raises(VoelgoedError) as err:
        _start(db, hold, [{"ticket_type_id": str(day.id), "name": "A"}, {"ticket_type_id": str(day.id), "name": "B"}])
    assert err.value.details["fields"]["attendees"] == "2 attendees given for 1 ticket of Day ticket"
    with pytest.raises(VoelgoedError) as err:
        _start(db, hold, [{"ticket_type_id": str(day.id), "name": " ", "email": "sipho@example.com"}])
    assert err.value.details["fields"] == {"attendee_1_name": "Ticket 1 (Day ticket): enter the attendee's name"}
    assert _orders(db) == 0


def test_attendees_become_the_ticket_holders_after_payment(db, shop):
    _org, event, weekend, day, kids = shop
    hold = _hold(db, event, [(kids, 1), (day, 2), (weekend, 2)])
    view = storefront.hold_view(db, hold.id)
    assert [(t["number"], t["ticket_type"], t["mode"]) for t in view["tickets"]] == [
        (1, "Weekend pass", "required"), (2, "Weekend pass", "required"), (3, "Day ticket", "optional"),
        (4, "Day ticket", "optional"), (5, "Kids", "off")]
    assert {i["ticket_type"]: i["attendee_mode"] for i in view["items"]} == {
        "Weekend pass": "required", "Day ticket": "optional", "Kids": "off"}
    order = _start(db, hold, [
        {"ticket_type_id": str(weekend.id), "name": " Naledi Dlamini ", "email": "Naledi@Example.com"},
        {"ticket_type_id": str(weekend.id), "name": "Pieter Botha", "email": "pieter@example.com"},
        {"ticket_type_id": str(day.id), "name": "Ayesha Patel", "email": ""},  # optional: name only
        {"ticket_type_id": str(kids.id), "name": "Ignored", "email": "ignored@example.com"},  # off: ignored
    ])
    stored = {db.get(type(weekend), i.ticket_type_id).name: i.attendees
              for i in db.exec(select(OrderItem).where(OrderItem.order_id == order.id))}
    assert stored == {"Weekend pass": [{"name": "Naledi Dlamini", "email": "naledi@example.com"},
                                       {"name": "Pieter Botha", "email": "pieter@example.com"}],
                      "Day ticket": [{"name": "Ayesha Patel", "email": ""}, {"name": "", "email": ""}],
                      "Kids": None}
    payment = checkout.payment_for_order(db, order)
    assert sandbox_checkout.complete(db, reference=payment.reference, outcome="success")["status"] == "paid"
    db.expire_all()
    tickets = db.exec(select(Ticket).where(Ticket.order_id == order.id)).all()
    by_type: dict[str, list] = {}
    for t in sorted(tickets, key=lambda t: t.position):
        by_type.setdefault(db.get(type(weekend), t.ticket_type_id).name, []).append((t.holder_name, t.holder_email))
    assert by_type == {"Weekend pass": [("Naledi Dlamini", "naledi@example.com"), ("Pieter Botha", "pieter@example.com")],
                       "Day ticket": [("Ayesha Patel", ""), ("Thandi Mokoena", "")],  # not given: the buyer's name
                       "Kids": [("Thandi Mokoena", "")]}
    # the buyer's order page shows each ticket's holder
    public = orders.public_order_view(db, order.order_code, order.access_token)
    assert sorted(t["holder_name"] for t in public["tickets"]) == sorted(
        ["Naledi Dlamini", "Pieter Botha", "Ayesha Patel", "Thandi Mokoena", "Thandi Mokoena"])


def test_types_without_attendee_mode_keep_the_old_checkout(db, shop):
    _org, event, _weekend, _day, kids = shop
    hold = _hold(db, event, [(kids, 2)])
    order = _start(db, hold, None)
    assert db.exec(select(OrderItem.attendees).where(OrderItem.order_id == order.id)).all() == [None]


def test_organiser_sets_the_attendee_mode(db, shop):
    org, event, _weekend, day, _kids = shop
    tt = event_forms.save_ticket_type_from_form(db, ctx(org), event.id, {
        "name": "Backstage", "price": "100", "quantity": "10", "max_per_order": "2", "is_active": "on",
        "attendee_mode": "required"})
    assert tt.attendee_mode == "required" and ticket_types.ticket_type_dict(tt)["attendee_mode"] == "required"
    assert ticket_types.update_ticket_type(db, ctx(org), day.id, attendee_mode="off").attendee_mode == "off"
    with pytest.raises(VoelgoedError) as err:
        ticket_types.update_ticket_type(db, ctx(org), day.id, attendee_mode="sometimes")
    assert err.value.details["fields"] == {"attendee_mode": "Attendee details are off, optional or required"}
    assert ticket_types.create_ticket_type(db, ctx(org), event.id, name="Plain", price_cents=0, quantity=5).attendee_mode == "off"
