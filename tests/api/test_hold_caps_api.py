"""A hold flood over HTTP from one address: 429 ``too_many_holds`` with Retry-After once the live-hold cap
is reached; another address still gets tickets; releasing a hold frees a place (issue 9, item 5)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.factories import make_event, make_org, make_ticket_type
from voelgoed.api import create_api
from voelgoed.config import get_settings


def test_hold_flood_over_http_stops_at_the_cap(db, redis_client):
    event = make_event(db, make_org(db))
    tt = make_ticket_type(db, event, quantity=100, max_per_order=2)
    db.commit()
    url = f"/api/v1/public/events/{event.slug}/holds"
    body = {"items": [{"ticket_type_id": str(tt.id), "quantity": 1}]}
    cap = get_settings().hold_max_live_per_client
    with TestClient(create_api(), client=("198.51.100.4", 1000), raise_server_exceptions=False) as bot, \
            TestClient(create_api(), client=("203.0.113.8", 1000), raise_server_exceptions=False) as buyer:
        answers = [bot.post(url, json=body) for _ in range(cap + 20)]
        assert [r.status_code for r in answers[:cap]] == [201] * cap
        refused = answers[cap:]
        assert {r.status_code for r in refused} == {429}
        err = refused[-1].json()["error"]
        assert err["code"] == "too_many_holds" and err["details"]["max_live_holds"] == cap
        assert f"at most {cap} reservations" in err["message"]
        assert 1 <= int(refused[-1].headers["Retry-After"]) <= get_settings().hold_ttl_seconds
        assert buyer.post(url, json=body).status_code == 201
        assert bot.delete(f"/api/v1/public/holds/{answers[0].json()['hold_id']}").status_code == 204
        assert bot.post(url, json=body).status_code == 201
        assert bot.post(url, json=body).status_code == 429
        avail = buyer.get(f"/api/v1/public/events/{event.slug}").json()["ticket_types"][0]["available"]
    assert avail == 100 - cap - 1
