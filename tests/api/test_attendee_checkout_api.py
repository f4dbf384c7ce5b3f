"""The public checkout body's ``attendees`` (issue 13, item 4; api-v1.md, extended compatibly) and the
organiser API's ``attendee_mode`` on ticket types."""

from __future__ import annotations

from sqlmodel import func, select

from tests.factories import make_event, make_org, make_ticket_type
from voelgoed.models import Order
from voelgoed.services.accounts import apikeys


def _shop(db):
    org = make_org(db)
    event = make_event(db, org)
    tt = make_ticket_type(db, event, name="Festival pass", price_cents=30000, attendee_mode="required")
    db.commit()
    return org, event, tt


def _hold(client, event, tt, qty=2):
    r = client.post(f"/api/v1/public/events/{event.slug}/holds", json={"items": [{"ticket_type_id": str(tt.id), "quantity": qty}]})
    assert r.status_code == 201, r.text
    return r.json()["hold_id"]


def test_checkout_with_attendees_over_http(client, db):
    _org, event, tt = _shop(db)
    hold_id = _hold(client, event, tt)
    view = client.get(f"/api/v1/public/holds/{hold_id}").json()
    assert [(t["number"], t["mode"]) for t in view["tickets"]] == [(1, "required"), (2, "required")]
    url = f"/api/v1/public/holds/{hold_id}/checkout"
    buyer = {"buyer_name": "Thandi", "buyer_email": "thandi@example.co.za"}

    r = client.post(url, json=buyer)  # an old client that sends no attendees
    assert r.status_code == 422
    err = r.json()["error"]
    assert err["code"] == "validation_failed" and err["message"] == "Ticket 1 (Festival pass): enter the attendee's name"
    assert sorted(err["details"]["fields"]) == ["attendee_1_email", "attendee_1_name", "attendee_2_email", "attendee_2_name"]
    assert {t["ticket_type"] for t in err["details"]["tickets"]} == {"Festival pass"}

    one = {"ticket_type_id": str(tt.id), "name": "Naledi", "email": "naledi@example.com"}
    r = client.post(url, json={**buyer, "attendees": [one, {**one, "name": "Sipho", "email": "sipho@"}]})
    assert r.status_code == 422
    assert r.json()["error"]["details"]["fields"] == {"attendee_2_email": "Ticket 2 (Festival pass): this is not a valid e-mail address"}
    r = client.post(url, json={**buyer, "attendees": [{"ticket_type_id": 5, "name": "x"}]})  # not a string
    assert r.status_code == 422 and r.json()["error"]["code"] == "validation_failed"
    assert db.exec(select(func.count()).select_from(Order)).one() == 0  # nothing written by any of these

    r = client.post(url, json={**buyer, "provider": "ignored", "attendees": [one, {**one, "name": "Sipho", "email": "sipho@example.com"}]})
    assert r.status_code == 201, r.text
    co = r.json()
    paid = client.post(f"/api/v1/sandbox/payments/{co['payment']['reference']}/complete", json={"outcome": "success"})
    assert paid.status_code == 200, paid.text
    order = client.get(f"/api/v1/public/orders/{co['order_code']}", params={"access_token": co["access_token"]}).json()
    assert sorted(t["holder_name"] for t in order["tickets"]) == ["Naledi", "Sipho"]


def test_organiser_api_attendee_mode(client, db):
    org, event, _tt = _shop(db)
    _key, secret = apikeys.create_api_key(db, organization_id=org.id, name="test")
    db.commit()
    h = {"Authorization": f"Bearer {secret}"}
    r = client.post(f"/api/v1/events/{event.id}/ticket-types", headers=h,
                    json={"name": "VIP", "price_cents": 90000, "quantity": 10, "attendee_mode": "optional"})
    assert r.status_code == 201, r.text
    assert r.json()["attendee_mode"] == "optional"
    plain = client.post(f"/api/v1/events/{event.id}/ticket-types", headers=h, json={"name": "GA", "price_cents": 0, "quantity": 10})
    assert plain.json()["attendee_mode"] == "off"
    r = client.patch(f"/api/v1/ticket-types/{plain.json()['id']}", headers=h, json={"attendee_mode": "required"})
    assert r.status_code == 200 and r.json()["attendee_mode"] == "required"
    r = client.patch(f"/api/v1/ticket-types/{plain.json()['id']}", headers=h, json={"attendee_mode": "always"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "validation_failed"
