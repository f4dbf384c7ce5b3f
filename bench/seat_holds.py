"""Seat-hold storm: N concurrent buyers grab seats on ONE seated event through the public API, next to the GA
hold rate in the same run (issue 12 "Performance"; style of ``bench/flash_sale.py``).

A production-mode server (``common.app_server``). For each concurrency level in ``SEATHOLD_CONCURRENCIES``
(default ``8,64``) a fresh on-sale seated event of ``SEATHOLD_SEATS`` seats (default 18,000: rows of 100, one
section, isolated-seat rule ``SEATHOLD_RULE``, default ``lenient``) gets ``SEATHOLD_ATTEMPTS`` (default 2,000)
hold attempts from that many concurrent asyncio clients (httpx). Every attempt is a new shopper (its own
``X-Forwarded-For`` address, trusted with ``TRUSTED_PROXY_HOPS=1``, so the per-buyer cap does not bite) and
either holds 1–6 random adjacent seats of a row (``POST …/seat-holds``) or, with probability
``SEATHOLD_BEST_SHARE`` (0.3), asks for best available ×1–6 (``POST …/seat-holds/best-available``). Holds are kept (none paid or
released), so the event fills up and the later attempts meet ``seat_held`` / ``sold_out``.

Per level: ``holds_per_s`` (successful holds / time to the last one), ``attempts_per_s``, latency p50/p95/p99
(all attempts), answers by status and error code (the conflicts by reason), errors (5xx, exceptions), and
the checks — client side: no seat key in two successful holds; in PostgreSQL: no ``event_seat`` key twice,
the held seats grouped by ``hold_id`` contain exactly the seats each 201 answer named (``double_held`` = seats
named by two answers or not held under their answer's hold = 0; a seat row has one ``hold_id``, so no seat
is held under two holds), ``sold`` = 0. ``held_without_answer`` counts seats of holds the server committed
whose answer the client never read (its ``ReadTimeout``s): not a double hold — nobody else got them. The GA baseline: the same number of attempts
at the same concurrency on a GA ticket type of the same size (``POST /holds``, flash_sale's request: one
ticket an attempt).

Env: SEATHOLD_CONCURRENCIES, SEATHOLD_ATTEMPTS, SEATHOLD_SEATS, SEATHOLD_BEST_SHARE, SEATHOLD_RULE,
SEATHOLD_SEED (random seed, 1). Prints one JSON line.
"""

from __future__ import annotations

import asyncio
import os
import random
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common  # noqa: E402
from bench.seating_builder import layout_for  # noqa: E402

os.environ["TRUSTED_PROXY_HOPS"] = "1"  # each attempt is its own shopper (X-Forwarded-For)


def seed_event(session, seats: int, rule: str, *, max_per_order: int = 10, max_per_buyer: int = 10) -> dict:
    """A seated on-sale event of ``seats`` (``layout_for``: rows of 100; categories std and vip mapped to ticket
    types); ``{slug, event_id, rows}``. Shared by ``bench/seat_map.py`` and ``bench/seat_push.py``."""
    from sqlmodel import select

    from voelgoed.models import TicketType, Venue
    from voelgoed.services.platform import Actor, TenantContext
    from voelgoed.services.seating import configure_seated_sales, create_plan, publish

    sale = common.seed_sale(session, quantity=0)
    org_id, event_id = uuid.UUID(sale["org_id"]), uuid.UUID(sale["event_id"])
    ctx = TenantContext(org_id, Actor("system", "bench"), "owner")
    vip = TicketType(organization_id=org_id, event_id=event_id, name="VIP", price_cents=90000, currency="ZAR", quantity=0)
    session.add(vip)
    session.commit()
    venue = session.exec(select(Venue).where(Venue.organization_id == org_id)).one()
    doc = layout_for(seats)
    plan = create_plan(session, ctx, venue_id=venue.id, name=f"{seats} seats", layout_doc=doc)
    version = publish(session, ctx, plan.id)["version"]
    configure_seated_sales(session, ctx, event_id=event_id, version_id=version["id"], isolated_rule=rule,
                           category_types={"std": sale["ticket_type_id"], "vip": str(vip.id)},
                           max_per_order=max_per_order, max_per_buyer=max_per_buyer)
    rows = [[s["key"] for s in row["seats"]] for row in doc["sections"][0]["rows"]]
    return {"slug": sale["slug"], "event_id": str(event_id), "rows": rows}


async def storm(base: str, ev: dict, attempts: int, concurrency: int, best_share: float, rng: random.Random) -> dict:
    import httpx

    lat: list[float] = []
    codes: dict[str, int] = {}
    holds: dict[str, list[str]] = {}       # hold id → seat keys (from the 201 answers)
    success_times: list[float] = []
    counter = 0
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    pair_url = f"{base}/api/v1/public/events/{ev['slug']}/seat-holds"
    best_url = pair_url + "/best-available"

    async def worker(client: httpx.AsyncClient):
        nonlocal counter
        while counter < attempts:
            counter += 1
            n = counter
            headers = {"X-Forwarded-For": f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"}
            size = rng.randint(1, 6)
            if rng.random() < best_share:
                url, body = best_url, {"quantity": size, "category": "std"}
            else:
                row = rng.choice(ev["rows"])
                i = rng.randrange(len(row) - size + 1)
                url, body = pair_url, {"seat_keys": row[i:i + size]}
            t0 = time.perf_counter()
            try:
                r = await client.post(url, json=body, headers=headers)
                key = str(r.status_code)
                if r.status_code == 201:
                    doc = r.json()
                    holds[doc["hold_id"]] = [s["key"] for s in doc["seats"]]
                elif r.status_code >= 400:
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

    async with httpx.AsyncClient(limits=limits, timeout=60) as client:
        for _ in range(3):
            await asyncio.gather(*[client.get(f"{base}/api/health") for _ in range(concurrency)])
        start = time.perf_counter()
        await asyncio.gather(*[worker(client) for _ in range(concurrency)])
        elapsed = time.perf_counter() - start
    to_last = (max(success_times) - start) if success_times else None
    return {"lat": lat, "codes": codes, "holds": holds, "elapsed": elapsed, "to_last": to_last}


def db_check(engine, event_id: str, holds: dict[str, list[str]]) -> dict:
    """The PostgreSQL side: duplicate seat rows, held seats by hold vs the 201 answers, sold seats."""
    from sqlalchemy import text

    with engine.connect() as conn:
        dup_rows = conn.execute(text("SELECT count(*) FROM (SELECT seat_key FROM event_seat WHERE event_id = :e "
                                     "GROUP BY seat_key HAVING count(*) > 1) d"), {"e": event_id}).scalar_one()
        by_hold = {str(h): set(keys) for h, keys in conn.execute(text(
            "SELECT hold_id, array_agg(seat_key) FROM event_seat WHERE event_id = :e AND status = 'held' "
            "GROUP BY hold_id"), {"e": event_id}).all()}
        sold = conn.execute(text("SELECT count(*) FROM event_seat WHERE event_id = :e AND status = 'sold'"),
                            {"e": event_id}).scalar_one()
    answered = [k for keys in holds.values() for k in keys]
    client_double = len(answered) - len(set(answered))
    missing = sum(len(set(keys) - by_hold.get(h, set())) for h, keys in holds.items())
    extra = sum(len(keys - set(holds.get(h, []))) for h, keys in by_hold.items())
    return {"seats_held_db": sum(len(v) for v in by_hold.values()), "seats_held_answers": len(answered),
            "double_held": client_double + missing, "held_without_answer": extra, "duplicate_seat_rows": dup_rows,
            "sold": sold}


def summarise(res: dict, attempts: int) -> dict:
    ok = len(res["holds"])
    errors = sum(n for k, n in res["codes"].items() if k.startswith(("5", "exception")))
    conflicts: dict[str, int] = {}
    for k, n in res["codes"].items():
        if k.startswith("4"):
            conflicts[k.split(":", 1)[-1]] = conflicts.get(k.split(":", 1)[-1], 0) + n
    return {"attempts": attempts, "holds": ok, "holds_per_s": round(ok / res["to_last"], 1) if res["to_last"] else 0,
            "attempts_per_s": round(attempts / res["elapsed"], 1), "elapsed_s": round(res["elapsed"], 2),
            "conflicts": dict(sorted(conflicts.items())), "errors": errors, "codes": res["codes"],
            **common.percentiles(res["lat"])}


def main() -> int:
    from sqlmodel import Session

    from bench.flash_sale import _run_attempts

    levels = [int(c) for c in os.environ.get("SEATHOLD_CONCURRENCIES", "8,64").split(",") if c.strip()]
    attempts = common.env_int("SEATHOLD_ATTEMPTS", 2000)
    seats = common.env_int("SEATHOLD_SEATS", 18000)
    best_share = float(os.environ.get("SEATHOLD_BEST_SHARE", "0.3"))
    rule = os.environ.get("SEATHOLD_RULE", "lenient")
    rng = random.Random(common.env_int("SEATHOLD_SEED", 1))
    engine = common.prepare_database()
    with Session(engine, expire_on_commit=False) as session:
        events = [seed_event(session, seats, rule) for _ in levels]
        ga = [common.seed_sale(session, quantity=seats, max_per_order=10) for _ in levels]
    out = []
    with common.app_server(with_worker=False) as base:
        for level, ev, ga_sale in zip(levels, events, ga, strict=True):
            res = asyncio.run(storm(base, ev, attempts, level, best_share, rng))
            row = {"concurrency": level, "seated": {**summarise(res, attempts), "check": db_check(engine, ev["event_id"], res["holds"])}}
            held = sum(len(k) for k in res["holds"].values())
            row["seated"]["seats_held_per_s"] = round(held / res["to_last"], 1) if res["to_last"] else 0
            ga_res = asyncio.run(_run_attempts(base, ga_sale["slug"], ga_sale["ticket_type_id"], attempts, level))
            ga_time = ga_res["sell_time"]
            row["ga"] = {"attempts": attempts, "holds": ga_res["successes"],
                         "holds_per_s": round(ga_res["successes"] / ga_time, 1) if ga_time else 0,
                         "codes": ga_res["codes"], **common.percentiles(ga_res["lat"])}
            if row["ga"]["holds_per_s"]:
                row["seated_over_ga_holds_per_s"] = round(row["seated"]["holds_per_s"] / row["ga"]["holds_per_s"], 2)
            common.log(f"concurrency {level}: {row}")
            out.append(row)
    common.emit({"bench": "seat_holds", "seats": seats, "attempts": attempts, "best_share": best_share,
                 "isolated_rule": rule, "levels": out,
                 "ok": all(r["seated"]["check"]["double_held"] == 0 and r["seated"]["check"]["duplicate_seat_rows"] == 0
                           for r in out)})
    return 0


if __name__ == "__main__":
    sys.exit(main())
