"""Capacity edits (issue 9, item 6): an event's capacity and a ticket type's quantity never go below
sold + held (live holds), and moving between "no capacity" and a number keeps the event counters right.
Every transition via the service, the API PATCH routes and the organiser page's form service."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.factories import make_event, make_org, make_ticket_type
from tests.scan_factories import owner_ctx
from voelgoed.models import Event, Hold, TicketType
from voelgoed.services.accounts import apikeys
from voelgoed.services.catalog import event_forms, events, ticket_types
from voelgoed.services.platform import VoelgoedError
from voelgoed.services.sales import inventory

PAST = datetime.now(UTC) - timedelta(hours=1)  # a hold created then has lapsed


def _shop(db, *, capacity=None, sold=3, held=2, quantity=20):
    """Event (capacity as given) with one type: ``sold`` sold (counters as checkout leaves them) and a live hold of ``held``."""
    org = make_org(db)
    event = make_event(db, org, capacity=capacity)
    tt = make_ticket_type(db, event, quantity=quantity, max_per_order=20)
    tt.sold_count = sold
    if capacity is not None:
        event.sold_count = sold
    db.commit()  # committed, as in production: an engine-bound session's hold takes the autocommit fast path
    if held:
        inventory.create_hold(db, event_slug=event.slug, items=[(tt.id, held)])
    return org, event, tt


def _err(fn):
    with pytest.raises(VoelgoedError) as exc:
        fn()
    return exc.value


def _counters(db, event_id):
    db.expire_all()
    ev = db.get(Event, event_id)
    return ev.capacity, ev.sold_count, ev.held_count


def _set_capacity(db, org, event, value):
    return events.update_event(db, owner_ctx(org), event.id, capacity=value)


def test_null_to_number_above_recomputes_counters_and_then_guards_holds(db):
    org, event, tt = _shop(db)  # no capacity: the event counters were never maintained
    assert _counters(db, event.id) == (None, 0, 0)
    _set_capacity(db, org, event, 10)
    assert _counters(db, event.id) == (10, 3, 2)
    inventory.create_hold(db, event_slug=event.slug, items=[(tt.id, 5)])
    err = _err(lambda: inventory.create_hold(db, event_slug=event.slug, items=[(tt.id, 1)]))
    assert err.code == "sold_out"  # 3 sold + 7 held = 10: the capacity now counts the holds made before it was set


def test_null_to_number_equal_to_sold_plus_held(db):
    org, event, tt = _shop(db)
    _set_capacity(db, org, event, 5)
    assert _counters(db, event.id) == (5, 3, 2)
    assert _err(lambda: inventory.create_hold(db, event_slug=event.slug, items=[(tt.id, 1)])).code == "sold_out"


def test_null_to_number_below_sold_plus_held_is_refused(db):
    org, event, _tt = _shop(db)
    err = _err(lambda: _set_capacity(db, org, event, 4))
    assert (err.code, err.status) == ("capacity_below_sold", 409)
    assert (err.details["sold"], err.details["held"], err.details["requested"]) == (3, 2, 4)
    assert _counters(db, event.id)[0] is None


def test_number_to_number_cut(db):
    org, event, _tt = _shop(db, capacity=10)
    assert _counters(db, event.id) == (10, 3, 2)
    _set_capacity(db, org, event, 5)
    assert _counters(db, event.id) == (5, 3, 2)
    err = _err(lambda: _set_capacity(db, org, event, 4))
    assert err.code == "capacity_below_sold" and err.details == {
        "sold": 3, "held": 2, "requested": 4, "fields": {"capacity": "At least 5"}}
    _set_capacity(db, org, event, 50)
    assert _counters(db, event.id) == (50, 3, 2)


def test_number_to_null_and_back_keeps_counters_right(db):
    org, event, tt = _shop(db, capacity=5)
    _set_capacity(db, org, event, None)
    inventory.create_hold(db, event_slug=event.slug, items=[(tt.id, 4)])  # beyond the old capacity: allowed now
    err = _err(lambda: _set_capacity(db, org, event, 8))  # 3 sold + 6 held
    assert err.code == "capacity_below_sold" and err.details["held"] == 6
    _set_capacity(db, org, event, 9)
    assert _counters(db, event.id) == (9, 3, 6)


def test_expired_holds_do_not_count_for_a_capacity_cut(db):
    org, event, tt = _shop(db, capacity=10, held=0)
    inventory.create_hold(db, event_slug=event.slug, items=[(tt.id, 4)], now=PAST)  # lapsed, not yet reclaimed
    assert _counters(db, event.id) == (10, 3, 4)
    _set_capacity(db, org, event, 3)  # only the 3 sold count
    assert _counters(db, event.id) == (3, 3, 0)
    assert {h.status for h in db.query(Hold).filter(Hold.event_id == event.id)} == {"expired"}
    db.expire_all()
    assert db.get(TicketType, tt.id).held_count == 0


def test_expired_holds_do_not_count_when_setting_a_capacity_from_null(db):
    org, event, tt = _shop(db, held=0)
    inventory.create_hold(db, event_slug=event.slug, items=[(tt.id, 4)], now=PAST)
    _set_capacity(db, org, event, 3)
    assert _counters(db, event.id) == (3, 3, 0)


def test_ticket_type_quantity_below_sold_below_sold_plus_held_and_with_expired_holds(db):
    org, event, tt = _shop(db, sold=3, held=2, quantity=20)
    ctx = owner_ctx(org)
    err = _err(lambda: ticket_types.update_ticket_type(db, ctx, tt.id, quantity=2))  # below sold
    assert (err.code, err.status, err.details["sold"], err.details["held"], err.details["requested"]) == (
        "quantity_below_sold", 409, 3, 2, 2)
    err = _err(lambda: ticket_types.update_ticket_type(db, ctx, tt.id, quantity=4))  # below sold + held
    assert err.code == "quantity_below_sold"
    assert ticket_types.update_ticket_type(db, ctx, tt.id, quantity=5).quantity == 5  # equal is fine
    assert _err(lambda: inventory.create_hold(db, event_slug=event.slug, items=[(tt.id, 1)])).code == "sold_out"
    ticket_types.update_ticket_type(db, ctx, tt.id, quantity=6)
    inventory.create_hold(db, event_slug=event.slug, items=[(tt.id, 1)])
    assert _err(lambda: ticket_types.update_ticket_type(db, ctx, tt.id, quantity=5)).details["held"] == 3
    # the live holds lapse: they no longer count (reclaimed by the edit itself)
    later = datetime.now(UTC) + timedelta(hours=2)
    assert ticket_types.update_ticket_type(db, ctx, tt.id, quantity=3, now=later).quantity == 3
    db.expire_all()
    assert db.get(TicketType, tt.id).held_count == 0


def test_api_patch_routes_refuse_cuts_below_sold(client, db):
    org, event, tt = _shop(db)
    _key, secret = apikeys.create_api_key(db, organization_id=org.id, name="t")
    h = {"Authorization": f"Bearer {secret}"}
    r = client.patch(f"/api/v1/events/{event.id}", json={"capacity": 4}, headers=h)
    assert r.status_code == 409 and r.json()["error"]["code"] == "capacity_below_sold"
    assert r.json()["error"]["details"]["requested"] == 4
    r = client.patch(f"/api/v1/events/{event.id}", json={"capacity": 5}, headers=h)
    assert r.status_code == 200 and (r.json()["tickets_sold"], r.json()["tickets_held"]) == (3, 2)
    r = client.patch(f"/api/v1/ticket-types/{tt.id}", json={"quantity": 4}, headers=h)
    assert r.status_code == 409 and r.json()["error"]["code"] == "quantity_below_sold"
    r = client.patch(f"/api/v1/events/{event.id}", json={"capacity": None}, headers=h)
    assert r.status_code == 200 and r.json()["capacity"] is None


def test_organiser_form_service_path(db):
    org, event, tt = _shop(db)
    ctx = owner_ctx(org)
    view = event_forms.event_editor_view(db, ctx, event.id)["event"]
    form = {k: view[k] for k in ("name", "slug", "description", "venue_id", "starts_at", "ends_at", "sale_starts_at",
                                 "sale_ends_at")}
    err = _err(lambda: event_forms.update_event_from_form(db, ctx, event.id, {**form, "capacity": "4"}))
    assert err.code == "capacity_below_sold"
    event_forms.update_event_from_form(db, ctx, event.id, {**form, "capacity": "6"})
    assert _counters(db, event.id) == (6, 3, 2)
    err = _err(lambda: event_forms.save_ticket_type_from_form(db, ctx, event.id, {
        "id": str(tt.id), "name": tt.name, "price": "250", "quantity": "4", "max_per_order": "20", "is_active": "on"}))
    assert err.code == "quantity_below_sold"
