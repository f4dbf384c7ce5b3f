"""Reflex sessions on the public event page, and the waiting-room status endpoint under 10,000 visitors.

Part 1 — K concurrent Reflex websocket sessions, speaking the protocol the compiled frontend speaks
(socket.io v5 over Engine.IO v4 on a plain websocket, see reflex_base/.templates/web/utils/state.js;
a ~30-line client below, since python-socketio's asyncio client needs aiohttp): each session
connects to ``/_event`` (socket.io path and namespace) with ``?token=<uuid>``, sends the page's boot event
``reflex___state____state.hydrate_and_load`` for ``/e/<slug>`` in the CONNECT auth (as the browser
does) and waits for its first state update; then fires SESSIONS_EVENTS events each
(``SESSIONS_EVENT_NAME`` + ``SESSIONS_EVENT_PAYLOAD`` JSON; default: the event page's own
``EventPageState.change_qty(index=0, delta=1)`` — the "+" button — which loads the session's state
from Redis, changes the quantity and answers with the delta; an event that changes nothing gets no
answer in Reflex, so pick one that does) and
times each round trip (emit → next ``event`` message). Error = connect failure, timeout
(SESSIONS_TIMEOUT s) or missing answer.

Part 2 — WR_VISITORS visitors join the waiting room (``POST …/queue``), then every visitor's status
is fetched once (``GET …/queue/<token>``) by WR_CONCURRENCY clients: req/s and latency percentiles.

Env: SESSIONS (200), SESSIONS_EVENTS (5), SESSIONS_RAMP_S (5), WR_VISITORS (10000), WR_CONCURRENCY (8).
Full target: SESSIONS=1000. Prints one JSON line.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common  # noqa: E402

STATE = "reflex___state____state"
PAGE_STATE = f"{STATE}.voelgoed___state___storefront____event_page_state"
DEFAULT_EVENT = f"{PAGE_STATE}.change_qty"
DEFAULT_PAYLOAD = '{"index": 0, "delta": 1}'


class _EngineIO:
    """A minimal Engine.IO v4 / Socket.IO v5 client over one websocket (what socket.io-client sends)."""

    def __init__(self, ws, namespace: str):
        self.ws, self.ns = ws, namespace
        self.events: asyncio.Queue = asyncio.Queue()
        self.connected = asyncio.Event()
        self.reader = asyncio.create_task(self._read())

    async def _read(self):
        prefix_event = f"42{self.ns},"
        prefix_connect = f"40{self.ns},"
        async for msg in self.ws:
            if msg == "2":
                await self.ws.send("3")
            elif msg.startswith(prefix_event):
                name, data = json.loads(msg[len(prefix_event):])[:2]
                if name == "event":
                    self.events.put_nowait(data)
            elif msg.startswith(prefix_connect):
                self.connected.set()
            elif msg.startswith(f"44{self.ns}"):
                raise ConnectionError("namespace connect refused: " + msg[:200])

    async def emit(self, name: str, data) -> None:
        await self.ws.send(f"42{self.ns}," + json.dumps([name, data]))


async def _session(base: str, slug: str, n_events: int, timeout: float, event_name: str, event_payload: dict,
                   delay: float, out: dict, expect: str = "") -> None:
    from websockets.asyncio.client import connect

    await asyncio.sleep(delay)
    path = f"/e/{slug}"
    router = {"pathname": path, "asPath": path, "query": {"slug": slug}}
    token = str(uuid.uuid4())
    boot = {"name": f"{STATE}.hydrate_and_load", "payload": {}, "router_data": router}
    ws_url = base.replace("http", "ws", 1) + f"/_event/?EIO=4&transport=websocket&token={token}"
    ws = eio = None
    t0 = time.perf_counter()
    try:
        ws = await asyncio.wait_for(connect(ws_url, max_size=None, open_timeout=timeout), timeout)
        opened = await asyncio.wait_for(ws.recv(), timeout)
        if not str(opened).startswith("0"):
            raise ConnectionError("unexpected engine.io open packet")
        eio = _EngineIO(ws, "/_event")
        await ws.send("40/_event," + json.dumps({"event": boot}))
        await asyncio.wait_for(eio.events.get(), timeout)  # the hydrate answer
        out["connect"].append(time.perf_counter() - t0)
        await asyncio.sleep(0.05)
        while not eio.events.empty():
            eio.events.get_nowait()
        for _ in range(n_events):
            t1 = time.perf_counter()
            await eio.emit("event", {"name": event_name, "payload": event_payload, "router_data": router})
            try:
                while True:  # skip unrelated pushes (e.g. the on-load call_script); wait for the answer
                    msg = await asyncio.wait_for(eio.events.get(), max(0.001, timeout - (time.perf_counter() - t1)))
                    if not expect or expect in json.dumps(msg.get("delta", {})):
                        break
                out["rtt"].append(time.perf_counter() - t1)
            except TimeoutError:
                out["errors"].append("timeout")
            await asyncio.sleep(0.2)
            while not eio.events.empty():
                eio.events.get_nowait()
    except Exception as exc:  # noqa: BLE001 - every failure counts as an error in the figures
        out["errors"].append(type(exc).__name__)
    finally:
        out["done"] += 1
        # hold the connection until every session has fired, so K sessions are really concurrent
        while out["done"] < out["total"]:
            await asyncio.sleep(0.2)
        if eio is not None:
            eio.reader.cancel()
        if ws is not None:
            try:
                await ws.close()
            except Exception:  # noqa: BLE001
                pass


async def _sessions(base: str, slug: str, k: int, n_events: int, ramp: float, timeout: float) -> dict:
    out = {"connect": [], "rtt": [], "errors": [], "done": 0, "total": k}
    name = os.environ.get("SESSIONS_EVENT_NAME", DEFAULT_EVENT)
    payload = json.loads(os.environ.get("SESSIONS_EVENT_PAYLOAD", DEFAULT_PAYLOAD if name == DEFAULT_EVENT else "{}"))
    start = time.perf_counter()
    # the answer must carry a delta of this state (default: the event page's), not just any push
    expect = os.environ.get("SESSIONS_EXPECT", PAGE_STATE.rsplit(".", 1)[1] if name == DEFAULT_EVENT else "")
    await asyncio.gather(*[_session(base, slug, n_events, timeout, name, payload, ramp * i / k, out, expect)
                           for i in range(k)])
    elapsed = time.perf_counter() - start
    errors = len(out["errors"])
    attempts = k + k * n_events
    kinds: dict[str, int] = {}
    for e in out["errors"]:
        kinds[e] = kinds.get(e, 0) + 1
    return {"sessions": k, "events_per_session": n_events, "event": name, "seconds": round(elapsed, 1),
            "connected": len(out["connect"]), "round_trips": len(out["rtt"]),
            "round_trips_over_1s": sum(1 for x in out["rtt"] if x > 1.0),
            "connect": common.percentiles(out["connect"], (50, 95)), **common.percentiles(out["rtt"], (50, 95, 99)),
            "errors": errors, "error_rate": round(errors / attempts, 5), "error_kinds": kinds}


async def _waiting_room(base: str, slug: str, visitors: int, concurrency: int) -> dict:
    import httpx

    url = f"{base}/api/v1/public/events/{slug}/queue"
    tokens: list[str] = []
    join_lat: list[float] = []
    status_lat: list[float] = []
    codes: dict[str, int] = {}
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        it = iter(range(visitors))

        async def joiner():
            for _ in it:
                t0 = time.perf_counter()
                try:
                    r = await client.post(url, json={})
                    codes[f"join_{r.status_code}"] = codes.get(f"join_{r.status_code}", 0) + 1
                    if r.status_code == 200:
                        tokens.append(r.json()["visitor_token"])
                    elif "first_join_error" not in codes:
                        codes["first_join_error"] = r.text[:300]
                except httpx.HTTPError as exc:
                    codes["join_" + type(exc).__name__] = codes.get("join_" + type(exc).__name__, 0) + 1
                join_lat.append(time.perf_counter() - t0)

        t0 = time.perf_counter()
        await asyncio.gather(*[joiner() for _ in range(concurrency)])
        join_s = time.perf_counter() - t0
        tit = iter(list(tokens))
        admitted = 0

        async def poller():
            nonlocal admitted
            for tok in tit:
                t1 = time.perf_counter()
                try:
                    r = await client.get(f"{url}/{tok}")
                    codes[f"status_{r.status_code}"] = codes.get(f"status_{r.status_code}", 0) + 1
                    if r.status_code == 200 and r.json()["admitted"]:
                        admitted += 1
                except httpx.HTTPError as exc:
                    codes["status_" + type(exc).__name__] = codes.get("status_" + type(exc).__name__, 0) + 1
                status_lat.append(time.perf_counter() - t1)

        t0 = time.perf_counter()
        await asyncio.gather(*[poller() for _ in range(concurrency)])
        status_s = time.perf_counter() - t0
    errors = sum(n for k, n in codes.items() if isinstance(n, int) and not k.endswith("_200"))
    return {"visitors": visitors, "joined": len(tokens), "join_per_s": round(visitors / join_s, 1),
            "join": common.percentiles(join_lat), "status_per_s": round(len(tokens) / status_s, 1),
            "status": common.percentiles(status_lat), "admitted_at_poll": admitted, "errors": errors,
            "codes": codes}


def main() -> int:
    k = common.env_int("SESSIONS", 200)
    n_events = common.env_int("SESSIONS_EVENTS", 5)
    ramp = float(os.environ.get("SESSIONS_RAMP_S", "5"))
    timeout = float(os.environ.get("SESSIONS_TIMEOUT", "15"))
    visitors = common.env_int("WR_VISITORS", 10000)
    concurrency = common.env_int("WR_CONCURRENCY", 8)
    engine = common.prepare_database()
    from sqlmodel import Session

    with Session(engine, expire_on_commit=False) as session:
        seeded = common.seed_sale(session, quantity=1000, waiting_room=True, rate_per_minute=600)
    slug = os.environ.get("SESSIONS_SLUG", seeded["slug"])
    with common.app_server() as base:
        common.log(f"sessions: {k} websocket sessions × {n_events} events")
        sess = asyncio.run(_sessions(base, slug, k, n_events, ramp, timeout))
        common.log(f"waiting room: {visitors} visitors")
        wroom = asyncio.run(_waiting_room(base, seeded["slug"], visitors, concurrency))
    common.emit({"bench": "sessions", "reflex_sessions": sess, "waiting_room": wroom})
    return 0


if __name__ == "__main__":
    sys.exit(main())
