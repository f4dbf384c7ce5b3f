"""Flash sale: N concurrent HTTP clients make M hold attempts on Q tickets through the public API.

``POST /api/v1/public/events/{slug}/holds`` (api-v1.md) on a production-mode server; one ticket
per attempt. Afterwards the DATABASE is checked for overselling. In the same run the database's own
ceiling for the same work is measured: durable (synchronous_commit on) single-row conditional
``UPDATE … SET n = n - 1 WHERE id = 1 AND n >= 1`` autocommits per second from several psycopg
connections (threads) on one hot row — the statement every hold needs — and the ratio is printed.

Load generator (FLASH_CLIENT): ``wrk`` (default when Debian's ``wrk`` is installed; ``scripts/bench.sh``
installs it) — a C client driven by ``bench/wrk/requests.lua`` (same body every attempt, stops after
the quota, counts status codes with the API's error code) that leaves the two cores to the server;
``httpx`` — the previous asyncio client (about 1 ms of CPU per request in this process). Both use
FLASH_CONCURRENCY connections, and the ``/ping`` floor is measured with the same client.
``holds_per_s`` = successful holds / time from the start of the load to the last hold's
``created_at`` (wrk) or last 201 answer (httpx).

Env: FLASH_ATTEMPTS (default 4000), FLASH_TICKETS (400), FLASH_CONCURRENCY (8),
FLASH_CONCURRENCIES (e.g. ``8,64,256``: several levels in ONE run, each on a fresh event with the same
tickets and attempts; overrides FLASH_CONCURRENCY), CEILING_SECONDS (5), CEILING_CONNECTIONS (8).
The ceiling is measured twice: the Python loop above (comparable with earlier runs) and ``pgbench``
(C client, prepared statement) when installed. With ``wrk``, each level also reports the CPU seconds of
the web processes, the PostgreSQL backends of the bench database and the Redis server (shared with other
work on the machine: an upper bound) and CPU ms per attempt. Full target: FLASH_ATTEMPTS=20000 FLASH_TICKETS=2000.
FLASH_WAITING_ROOM=1: the event's waiting room is on (opened a minute ago, 1,000,000/min, so
everyone is admitted at once); each attempt first joins the queue and sends the pass it gets as
``X-Waiting-Room-Pass`` (latency = join + hold).
Prints one JSON line.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common  # noqa: E402


async def _run_attempts(base: str, slug: str, tt_id: str, attempts: int, concurrency: int,
                        waiting_room: bool = False) -> dict:
    import httpx

    url = f"{base}/api/v1/public/events/{slug}/holds"
    body = {"items": [{"ticket_type_id": tt_id, "quantity": 1}]}
    lat: list[float] = []
    codes: dict[str, int] = {}
    success_times: list[float] = []
    next_i = 0
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)

    async def worker(client: httpx.AsyncClient):
        nonlocal next_i
        while next_i < attempts:
            next_i += 1
            t0 = time.perf_counter()
            try:
                headers = None
                if waiting_room:  # join the queue (admitted at once: the room opened long enough ago) → pass
                    joined = await client.post(f"{base}/api/v1/public/events/{slug}/queue", json={})
                    headers = {"X-Waiting-Room-Pass": joined.json().get("pass") or ""}
                r = await client.post(url, json=body, headers=headers)
                key = str(r.status_code)
                if r.status_code >= 400:
                    try:
                        key += ":" + r.json()["error"]["code"]
                    except Exception:
                        key += ":?"
            except httpx.HTTPError as exc:
                key = "exception:" + type(exc).__name__
            t1 = time.perf_counter()
            lat.append(t1 - t0)
            codes[key] = codes.get(key, 0) + 1
            if key == "201":
                success_times.append(t1)

    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        # warm the connection pool (and each worker's DB pool) without buying
        for _ in range(3):
            await asyncio.gather(*[client.get(f"{base}/api/health") for _ in range(concurrency)])
        start = time.perf_counter()
        await asyncio.gather(*[worker(client) for _ in range(concurrency)])
        elapsed = time.perf_counter() - start
    sell_time = (max(success_times) - start) if success_times else None
    return {"lat": lat, "codes": codes, "elapsed": elapsed, "sell_time": sell_time, "successes": len(success_times)}


async def _web_floor(base: str, n: int, concurrency: int) -> dict:
    """The web tier's own ceiling at the same concurrency: Reflex's trivial ``GET /ping`` (no DB, no Redis)."""
    import httpx

    lat: list[float] = []
    it = iter(range(n))
    async with httpx.AsyncClient(limits=httpx.Limits(max_connections=concurrency), timeout=30) as client:
        async def worker():
            for _ in it:
                t0 = time.perf_counter()
                await client.get(f"{base}/ping")
                lat.append(time.perf_counter() - t0)

        start = time.perf_counter()
        await asyncio.gather(*[worker() for _ in range(concurrency)])
        elapsed = time.perf_counter() - start
    return {"requests": n, "req_per_s": round(n / elapsed, 1), **common.percentiles(lat)}


WRK_SCRIPT = Path(__file__).resolve().parent / "wrk" / "requests.lua"


def _wrk(base: str, path: str, body: str, total: int, concurrency: int) -> dict:
    """Run ``wrk`` until about ``total`` answers (the quota is split over its threads); its JSON summary."""
    threads = max(1, min(2, concurrency))
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "wrk.json"
        env = {**os.environ, "WRK_PATH": path, "WRK_BODY": body, "WRK_PER_THREAD": str(-(-total // threads)),
               "WRK_OUT": str(out)}
        t0 = time.time()
        proc = subprocess.Popen(["wrk", "-t", str(threads), "-c", str(concurrency), "-d", "900s", "--timeout", "30s",
                                 "-s", str(WRK_SCRIPT), base + path], env=env, stdout=subprocess.DEVNULL)
        while proc.poll() is None and len(list(Path(tmp).glob("wrk.json.done*"))) < threads:
            time.sleep(0.02)
        elapsed = time.time() - t0
        proc.send_signal(signal.SIGINT)  # wrk sleeps for its whole duration otherwise; SIGINT → done() → summary
        proc.wait(timeout=60)
        res = json.loads(out.read_text())
    codes: dict[str, int] = {}
    for key, n in res.pop("counts").items():
        code = key.split("|", 1)[1]
        codes[code] = codes.get(code, 0) + n
    return {**res, "codes": codes, "started_at": t0, "elapsed": elapsed}


def _run_attempts_wrk(base: str, slug: str, tt_id: str, event_id: str, attempts: int, concurrency: int) -> dict:
    import httpx
    import psycopg

    with httpx.Client(timeout=10) as warm:  # warm each worker's DB pool without buying (pools are ≤ 16 each)
        for _ in range(3 * min(concurrency, 16)):
            warm.get(f"{base}/api/health")
    body = json.dumps({"items": [{"ticket_type_id": tt_id, "quantity": 1}]})
    res = _wrk(base, f"/api/v1/public/events/{slug}/holds", body, attempts, concurrency)
    with psycopg.connect(common.psycopg_dsn()) as conn:
        last = conn.execute("SELECT extract(epoch FROM max(created_at)) FROM hold WHERE event_id = %s", (event_id,)).fetchone()[0]
    successes = res["codes"].get("201", 0)
    sell_time = (float(last) - res["started_at"]) if last is not None else None
    return {"codes": res["codes"], "elapsed": res["elapsed"], "sell_time": sell_time, "successes": successes,
            "answers": sum(res["codes"].values()), "latency": {k: res[k] for k in ("p50_ms", "p95_ms", "p99_ms", "max_ms")},
            "socket_errors": res["errors"]}


def _web_floor_wrk(base: str, n: int, concurrency: int) -> dict:
    res = _wrk(base, "/ping", "", n, concurrency)
    answers = sum(res["codes"].values())
    return {"client": "wrk", "requests": answers, "req_per_s": round(answers / res["elapsed"], 1),
            **{k: res[k] for k in ("p50_ms", "p95_ms", "p99_ms")}}


def _oversold_in_db(tt_id: str) -> dict:
    import psycopg

    with psycopg.connect(common.psycopg_dsn()) as conn:
        q, sold, held = conn.execute("SELECT quantity, sold_count, held_count FROM tickettype WHERE id = %s",
                                     (tt_id,)).fetchone()
        holding = conn.execute(
            "SELECT coalesce(sum(hi.quantity), 0) FROM holditem hi JOIN hold h ON h.id = hi.hold_id "
            "WHERE hi.ticket_type_id = %s AND h.status IN ('active', 'converted', 'completed')", (tt_id,)).fetchone()[0]
    return {"quantity": q, "sold_count": sold, "held_count": held, "units_in_live_holds": int(holding),
            "oversold": max(0, int(holding) - q, sold + held - q)}


def db_ceiling(seconds: float, connections: int) -> dict:
    """Durable single-row conditional updates per second over ``connections`` autocommit connections."""
    import psycopg

    dsn = common.psycopg_dsn()
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_ceiling")
        conn.execute("CREATE TABLE bench_ceiling (id int PRIMARY KEY, available int NOT NULL)")
        conn.execute("INSERT INTO bench_ceiling VALUES (1, 1000000000)")
    counts = [0] * connections
    stop = time.perf_counter() + seconds

    def loop(i: int):
        with psycopg.connect(dsn, autocommit=True) as c:
            c.execute("SET synchronous_commit = on")
            cur = c.cursor()
            n = 0
            while time.perf_counter() < stop:
                cur.execute("UPDATE bench_ceiling SET available = available - 1 WHERE id = 1 AND available >= %s", (1,))
                n += cur.rowcount
            counts[i] = n

    threads = [threading.Thread(target=loop, args=(i,)) for i in range(connections)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_ceiling")
    return {"updates": sum(counts), "seconds": round(elapsed, 2), "updates_per_s": round(sum(counts) / elapsed, 1),
            "connections": connections}


def pgbench_ceiling(seconds: float, connections: int) -> dict | None:
    """The same ceiling measured by ``pgbench`` (C client, ``-M prepared``): durable conditional single-row
    updates per second on one hot row; None when pgbench is not installed."""
    import psycopg

    exe = shutil.which("pgbench")
    if not exe:
        return None
    dsn = common.psycopg_dsn()
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_ceiling_pgb")
        conn.execute("CREATE TABLE bench_ceiling_pgb (id int PRIMARY KEY, available int NOT NULL)")
        conn.execute("INSERT INTO bench_ceiling_pgb VALUES (1, 1000000000)")
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "hot.sql"
        script.write_text("UPDATE bench_ceiling_pgb SET available = available - 1 WHERE id = 1 AND available >= 1;\n")
        env = {**os.environ, "PGOPTIONS": "-c synchronous_commit=on"}
        out = subprocess.run([exe, "-n", "-M", "prepared", "-f", str(script), "-c", str(connections), "-j", "2",
                              "-T", str(max(1, int(seconds))), dsn], capture_output=True, text=True, env=env, timeout=120)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_ceiling_pgb")
    tps = None
    for line in out.stdout.splitlines():
        if line.startswith("tps ="):
            tps = float(line.split()[2])
    return {"updates_per_s": tps, "connections": connections, "seconds": seconds, "client": "pgbench"}


def run_level(base: str, concurrency: int, attempts: int, tickets: int, client: str, waiting_room: bool,
              engine, db_name: str) -> dict:
    """One concurrency level on a fresh event with ``tickets`` tickets: the load, the oversell check, CPU."""
    from sqlmodel import Session

    with Session(engine, expire_on_commit=False) as session:
        seeded = common.seed_sale(session, quantity=tickets, max_per_order=10, waiting_room=waiting_room,
                                  rate_per_minute=1_000_000)
    common.log(f"flash sale: {attempts} attempts, {tickets} tickets, {concurrency} connections ({client})")
    probe = None
    if client == "wrk":
        with contextlib.suppress(Exception):
            probe = common.cpu_probe(db_name)
        res = _run_attempts_wrk(base, seeded["slug"], seeded["ticket_type_id"], seeded["event_id"], attempts, concurrency)
    else:
        res = asyncio.run(_run_attempts(base, seeded["slug"], seeded["ticket_type_id"], attempts, concurrency,
                                        waiting_room))
        res["latency"] = common.percentiles(res["lat"])
        res["answers"] = attempts
    cpu = None
    if probe is not None:
        with contextlib.suppress(Exception):
            spent = common.cpu_delta(probe, common.cpu_probe(db_name))
            cpu = {"cpu_s": spent, "cpu_ms_per_attempt": {k: round(1000 * v / max(1, res["answers"]), 3) for k, v in spent.items()}}
    check = _oversold_in_db(seeded["ticket_type_id"])
    ok_codes = {"201", "409:sold_out", "409:insufficient_inventory"}
    errors = sum(n for k, n in res["codes"].items() if k not in ok_codes)
    errors += sum(v for k, v in res.get("socket_errors", {}).items() if k != "status")  # wrk: connect/read/write/timeout
    holds_per_s = res["successes"] / res["sell_time"] if res["sell_time"] else 0.0
    return {"concurrency": concurrency, "attempts": res["answers"], "successful_holds": res["successes"],
            "seconds": round(res["elapsed"], 2), "attempts_per_s": round(res["answers"] / res["elapsed"], 1),
            "holds_per_s": round(holds_per_s, 1), **res["latency"], "errors": errors, "status_counts": res["codes"],
            "oversold": check["oversold"], "db_check": check, **({"cpu": cpu} if cpu else {})}


def main() -> int:
    attempts = common.env_int("FLASH_ATTEMPTS", 4000)
    tickets = common.env_int("FLASH_TICKETS", 400)
    levels_env = os.environ.get("FLASH_CONCURRENCIES")
    if levels_env:
        levels = [int(x) for x in levels_env.replace(" ", "").split(",") if x]
    else:
        levels = [common.env_int("FLASH_CONCURRENCY", 8)]
    waiting_room = os.environ.get("FLASH_WAITING_ROOM", "0") == "1"
    client = os.environ.get("FLASH_CLIENT") or ("wrk" if shutil.which("wrk") and not waiting_room else "httpx")
    engine = common.prepare_database()
    db_name = engine.url.database
    results = []
    with common.app_server() as base:
        for concurrency in levels:
            results.append(run_level(base, concurrency, attempts, tickets, client, waiting_room, engine, db_name))
        if client == "wrk":
            floor = _web_floor_wrk(base, min(attempts, 5000), levels[0])
        else:
            floor = asyncio.run(_web_floor(base, min(attempts, 2000), levels[0]))
    common.log("measuring the database ceiling")
    ceiling_conns = common.env_int("CEILING_CONNECTIONS", 8)
    ceiling_s = float(common.env_int("CEILING_SECONDS", 5))
    ceiling = db_ceiling(ceiling_s, ceiling_conns)
    pgb = pgbench_ceiling(ceiling_s, ceiling_conns)
    ceil_ups = ceiling["updates_per_s"]
    for r in results:
        r["ratio_holds_to_ceiling"] = round(r["holds_per_s"] / ceil_ups, 3) if ceil_ups else None
        r["ratio_attempts_to_ceiling"] = round(r["attempts_per_s"] / ceil_ups, 3) if ceil_ups else None
        if pgb and pgb["updates_per_s"]:
            r["ratio_holds_to_pgbench_ceiling"] = round(r["holds_per_s"] / pgb["updates_per_s"], 3)
    first = results[0]
    figures = {
        "bench": "flash_sale", "client": client, "waiting_room": waiting_room, "tickets": tickets,
        "attempts_per_level": attempts, "levels": results,
        "web_floor_ping": floor, "db_ceiling_updates_per_s": ceil_ups, "db_ceiling": ceiling, "db_ceiling_pgbench": pgb,
        "oversold": sum(r["oversold"] for r in results), "errors": sum(r["errors"] for r in results),
        # the first level's figures at the top level, as before (one level = the old single-run line)
        **{k: first[k] for k in ("concurrency", "attempts", "successful_holds", "seconds", "attempts_per_s", "holds_per_s",
                                 "p50_ms", "p95_ms", "p99_ms", "ratio_holds_to_ceiling", "ratio_attempts_to_ceiling")},
    }
    if len(results) > 1:
        figures["ratios_to_first_level"] = {
            str(r["concurrency"]): {"holds": round(r["holds_per_s"] / first["holds_per_s"], 3) if first["holds_per_s"] else None,
                                    "attempts": round(r["attempts_per_s"] / first["attempts_per_s"], 3)
                                    if first["attempts_per_s"] else None}
            for r in results[1:]}
    common.emit(figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
