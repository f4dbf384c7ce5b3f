"""Waiting-room HTTP API: join/status, rate limit, two clients agree, organiser switch, pass-less holds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.factories import make_event, make_org, make_ticket_type
from voelgoed.config import get_settings
from voelgoed.services.accounts import apikeys
from voelgoed.services.platform import VoelgoedError
from voelgoed.services.sales import waiting_room as wr


@pytest.fixture
def open_room(db, redis_client):
    """A published event whose waiting room opened 10 s ago, admitting 6 per minute."""
    event = make_event(db, make_org(db))
    event.waiting_room_enabled = True
    event.waiting_room_opens_at = datetime.now(UTC) - timedelta(seconds=10)
    event.waiting_room_rate_per_minute = 6
    db.add(event)
    db.flush()
    wr.forget_cached_rooms()
    return event


def test_join_then_status(client, open_room):
    url = f"/api/v1/public/events/{open_room.slug}/queue"
    joined = [client.post(url, json={}) for _ in range(3)]
    assert [r.status_code for r in joined] == [200, 200, 200]
    bodies = [r.json() for r in joined]
    assert [b["queue_rank"] for b in bodies] == [1, 2, 3]
    first = bodies[0]
    assert first["admitted"] and first["pass"].startswith("VGP1.")  # 10 s × 6/min = 1 admitted
    third = client.get(f"{url}/{bodies[2]['visitor_token']}").json()
    assert not third["admitted"] and third["position"] == 2 and third["estimated_wait_seconds"] > 0
    # no body at all also joins
    assert client.post(url).json()["queue_rank"] == 4
    # coming back with the token keeps the place
    assert client.post(url, json={"visitor_token": bodies[1]["visitor_token"]}).json()["queue_rank"] == 2


def test_bad_inputs_never_500(client, open_room):
    url = f"/api/v1/public/events/{open_room.slug}/queue"
    r = client.get(f"{url}/not-a-token")
    assert r.status_code == 404 and r.json()["error"]["code"] == "visitor_token_invalid"
    assert client.get("/api/v1/public/events/no-such-event/queue/x").status_code == 404
    assert client.post("/api/v1/public/events/no-such-event/queue", json={}).status_code == 404
    assert client.post(url, content=b"{nope", headers={"content-type": "application/json"}).status_code == 400
    assert client.post(url, json={"visitor_token": 5}).status_code == 422
    assert client.post(url, json={"visitor_token": "x" * 5000}).status_code == 422


def test_two_independent_clients_see_the_same_positions(db, redis_client, open_room):
    from fastapi.testclient import TestClient

    from voelgoed.api import create_api

    url = f"/api/v1/public/events/{open_room.slug}/queue"
    with TestClient(create_api()) as a, TestClient(create_api()) as b:
        tokens = [(a if i % 2 else b).post(url, json={}).json()["visitor_token"] for i in range(6)]
        seen_a = [a.get(f"{url}/{t}").json()["queue_rank"] for t in tokens]
        seen_b = [b.get(f"{url}/{t}").json()["queue_rank"] for t in tokens]
    assert seen_a == seen_b == [1, 2, 3, 4, 5, 6]


def test_flood_from_one_address_is_rate_limited(client, open_room, monkeypatch):
    monkeypatch.setenv("PUBLIC_RATE_LIMIT", "5/minute")
    get_settings.cache_clear()
    try:
        url = f"/api/v1/public/events/{open_room.slug}/queue"
        codes = [client.post(url, json={}) for _ in range(8)]
        assert [r.status_code for r in codes[:5]] == [200] * 5
        limited = codes[5]
        assert limited.status_code == 429 and limited.json()["error"]["code"] == "rate_limited"
        assert int(limited.headers["Retry-After"]) >= 1
    finally:
        monkeypatch.delenv("PUBLIC_RATE_LIMIT")
        get_settings.cache_clear()


def test_redis_flush_then_status_keeps_place(client, open_room, redis_client):
    url = f"/api/v1/public/events/{open_room.slug}/queue"
    tokens = [client.post(url, json={}).json()["visitor_token"] for _ in range(5)]
    redis_client.flushdb()
    assert client.get(f"{url}/{tokens[3]}").json()["queue_rank"] == 1  # others not back yet: only earlier
    for t in tokens:
        client.get(f"{url}/{t}")
    assert [client.get(f"{url}/{t}").json()["queue_rank"] for t in tokens] == [1, 2, 3, 4, 5]


def test_organiser_switch_by_api_key(client, db, redis_client):
    org = make_org(db)
    event = make_event(db, org)
    _key, secret = apikeys.create_api_key(db, organization_id=org.id, name="ops")
    url = f"/api/v1/events/{event.id}/waiting-room"
    body = {"enabled": True, "opens_at": "2026-12-01T09:00:00+02:00", "rate_per_minute": 250}
    assert client.put(url, json=body).status_code == 401
    r = client.put(url, json=body, headers={"Authorization": f"Bearer {secret}"})
    assert r.status_code == 200, r.text
    assert r.json()["enabled"] is True and r.json()["rate_per_minute"] == 250
    assert r.json()["opens_at"].startswith("2026-12-01T07:00:00")
    auth = {"Authorization": f"Bearer {secret}"}
    assert client.put(url, json=body | {"rate_per_minute": 0}, headers=auth).status_code == 422
    assert client.put("/api/v1/events/not-a-uuid/waiting-room", json=body, headers=auth).status_code == 404
    other = make_event(db, make_org(db))
    assert client.put(f"/api/v1/events/{other.id}/waiting-room", json=body, headers=auth).status_code == 404


def test_hold_without_pass_is_refused_when_room_is_on(db, open_room):
    from voelgoed.services.sales import inventory

    tt = make_ticket_type(db, open_room, quantity=10)
    with pytest.raises(VoelgoedError) as exc:
        inventory.create_hold(db, event_id=open_room.id, items=[(tt.id, 1)])
    assert exc.value.code == "waiting_room_pass_required" and exc.value.status == 403
    token = wr.join(open_room, now=open_room.waiting_room_opens_at - timedelta(seconds=1))["visitor_token"]
    good = wr.status(open_room, token)["pass"]
    hold = inventory.create_hold(db, event_id=open_room.id, items=[(tt.id, 1)], pass_token=good)
    assert hold.id is not None


def test_new_places_per_address_are_capped_but_rejoins_and_other_addresses_are_not(db, redis_client, open_room,
                                                                                   monkeypatch):
    from fastapi.testclient import TestClient

    from voelgoed.api import create_api

    monkeypatch.setattr(get_settings(), "waiting_room_join_rate_limit", "3/day")
    url = f"/api/v1/public/events/{open_room.slug}/queue"
    with TestClient(create_api(), client=("198.51.100.7", 5000)) as bot, \
            TestClient(create_api(), client=("203.0.113.9", 5000)) as honest:
        first = [bot.post(url, json={}) for _ in range(3)]
        assert [r.status_code for r in first] == [200, 200, 200]
        refused = [bot.post(url, json={}) for _ in range(5)]
        assert {r.status_code for r in refused} == {429}
        assert refused[0].json()["error"]["code"] == "rate_limited" and int(refused[0].headers["Retry-After"]) >= 1
        assert bot.post(url, json={"visitor_token": "VGV1.forged.0.000000.x"}).status_code == 429  # a forged token is a new place
        # the capped address's visitors still come back to their own places
        again = bot.post(url, json={"visitor_token": first[1].json()["visitor_token"]})
        assert again.status_code == 200 and again.json()["queue_rank"] == 2
        assert again.json()["visitor_token"] == first[1].json()["visitor_token"]
        # another address is not affected
        assert honest.post(url, json={}).json()["queue_rank"] == 4
    assert redis_client.zcard(f"wr:{open_room.id.hex}:q") == 4


def test_before_opening_answers_do_not_depend_on_the_draw(client, db, redis_client):
    event = make_event(db, make_org(db))
    event.waiting_room_enabled = True
    event.waiting_room_opens_at = datetime.now(UTC) + timedelta(hours=1)
    event.waiting_room_rate_per_minute = 6
    db.add(event)
    db.flush()
    wr.forget_cached_rooms()
    url = f"/api/v1/public/events/{event.slug}/queue"
    bodies = [client.post(url, json={}).json() for _ in range(8)]
    views = {(b["visitor_token"].split(".")[2], b["visitor_token"].split(".")[3], b["queue_rank"], b["position"],
              b["admitted"], b["admitted_count"]) for b in bodies}
    assert views == {("0", "000000", None, None, False, 0)}
