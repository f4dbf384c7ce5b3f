"""Hold → "seat turns held on another open map" in real Chromium, pushed (the seat stream) vs polled (the 2 s
changes feed), measured in the same run on one 18,000-seat event (issue 12 "Performance": p95 ≤ 1 s), plus the
map's load at that size. Production-mode server (``common.app_server``: ``reflex run --env prod``, 2 granian
workers, Redis), so a hold answered by one worker reaches a stream held open by the other through Redis.

- Two map pages are open on ``/e/<slug>``: one follows the stream (``window.__seatFeed.mode == "stream"``), one
  is forced to the poll fallback (``?seatfeed=poll``). For each of ``PUSH_HOLDS`` (100) holds: both pages watch
  the seat on every animation frame (``window.__seatMap.status(key) === "held"``, i.e. the first frame that draws
  it held), the bench waits a random 0–2.2 s (so holds fall at random points of the poll's period: the previous
  hold's wait ended just after a poll), takes
  ``t0`` and POSTs ``…/seat-holds`` for one seat over the API (httpx), then reads each page's frame time
  (``Date.now()``: the same clock as ``time.time()``). The hold is released once both saw it.
  Figures: ``hold_to_map_ms`` p50/p95/max for each, and the POST's own latency.
- ``map_load``: ``PUSH_LOADS`` (3) fresh page loads (new browser context, no cache) of the 18k map: the layout and
  status snapshot requests' duration (Resource Timing, ms) and size (bytes over the wire and decoded), and
  navigation → every seat and the snapshot in the map. ``PUSH_SOLD`` (0.5) of the seats are sold before (seeded
  directly), so the snapshot is that of a sale in full swing (9,000 sold keys), not an empty one.

Prints ONE JSON line. Env: PUSH_SEATS (18000), PUSH_HOLDS (100), PUSH_LOADS (3), PUSH_SOLD (0.5).
"""

from __future__ import annotations

import os
import random
import shutil
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common  # noqa: E402
from bench.seating_builder import chromium_args, layout_for  # noqa: E402

WATCH_JS = """(key) => {
  window.__pushSeen = window.__pushSeen || {};
  const check = () => {
    if (window.__seatMap.status(key) === 'held') window.__pushSeen[key] = Date.now();
    else requestAnimationFrame(check);
  };
  requestAnimationFrame(check);
}"""

LOAD_JS = """() => {
  const pick = (part) => performance.getEntriesByType('resource').filter(e => e.name.includes(part)).map(e => ({
    ms: e.duration, wire_bytes: e.transferSize, encoded_bytes: e.encodedBodySize, decoded_bytes: e.decodedBodySize}))[0];
  return {layout: pick('/seating/layout'), status: pick('/seating/status')};
}"""


def seed(session, n: int, sold: list[str]) -> str:
    """A seated on-sale event of ``n`` seats (``bench.seat_holds.seed_event``, isolated-seat rule off), caps at their
    maximum (one client holds all), the ``sold`` seats marked sold directly (a sale in full swing: the status
    snapshot lists them); its slug."""
    from sqlalchemy import update

    from bench.seat_holds import seed_event
    from voelgoed.models import EventSeat

    ev = seed_event(session, n, "off", max_per_order=100, max_per_buyer=100)
    seat = EventSeat.__table__
    session.execute(update(seat).where(seat.c.event_id == uuid.UUID(ev["event_id"]), seat.c.seat_key.in_(sold))
                    .values(status="sold"))
    session.commit()
    return ev["slug"]


def _summary(samples_ms: list[float]) -> dict:
    pct = common.percentiles([s / 1000 for s in samples_ms], ps=(50, 95))
    return {**pct, "max_ms": round(max(samples_ms), 1) if samples_ms else None,
            "mean_ms": round(statistics.fmean(samples_ms), 1) if samples_ms else None, "n": len(samples_ms)}


def _open_map(browser, base: str, path: str, n: int):
    context = browser.new_context(base_url=base, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(180_000)
    t0 = time.perf_counter()
    page.goto(path)
    page.wait_for_function(f"() => window.__seatMap && window.__seatMap.seats() === {n} && window.__seatMap.seq() >= 0"
                           " && window.__seatFeed")
    return context, page, (time.perf_counter() - t0) * 1000


def main() -> int:
    import httpx
    from playwright.sync_api import sync_playwright
    from sqlmodel import Session

    n = common.env_int("PUSH_SEATS", 18000)
    holds = common.env_int("PUSH_HOLDS", 100)
    loads = common.env_int("PUSH_LOADS", 3)
    sold_share = float(os.environ.get("PUSH_SOLD", "0.5"))
    keys = [s["key"] for row in layout_for(n)["sections"][0]["rows"] for s in row["seats"]]
    rng = random.Random(12)
    sold = rng.sample(keys, int(len(keys) * sold_share))
    free = sorted(set(keys) - set(sold))
    chosen = rng.sample(free, holds)
    engine = common.prepare_database()
    with Session(engine, expire_on_commit=False) as session:
        slug = seed(session, n, sold)
    samples: dict[str, list[float]] = {"stream": [], "poll": []}
    post_ms: list[float] = []
    after_answer: dict[str, list[float]] = {"stream": [], "poll": []}
    with common.app_server(with_worker=False) as base, sync_playwright() as pw, httpx.Client(base_url=base, timeout=30) as http:
        browser = pw.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium", args=chromium_args())
        warm_ctx, _warm, _ = _open_map(browser, base, f"/e/{slug}", n)  # compiled chunks warm before timing
        warm_ctx.close()
        load = []
        for _ in range(loads):
            ctx, page, ready_ms = _open_map(browser, base, f"/e/{slug}", n)
            load.append({**page.evaluate(LOAD_JS), "ready_ms": ready_ms})
            ctx.close()
        pages = {}
        for mode, path in (("stream", f"/e/{slug}"), ("poll", f"/e/{slug}?seatfeed=poll")):
            ctx, page, _ = _open_map(browser, base, path, n)
            page.wait_for_function(f"() => window.__seatFeed.mode === '{mode}'")
            pages[mode] = page
        url = f"/api/v1/public/events/{slug}/seat-holds"
        for i, key in enumerate(chosen):
            for page in pages.values():
                page.evaluate(WATCH_JS, key)
            time.sleep(rng.uniform(0.0, 2.2))  # a random point of the poll's period (2 s + its request)
            t0 = time.time()
            r = http.post(url, json={"seat_keys": [key]})
            answered = time.time()
            post_ms.append((answered - t0) * 1000)
            if r.status_code != 201:
                raise SystemExit(f"hold {key}: {r.status_code} {r.text}")
            end = time.monotonic() + 15
            seen: dict[str, float] = {}
            while len(seen) < len(pages) and time.monotonic() < end:
                for mode, page in pages.items():
                    if mode not in seen:
                        at = page.evaluate("(k) => (window.__pushSeen || {})[k] || 0", key)
                        if at:
                            seen[mode] = at - t0 * 1000
                time.sleep(0.01)
            for mode in pages:
                if mode not in seen:
                    raise SystemExit(f"hold {key}: the {mode} map did not show it held within 15 s")
                samples[mode].append(seen[mode])
                after_answer[mode].append(seen[mode] - (answered - t0) * 1000)
            http.post("/api/v1/public/seat-holds/release", json={"hold_token": r.json()["hold_token"]})
            if i % 20 == 19:
                common.log(f"{i + 1} holds: stream {_summary(samples['stream'])} poll {_summary(samples['poll'])}")
        feed = {mode: page.evaluate("() => window.__seatFeed") for mode, page in pages.items()}
        browser.close()

    def med(part: str, field: str):
        vals = [x[part][field] for x in load if x.get(part)]
        return round(statistics.median(vals), 1) if vals else None

    stream, poll = _summary(samples["stream"]), _summary(samples["poll"])
    common.emit({
        "bench": "seat_push", "seats": n, "sold_before": len(sold), "holds": holds,
        "hold_to_map_ms": {"stream": stream, "poll_fallback": poll},
        "ratio_poll_over_stream": {"p50": round(poll["p50_ms"] / stream["p50_ms"], 2),
                                   "p95": round(poll["p95_ms"] / stream["p95_ms"], 2)},
        "hold_post_ms": _summary(post_ms),
        "after_the_post_answer_ms": {"stream": _summary(after_answer["stream"]),
                                     "poll_fallback": _summary(after_answer["poll"])},
        "feed": feed,
        "map_load": {"loads": loads, "ready_ms_median": round(statistics.median(x["ready_ms"] for x in load), 1),
                     "layout": {"ms_median": med("layout", "ms"), "wire_bytes": med("layout", "wire_bytes"),
                                "decoded_bytes": med("layout", "decoded_bytes")},
                     "status": {"ms_median": med("status", "ms"), "wire_bytes": med("status", "wire_bytes"),
                                "decoded_bytes": med("status", "decoded_bytes")}},
        "note": "hold_to_map = POST start → first animation frame with the seat held on the other page; the poll "
                "page is the fallback path (?seatfeed=poll, every 2 s); holds spaced 0–2.2 s at random",
    })
    return 0


if __name__ == "__main__":
    sys.exit(main())
