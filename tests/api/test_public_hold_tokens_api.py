"""The public hold routes with hold tokens (issue 12): ``GET`` / ``DELETE /holds/{ref}`` and ``POST
/holds/{ref}/checkout`` take a seat hold's ``hold_token`` (its bare id → 403 ``hold_token_required``, nothing
changed; a forged token → 404), and a GA hold's id exactly as api-v1.md says."""

from __future__ import annotations

from urllib.parse import quote

from sqlmodel import func, select

from tests.factories import make_event, make_org, make_ticket_type
from tests.seated_factories import seated_event
from voelgoed.models import EventSeat, Hold, Order

BASE = "/api/v1/public"
BUYER = {"buyer_name": "Sipho", "buyer_email": "s@example.co.za"}


def _orders(db) -> int:
    db.expire_all()
    return db.exec(select(func.count()).select_from(Order)).one()


def _seat(db, event, key):
    db.expire_all()
    return db.exec(select(EventSeat.status).where(EventSeat.event_id == event.id, EventSeat.seat_key == key)).one()


def _seat_hold(client, event, keys):
    r = client.post(f"{BASE}/events/{event.slug}/seat-holds", json={"seat_keys": keys})
    assert r.status_code == 201, r.text
    return r.json()


def test_seat_hold_by_its_bare_id_is_refused_and_nothing_changes(client, db):
    event, _, _ = seated_event(db)
    hold = _seat_hold(client, event, ["A-1", "A-2"])
    for r in (client.get(f"{BASE}/holds/{hold['hold_id']}"),
              client.post(f"{BASE}/holds/{hold['hold_id']}/checkout", json=BUYER),
              client.delete(f"{BASE}/holds/{hold['hold_id']}")):
        assert r.status_code == 403, r.text
        err = r.json()["error"]
        assert err["code"] == "hold_token_required" and "hold token" in err["message"]
    assert _orders(db) == 0 and _seat(db, event, "A-1") == "held"
    assert db.exec(select(Hold.status)).one() == "active"


def test_seat_hold_checkout_view_and_release_with_the_token(client, db):
    event, _, _ = seated_event(db)
    hold = _seat_hold(client, event, ["A-1", "A-2"])
    ref = quote(hold["hold_token"], safe="")
    view = client.get(f"{BASE}/holds/{ref}")
    assert view.status_code == 200 and view.json()["hold_id"] == hold["hold_id"] and view.json()["total_cents"] == 40000
    co = client.post(f"{BASE}/holds/{ref}/checkout", json=BUYER)
    assert co.status_code == 201, co.text
    assert co.json()["status"] == "pending" and co.json()["payment"]["redirect_url"]
    assert client.delete(f"{BASE}/holds/{ref}").json()["error"]["code"] == "already_checked_out"
    other = _seat_hold(client, event, ["A-5"])
    assert client.delete(f"{BASE}/holds/{other['hold_token']}").status_code == 204
    assert _seat(db, event, "A-5") == "free" and _seat(db, event, "A-1") == "held"


def test_forged_or_borrowed_tokens_answer_404(client, db):
    event, _, _ = seated_event(db)
    mine = _seat_hold(client, event, ["A-1"])
    theirs = _seat_hold(client, event, ["A-6"])
    for ref in (mine["hold_id"] + "." + "0" * 64, theirs["hold_id"] + "." + mine["hold_token"].split(".")[1],
                mine["hold_token"] + "x", mine["hold_token"] + "0" * 150):
        for r in (client.get(f"{BASE}/holds/{ref}"), client.post(f"{BASE}/holds/{ref}/checkout", json=BUYER),
                  client.delete(f"{BASE}/holds/{ref}")):
            assert r.status_code == 404 and r.json()["error"]["code"] == "not_found", (ref, r.text)
    assert _orders(db) == 0 and _seat(db, event, "A-1") == "held" and _seat(db, event, "A-6") == "held"


def test_ga_hold_by_id_keeps_the_api_v1_contract(client, db):
    org = make_org(db)
    event = make_event(db, org)
    tt = make_ticket_type(db, event, quantity=4, price_cents=5000)
    db.commit()
    items = {"items": [{"ticket_type_id": str(tt.id), "quantity": 2}]}
    hold = client.post(f"{BASE}/events/{event.slug}/holds", json=items).json()
    assert "hold_token" not in hold
    assert client.get(f"{BASE}/holds/{hold['hold_id']}").json()["status"] == "active"
    co = client.post(f"{BASE}/holds/{hold['hold_id']}/checkout", json=BUYER)
    assert co.status_code == 201 and co.json()["total_cents"] == 10000
    second = client.post(f"{BASE}/events/{event.slug}/holds", json=items).json()
    assert client.delete(f"{BASE}/holds/{second['hold_id']}").status_code == 204
