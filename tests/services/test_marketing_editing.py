"""Editing / deactivating codes and links, and access codes on the event page (issue 15): the services."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from tests.factories import make_event, make_org, make_ticket_type
from tests.marketing_helpers import owner_ctx
from voelgoed.config import get_settings
from voelgoed.models import AuditLog, PromoCode
from voelgoed.services.marketing import (
    create_campaign,
    create_link,
    create_promo_code,
    update_link,
    update_promo_code,
)
from voelgoed.services.platform import VoelgoedError
from voelgoed.services.sales import inventory, storefront


@pytest.fixture
def shop(db):
    org = make_org(db)
    event = make_event(db, org)
    tt = make_ticket_type(db, event, quantity=50, price_cents=10000)
    vip = make_ticket_type(db, event, name="Backstage", quantity=5, price_cents=50000, is_hidden=True)
    ctx = owner_ctx(db, org)
    db.commit()
    return org, event, tt, vip, ctx


def test_update_promo_code_validates_the_merged_code_and_changes_nothing_on_error(db, shop):
    _, event, tt, _, ctx = shop
    promo = create_promo_code(db, ctx, event_id=event.id, code="EDITME", percent_off=10, max_uses=10)
    promo.used_count = 3
    db.add(promo)
    db.commit()
    bad = [{"max_uses": 2}, {"amount_off_cents": 100}, {"percent_off": -1}, {"code": "OTHER"}, {"min_quantity": 0},
           {"is_active": "false"}, {"valid_until": datetime.now(UTC) - timedelta(days=3),
                                    "valid_from": datetime.now(UTC) - timedelta(days=2)}]
    for changes in bad:
        with pytest.raises(VoelgoedError) as exc:
            update_promo_code(db, ctx, event_id=event.id, promo_id=promo.id, changes=changes)
        assert exc.value.code == "validation_failed" and set(exc.value.details["fields"]) & set(changes), changes
    db.expire_all()
    row = db.get(PromoCode, promo.id)
    assert (row.code, row.percent_off, row.amount_off_cents, row.max_uses, row.is_active) == ("EDITME", 10, 0, 10, True)
    ok = update_promo_code(db, ctx, event_id=event.id, promo_id=promo.id,
                           changes={"percent_off": 0, "amount_off_cents": 2500, "max_uses": 3})
    assert (ok.percent_off, ok.amount_off_cents, ok.max_uses) == (0, 2500, 3)
    audit = db.exec(select(AuditLog).where(AuditLog.action == "promo_code.updated")).one()
    assert audit.data["changes"] == {"percent_off": 0, "amount_off_cents": 2500, "max_uses": 3}


def test_a_deactivated_code_is_refused_at_hold_time_and_an_automatic_rule_stops_applying(db, shop):
    _, event, tt, _, ctx = shop
    promo = create_promo_code(db, ctx, event_id=event.id, code="GONE", percent_off=10)
    group = create_promo_code(db, ctx, event_id=event.id, code="GROUP4", percent_off=20, automatic=True, min_quantity=4)
    assert inventory.place_hold(db, event_slug=event.slug, items=[(tt.id, 4)], client_address="198.51.100.7")["promo_code"] == "GROUP4"
    update_promo_code(db, ctx, event_id=event.id, promo_id=promo.id, changes={"is_active": False})
    update_promo_code(db, ctx, event_id=event.id, promo_id=group.id, changes={"is_active": False})
    with pytest.raises(VoelgoedError) as exc:
        inventory.place_hold(db, event_slug=event.slug, items=[(tt.id, 1)], promo_code="gone", client_address="198.51.100.7")
    assert exc.value.code == "promo_code_deactivated" and exc.value.status == 409
    hold = inventory.place_hold(db, event_slug=event.slug, items=[(tt.id, 4)], client_address="198.51.100.7")
    assert hold["promo_code"] in ("", None) and hold["total_cents"] == 40000  # the rule no longer applies


def test_update_link_and_foreign_objects(db, shop):
    org, event, _, _, ctx = shop
    camp = create_campaign(db, ctx, name="Radio", channel="radio", event_id=event.id)
    link = create_link(db, ctx, campaign_id=camp.id, label="Morning show")
    assert update_link(db, ctx, event_id=event.id, link_id=link.id, changes={"label": " Drive time "}).label == "Drive time"
    for changes in ({"short_code": "AAAA"}, {"label": "a\nb"}, {"is_active": 1}, {"partner_name": 5}):
        with pytest.raises(VoelgoedError) as exc:
            update_link(db, ctx, event_id=event.id, link_id=link.id, changes=changes)
        assert exc.value.code == "validation_failed", changes
    other_ctx = owner_ctx(db, make_org(db))
    for call in (lambda: update_link(db, other_ctx, event_id=event.id, link_id=link.id, changes={"is_active": False}),
                 lambda: update_link(db, ctx, event_id=make_event(db, org).id, link_id=link.id, changes={"is_active": False})):
        with pytest.raises(VoelgoedError) as exc:
            call()
        assert exc.value.code == "not_found"


def test_access_code_on_the_event_page_lists_the_hidden_type_and_the_hold_takes_it(db, shop, redis_client, monkeypatch):
    _, event, tt, vip, ctx = shop
    create_promo_code(db, ctx, event_id=event.id, code="BACKSTAGE", unlocks_hidden=True, ticket_type_ids=[vip.id])
    create_promo_code(db, ctx, event_id=event.id, code="TENOFF", percent_off=10)
    plain = storefront.public_event_view(db, event.slug)
    assert [t["name"] for t in plain["ticket_types"]] == ["General"]
    view = storefront.view_with_code(db, event.slug, " backstage ", client_address="198.51.100.8")
    assert view["code"] == {"code": "BACKSTAGE", "access": True, "unlocks": [str(vip.id)], "percent_off": 0,
                            "amount_off_cents": 0}
    shown = {t["name"]: t["unlocked"] for t in view["ticket_types"]}
    assert shown == {"General": False, "Backstage": True}
    hold = inventory.place_hold(db, event_slug=event.slug, items=[(vip.id, 2)], promo_code="BACKSTAGE",
                                client_address="198.51.100.8")
    assert hold["total_cents"] == 100000
    discount = storefront.view_with_code(db, event.slug, "tenoff", client_address="198.51.100.8")
    assert discount["code"]["access"] is False and [t["name"] for t in discount["ticket_types"]] == ["General"]

    monkeypatch.setattr(get_settings(), "promo_attempt_rate_limit", "2/minute")
    codes = []
    for guess in ("NOPE1", "NOPE2", "BACKSTAGE"):
        try:
            storefront.view_with_code(db, event.slug, guess, client_address="203.0.113.44")
            codes.append("ok")
        except VoelgoedError as exc:
            codes.append(exc.code)
    assert codes == ["promo_code_invalid", "promo_code_invalid", "rate_limited"]
    with pytest.raises(VoelgoedError) as exc:  # the same budget as the hold path's
        inventory.place_hold(db, event_slug=event.slug, items=[(vip.id, 1)], promo_code="BACKSTAGE",
                             client_address="203.0.113.44")
    assert exc.value.code == "rate_limited"
