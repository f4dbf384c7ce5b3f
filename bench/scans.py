"""Gate scans: scans/s and latency of ``POST /api/v1/scanner/scans`` at a fixed offered load, plus races.

Open-loop load: a scan is started every 1/SCANS_RATE seconds for SCANS_SECONDS seconds, whatever the
server's speed (so latency includes queueing). The mix: 70% first scans of valid tickets
(``accepted``), 20% repeats (``already_scanned``), 10% garbage (``invalid``), spread over
SCANS_DEVICES devices. Then the race: for each of RACE_TICKETS fresh tickets, RACE_DEVICES devices
scan it at the same moment; exactly one scan per ticket may be ``accepted``.

Env: SCANS_RATE (200/s), SCANS_SECONDS (10), SCANS_DEVICES (8), SCANS_CONNECTIONS (16: httpx gets slower per
request with many pooled connections, and it shares the 2 cores), RACE_TICKETS (20), RACE_DEVICES (25).
Prints one JSON line.
"""

from __future__ import annotations

import asyncio
import random
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common  # noqa: E402


async def _scan(client, base, token, qr, lat=None, results=None):
    import httpx

    t0 = time.perf_counter()
    try:
        r = await client.post(f"{base}/api/v1/scanner/scans", headers={"Authorization": f"Bearer {token}"},
                              json={"qr": qr, "gate_code": "MAIN", "client_scan_id": uuid.uuid4().hex})
        if r.status_code == 200:
            key = r.json().get("result", "?")
        else:
            try:
                key = f"http_{r.status_code}:{r.json()['error']['code']}"
            except Exception:
                key = f"http_{r.status_code}"
    except httpx.HTTPError as exc:
        key = "exception:" + type(exc).__name__
    if lat is not None:
        lat.append(time.perf_counter() - t0)
    if results is not None:
        results[key] = results.get(key, 0) + 1
    return key


async def _load(base: str, tokens: list[str], tickets: list[dict], rate: int, seconds: int) -> dict:
    import httpx

    total = rate * seconds
    fresh = iter(tickets)
    scanned: list[str] = []
    plan = []
    rnd = random.Random(6)
    for _ in range(total):
        roll = rnd.random()
        if roll < 0.2 and scanned:
            plan.append(rnd.choice(scanned))
        elif roll < 0.3:
            plan.append("VG1.garbage." + uuid.uuid4().hex)
        else:
            qr = next(fresh)["qr"]
            scanned.append(qr)
            plan.append(qr)
    lat: list[float] = []
    results: dict[str, int] = {}
    conns = common.env_int("SCANS_CONNECTIONS", 16)
    limits = httpx.Limits(max_connections=conns, max_keepalive_connections=conns)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        for _ in range(2):
            await asyncio.gather(*[client.get(f"{base}/api/health") for _ in range(20)])
        tasks = []
        start = time.perf_counter()
        for i, qr in enumerate(plan):
            delay = start + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(_scan(client, base, tokens[i % len(tokens)], qr, lat, results)))
        await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - start
    return {"scans": total, "elapsed": elapsed, "lat": lat, "results": results}


async def _race(base: str, tokens: list[str], tickets: list[dict]) -> dict:
    import httpx

    accepted_per_ticket = []
    results: dict[str, int] = {}
    async with httpx.AsyncClient(limits=httpx.Limits(max_connections=len(tokens) * 2), timeout=30) as client:
        for t in tickets:
            keys = await asyncio.gather(*[_scan(client, base, tok, t["qr"], None, results) for tok in tokens])
            accepted_per_ticket.append(sum(1 for k in keys if k == "accepted"))
    return {"tickets": len(tickets), "devices": len(tokens), "results": results,
            "accepted_per_ticket_min": min(accepted_per_ticket), "accepted_per_ticket_max": max(accepted_per_ticket),
            "exactly_one_accepted": all(n == 1 for n in accepted_per_ticket)}


def main() -> int:
    rate = common.env_int("SCANS_RATE", 200)
    seconds = common.env_int("SCANS_SECONDS", 10)
    n_devices = common.env_int("SCANS_DEVICES", 8)
    race_tickets = common.env_int("RACE_TICKETS", 20)
    race_devices = common.env_int("RACE_DEVICES", 25)
    engine = common.prepare_database()
    from sqlmodel import Session

    needed = int(rate * seconds * 0.75) + 50 + race_tickets
    with Session(engine, expire_on_commit=False) as session:
        seeded = common.seed_sale(session, quantity=needed + 10)
        common.log(f"issuing {needed} tickets")
        tickets = common.seed_paid_tickets(session, seeded, count=needed)
        tokens = [common.create_device(session, seeded, name=f"bench-{i}") for i in range(max(n_devices, race_devices))]
    with common.app_server() as base:
        common.log(f"scans: {rate}/s for {seconds}s over {n_devices} devices")
        db_name = engine.url.database
        probe = common.cpu_probe(db_name)
        load = asyncio.run(_load(base, tokens[:n_devices], tickets[race_tickets:], rate, seconds))
        spent = common.cpu_delta(probe, common.cpu_probe(db_name))
        common.log(f"race: {race_tickets} tickets × {race_devices} devices")
        race = asyncio.run(_race(base, tokens[:race_devices], tickets[:race_tickets]))
    ok = {"accepted", "already_scanned", "invalid"}
    figures = {
        "bench": "scans", "offered_per_s": rate, "seconds": seconds, "scans": load["scans"],
        "achieved_per_s": round(load["scans"] / load["elapsed"], 1),
        **common.percentiles(load["lat"]),
        "results": load["results"], "errors": sum(n for k, n in load["results"].items() if k not in ok),
        "race": race,
        # CPU seconds of the web processes, the bench database's PostgreSQL backends and the Redis server
        # (shared: an upper bound) during the open-loop load, and per scan
        "cpu_s": spent, "cpu_ms_per_scan": {k: round(1000 * v / max(1, load["scans"]), 3) for k, v in spent.items()},
    }
    common.emit(figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
