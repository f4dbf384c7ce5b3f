"""The pushed seat changes stream (issue 12, ``GET …/seating/stream``, Server-Sent Events) against a real app
server (uvicorn in a thread on this test run's PostgreSQL and Redis; holds are made over HTTP, so in other
sessions): a hold reaches an open stream with the right seq; a reconnect with ``Last-Event-ID`` gets what it
missed; bad input, the per-process stream limit and a missing Redis are answered with clear errors before any
stream starts; Redis dying mid-stream ends the stream and never fails the sale (the feed still answers)."""

from __future__ import annotations

import contextlib
import json
import queue
import threading
import time

import httpx
import pytest
import uvicorn
from sqlmodel import select

from tests.seated_factories import seated_event
from voelgoed import devserver
from voelgoed.config import get_settings
from voelgoed.models import EventSeat, EventSeating
from voelgoed.services.platform import redis_conn
from voelgoed.services.seating import seat_stream

BASE = "/api/v1/public"


@pytest.fixture
def server(committed_db, redis_client, monkeypatch):
    """Start lazily (``server()``), so a test can change settings first; the base URL."""
    started: list[tuple[uvicorn.Server, threading.Thread]] = []
    monkeypatch.setattr(get_settings(), "seat_stream_keepalive_s", 0.5)

    def start() -> str:
        from voelgoed.api import create_api

        port = devserver.free_port()
        srv = uvicorn.Server(uvicorn.Config(create_api(), host="127.0.0.1", port=port, lifespan="off",
                                            log_level="warning"))
        th = threading.Thread(target=srv.run, daemon=True)
        th.start()
        end = time.monotonic() + 20
        while not srv.started and time.monotonic() < end:
            time.sleep(0.02)
        assert srv.started
        started.append((srv, th))
        return f"http://127.0.0.1:{port}"

    yield start
    for srv, th in started:
        srv.should_exit = True
        th.join(timeout=10)


class Reader:
    """Reads one SSE stream in a thread: ``next()`` → ``{"id", "data"}`` / ``{"comment"}`` / ``{"end"}``."""

    def __init__(self, url: str, headers: dict | None = None) -> None:
        self.q: queue.Queue = queue.Queue()
        self.status: int | None = None
        self.headers: dict = {}
        self.retry: int | None = None
        self._ready = threading.Event()
        self._client = httpx.Client(timeout=httpx.Timeout(30, read=30))
        threading.Thread(target=self._run, args=(url, headers or {}), daemon=True).start()
        assert self._ready.wait(15)

    def _run(self, url, headers) -> None:
        try:
            with self._client.stream("GET", url, headers=headers) as r:
                self.status, self.headers = r.status_code, dict(r.headers)
                if r.status_code != 200:
                    self.body = json.loads(r.read())
                    self._ready.set()
                    return
                self._ready.set()
                event: dict = {}
                for line in r.iter_lines():
                    if line.startswith(":"):
                        self.q.put({"comment": line[1:].strip()})
                    elif line.startswith("retry: "):
                        self.retry = int(line[7:])
                    elif line.startswith("id: "):
                        event["id"] = line[4:]
                    elif line.startswith("data: "):
                        event["data"] = json.loads(line[6:])
                    elif line == "" and event:
                        self.q.put(event)
                        event = {}
        except httpx.HTTPError:
            pass
        finally:
            self._ready.set()
            self.q.put({"end": True})

    def next_event(self, timeout: float = 10) -> dict:
        """The next ``id``/``data`` event (comments skipped); fails on timeout or the stream's end."""
        end = time.monotonic() + timeout
        while True:
            item = self.q.get(timeout=max(0.01, end - time.monotonic()))
            if "comment" in item:
                continue
            assert "end" not in item, "the stream ended"
            return item

    def close(self) -> None:
        self._client.close()


def _seq(db, event) -> int:
    db.expire_all()
    return db.get(EventSeating, event.id).seq


def _hold(base, event, keys) -> dict:
    r = httpx.post(f"{base}{BASE}/events/{event.slug}/seat-holds", json={"seat_keys": keys}, timeout=10)
    assert r.status_code == 201, r.text
    return r.json()


def _wait(cond, timeout=10) -> None:
    end = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < end
        time.sleep(0.02)


def test_a_hold_made_elsewhere_reaches_an_open_stream_with_its_seq(server, committed_db):
    event, _, _ = seated_event(committed_db)
    base = server()
    snap = httpx.get(f"{base}{BASE}/events/{event.slug}/seating/status").json()
    reader = Reader(f"{base}{BASE}/events/{event.slug}/seating/stream?since={snap['seq']}")
    assert reader.status == 200 and reader.headers["content-type"].startswith("text/event-stream")
    assert reader.headers["cache-control"] == "no-store"
    assert reader.q.get(timeout=5) == {"comment": f"seat changes of {event.slug}"} and reader.retry == 1000
    _hold(base, event, ["A-2", "A-1"])
    got = reader.next_event()
    seq = _seq(committed_db, event)
    assert got["id"] == str(seq) and got["data"]["seq"] == seq and got["data"]["since"] == snap["seq"]
    assert sorted((c["key"], c["status"]) for c in got["data"]["changes"]) == [("A-1", "held"), ("A-2", "held")]
    assert got["data"]["refetch"] is False and got["data"]["areas"] == {} and got["data"]["tables"] == {}
    # the next hold: only its seat, relative to the seq just sent
    _hold(base, event, ["A-5"])
    nxt = reader.next_event()
    assert nxt["data"]["since"] == seq and nxt["data"]["seq"] == _seq(committed_db, event) == seq + 1
    assert nxt["data"]["changes"] == [{"key": "A-5", "status": "held"}]
    # a refused hold (rolled back) publishes nothing: idle, keep-alive comments and no event
    taken = httpx.post(f"{base}{BASE}/events/{event.slug}/seat-holds", json={"seat_keys": ["A-5"]}, timeout=10)
    assert taken.status_code == 409 and _seq(committed_db, event) == seq + 1
    items, end = [], time.monotonic() + 2  # four keep-alive periods
    while time.monotonic() < end:
        with contextlib.suppress(queue.Empty):
            items.append(reader.q.get(timeout=0.1))
    assert items and set(map(str, items)) == {str({"comment": "keep-alive"})}
    reader.close()
    _wait(lambda: seat_stream.SLOTS.open == 0)  # the slot is given back when the client goes away


def test_a_reconnect_with_last_event_id_gets_what_it_missed(server, committed_db):
    event, _, _ = seated_event(committed_db)
    base = server()
    first = _hold(base, event, ["A-1"])
    url = f"{base}{BASE}/events/{event.slug}/seating/stream?since=0"
    reader = Reader(url)
    caught_up = reader.next_event()  # already behind when it connected: sent at once
    assert caught_up["data"]["since"] == 0 and caught_up["data"]["changes"] == [{"key": "A-1", "status": "held"}]
    last_id = caught_up["id"]
    reader.close()
    # while disconnected: A-1 released, A-7 held
    assert httpx.post(f"{base}{BASE}/seat-holds/release", json={"hold_token": first["hold_token"]}).status_code == 204
    _hold(base, event, ["A-7"])
    again = Reader(url, headers={"Last-Event-ID": last_id})  # the browser's reconnect: Last-Event-ID wins over since
    got = again.next_event()
    assert got["data"]["since"] == int(last_id) and got["id"] == str(_seq(committed_db, event))
    assert sorted((c["key"], c["status"]) for c in got["data"]["changes"]) == [("A-1", "free"), ("A-7", "held")]
    again.close()
    ahead = Reader(url, headers={"Last-Event-ID": "999"})  # ahead of the feed (another database?): refetch
    got = ahead.next_event()
    assert got["data"]["refetch"] is True and got["data"]["seq"] == _seq(committed_db, event)
    ahead.close()


def test_a_stream_ends_after_its_lifetime(server, committed_db, monkeypatch):
    event, _, _ = seated_event(committed_db)
    monkeypatch.setattr(get_settings(), "seat_stream_lifetime_s", 2)
    base = server()
    reader = Reader(f"{base}{BASE}/events/{event.slug}/seating/stream")
    items = []
    while not items or "end" not in items[-1]:
        items.append(reader.q.get(timeout=10))
    assert {"comment": "keep-alive"} in items
    reader.close()
    _wait(lambda: seat_stream.SLOTS.open == 0)


def test_bad_input_and_the_stream_limit_are_clear_errors(server, committed_db, monkeypatch):
    event, _, _ = seated_event(committed_db)
    base = server()
    url = f"{base}{BASE}/events/{event.slug}/seating/stream"
    for params, headers in (({"since": "x"}, {}), ({"since": "-1"}, {}), ({"since": "1" * 13}, {}),
                            ({}, {"Last-Event-ID": "abc"})):
        r = httpx.get(url, params=params, headers=headers, timeout=10)
        assert r.status_code == 422, (params, headers, r.text)
        assert r.json()["error"]["code"] == "validation_failed"
    r = httpx.get(url.replace(event.slug, "no-such-event"), timeout=10)
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    monkeypatch.setattr(get_settings(), "seat_stream_max_per_worker", 1)
    one = Reader(url)
    assert one.status == 200
    two = Reader(url)
    assert two.status == 503 and two.body["error"]["code"] == "busy"
    assert two.body["error"]["details"] == {"max_streams": 1}
    one.close()
    _wait(lambda: seat_stream.SLOTS.open == 0)
    three = Reader(url)
    assert three.status == 200
    three.close()
    committed_db.expire_all()
    assert {s.status for s in committed_db.exec(select(EventSeat).where(EventSeat.event_id == event.id))} == {"free"}


def test_without_redis_no_stream_and_a_dying_redis_never_fails_the_sale(server, committed_db, monkeypatch, caplog):
    import logging

    from tests.faults.servers import PrivateRedis

    caplog.set_level(logging.WARNING, logger="voelgoed.services.platform.seat_signals")
    event, _, _ = seated_event(committed_db)
    private = PrivateRedis()
    private.start()
    try:
        monkeypatch.setattr(get_settings(), "redis_url", private.url)
        redis_conn.reset()
        base = server()
        reader = Reader(f"{base}{BASE}/events/{event.slug}/seating/stream")
        assert reader.status == 200
        before = _seq(committed_db, event)
        private.stop()  # Redis dies: the open stream ends (the client reconnects or polls)
        items = []
        while not items or "end" not in items[-1]:
            items.append(reader.q.get(timeout=20))
        assert not [i for i in items if "data" in i]
        reader.close()
        hold = _hold(base, event, ["A-3"])  # the sale still happens; its signal is lost, not the sale
        assert hold["seats"][0]["key"] == "A-3" and _seq(committed_db, event) == before + 1
        lost = [r for r in caplog.records if r.name.endswith("seat_signals") and "not published" in r.getMessage()]
        assert len(lost) == 1 and f"seq {before + 1}" in lost[0].getMessage()  # the publish failed, logged
        r = httpx.get(f"{base}{BASE}/events/{event.slug}/seating/stream", timeout=10)
        assert r.status_code == 503 and r.json()["error"]["code"] == "stream_unavailable"
        feed = httpx.get(f"{base}{BASE}/events/{event.slug}/seating/changes", params={"since": before}).json()
        assert feed["changes"] == [{"key": "A-3", "status": "held"}] and feed["seq"] == before + 1
        _wait(lambda: seat_stream.SLOTS.open == 0)
    finally:
        private.stop()
        redis_conn.reset()


def test_standing_places_alone_move_the_seq_and_reach_the_stream(server, committed_db):
    from tests.seated_factories import ga_layout

    event, _, _ = seated_event(committed_db, layout=ga_layout(capacity=5))
    base = server()
    before = _seq(committed_db, event)
    reader = Reader(f"{base}{BASE}/events/{event.slug}/seating/stream?since={before}")
    r = httpx.post(f"{base}{BASE}/events/{event.slug}/seat-holds", json={"areas": [{"key": "floor", "quantity": 2}]})
    assert r.status_code == 201 and r.json()["seats"] == []
    got = reader.next_event()
    assert got["data"]["seq"] == _seq(committed_db, event) == before + 1
    assert got["data"]["changes"] == [] and got["data"]["areas"] == {"floor": 3}
    reader.close()
