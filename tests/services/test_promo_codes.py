"""Promo codes and pricing rules at hold time and in the checkout transaction (issue 15, item 4)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from tests.factories import make_event, make_org, make_ticket_type
from tests.marketing_helpers import owner_ctx
from voelgoed.models import HoldItem, Order, OrderAttribution, PromoCode, PromoRedemption
from voelgoed.services.marketing import create_promo_code, release_lapsed_uses
from voelgoed.services.platform import VoelgoedError
from voelgoed.services.sales import checkout, inventory


@pytest.fixture
def shop(db):
    org = make_org(db)
    event = make_event(db, org)
    tt = make_ticket_type(db, event, quantity=50, max_per_order=10, price_cents=10000)
    vip = make_ticket_type(db, event, name="VIP", quantity=10, price_cents=30000)
    ctx = owner_ctx(db, org)
    db.commit()
    return org, event, tt, vip, ctx


def _hold(db, event, items, code=None, address="198.51.100.1", now=None):
    return inventory.place_hold(db, event_slug=event.slug, items=items, promo_code=code, client_address=address, now=now)


def _code(exc):
    return exc.value.code


def test_percentage_code_discounts_the_covered_type_and_is_recorded_with_the_hold(db, shop):
    _, event, tt, vip, ctx = shop
    create_promo_code(db, ctx, event_id=event.id, code="early20", percent_off=20, ticket_type_ids=[tt.id])
    hold = _hold(db, event, [(tt.id, 2), (vip.id, 1)], code=" Early20 ")
    prices = {i["ticket_type_id"]: i["unit_price_cents"] for i in hold["items"]}
    assert prices == {str(tt.id): 8000, str(vip.id): 30000}
    assert hold["total_cents"] == 2 * 8000 + 30000 and hold["discount_cents"] == 4000 and hold["promo_code"] == "EARLY20"
    stored = {i.ticket_type_id: i.unit_price_cents for i in db.exec(select(HoldItem)).all()}
    assert stored == {tt.id: 8000, vip.id: 30000}
    red = db.exec(select(PromoRedemption)).one()
    assert str(red.hold_id) == hold["hold_id"] and red.status == "held" and red.discount_cents == 4000


def test_fixed_amount_on_the_fast_path_never_goes_below_free(db, shop):
    _, event, tt, _, ctx = shop
    create_promo_code(db, ctx, event_id=event.id, code="HUGE", amount_off_cents=50000)
    hold = _hold(db, event, [(tt.id, 1)], code="huge")
    assert hold["items"][0]["unit_price_cents"] == 0 and hold["total_cents"] == 0


def test_checkout_takes_one_use_and_the_order_carries_the_discounted_total(db, shop):
    _, event, tt, _, ctx = shop
    promo = create_promo_code(db, ctx, event_id=event.id, code="ONCE", amount_off_cents=2500, max_uses=1)
    hold = _hold(db, event, [(tt.id, 2)], code="ONCE")
    order = checkout.start_checkout(db, hold_id=hold["hold_id"], buyer_name="Thandi", buyer_email="t@example.co.za")
    assert order.total_cents == 2 * 7500
    db.expire_all()
    assert db.get(PromoCode, promo.id).used_count == 1
    red = db.exec(select(PromoRedemption)).one()
    assert (red.status, red.order_id, red.quantity) == ("redeemed", order.id, 2)
    assert db.exec(select(OrderAttribution).where(OrderAttribution.order_id == order.id)).one().promo_code_id == promo.id
    with pytest.raises(VoelgoedError) as exc:
        _hold(db, event, [(tt.id, 1)], code="ONCE")
    assert _code(exc) == "promo_code_exhausted"


def test_a_code_held_in_two_tabs_is_used_once(db, shop):
    _, event, tt, _, ctx = shop
    promo = create_promo_code(db, ctx, event_id=event.id, code="TWOTABS", percent_off=10, max_uses=1)
    first = _hold(db, event, [(tt.id, 1)], code="TWOTABS")
    second = _hold(db, event, [(tt.id, 1)], code="TWOTABS")
    checkout.start_checkout(db, hold_id=first["hold_id"], buyer_name="A", buyer_email="a@example.co.za")
    with pytest.raises(VoelgoedError) as exc:
        checkout.start_checkout(db, hold_id=second["hold_id"], buyer_name="B", buyer_email="b@example.co.za")
    assert _code(exc) == "promo_code_exhausted" and exc.value.status == 409
    db.expire_all()
    assert db.get(PromoCode, promo.id).used_count == 1
    assert len(db.exec(select(Order)).all()) == 1  # the losing checkout rolled back, no order


def test_per_buyer_limit_counts_by_e_mail(db, shop):
    _, event, tt, _, ctx = shop
    create_promo_code(db, ctx, event_id=event.id, code="ONEEACH", percent_off=10, per_buyer_limit=1)
    a = _hold(db, event, [(tt.id, 1)], code="ONEEACH")
    checkout.start_checkout(db, hold_id=a["hold_id"], buyer_name="A", buyer_email="Same@example.co.za")
    b = _hold(db, event, [(tt.id, 1)], code="ONEEACH")
    with pytest.raises(VoelgoedError) as exc:
        checkout.start_checkout(db, hold_id=b["hold_id"], buyer_name="A", buyer_email="same@EXAMPLE.co.za")
    assert _code(exc) == "promo_code_buyer_limit"
    c = _hold(db, event, [(tt.id, 1)], code="ONEEACH")
    checkout.start_checkout(db, hold_id=c["hold_id"], buyer_name="C", buyer_email="other@example.co.za")


def test_expired_not_yet_valid_foreign_and_guessed_codes_are_refused_clearly(db, shop):
    org, event, tt, _, ctx = shop
    now = datetime.now(UTC)
    create_promo_code(db, ctx, event_id=event.id, code="OLD", percent_off=10, valid_until=now - timedelta(minutes=1),
                      valid_from=now - timedelta(days=2))
    create_promo_code(db, ctx, event_id=event.id, code="SOON", percent_off=10, valid_from=now + timedelta(days=1))
    other_event = make_event(db, org)
    make_ticket_type(db, other_event)
    create_promo_code(db, ctx, event_id=other_event.id, code="ELSEWHERE", percent_off=10)
    create_promo_code(db, ctx, event_id=event.id, code="VIPONLY", percent_off=10, ticket_type_ids=[shop[3].id])
    cases = {"OLD": "promo_code_expired", "SOON": "promo_code_not_active", "ELSEWHERE": "promo_code_invalid",
             "NOSUCHCODE": "promo_code_invalid", "VIPONLY": "promo_code_not_applicable"}
    for code, expected in cases.items():
        with pytest.raises(VoelgoedError) as exc:
            _hold(db, event, [(tt.id, 1)], code=code)
        assert _code(exc) == expected, code
    assert db.get(type(tt), tt.id).held_count == 0  # nothing held by a refused code


def test_guessing_codes_is_rate_limited_per_address(db, shop, redis_client, monkeypatch):
    _, event, tt, _, ctx = shop
    from voelgoed.config import get_settings
    monkeypatch.setattr(get_settings(), "promo_attempt_rate_limit", "3/minute")
    create_promo_code(db, ctx, event_id=event.id, code="REAL", percent_off=10)
    codes = []
    for guess in ("AAAA", "BBBB", "CCCC", "REAL"):
        try:
            _hold(db, event, [(tt.id, 1)], code=guess, address="203.0.113.9")
            codes.append("held")
        except VoelgoedError as exc:
            codes.append(exc.code)
    assert codes == ["promo_code_invalid"] * 3 + ["rate_limited"]
    assert _hold(db, event, [(tt.id, 1)], code="REAL", address="203.0.113.10")["promo_code"] == "REAL"


def test_access_code_unlocks_a_hidden_ticket_type(db, shop):
    _, event, _, _, ctx = shop
    hidden = make_ticket_type(db, event, name="Crew", price_cents=5000, is_hidden=True)
    db.commit()
    with pytest.raises(VoelgoedError) as exc:
        _hold(db, event, [(hidden.id, 1)])
    assert _code(exc) == "not_found"
    create_promo_code(db, ctx, event_id=event.id, code="CREW-ONLY", unlocks_hidden=True, ticket_type_ids=[hidden.id])
    hold = _hold(db, event, [(hidden.id, 2)], code="crew-only")
    assert hold["total_cents"] == 10000 and hold["discount_cents"] == 0


def test_group_discount_applies_automatically_from_n_tickets(db, shop):
    _, event, tt, _, ctx = shop
    create_promo_code(db, ctx, event_id=event.id, code="GROUP6", automatic=True, percent_off=15, min_quantity=6)
    assert _hold(db, event, [(tt.id, 5)])["total_cents"] == 5 * 10000
    six = _hold(db, event, [(tt.id, 6)])
    assert six["total_cents"] == 6 * 8500 and six["promo_code"] == "GROUP6"
    create_promo_code(db, ctx, event_id=event.id, code="FOURPLUS", percent_off=5, min_quantity=4)
    with pytest.raises(VoelgoedError) as exc:
        _hold(db, event, [(tt.id, 3)], code="FOURPLUS")
    assert _code(exc) == "promo_code_min_quantity" and exc.value.details == {"min_quantity": 4}


def test_a_use_comes_back_when_its_order_expires(db, shop):
    _, event, tt, _, ctx = shop
    promo = create_promo_code(db, ctx, event_id=event.id, code="BACK", percent_off=10, max_uses=1)
    hold = _hold(db, event, [(tt.id, 1)], code="BACK")
    order = checkout.start_checkout(db, hold_id=hold["hold_id"], buyer_name="A", buyer_email="a@example.co.za")
    order.status = "expired"
    db.add(order)
    db.commit()
    assert release_lapsed_uses(db) == 1 and release_lapsed_uses(db) == 0
    db.expire_all()
    assert db.get(PromoCode, promo.id).used_count == 0
    assert _hold(db, event, [(tt.id, 1)], code="BACK")["promo_code"] == "BACK"


@pytest.mark.parametrize("kwargs, field", [
    ({"code": "x"}, "code"), ({"code": "OK1", "percent_off": 101}, "percent_off"),
    ({"code": "OK2", "percent_off": 10, "amount_off_cents": 5}, "amount_off_cents"),
    ({"code": "OK3", "min_quantity": 0}, "min_quantity"), ({"code": "OK4", "max_uses": -1}, "max_uses"),
    ({"code": "OK5", "unlocks_hidden": True}, "ticket_type_ids"),
])
def test_bad_codes_are_validation_errors(db, shop, kwargs, field):
    _, event, _, _, ctx = shop
    with pytest.raises(VoelgoedError) as exc:
        create_promo_code(db, ctx, event_id=event.id, **kwargs)
    assert exc.value.code == "validation_failed" and field in exc.value.details["fields"]


def test_another_organisations_event_is_not_found(db, shop):
    _, event, _, _, _ = shop
    stranger = owner_ctx(db, make_org(db))
    with pytest.raises(VoelgoedError) as exc:
        create_promo_code(db, stranger, event_id=event.id, code="STEAL", percent_off=50)
    assert exc.value.code == "not_found"
