"""The organiser seat map's pushed changes (``GET /api/organiser/events/{id}/seats/stream``, Server-Sent Events,
and its poll fallback ``…/seats/changes?since=N``) against a real app server (uvicorn in a thread on this run's
PostgreSQL and Redis; the changes are made over the cookie routes, as another organiser's map would): one
organiser's allocate and block reach another organiser's open stream with the allocation's label; a reconnect
with ``Last-Event-ID`` gets what it missed. Signed out → 401, another organisation's user → 404 (never the data),
an unseated event → 409, bad ``since`` → 422, all before any stream starts; nothing is changed."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx

from tests.api.test_public_seat_stream import Reader, _seq, _wait, server  # noqa: F401  (fixture)
from tests.factories import make_event, make_org, make_user
from tests.seated_factories import seated_event
from voelgoed.models import Organization
from voelgoed.services.accounts import accounts
from voelgoed.services.seating import seat_stream

WRITE = {"X-Voelgoed-Builder": "1"}


def cookie(db, user, org) -> dict:
    _row, token = accounts.new_session(db, user, organization_id=org.id, now=datetime.now(UTC))
    db.commit()
    return {"Cookie": f"vg_session={token}"}


def test_another_organisers_changes_reach_an_open_organiser_stream(server, committed_db):  # noqa: F811
    event, _, _ = seated_event(committed_db, rows=(("A", 4),))
    org = committed_db.get(Organization, event.organization_id)
    viewer = cookie(committed_db, make_user(committed_db, org=org, role="viewer"), org)
    staff = cookie(committed_db, make_user(committed_db, org=org, role="staff"), org)
    base = server()
    office = f"{base}/api/organiser/events/{event.id}"
    snap = httpx.get(f"{office}/seats", headers=viewer).json()
    reader = Reader(f"{office}/seats/stream?since={snap['seq']}", headers=viewer)
    assert reader.status == 200 and reader.headers["content-type"].startswith("text/event-stream")
    assert reader.headers["cache-control"] == "no-store"
    assert reader.q.get(timeout=5) == {"comment": f"seat changes of event {event.id}"} and reader.retry == 1000
    r = httpx.post(f"{office}/seats/allocate", json={"seat_keys": ["A-2", "A-1"], "label": "Press"},
                   headers={**staff, **WRITE})
    assert r.status_code == 200, r.text
    got = reader.next_event()
    seq = _seq(committed_db, event)
    assert got["id"] == str(seq) and got["data"]["since"] == snap["seq"] and got["data"]["seq"] == seq
    assert sorted(got["data"]["changes"], key=lambda c: c["key"]) == [
        {"key": "A-1", "status": "allocated", "allocation": "Press"},
        {"key": "A-2", "status": "allocated", "allocation": "Press"}]
    assert httpx.post(f"{office}/seats/block", json={"seat_keys": ["A-4"]}, headers={**staff, **WRITE}).status_code == 200
    nxt = reader.next_event()
    assert nxt["data"]["since"] == seq and nxt["data"]["changes"] == [{"key": "A-4", "status": "blocked", "allocation": None}]
    reader.close()
    # the poll fallback answers the same, and a reconnect with Last-Event-ID gets only what it missed
    feed = httpx.get(f"{office}/seats/changes", params={"since": snap["seq"]}, headers=viewer)
    assert feed.headers["cache-control"] == "no-store"
    assert {c["key"]: c["status"] for c in feed.json()["changes"]} == {"A-1": "allocated", "A-2": "allocated",
                                                                        "A-4": "blocked"}
    assert httpx.post(f"{office}/seats/release", json={"seat_keys": ["A-1"]}, headers={**staff, **WRITE}).status_code == 200
    again = Reader(f"{office}/seats/stream?since=0", headers={**viewer, "Last-Event-ID": nxt["id"]})
    assert again.next_event()["data"]["changes"] == [{"key": "A-1", "status": "free", "allocation": None}]
    again.close()
    _wait(lambda: seat_stream.SLOTS.open == 0)


def test_the_organiser_stream_and_feed_refuse_outsiders_before_anything_is_sent(server, committed_db):  # noqa: F811
    event, _, _ = seated_event(committed_db, rows=(("A", 2),))
    org = committed_db.get(Organization, event.organization_id)
    own = cookie(committed_db, make_user(committed_db, org=org, role="staff"), org)
    other_org = make_org(committed_db)
    outsider = cookie(committed_db, make_user(committed_db, org=other_org, role="owner"), other_org)
    plain = make_event(committed_db, org)
    committed_db.commit()
    base = server()
    office = f"{base}/api/organiser/events/{event.id}"
    for path in ("seats/stream", "seats/changes"):
        signed_out = httpx.get(f"{office}/{path}", timeout=10)
        assert (signed_out.status_code, signed_out.json()["error"]["code"]) == (401, "session_expired"), path
        forged = httpx.get(f"{office}/{path}", headers={"Cookie": "vg_session=not-a-session"}, timeout=10)
        assert forged.status_code == 401, path
        theirs = httpx.get(f"{office}/{path}", headers=outsider, timeout=10)
        assert (theirs.status_code, theirs.json()["error"]["code"]) == (404, "not_found"), path
        assert "changes" not in theirs.text and "A-1" not in theirs.text
        unseated = httpx.get(f"{base}/api/organiser/events/{plain.id}/{path}", headers=own, timeout=10)
        assert (unseated.status_code, unseated.json()["error"]["code"]) == (409, "not_seated"), path
        assert httpx.get(f"{base}/api/organiser/events/nope/{path}", headers=own, timeout=10).status_code == 404
        for since in ("x", "-1", "1.5"):
            bad = httpx.get(f"{office}/{path}", params={"since": since}, headers=own, timeout=10)
            assert (bad.status_code, bad.json()["error"]["code"]) == (422, "validation_failed"), (path, since)
    bad_id = httpx.get(f"{office}/seats/stream", headers={**own, "Last-Event-ID": "abc"}, timeout=10)
    assert bad_id.status_code == 422
    assert seat_stream.SLOTS.open == 0
    assert httpx.get(f"{office}/seats", headers=own).json()["counts"] == {
        "free": 2, "held": 0, "sold": 0, "blocked": 0, "allocated": 0, "total": 2}
