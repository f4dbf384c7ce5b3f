"""The organiser's seated event (issues 11 item 3, 12 item 5): the seated-sales form's path (view → configure →
change rule/caps), the organiser seat map (statuses, counts by section, who holds what), allocations (not
sellable by buyers, released back to free), the box-office sale (seated tickets, the ledger, a conflict with a
buyer's held seat, all or nothing), roles and other organisations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from tests.factories import make_event, make_org, make_ticket_type, make_user
from tests.seated_factories import seated_event
from tests.seating_factories import block_layout, ctx_for, org_venue
from voelgoed.models import (
    AuditLog,
    EventSeat,
    EventSeating,
    LedgerEntry,
    Order,
    OrderItem,
    Organization,
    Payment,
    Ticket,
    Venue,
)
from voelgoed.services import seating
from voelgoed.services.platform import VoelgoedError
from voelgoed.services.sales import checkout, order_balance, public_event_view, request_refund

T0 = datetime.now(UTC).replace(microsecond=0)


def err_of(fn, *a, **kw) -> VoelgoedError:
    with pytest.raises(VoelgoedError) as exc:
        fn(*a, **kw)
    return exc.value


def seats(db, event) -> dict[str, EventSeat]:
    db.expire_all()
    return {s.seat_key: s for s in db.exec(select(EventSeat).where(EventSeat.event_id == event.id))}


def actions(db, event) -> list[str]:
    return [a.action for a in db.exec(select(AuditLog).where(AuditLog.target_id == str(event.id))
                                      .order_by(AuditLog.created_at, AuditLog.id))]


# ------------------------------------------------------------------ the seated-sales form


def test_settings_form_path_attach_then_map_categories_then_change_rule_and_caps(db):
    org, venue, ctx = org_venue(db)
    event = make_event(db, org, venue=venue)
    std = make_ticket_type(db, event, name="Standard", price_cents=20000, quantity=0)
    vip = make_ticket_type(db, event, name="VIP", price_cents=50000, quantity=0)
    plan = seating.create_plan(db, ctx, venue_id=venue.id, name="Hall", layout_doc=block_layout((("A", 6),)))
    version = seating.publish(db, ctx, plan.id)["version"]

    view = seating.seated_sales_view(db, ctx, event.id)
    assert view["configured"] is False and view["version"] is None and view["categories"] == []
    seating.attach_version(db, ctx, event.id, version["id"])
    view = seating.seated_sales_view(db, ctx, event.id)
    assert view["configured"] is False and view["version"]["id"] == version["id"]
    assert [c["key"] for c in view["categories"]] == ["std", "vip"]
    assert {t["label"] for t in view["ticket_types"]} == {"Standard · R 200.00", "VIP · R 500.00"}
    assert err_of(seating.organiser_status, db, ctx, event.id).code == "not_seated"

    # a category left without a ticket type is named; nothing is created
    err = err_of(seating.configure_seated_sales, db, ctx, event_id=event.id, category_types={"std": str(std.id)})
    assert err.code == "validation_failed" and "category_types.vip" in err.details["fields"]
    assert db.get(EventSeating, event.id) is None
    err = err_of(seating.configure_seated_sales, db, ctx, event_id=event.id,
                 category_types={"std": str(std.id), "vip": str(vip.id)}, max_per_order=0, isolated_rule="loose")
    assert set(err.details["fields"]) == {"max_per_order", "isolated_rule"}

    seating.configure_seated_sales(db, ctx, event_id=event.id, category_types={"std": str(std.id), "vip": str(vip.id)},
                                   isolated_rule="strict", max_per_order=6, max_per_buyer=8)
    view = seating.seated_sales_view(db, ctx, event.id)
    assert view["configured"] is True and (view["isolated_rule"], view["max_per_order"], view["max_per_buyer"]) == ("strict", 6, 8)
    assert {c["key"]: (c["ticket_type_id"], c["seats"]) for c in view["categories"]} == {
        "std": (str(std.id), 6), "vip": (str(vip.id), None)}

    seating.update_seated_sales(db, ctx, event_id=event.id, isolated_rule="off", max_per_buyer=4)
    db.expire_all()
    settings = db.get(EventSeating, event.id)
    assert (settings.isolated_rule, settings.max_per_order, settings.max_per_buyer) == ("off", 6, 4)
    change = db.exec(select(AuditLog).where(AuditLog.action == "event.seated_sales_changed")).one()
    assert change.data == {"isolated_rule": {"from": "strict", "to": "off"}, "max_per_buyer": {"from": 8, "to": 4}}
    # bad values change nothing
    for bad in ({"max_per_order": 101}, {"isolated_rule": "sometimes"}, {"max_per_buyer": True},
                {"category_types": {"std": str(vip.id)}}):
        assert err_of(seating.update_seated_sales, db, ctx, event_id=event.id, **bad).code == "validation_failed"
    db.expire_all()
    assert db.get(EventSeating, event.id).max_per_order == 6
    # the price map may move a category to another ticket type (new holds take its price)
    seating.update_seated_sales(db, ctx, event_id=event.id, category_types={"std": str(vip.id), "vip": str(vip.id)})
    hold = seating.hold_seats(db, event_slug=event.slug, seat_keys=["A-1"], now=T0)
    assert hold["total_cents"] == 50000


# ------------------------------------------------------------------ the organiser's map


def test_statuses_counts_by_section_and_who_holds_what(db):
    event, ctx, types = seated_event(db, rows=(("A", 6), ("B", 4)))
    held = seating.hold_seats(db, event_slug=event.slug, seat_keys=["A-1", "A-2"], client_address="1.2.3.4", now=T0)
    seating.set_blocked(db, ctx, event_id=event.id, seat_keys=["B-4"], blocked=True, now=T0)
    seating.allocate_seats(db, ctx, event_id=event.id, seat_keys=["B-1", "B-2"], label="Press", now=T0)
    sold = seating.box_office_sale(db, ctx, event_id=event.id, seat_keys=["A-6"], buyer_name="Desk Buyer",
                                   buyer_email="desk@example.com", now=T0)

    st = seating.organiser_status(db, ctx, event.id, now=T0 + timedelta(seconds=1))
    assert (st["held"], st["sold"], st["blocked"], st["allocated"]) == (["A-1", "A-2"], ["A-6"], ["B-4"],
                                                                        {"B-1": "Press", "B-2": "Press"})
    assert st["counts"] == {"free": 4, "held": 2, "sold": 1, "blocked": 1, "allocated": 2, "total": 10}
    assert st["sections"] == [{"section": "Stalls", "free": 4, "held": 2, "sold": 1, "blocked": 1, "allocated": 2, "total": 10}]
    assert st["allocations"] == [{"label": "Press", "count": 2}]

    info = {d["key"]: d for d in seating.seat_details(db, ctx, event.id, ["A-1", "A-6", "B-1", "A-3", "nope"],
                                                      now=T0 + timedelta(seconds=10))}
    assert set(info) == {"A-1", "A-6", "B-1", "A-3"}
    assert info["A-1"]["status"] == "held" and info["A-1"]["hold"]["id"] == held["hold_id"]
    assert info["A-1"]["hold"]["source"] == "buyer" and info["A-1"]["hold"]["order_code"] is None
    assert 0 < info["A-1"]["hold"]["seconds_left"] < 10_000 and info["A-1"]["label"] == "Stalls A-1"
    assert info["A-6"]["status"] == "sold" and info["A-6"]["order"]["order_code"] == sold["order_code"]
    assert info["A-6"]["order"]["buyer_name"] == "Desk Buyer" and info["A-6"]["order"]["provider"] == "box_office"
    assert (info["B-1"]["status"], info["B-1"]["allocation"]) == ("allocated", "Press")
    assert info["A-3"] == {**info["A-3"], "status": "free", "hold": None, "order": None, "price_cents": 20000}
    # a buyer who went on to checkout: the held seat names the pending order
    order = checkout.start_checkout(db, hold_id=held["hold_token"], buyer_name="Online Buyer", buyer_email="o@example.com",
                                    now=T0)
    info = seating.seat_details(db, ctx, event.id, ["A-2"], now=T0 + timedelta(seconds=10))[0]
    assert info["hold"]["order_code"] == order.order_code and info["order"]["buyer_name"] == "Online Buyer"
    # after the hold lapses the seat reads as free
    later = T0 + timedelta(hours=2)
    assert seating.organiser_status(db, ctx, event.id, now=later)["counts"]["held"] == 0
    assert err_of(seating.seat_details, db, ctx, event.id, []).code == "validation_failed"


# ------------------------------------------------------------------ allocations


def test_allocated_seats_are_not_sellable_by_buyers_and_can_be_released(db):
    event, ctx, _ = seated_event(db, rows=(("A", 4),))
    seating.hold_seats(db, event_slug=event.slug, seat_keys=["A-4"], client_address="5.5.5.5", now=T0)
    out = seating.allocate_seats(db, ctx, event_id=event.id, seat_keys=["A-1", "A-2", "A-4", "Z-9"], label="  Sponsor ",
                                 now=T0)
    assert out == {"changed": 2, "skipped": [{"key": "A-4", "status": "held"}, {"key": "Z-9", "status": "unknown"}]}
    rows = seats(db, event)
    assert (rows["A-1"].status, rows["A-1"].allocation) == ("allocated", "Sponsor")
    log = db.exec(select(AuditLog).where(AuditLog.action == "event.seats_allocated")).one()
    assert log.data == {"label": "Sponsor", "count": 2, "seat_keys": ["A-1", "A-2"], "skipped": 2}

    # buyers: a hold is refused as blocked, the public snapshot and feed say blocked, best available skips them
    err = err_of(seating.hold_seats, db, event_slug=event.slug, seat_keys=["A-1"], now=T0)
    assert (err.code, err.details["seat_key"]) == ("seat_blocked", "A-1")
    snap = seating.status_snapshot(db, event.slug, now=T0)
    assert snap["blocked"] == ["A-1", "A-2"] and snap["held"] == ["A-4"]
    changes = seating.changes_since(db, event.slug, 0, now=T0)["changes"]
    assert {c["key"]: c["status"] for c in changes}["A-1"] == "blocked"
    best = seating.choose_best_available(db, event_slug=event.slug, quantity=1, category="std", now=T0)
    assert [s["key"] for s in best["seats"]] == ["A-3"]
    assert err_of(seating.choose_best_available, db, event_slug=event.slug, quantity=1, category="std",
                  now=T0).code == "sold_out"

    # re-labelled, then released back to free (and on sale again)
    assert seating.allocate_seats(db, ctx, event_id=event.id, seat_keys=["A-2"], label="Press", now=T0)["changed"] == 1
    assert seats(db, event)["A-2"].allocation == "Press"
    out = seating.release_allocation(db, ctx, event_id=event.id, seat_keys=["A-1", "A-3"], now=T0)
    assert out == {"changed": 1, "skipped": [{"key": "A-3", "status": "held"}]}
    assert (seats(db, event)["A-1"].status, seats(db, event)["A-1"].allocation) == ("free", None)
    assert seating.hold_seats(db, event_slug=event.slug, seat_keys=["A-1"], now=T0)["seats"][0]["key"] == "A-1"
    assert "event.seats_released" in actions(db, event)
    for bad in ("", "   ", "x" * 41, "a\nb", None):
        assert err_of(seating.allocate_seats, db, ctx, event_id=event.id, seat_keys=["A-2"], label=bad).code == "validation_failed"
    assert seats(db, event)["A-2"].allocation == "Press"


# ------------------------------------------------------------------ box office


def test_box_office_sells_free_and_allocated_seats_with_seated_tickets_and_a_ledger_entry(db):
    event, ctx, types = seated_event(db, rows=(("A", 6),))
    seating.allocate_seats(db, ctx, event_id=event.id, seat_keys=["A-5"], label="Box office", now=T0)
    out = seating.box_office_sale(db, ctx, event_id=event.id, seat_keys=["A-5", "A-4"], buyer_name=" Thandi Desk ",
                                  buyer_email="thandi@example.com", payment_method="card", now=T0)
    assert out["status"] == "paid" and out["total_cents"] == 40000 and out["tickets"] == 2
    assert [(s["key"], s["allocation"]) for s in out["seats"]] == [("A-4", None), ("A-5", "Box office")]
    order = db.get(Order, out["order_id"])
    assert (order.provider, order.buyer_name, order.status, order.paid_at is not None) == ("box_office", "Thandi Desk",
                                                                                         "paid", True)
    rows = seats(db, event)
    for key in ("A-4", "A-5"):
        assert (rows[key].status, rows[key].order_id, rows[key].allocation) == ("sold", order.id, None)
    # tickets reference the seats exactly as online seated sales do: ticket.seat_id = order_item.seat_id = event seat
    tickets = db.exec(select(Ticket).where(Ticket.order_id == order.id)).all()
    items = db.exec(select(OrderItem).where(OrderItem.order_id == order.id)).all()
    assert sorted(t.seat_id for t in tickets) == sorted(i.seat_id for i in items) == sorted([rows["A-4"].id, rows["A-5"].id])
    assert {t.ticket_type_id for t in tickets} == {types["std"].id} and all(t.status == "valid" for t in tickets)
    payment = db.exec(select(Payment).where(Payment.order_id == order.id)).one()
    assert (payment.provider, payment.status, payment.amount_cents, payment.provider_data["method"]) == (
        "box_office", "succeeded", 40000, "card")
    entry = db.exec(select(LedgerEntry).where(LedgerEntry.order_id == order.id)).one()
    assert (entry.kind, entry.amount_cents, entry.provider, entry.source_key) == ("payment", 40000, "box_office",
                                                                                 f"payment:{payment.id}")
    paid = db.exec(select(AuditLog).where(AuditLog.action == "order.paid", AuditLog.target_id == str(order.id))).one()
    assert paid.data["channel"] == "box_office" and paid.data["allocations"] == ["Box office"]
    assert paid.actor_type == "user"
    # the sold seat is gone for buyers and for a second sale
    assert err_of(seating.hold_seats, db, event_slug=event.slug, seat_keys=["A-4"], now=T0).code == "seat_sold"
    err = err_of(seating.box_office_sale, db, ctx, event_id=event.id, seat_keys=["A-4"], buyer_name="X",
                 buyer_email="x@example.com", now=T0)
    assert (err.code, err.status) == ("seat_sold", 409)


def test_box_office_loses_to_a_buyer_holding_the_seat_and_sells_nothing(db):
    event, ctx, _ = seated_event(db, rows=(("A", 6),))
    seating.hold_seats(db, event_slug=event.slug, seat_keys=["A-3"], client_address="7.7.7.7", now=T0)
    seating.set_blocked(db, ctx, event_id=event.id, seat_keys=["A-6"], blocked=True, now=T0)
    orders_before = len(db.exec(select(Order)).all())
    err = err_of(seating.box_office_sale, db, ctx, event_id=event.id, seat_keys=["A-2", "A-3"], buyer_name="Desk",
                 buyer_email="desk@example.com", now=T0)
    assert (err.code, err.status, err.details["seat_key"]) == ("seat_held", 409, "A-3")
    err = err_of(seating.box_office_sale, db, ctx, event_id=event.id, seat_keys=["A-1", "A-6"], buyer_name="Desk",
                 buyer_email="desk@example.com", now=T0)
    assert (err.code, err.details["seat_key"]) == ("seat_blocked", "A-6")
    rows = seats(db, event)
    assert (rows["A-1"].status, rows["A-2"].status, rows["A-3"].status) == ("free", "free", "held")
    assert len(db.exec(select(Order)).all()) == orders_before
    assert db.exec(select(LedgerEntry)).all() == []
    # bad input: clear errors, nothing sold
    cases = [({"buyer_email": "not-an-email"}, "validation_failed"), ({"payment_method": "bitcoin"}, "validation_failed"),
             ({"seat_keys": []}, "validation_failed"), ({"seat_keys": ["Q-1"]}, "not_found"),
             ({"seat_keys": [f"A-{i}" for i in range(60)]}, "validation_failed")]
    for change, code in cases:
        kw = {"seat_keys": ["A-1"], "buyer_name": "Desk", "buyer_email": "desk@example.com", "payment_method": "cash"} | change
        assert err_of(seating.box_office_sale, db, ctx, event_id=event.id, now=T0, **kw).code == code
    assert seats(db, event)["A-1"].status == "free"
    # once the buyer's hold lapses the box office may sell the seat
    out = seating.box_office_sale(db, ctx, event_id=event.id, seat_keys=["A-3"], buyer_name="Desk",
                                  buyer_email="desk@example.com", now=T0 + timedelta(hours=1))
    assert seats(db, event)["A-3"].status == "sold" and out["status"] == "paid"


def test_roles_other_organisations_and_events_without_seats(db):
    event, ctx, _ = seated_event(db, rows=(("A", 4),))
    other_org = make_org(db)
    other = ctx_for(other_org, make_user(db, org=other_org))
    sell = {"seat_keys": ["A-1"], "buyer_name": "X", "buyer_email": "x@example.com"}
    calls = [
        (seating.organiser_status, (db, other, event.id), {}),
        (seating.organiser_layout, (db, other, event.id), {}),
        (seating.seat_details, (db, other, event.id, ["A-1"]), {}),
        (seating.seated_sales_view, (db, other, event.id), {}),
        (seating.update_seated_sales, (db, other), {"event_id": event.id, "max_per_order": 5}),
        (seating.allocate_seats, (db, other), {"event_id": event.id, "seat_keys": ["A-1"], "label": "Press"}),
        (seating.release_allocation, (db, other), {"event_id": event.id, "seat_keys": ["A-1"]}),
        (seating.set_blocked, (db, other), {"event_id": event.id, "seat_keys": ["A-1"], "blocked": True}),
        (seating.box_office_sale, (db, other), {"event_id": event.id, **sell}),
    ]
    for fn, args, kw in calls:
        assert err_of(fn, *args, **kw).code == "not_found", fn.__name__
    event_org = db.get(Organization, event.organization_id)
    viewer = ctx_for(event_org, make_user(db, org=event_org, role="viewer"), "viewer")
    assert seating.organiser_status(db, viewer, event.id)["counts"]["free"] == 4
    for fn, kw in ((seating.allocate_seats, {"seat_keys": ["A-1"], "label": "Press"}),
                   (seating.box_office_sale, sell), (seating.update_seated_sales, {"max_per_order": 3})):
        assert err_of(fn, db, viewer, event_id=event.id, **kw).code == "forbidden"
    assert set(s.status for s in seats(db, event).values()) == {"free"}
    # a general-admission event of the organisation: 409 not_seated, not a 404 or a 500
    ga = make_event(db, event_org, venue=db.get(Venue, event.venue_id))
    for fn, kw in ((seating.allocate_seats, {"seat_keys": ["A-1"], "label": "Press"}), (seating.box_office_sale, sell),
                   (seating.release_allocation, {"seat_keys": ["A-1"]}), (seating.update_seated_sales, {})):
        assert err_of(fn, db, ctx, event_id=ga.id, **kw).code == "not_seated"
    assert seating.seated_sales_view(db, ctx, ga.id)["configured"] is False


def test_a_box_office_order_is_refunded_at_the_desk_and_its_seats_go_back_on_sale(db):
    event, ctx, _ = seated_event(db, rows=(("A", 4),))
    out = seating.box_office_sale(db, ctx, event_id=event.id, seat_keys=["A-1", "A-2"], buyer_name="Desk",
                                  buyer_email="desk@example.com", now=T0)
    refund = request_refund(db, ctx, order_id=out["order_id"], reason="changed plans", return_to_sale=True)
    assert (refund.status, refund.provider, refund.provider_reference) == ("processed", "box_office", f"desk_{refund.id}")
    assert order_balance(db, db.get(Order, out["order_id"]).id) == 0
    assert {k: s.status for k, s in seats(db, event).items()} == dict.fromkeys(("A-1", "A-2", "A-3", "A-4"), "free")
    assert db.get(Order, out["order_id"]).status == "refunded"


def test_the_public_event_page_sends_buyers_of_seated_ticket_types_to_the_map(db):
    event, _, _ = seated_event(db)
    make_ticket_type(db, event, name="Standing", price_cents=10000, quantity=5)
    by = {t["name"]: t for t in public_event_view(db, event.slug)["ticket_types"]}
    assert (by["Standard"]["seated"], by["Standard"]["sold_out"], by["Standard"]["max_selectable"]) == (True, False, 0)
    assert (by["Standing"]["seated"], by["Standing"]["sold_out"], by["Standing"]["max_selectable"]) == (False, False, 5)
