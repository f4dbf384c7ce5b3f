"""Seat inventory and holds (issue 12): attach, hold all-or-nothing, typed conflicts, caps, isolated seats,
expiry at read time (no worker), the extension cap, release, the status snapshot and changes feed, payment
settlement with the token's hold, and the late-payment re-seat / refund_required."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from tests.seated_factories import seated_event
from voelgoed.config import get_settings
from voelgoed.models import AuditLog, EventSeat, Hold, Order, OrderItem, Ticket
from voelgoed.services import seating
from voelgoed.services.platform import VoelgoedError
from voelgoed.services.sales import checkout, orders

T0 = datetime.now(UTC).replace(microsecond=0)


def statuses(db, event):
    db.expire_all()
    return {s.seat_key: s.status for s in db.exec(select(EventSeat).where(EventSeat.event_id == event.id))}


def code_of(fn, *a, **kw):
    with pytest.raises(VoelgoedError) as exc:
        fn(*a, **kw)
    return exc.value


def test_attach_materialises_every_seat_and_refuses_twice(db):
    event, ctx, types = seated_event(db, rows=(("A", 10), ("B", 10)))
    assert len(statuses(db, event)) == 20 and set(statuses(db, event).values()) == {"free"}
    db.refresh(event)
    assert event.seating_plan_version_id is not None
    err = code_of(seating.configure_seated_sales, db, ctx, event_id=event.id,
                  category_types={"std": str(types["std"].id), "vip": str(types["vip"].id)})
    assert err.code == "already_seated"
    assert db.exec(select(AuditLog).where(AuditLog.action == "event.seating_attached")).first() is not None


def test_hold_all_or_nothing_with_typed_conflicts(db):
    event, ctx, types = seated_event(db)
    h = seating.hold_seats(db, event_slug=event.slug, seat_keys=["A-3", "A-4"], client_address="1.1.1.1", now=T0)
    assert [s["key"] for s in h["seats"]] == ["A-3", "A-4"] and h["total_cents"] == 40000
    assert h["seats"][0]["label"] == "Stalls A-3" and h["hold_token"].startswith(h["hold_id"] + ".")
    assert statuses(db, event)["A-3"] == "held"
    before = statuses(db, event)
    # overlapping selection: nothing of it is held
    err = code_of(seating.hold_seats, db, event_slug=event.slug, seat_keys=["A-5", "A-4"], client_address="2.2.2.2", now=T0)
    assert (err.code, err.status, err.details["seat_key"]) == ("seat_held", 409, "A-4")
    assert statuses(db, event) == before
    seating.set_blocked(db, ctx, event_id=event.id, seat_keys=["A-9"], blocked=True, now=T0)
    err = code_of(seating.hold_seats, db, event_slug=event.slug, seat_keys=["A-8", "A-9"], now=T0)
    assert err.code == "seat_blocked" and statuses(db, event)["A-8"] == "free"
    err = code_of(seating.hold_seats, db, event_slug=event.slug, seat_keys=["A-1", "Z-99"], now=T0)
    assert (err.code, err.status, err.details["seat_key"]) == ("not_found", 404, "Z-99")
    for bad in ([], "A-1", [1], ["x" * 65]):
        assert code_of(seating.hold_seats, db, event_slug=event.slug, seat_keys=bad, now=T0).code == "validation_failed"
    assert statuses(db, event)["A-1"] == "free"


def test_seats_of_another_event_are_not_found(db):
    event, _, _ = seated_event(db)
    other, _, _ = seated_event(db, rows=(("Q", 3),))
    err = code_of(seating.hold_seats, db, event_slug=event.slug, seat_keys=["Q-1"], now=T0)
    assert err.code == "not_found" and set(statuses(db, other).values()) == {"free"}


def test_per_order_and_per_buyer_caps(db):
    event, _, _ = seated_event(db, rows=(("A", 12),), max_per_order=4, max_per_buyer=6)
    err = code_of(seating.hold_seats, db, event_slug=event.slug, seat_keys=[f"A-{i}" for i in range(1, 6)], now=T0)
    assert (err.code, err.details) == ("over_cap", {"max_per_order": 4})
    seating.hold_seats(db, event_slug=event.slug, seat_keys=["A-1", "A-2", "A-3", "A-4"], client_address="9.9.9.9", now=T0)
    err = code_of(seating.hold_seats, db, event_slug=event.slug, seat_keys=["A-6", "A-7", "A-8"],
                  client_address="9.9.9.9", now=T0)
    assert err.code == "over_cap" and err.details["max_per_buyer"] == 6
    assert statuses(db, event)["A-6"] == "free"
    seating.hold_seats(db, event_slug=event.slug, seat_keys=["A-6", "A-7", "A-8"], client_address="8.8.8.8", now=T0)


@pytest.mark.parametrize(("rule", "end_single", "middle_single"), [
    ("strict", "isolated_seat", "isolated_seat"), ("lenient", None, "isolated_seat"), ("off", None, None)])
def test_isolated_seat_rule(db, rule, end_single, middle_single):
    event, _, _ = seated_event(db, rows=(("A", 10),), rule=rule)

    def outcome(keys):
        try:
            seating.hold_seats(db, event_slug=event.slug, seat_keys=keys, now=T0)
        except VoelgoedError as exc:
            assert exc.code == "isolated_seat" and exc.details["seat_keys"]
            return exc.code
        return None

    assert outcome(["A-2", "A-3"]) == end_single  # leaves A-1 alone at the row's end
    assert statuses(db, event)["A-2"] == ("free" if end_single else "held")
    seating.hold_seats(db, event_slug=event.slug, seat_keys=["A-7"], now=T0) if rule != "strict" else None
    if rule == "strict":
        seating.hold_seats(db, event_slug=event.slug, seat_keys=["A-1", "A-2", "A-3"], now=T0)
        seating.hold_seats(db, event_slug=event.slug, seat_keys=["A-7", "A-8", "A-9", "A-10"], now=T0)
    assert outcome(["A-5"]) == middle_single  # leaves A-6 alone between


def test_expiry_is_enforced_at_read_time_without_the_worker(db):
    event, _, _ = seated_event(db)
    ttl = get_settings().hold_ttl_seconds
    seating.hold_seats(db, event_slug=event.slug, seat_keys=["A-1", "A-2"], now=T0)
    assert code_of(seating.hold_seats, db, event_slug=event.slug, seat_keys=["A-2"],
                   now=T0 + timedelta(seconds=ttl - 1)).code == "seat_held"
    later = T0 + timedelta(seconds=ttl)
    snap = seating.status_snapshot(db, event.slug, now=later)
    assert snap["held"] == []
    h2 = seating.hold_seats(db, event_slug=event.slug, seat_keys=["A-2"], now=later)
    assert seating.status_snapshot(db, event.slug, now=later)["held"] == ["A-2"]
    assert db.get(EventSeat, db.exec(select(EventSeat.id).where(EventSeat.seat_key == "A-2",
                                                               EventSeat.event_id == event.id)).one()).hold_id.hex \
        == h2["hold_id"].replace("-", "")


def test_extension_cap_and_expired_or_forged_tokens(db, monkeypatch):
    monkeypatch.setattr(get_settings(), "seat_hold_max_seconds", 700)
    ttl = get_settings().hold_ttl_seconds  # 300
    event, _, _ = seated_event(db)
    h = seating.hold_seats(db, event_slug=event.slug, seat_keys=["A-4"], now=T0)
    r = seating.extend_hold(db, token=h["hold_token"], now=T0 + timedelta(seconds=200))
    assert r["expires_at"] == (T0 + timedelta(seconds=200 + ttl)).isoformat()
    r = seating.extend_hold(db, token=h["hold_token"], now=T0 + timedelta(seconds=450))
    assert r["expires_at"] == (T0 + timedelta(seconds=700)).isoformat()  # capped at created + max
    err = code_of(seating.extend_hold, db, token=h["hold_token"], now=T0 + timedelta(seconds=600))
    assert err.code == "extension_limit"
    # still held until the cap, then gone
    assert code_of(seating.hold_seats, db, event_slug=event.slug, seat_keys=["A-4"],
                   now=T0 + timedelta(seconds=699)).code == "seat_held"
    assert code_of(seating.extend_hold, db, token=h["hold_token"], now=T0 + timedelta(seconds=700)).code == "hold_expired"
    forged = h["hold_id"] + "." + "0" * 64
    assert code_of(seating.extend_hold, db, token=forged, now=T0).code == "not_found"
    assert code_of(seating.release_seat_hold, db, token="nonsense").code == "not_found"


def test_release_frees_the_seats_and_the_changes_feed_reports_them(db):
    event, _, _ = seated_event(db)
    s0 = seating.status_snapshot(db, event.slug, now=T0)["seq"]
    h = seating.hold_seats(db, event_slug=event.slug, seat_keys=["A-1", "A-2"], now=T0)
    ch = seating.changes_since(db, event.slug, s0, now=T0)
    assert sorted((c["key"], c["status"]) for c in ch["changes"]) == [("A-1", "held"), ("A-2", "held")]
    seating.release_seat_hold(db, token=h["hold_token"], now=T0)
    ch2 = seating.changes_since(db, event.slug, ch["seq"], now=T0)
    assert ch2["seq"] > ch["seq"] and {c["status"] for c in ch2["changes"]} == {"free"}
    assert seating.changes_since(db, event.slug, ch2["seq"], now=T0)["changes"] == []
    assert seating.changes_since(db, event.slug, ch2["seq"] + 5, now=T0)["refetch"] is True
    assert code_of(seating.changes_since, db, event.slug, "-1").code == "validation_failed"
    assert statuses(db, event)["A-1"] == "free" and db.get(Hold, h["hold_id"]).status == "released"


def _buy(db, hold, now=None):
    order = checkout.start_checkout(db, hold_id=hold["hold_token"], buyer_name="Lerato", buyer_email="l@example.co.za", now=now)
    return order, checkout.payment_for_order(db, order)


def test_payment_sells_the_held_seats_and_tickets_carry_them(db):
    event, _, _ = seated_event(db)
    h = seating.hold_seats(db, event_slug=event.slug, seat_keys=["A-5", "A-6"])
    order, pay = _buy(db, h)
    assert order.total_cents == 40000
    paid = orders.mark_paid(db, reference=pay.reference, amount_cents=40000, currency="ZAR", provider="sandbox")
    assert paid.status == "paid"
    st = statuses(db, event)
    assert st["A-5"] == st["A-6"] == "sold"
    seat_ids = {s.id for s in db.exec(select(EventSeat).where(EventSeat.event_id == event.id,
                                                              EventSeat.seat_key.in_(["A-5", "A-6"])))}
    assert {t.seat_id for t in db.exec(select(Ticket).where(Ticket.order_id == order.id))} == seat_ids
    assert code_of(seating.hold_seats, db, event_slug=event.slug, seat_keys=["A-5"]).code == "seat_sold"


def test_late_payment_re_seats_in_the_same_category_or_requires_a_refund(db):
    event, _, _ = seated_event(db, rows=(("A", 3),))
    ttl = get_settings().hold_ttl_seconds
    past = datetime.now(UTC) - timedelta(seconds=ttl + 60)
    late = seating.hold_seats(db, event_slug=event.slug, seat_keys=["A-2"], now=past)
    late_order, late_pay = _buy(db, late, now=past)
    # the hold lapsed; someone else takes and buys A-2
    h = seating.hold_seats(db, event_slug=event.slug, seat_keys=["A-2"])
    o, p = _buy(db, h)
    orders.mark_paid(db, reference=p.reference, amount_cents=20000, currency="ZAR", provider="sandbox")
    # the late payment arrives: re-seated next to it, in the same category
    paid = orders.mark_paid(db, reference=late_pay.reference, amount_cents=20000, currency="ZAR", provider="sandbox")
    assert paid.status == "paid"
    item = db.exec(select(OrderItem).where(OrderItem.order_id == late_order.id)).one()
    new_seat = db.get(EventSeat, item.seat_id)
    assert new_seat.seat_key in ("A-1", "A-3") and new_seat.status == "sold"
    assert db.exec(select(Ticket).where(Ticket.order_id == late_order.id)).one().seat_id == new_seat.id
    # a second late buyer finds only the last seat; a third finds none → refund_required, nothing sold twice
    l2 = seating.hold_seats(db, event_slug=event.slug, seat_keys=[k for k, v in statuses(db, event).items() if v == "free"],
                            now=past)
    o2, p2 = _buy(db, l2, now=past)
    seating.hold_seats(db, event_slug=event.slug, seat_keys=[l2["seats"][0]["key"]])
    l3_seat = l2["seats"][0]["key"]
    assert statuses(db, event)[l3_seat] == "held"
    gone = orders.mark_paid(db, reference=p2.reference, amount_cents=20000, currency="ZAR", provider="sandbox")
    assert gone.status == "refund_required"
    assert db.exec(select(Ticket).where(Ticket.order_id == o2.id)).first() is None
    sold = [s for s in db.exec(select(EventSeat).where(EventSeat.event_id == event.id, EventSeat.status == "sold"))]
    assert len(sold) == 2 and len({s.order_id for s in sold}) == 2
    assert db.get(Order, o2.id).status == "refund_required"


def test_refunded_seated_tickets_go_back_on_sale_by_seat(db):
    from voelgoed.services.sales import return_refunded_tickets

    event, _, types = seated_event(db)
    h = seating.hold_seats(db, event_slug=event.slug, seat_keys=["A-7"])
    order, pay = _buy(db, h)
    orders.mark_paid(db, reference=pay.reference, amount_cents=20000, currency="ZAR", provider="sandbox")
    ticket = db.exec(select(Ticket).where(Ticket.order_id == order.id)).one()
    return_refunded_tickets(db, event_id=event.id, per_type={}, seats=[(ticket.ticket_type_id, ticket.seat_id)])
    db.commit()
    assert statuses(db, event)["A-7"] == "free"
    with pytest.raises(ValueError):  # not sold any more: the refund's transaction must roll back
        return_refunded_tickets(db, event_id=event.id, per_type={}, seats=[(ticket.ticket_type_id, ticket.seat_id)])
    db.rollback()
    seating.hold_seats(db, event_slug=event.slug, seat_keys=["A-7"])
