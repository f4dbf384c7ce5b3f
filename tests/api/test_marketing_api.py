"""Campaigns, tracked links, promo codes and the campaign dashboard over HTTP (issue 15).

The scripted set of visits: 3 browser visitors through link A, 2 through link B, one bot and one Do-Not-Track
visitor through A (redirected, not counted), one direct buyer. After purchases and the worker's roll-up the
dashboard shows exactly those visits, the funnel steps, and the orders, tickets and revenue per link as the
orders themselves say."""

from __future__ import annotations

import csv
import io

import pytest
from sqlmodel import select

from tests.factories import make_event, make_org, make_ticket_type
from voelgoed.models import Order, OrderAttribution
from voelgoed.services.accounts import apikeys
from voelgoed.services.marketing import marketing_job

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36"


@pytest.fixture
def world(db):
    org = make_org(db)
    event = make_event(db, org)
    tt = make_ticket_type(db, event, quantity=100, max_per_order=10, price_cents=10000)
    _key, secret = apikeys.create_api_key(db, organization_id=org.id, name="agency")
    db.commit()
    return event, tt, {"Authorization": f"Bearer {secret}"}


def _visit(client, code, headers=None):
    client.cookies.clear()
    r = client.get(f"/go/{code}", headers={"User-Agent": BROWSER, **(headers or {})}, follow_redirects=False)
    assert r.status_code == 302, r.text
    return r, dict(client.cookies)


def _buy(client, event, tt, cookies, qty, code=None, pay=True):
    client.cookies.clear()
    for k, v in cookies.items():
        client.cookies.set(k, v)
    h = {"User-Agent": BROWSER}
    assert client.get(f"/api/v1/public/events/{event.slug}", headers=h).status_code == 200
    body = {"items": [{"ticket_type_id": str(tt.id), "quantity": qty}], **({"promo_code": code} if code else {})}
    hold = client.post(f"/api/v1/public/events/{event.slug}/holds", json=body, headers=h)
    assert hold.status_code == 201, hold.text
    co = client.post(f"/api/v1/public/holds/{hold.json()['hold_id']}/checkout", headers=h,
                     json={"buyer_name": "Buyer", "buyer_email": "buyer@example.co.za"})
    assert co.status_code == 201, co.text
    if pay:
        r = client.post(f"/api/v1/sandbox/payments/{co.json()['payment']['reference']}/complete", json={"outcome": "success"})
        assert r.status_code == 200
    return hold.json(), co.json()


def test_agency_campaign_two_links_promo_code_and_dashboard_matching_the_orders(client, db, world, redis_client):
    event, tt, auth = world
    camp = client.post(f"/api/v1/events/{event.id}/campaigns", headers=auth,
                       json={"name": "Winter launch", "channel": "social", "budget_cents": 500000})
    assert camp.status_code == 201, camp.text
    links = []
    for label, partner in (("Instagram bio", ""), ("Radio partner", "Good Hope FM")):
        r = client.post(f"/api/v1/events/{event.id}/campaigns/{camp.json()['id']}/links", headers=auth,
                        json={"label": label, "partner_name": partner, "utm_source": label.split()[0].lower()})
        assert r.status_code == 201, r.text
        links.append(r.json())
    a, b = links
    assert a["short_url"].endswith(f"/go/{a['short_code']}") and "utm_source=instagram" in a["target_url"]
    assert "utm_medium=social" in a["target_url"] and "utm_campaign=Winter+launch" in a["target_url"]
    promo = client.post(f"/api/v1/events/{event.id}/promo-codes", headers=auth,
                        json={"code": "WINTER10", "percent_off": 10, "campaign_id": camp.json()["id"]})
    assert promo.status_code == 201, promo.text

    r, cookies_a1 = _visit(client, a["short_code"])
    assert r.headers["location"] == a["target_url"] and "vg_touch" in cookies_a1
    _, cookies_a2 = _visit(client, a["short_code"].lower())
    _visit(client, a["short_code"])
    _, cookies_b1 = _visit(client, b["short_code"])
    _visit(client, b["short_code"])
    _, bot_cookies = _visit(client, a["short_code"], {"User-Agent": "Googlebot/2.1 (+http://www.google.com/bot.html)"})
    _, dnt_cookies = _visit(client, a["short_code"], {"DNT": "1"})
    assert bot_cookies == {} and dnt_cookies == {}  # no cookie for either

    hold_a1, _ = _buy(client, event, tt, cookies_a1, 2, code="winter10")
    assert hold_a1["total_cents"] == 18000 and hold_a1["promo_code"] == "WINTER10"
    _buy(client, event, tt, cookies_a2, 1, pay=False)  # abandoned: its hold/order expires unpaid
    _buy(client, event, tt, cookies_b1, 3)
    _buy(client, event, tt, {}, 1)  # direct

    assert marketing_job()["funnel_steps"] > 0
    dash = client.get(f"/api/v1/events/{event.id}/marketing", headers=auth)
    assert dash.status_code == 200, dash.text
    d = dash.json()
    rows = {row["short_code"]: row for row in d["links"]}
    ra, rb = rows[a["short_code"]], rows[b["short_code"]]
    assert (ra["visits"], ra["page_views"], ra["holds"], ra["checkouts_started"]) == (3, 2, 2, 2)
    assert (ra["orders"], ra["tickets"], ra["revenue_cents"]) == (1, 2, 18000)
    assert (rb["visits"], rb["holds"], rb["orders"], rb["tickets"], rb["revenue_cents"]) == (2, 1, 1, 3, 30000)
    assert ra["conversion"] == round(1 / 3, 4) and rb["conversion"] == 0.5
    assert (d["direct"]["orders"], d["direct"]["revenue_cents"], d["direct"]["page_views"]) == (1, 10000, 1)
    paid = db.exec(select(Order).where(Order.event_id == event.id, Order.status == "paid")).all()
    assert d["totals"]["orders"] == len(paid) == 3 and d["totals"]["revenue_cents"] == sum(o.total_cents for o in paid)
    assert d["campaigns"][0]["orders"] == 2 and d["channels"][0]["channel"] == "social"
    day = paid[0].paid_at.date().isoformat()
    assert d["by_campaign_day"] == [  # campaigns over time: the link visits rolled up, paid orders by last touch
        {"day": day, "campaign_key": camp.json()["id"], "campaign": "Winter launch", "visits": 5, "orders": 2,
         "revenue_cents": 48000},
        {"day": day, "campaign_key": "direct", "campaign": "Direct / other", "visits": 0, "orders": 1,
         "revenue_cents": 10000}]

    rows_csv = list(csv.DictReader(io.StringIO(client.get(f"/api/v1/events/{event.id}/marketing.csv", headers=auth).text)))
    assert {r["short_code"]: r["revenue_cents"] for r in rows_csv} == {a["short_code"]: "18000", b["short_code"]: "30000",
                                                                        "": "10000"}
    order_b = db.exec(select(OrderAttribution).where(OrderAttribution.last_link_id == rows[b["short_code"]]["key"])).one()
    att = client.get(f"/api/v1/orders/{order_b.order_id}/attribution", headers=auth).json()
    assert (att["last_link"], att["partner_name"], att["last_campaign"], att["channel"]) == (
        b["short_code"], "Good Hope FM", "Winter launch", "social")
    detail = client.get(f"/api/v1/orders/{order_b.order_id}", headers=auth).json()
    assert detail["attribution"]["last_link"] == b["short_code"]
    listed_orders = client.get("/api/v1/orders", headers=auth).json()["orders"]
    assert sorted((o["attribution"] or {}).get("promo_code") or "" for o in listed_orders) == ["", "", "", "WINTER10"]
    listed = client.get(f"/api/v1/events/{event.id}/links", headers=auth).json()["links"]
    assert [lk["visit_count"] for lk in listed] == [3, 2]


def test_qr_codes_and_bad_input(client, db, world):
    event, _, auth = world
    camp = client.post(f"/api/v1/events/{event.id}/campaigns", headers=auth, json={"name": "Posters", "channel": "print"}).json()
    link = client.post(f"/api/v1/events/{event.id}/campaigns/{camp['id']}/links", headers=auth, json={"label": "CBD"}).json()
    svg = client.get(f"/api/v1/events/{event.id}/links/{link['id']}/qr.svg", headers=auth)
    png = client.get(f"/api/v1/events/{event.id}/links/{link['id']}/qr.png", headers=auth)
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml") and b"<svg" in svg.content
    assert png.status_code == 200 and png.content[:8] == b"\x89PNG\r\n\x1a\n"
    bad = client.post(f"/api/v1/events/{event.id}/campaigns/{camp['id']}/links", headers=auth,
                      json={"utm_source": "<script>alert(1)</script>"})
    assert bad.status_code == 422 and "utm_source" in bad.json()["error"]["details"]["fields"]
    assert client.get("/go/NOSUCHCODE", follow_redirects=False).status_code == 404
    assert client.get("/go/" + "%00" * 40, follow_redirects=False).status_code == 404
    other = make_event(db, make_org(db))
    assert client.post(f"/api/v1/events/{other.id}/campaigns", headers=auth, json={"name": "x"}).status_code == 404
    r = client.post(f"/api/v1/public/events/{event.slug}/holds", json={
        "items": [{"ticket_type_id": "nope", "quantity": 1}], "promo_code": 12})
    assert r.status_code == 422
    forged = client.get(f"/api/v1/public/events/{event.slug}", cookies={"vg_touch": "AAAA:1|BBBB:2.deadbeef"})
    assert forged.status_code == 200
