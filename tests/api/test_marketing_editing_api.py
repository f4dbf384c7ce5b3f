"""Editing and deactivating promo codes and tracked links over HTTP (issue 15): PATCH routes, a deactivated
code refused at hold time and at checkout, a deactivated link that redirects without counting, audit rows."""

from __future__ import annotations

from sqlmodel import select

from tests.api.test_marketing_api import BROWSER, world  # noqa: F401  (fixture)
from tests.factories import make_event, make_ticket_type
from voelgoed.models import AuditLog, Organization, PromoCode, TrackedLink
from voelgoed.services.marketing import funnel


def _hold(client, event, tt, qty=1, code=None):
    body = {"items": [{"ticket_type_id": str(tt.id), "quantity": qty}], **({"promo_code": code} if code else {})}
    return client.post(f"/api/v1/public/events/{event.slug}/holds", json=body, headers={"User-Agent": BROWSER})


def test_edit_and_deactivate_a_promo_code(client, db, world):  # noqa: F811
    event, tt, auth = world
    promo = client.post(f"/api/v1/events/{event.id}/promo-codes", headers=auth, json={"code": "SPRING", "percent_off": 10}).json()
    url = f"/api/v1/events/{event.id}/promo-codes/{promo['id']}"
    r = client.patch(url, headers=auth, json={"percent_off": 25, "max_uses": 5})
    assert r.status_code == 200, r.text
    assert (r.json()["percent_off"], r.json()["max_uses"], r.json()["is_active"]) == (25, 5, True)
    assert _hold(client, event, tt, 2, "spring").json()["total_cents"] == 15000

    bad = client.patch(url, headers=auth, json={"amount_off_cents": 500})  # both a percentage and an amount
    assert bad.status_code == 422 and "amount_off_cents" in bad.json()["error"]["details"]["fields"]
    window = client.patch(url, headers=auth, json={"valid_from": "2030-01-02T00:00:00Z", "valid_until": "2030-01-01T00:00:00Z"})
    assert window.status_code == 422 and "valid_until" in window.json()["error"]["details"]["fields"]
    assert client.patch(url, headers=auth, json={"percent_off": 101}).status_code == 422
    assert client.patch(url, headers=auth, json={"is_active": "no"}).status_code == 422
    db.expire_all()
    row = db.get(PromoCode, promo["id"])
    assert (row.percent_off, row.amount_off_cents, row.valid_from, row.is_active) == (25, 0, None, True)  # nothing changed

    off = client.patch(url, headers=auth, json={"is_active": False})
    assert off.status_code == 200 and off.json()["is_active"] is False
    refused = _hold(client, event, tt, 1, "SPRING")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "promo_code_deactivated"
    assert "withdrawn" in refused.json()["error"]["message"]
    assert _hold(client, event, tt, 1, "NOSUCH").json()["error"]["code"] == "promo_code_invalid"
    assert client.patch(url, headers=auth, json={"is_active": True, "max_uses": None}).json()["max_uses"] is None
    assert _hold(client, event, tt, 1, "SPRING").status_code == 201

    actions = [a.action for a in db.exec(select(AuditLog).where(AuditLog.target_id == str(promo["id"]))
                                         .order_by(AuditLog.created_at)).all()]
    assert actions == ["promo_code.created", "promo_code.updated", "promo_code.deactivated", "promo_code.updated"]
    other = make_event(db, db.get(Organization, event.organization_id))
    db.commit()
    assert client.patch(f"/api/v1/events/{other.id}/promo-codes/{promo['id']}", headers=auth,
                        json={"is_active": False}).status_code == 404  # same organisation, another event


def test_code_deactivated_between_hold_and_checkout_is_refused_at_checkout(client, db, world):  # noqa: F811
    event, tt, auth = world
    promo = client.post(f"/api/v1/events/{event.id}/promo-codes", headers=auth, json={"code": "LATE", "percent_off": 50}).json()
    hold = _hold(client, event, tt, 1, "LATE")
    assert hold.status_code == 201 and hold.json()["total_cents"] == 5000
    client.patch(f"/api/v1/events/{event.id}/promo-codes/{promo['id']}", headers=auth, json={"is_active": False})
    co = client.post(f"/api/v1/public/holds/{hold.json()['hold_id']}/checkout", headers={"User-Agent": BROWSER},
                     json={"buyer_name": "Buyer", "buyer_email": "buyer@example.co.za"})
    assert co.status_code == 409 and co.json()["error"]["code"] == "promo_code_deactivated"
    db.expire_all()
    assert db.get(PromoCode, promo["id"]).used_count == 0


def test_deactivated_link_redirects_but_counts_nothing(client, db, world, redis_client):  # noqa: F811
    event, _, auth = world
    camp = client.post(f"/api/v1/events/{event.id}/campaigns", headers=auth, json={"name": "Posters", "channel": "print"}).json()
    link = client.post(f"/api/v1/events/{event.id}/campaigns/{camp['id']}/links", headers=auth, json={"label": "CBD"}).json()
    url = f"/api/v1/events/{event.id}/links/{link['id']}"
    renamed = client.patch(url, headers=auth, json={"label": "CBD lamp posts", "partner_name": "Street Team"})
    assert renamed.status_code == 200 and (renamed.json()["label"], renamed.json()["partner_name"]) == ("CBD lamp posts", "Street Team")
    assert client.patch(url, headers=auth, json={"label": "x" * 121}).status_code == 422

    off = client.patch(url, headers=auth, json={"is_active": False})
    assert off.status_code == 200 and off.json()["is_active"] is False
    client.cookies.clear()
    r = client.get(f"/go/{link['short_code']}", headers={"User-Agent": BROWSER}, follow_redirects=False)
    assert r.status_code == 302 and r.headers["location"] == link["target_url"]
    assert "vg_touch" not in r.cookies and not redis_client.exists(funnel.KEY)
    db.expire_all()
    assert db.get(TrackedLink, link["id"]).visit_count == 0

    client.patch(url, headers=auth, json={"is_active": True})
    r = client.get(f"/go/{link['short_code']}", headers={"User-Agent": BROWSER}, follow_redirects=False)
    assert r.status_code == 302 and "vg_touch" in r.cookies
    db.expire_all()
    assert db.get(TrackedLink, link["id"]).visit_count == 1
    actions = [a.action for a in db.exec(select(AuditLog).where(AuditLog.target_id == str(link["id"]))
                                         .order_by(AuditLog.created_at)).all()]
    assert actions == ["tracked_link.created", "tracked_link.updated", "tracked_link.deactivated", "tracked_link.reactivated"]


def test_public_code_route_reveals_hidden_types_for_an_access_code(client, db, world):  # noqa: F811
    event, tt, auth = world
    vip = make_ticket_type(db, event, name="Crew", quantity=5, price_cents=0, is_hidden=True)
    db.commit()
    client.post(f"/api/v1/events/{event.id}/promo-codes", headers=auth,
                json={"code": "CREW", "unlocks_hidden": True, "ticket_type_ids": [str(vip.id)]})
    r = client.post(f"/api/v1/public/events/{event.slug}/codes", json={"code": "crew"})
    assert r.status_code == 200, r.text
    assert {t["name"] for t in r.json()["ticket_types"]} == {"General", "Crew"} and r.json()["code"]["access"] is True
    wrong = client.post(f"/api/v1/public/events/{event.slug}/codes", json={"code": "CREWW"})
    assert wrong.status_code == 404 and wrong.json()["error"]["code"] == "promo_code_invalid"
    assert client.post(f"/api/v1/public/events/{event.slug}/codes", json={"code": 5}).status_code == 422
    assert client.post("/api/v1/public/events/no-such-event/codes", json={"code": "CREW"}).status_code == 404
    assert {t["name"] for t in client.get(f"/api/v1/public/events/{event.slug}").json()["ticket_types"]} == {"General"}
