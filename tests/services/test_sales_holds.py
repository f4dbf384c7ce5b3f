"""Holds: every bad input has its code and changes nothing; read-time expiry; release."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import func, select

from tests.factories import make_event, make_org, make_ticket_type
from voelgoed.models import AuditLog, Hold, HoldItem, TicketType
from voelgoed.services.platform import VoelgoedError
from voelgoed.services.sales import inventory, storefront


@pytest.fixture
def shop(db):
    org = make_org(db)
    event = make_event(db, org)
    tt = make_ticket_type(db, event, quantity=10, max_per_order=6, price_cents=15000)
    db.commit()
    return event, tt


def _counts(db, tt):
    db.expire_all()
    fresh = db.get(TicketType, tt.id)
    return fresh.held_count, fresh.sold_count, db.exec(select(func.count()).select_from(Hold)).one()


def test_create_hold_reserves_and_captures_prices(db, shop):
    event, tt = shop
    hold = inventory.create_hold(db, event_slug=event.slug, items=[(str(tt.id), 2), (tt.id, 1)])
    assert hold.status == "active" and hold.total_cents == 45000
    items = db.exec(select(HoldItem).where(HoldItem.hold_id == hold.id)).all()
    assert [(i.quantity, i.unit_price_cents) for i in items] == [(3, 15000)]
    assert _counts(db, tt)[:2] == (3, 0)
    assert db.exec(select(AuditLog).where(AuditLog.action == "hold.created", AuditLog.target_id == str(hold.id))).first()
    view = storefront.public_event_view(db, event.slug)
    assert view["ticket_types"][0]["available"] == 7


@pytest.mark.parametrize("qty", [0, -1, 10**30, "abc", 2.5, None, True, "99999999"])
def test_bad_quantities_are_422_and_change_nothing(db, shop, qty):
    event, tt = shop
    before = _counts(db, tt)
    with pytest.raises(VoelgoedError) as exc:
        inventory.create_hold(db, event_slug=event.slug, items=[(str(tt.id), qty)])
    assert exc.value.code == "validation_failed" and exc.value.status == 422
    assert _counts(db, tt) == before


def test_quantity_over_max_per_order(db, shop):
    event, tt = shop
    with pytest.raises(VoelgoedError) as exc:
        inventory.create_hold(db, event_slug=event.slug, items=[(tt.id, 7)])
    assert exc.value.code == "validation_failed"
    assert _counts(db, tt)[0] == 0


@pytest.mark.parametrize("items", [[], "x", [("a",)], [{"nope": 1}]])
def test_malformed_items(db, shop, items):
    event, _ = shop
    with pytest.raises(VoelgoedError) as exc:
        inventory.create_hold(db, event_slug=event.slug, items=items)
    assert exc.value.code == "validation_failed"


def test_unknown_hidden_inactive_and_foreign_types_are_not_found(db, shop):
    event, tt = shop
    hidden = make_ticket_type(db, event, name="Secret", is_hidden=True)
    inactive = make_ticket_type(db, event, name="Off", is_active=False)
    other = make_ticket_type(db, make_event(db, make_org(db)), name="Elsewhere")
    for bad in (str(uuid.uuid4()), "not-a-uuid", hidden.id, inactive.id, other.id):
        with pytest.raises(VoelgoedError) as exc:
            inventory.create_hold(db, event_slug=event.slug, items=[(bad, 1)])
        assert exc.value.code == "not_found" and exc.value.status == 404
    assert _counts(db, tt)[2] == 0


def test_draft_event_is_not_found_and_ended_event_not_on_sale(db):
    org = make_org(db)
    draft = make_event(db, org, status="draft")
    tt = make_ticket_type(db, draft)
    with pytest.raises(VoelgoedError) as exc:
        inventory.create_hold(db, event_slug=draft.slug, items=[(tt.id, 1)])
    assert exc.value.code == "not_found"
    for status, code in (("ended", "not_on_sale"), ("cancelled", "event_cancelled")):
        ev = make_event(db, org, status=status)
        t2 = make_ticket_type(db, ev)
        with pytest.raises(VoelgoedError) as exc:
            inventory.create_hold(db, event_slug=ev.slug, items=[(t2.id, 1)])
        assert exc.value.code == code and exc.value.status == 409
    past = make_event(db, org, starts_in=timedelta(days=-2))
    t3 = make_ticket_type(db, past)
    with pytest.raises(VoelgoedError) as exc:
        inventory.create_hold(db, event_slug=past.slug, items=[(t3.id, 1)])
    assert exc.value.code == "not_on_sale"
    with pytest.raises(VoelgoedError) as exc:
        inventory.create_hold(db, event_slug="no-such-event", items=[(t3.id, 1)])
    assert exc.value.code == "not_found"


def test_outside_event_and_type_sale_windows(db, shop):
    event, tt = shop
    now = datetime.now(UTC)
    with pytest.raises(VoelgoedError) as exc:
        inventory.create_hold(db, event_slug=event.slug, items=[(tt.id, 1)], now=now - timedelta(days=2))
    assert exc.value.code == "not_on_sale"
    late = make_ticket_type(db, event, name="Late", sale_starts_at=now + timedelta(hours=1))
    with pytest.raises(VoelgoedError) as exc:
        inventory.create_hold(db, event_slug=event.slug, items=[(late.id, 1)], now=now)
    assert exc.value.code == "not_on_sale" and exc.value.details["ticket_type_id"] == str(late.id)
    assert db.get(TicketType, late.id).held_count == 0


def test_sold_out_and_insufficient(db, shop):
    event, tt = shop
    inventory.create_hold(db, event_slug=event.slug, items=[(tt.id, 6)])
    with pytest.raises(VoelgoedError) as exc:
        inventory.create_hold(db, event_slug=event.slug, items=[(tt.id, 5)])
    assert exc.value.code == "insufficient_inventory" and exc.value.details["available"] == 4
    inventory.create_hold(db, event_slug=event.slug, items=[(tt.id, 4)])
    with pytest.raises(VoelgoedError) as exc:
        inventory.create_hold(db, event_slug=event.slug, items=[(tt.id, 1)])
    assert exc.value.code == "sold_out" and exc.value.status == 409
    assert _counts(db, tt)[:2] == (10, 0)


def test_event_capacity_limits_across_types(db):
    org = make_org(db)
    event = make_event(db, org, capacity=5)
    a = make_ticket_type(db, event, name="A", quantity=10)
    b = make_ticket_type(db, event, name="B", quantity=10)
    inventory.create_hold(db, event_slug=event.slug, items=[(a.id, 3)])
    with pytest.raises(VoelgoedError) as exc:
        inventory.create_hold(db, event_slug=event.slug, items=[(b.id, 3)])
    assert exc.value.code == "insufficient_inventory" and exc.value.details["available"] == 2
    inventory.create_hold(db, event_slug=event.slug, items=[(b.id, 2)])
    view = storefront.public_event_view(db, event.slug)
    assert {t["name"]: t["available"] for t in view["ticket_types"]} == {"A": 0, "B": 0}


def test_expired_hold_never_counts_without_the_job(db, shop):
    event, tt = shop
    now = datetime.now(UTC)
    old = inventory.create_hold(db, event_slug=event.slug, items=[(tt.id, 6)], now=now - timedelta(minutes=10))
    inventory.create_hold(db, event_slug=event.slug, items=[(tt.id, 4)], now=now - timedelta(minutes=10))
    # counters still say 10 held, but both holds lapsed: reads and new holds ignore them
    assert storefront.public_event_view(db, event.slug, now=now)["ticket_types"][0]["available"] == 10
    assert storefront.hold_view(db, old.id, now=now)["status"] == "expired"
    hold = inventory.create_hold(db, event_slug=event.slug, items=[(tt.id, 6)], now=now)
    assert hold.status == "active"
    db.expire_all()
    assert db.get(Hold, old.id).status == "expired"
    assert _counts(db, tt)[0] == 6
    assert db.exec(select(AuditLog).where(AuditLog.action == "hold.expired", AuditLog.target_id == str(old.id))).first()


def test_release_hold_returns_inventory_and_is_idempotent(db, shop):
    event, tt = shop
    hold = inventory.create_hold(db, event_slug=event.slug, items=[(tt.id, 5)])
    inventory.release_hold(db, hold_id=hold.id)
    assert _counts(db, tt)[0] == 0
    assert db.get(Hold, hold.id).status == "released"
    inventory.release_hold(db, hold_id=hold.id)
    assert _counts(db, tt)[0] == 0
    with pytest.raises(VoelgoedError) as exc:
        inventory.release_hold(db, hold_id=uuid.uuid4())
    assert exc.value.code == "not_found"


def test_expire_hold_service_is_idempotent_and_waits_for_expiry(db, shop):
    event, tt = shop
    now = datetime.now(UTC)
    hold = inventory.create_hold(db, event_slug=event.slug, items=[(tt.id, 2)], now=now)
    assert inventory.expire_hold(db, hold_id=hold.id, now=now) is False
    later = now + timedelta(seconds=301)
    assert inventory.expire_hold(db, hold_id=hold.id, now=later) is True
    assert inventory.expire_hold(db, hold_id=hold.id, now=later) is False
    assert _counts(db, tt)[0] == 0


def test_public_view_says_how_many_a_buyer_may_pick_and_when_stock_is_low(db, shop):
    event, tt = shop  # 10 tickets, at most 6 per order
    line = storefront.public_event_view(db, event.slug)["ticket_types"][0]
    assert (line["max_selectable"], line["low_stock"]) == (6, True)
    inventory.create_hold(db, event_slug=event.slug, items=[(tt.id, 6)])
    line = storefront.public_event_view(db, event.slug)["ticket_types"][0]
    assert (line["available"], line["max_selectable"], line["low_stock"]) == (4, 4, True)
    inventory.create_hold(db, event_slug=event.slug, items=[(tt.id, 4)])
    line = storefront.public_event_view(db, event.slug)["ticket_types"][0]
    assert (line["max_selectable"], line["low_stock"], line["sold_out"]) == (0, False, True)


def test_public_view_offers_nothing_when_the_type_is_off_sale(db):
    org = make_org(db)
    event = make_event(db, org)
    make_ticket_type(db, event, quantity=500, sale_starts_at=datetime.now(UTC) + timedelta(days=1))
    line = storefront.public_event_view(db, event.slug)["ticket_types"][0]
    assert (line["on_sale"], line["max_selectable"], line["low_stock"]) == (False, 0, False)
