"""Flash sale with funnel tracking on vs off, in the same run (issue 15: holds/s within 5 %).

Two production-mode servers one after the other on the same database and Redis (``bench/common.py``), one with
``FUNNEL_TRACKING=false`` and one with ``true``; each sells a fresh event (FUNNEL_TICKETS tickets, one per
attempt, FUNNEL_ATTEMPTS attempts, FUNNEL_CONCURRENCY connections) through ``POST
/api/v1/public/events/{slug}/holds`` with a browser User-Agent, so with tracking on every hold also counts the
``hold`` funnel step (Redis ``HINCRBY`` + the flood guard). The order is off, on, off, on (FUNNEL_ROUNDS pairs) to
spread drift on a shared machine; the figures are the medians per mode and ``ratio_on_to_off``. The flood guard
keys by client address, and every bench request comes from one address, so it is raised for the run
(FUNNEL_FLOOD_PER_MINUTE) — the counting cost is what is measured, not the cap refusing counts.

Env: FUNNEL_ATTEMPTS (2000), FUNNEL_TICKETS (400), FUNNEL_CONCURRENCY (8), FUNNEL_ROUNDS (2). Prints one JSON line.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common  # noqa: E402

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36"


async def _run_attempts(base: str, slug: str, tt_id: str, attempts: int, concurrency: int) -> dict:
    """Like ``bench.flash_sale._run_attempts``, with a browser User-Agent (an HTTP library's is a bot: not counted)."""
    import time

    import httpx

    url = f"{base}/api/v1/public/events/{slug}/holds"
    body = {"items": [{"ticket_type_id": tt_id, "quantity": 1}]}
    lat: list[float] = []
    codes: dict[str, int] = {}
    ok_times: list[float] = []
    left = [attempts]

    async def worker(client):
        while left[0] > 0:
            left[0] -= 1
            t0 = time.perf_counter()
            try:
                r = await client.post(url, json=body)
                key = str(r.status_code)
            except httpx.HTTPError as exc:
                key = "exception:" + type(exc).__name__
            t1 = time.perf_counter()
            lat.append(t1 - t0)
            codes[key] = codes.get(key, 0) + 1
            if key == "201":
                ok_times.append(t1)

    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=30, headers={"User-Agent": BROWSER}) as client:
        for _ in range(3):
            await asyncio.gather(*[client.get(f"{base}/api/health") for _ in range(concurrency)])
        start = time.perf_counter()
        await asyncio.gather(*[worker(client) for _ in range(concurrency)])
    return {"lat": lat, "codes": codes, "successes": len(ok_times), "sell_time": (max(ok_times) - start) if ok_times else None}


def _one(engine, tracking: bool, attempts: int, tickets: int, concurrency: int) -> dict:
    from sqlmodel import Session

    with Session(engine, expire_on_commit=False) as session:
        seeded = common.seed_sale(session, quantity=tickets, max_per_order=10)
    os.environ["FUNNEL_TRACKING"] = "true" if tracking else "false"
    with common.app_server(with_worker=False) as base:
        res = asyncio.run(_run_attempts(base, seeded["slug"], seeded["ticket_type_id"], attempts, concurrency))
    return {"tracking": tracking, "holds_per_s": round(res["successes"] / res["sell_time"], 1) if res["sell_time"] else 0.0,
            "successes": res["successes"], "codes": res["codes"], **common.percentiles(res["lat"])}


def main() -> int:
    attempts = common.env_int("FUNNEL_ATTEMPTS", 2000)
    tickets = common.env_int("FUNNEL_TICKETS", 400)
    concurrency = common.env_int("FUNNEL_CONCURRENCY", 8)
    rounds = common.env_int("FUNNEL_ROUNDS", 2)
    os.environ.setdefault("FUNNEL_FLOOD_PER_MINUTE", "100000000")
    engine = common.prepare_database()
    runs = []
    for _ in range(rounds):
        for tracking in (False, True):
            runs.append(_one(engine, tracking, attempts, tickets, concurrency))
            common.log(runs[-1])
    off = statistics.median(r["holds_per_s"] for r in runs if not r["tracking"])
    on = statistics.median(r["holds_per_s"] for r in runs if r["tracking"])
    common.emit({"bench": "funnel_tracking", "attempts": attempts, "tickets": tickets, "concurrency": concurrency,
                 "holds_per_s_off": off, "holds_per_s_on": on, "ratio_on_to_off": round(on / off, 3) if off else None,
                 "runs": runs})
    return 0


if __name__ == "__main__":
    sys.exit(main())
