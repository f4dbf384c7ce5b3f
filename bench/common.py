"""Shared benchmark plumbing: a production-mode app server, its own database, seeding, percentiles.

Benchmarks are programs, not tests: each prints ONE JSON line of figures and exits 0.

- Database ``bench`` (``BENCH_DATABASE_URL``), created if missing, rebuilt from the migrations
  (``voelgoed.cli.db_upgrade``) at the start of each benchmark; Redis db 12 (``BENCH_REDIS_URL``).
- :func:`app_server` stages the app in ``var/bench/app`` (the ``.web`` build cache is kept between
  runs), starts ``reflex run --env prod`` (``GRANIAN_WORKERS`` granian workers, default 2 like ``make run``; Redis state manager) and
  ``python -m voelgoed worker`` the way ``tests/e2e/conftest.py`` does, waits for ``/api/health`` and
  ``/``, and stops both afterwards. ``BENCH_BASE_URL`` skips the start and uses a running server
  (it must share this process's ``SECRET_KEY``, database and Redis).
- Seeding inserts rows directly (like ``tests/factories.py``) and uses services where one exists
  (API keys, devices, ticket issuance).
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

BENCH_DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/bench")
BENCH_REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")
BENCH_SECRET = os.environ.get("BENCH_SECRET_KEY", "bench-secret-key-0123456789abcdefghijklmnopqrstuvwxyz")

# the benchmark process and the server must agree (signed tokens, database, Redis)
os.environ.update(
    DATABASE_URL=BENCH_DATABASE_URL,
    REDIS_URL=BENCH_REDIS_URL,
    SECRET_KEY=BENCH_SECRET,
    VOELGOED_ENV=os.environ.get("BENCH_VOELGOED_ENV", "prod"),
    HOLD_RATE_LIMIT=os.environ.get("BENCH_HOLD_RATE_LIMIT", "100000000/minute"),
    PUBLIC_RATE_LIMIT=os.environ.get("BENCH_PUBLIC_RATE_LIMIT", "100000000/minute"),
    SIGNIN_RATE_LIMIT="100000/minute",
    SANDBOX_ENABLED="1",  # benchmarks pay through the sandbox (off by default)
    # one load generator = one client address: the per-address hold caps and join limit would stop it after
    # five holds, so they are off here (0) unless a run sets them (docs/performance.md)
    HOLD_MAX_LIVE_PER_CLIENT=os.environ.get("BENCH_HOLD_MAX_LIVE_PER_CLIENT", "0"),
    HOLD_MAX_TICKETS_PER_CLIENT=os.environ.get("BENCH_HOLD_MAX_TICKETS_PER_CLIENT", "0"),
    WAITING_ROOM_JOIN_RATE_LIMIT=os.environ.get("BENCH_WAITING_ROOM_JOIN_RATE_LIMIT", "100000000/minute"),
    HOLD_TTL_SECONDS=os.environ.get("BENCH_HOLD_TTL_SECONDS", "3600"),
    DB_POOL_SIZE=os.environ.get("BENCH_DB_POOL_SIZE", "6"),
    DB_MAX_OVERFLOW=os.environ.get("BENCH_DB_MAX_OVERFLOW", "2"),
    # the server's worker processes, as scripts/run.sh sets them (Reflex's own default is 2 × cores + 1)
    GRANIAN_WORKERS=os.environ.get("GRANIAN_WORKERS", "2"),
    # threads per web process for the sync routes, as scripts/run.sh sets them (0: anyio's default 40)
    WEB_THREADS=os.environ.get("WEB_THREADS", "8"),
)

from voelgoed import devserver  # noqa: E402
from voelgoed.config import get_settings  # noqa: E402

get_settings.cache_clear()


def log(*args) -> None:
    """Progress goes to stderr; stdout carries only the one JSON line."""
    print(*args, file=sys.stderr, flush=True)


_LOAD_AT_START = os.getloadavg()


def emit(figures: dict) -> None:
    """Print the one JSON line, with the machine's CPU count and load (other work skews the figures)."""
    figures = {**figures, "machine": {"cpus": os.cpu_count(), "web_workers": int(os.environ["GRANIAN_WORKERS"]), "web_threads": int(os.environ.get("WEB_THREADS") or 0), "loadavg_at_start": [round(x, 2) for x in _LOAD_AT_START],
                                      "loadavg_at_end": [round(x, 2) for x in os.getloadavg()]},
               "at": datetime.now(UTC).isoformat(timespec="seconds")}
    print(json.dumps(figures, default=str), flush=True)


def percentiles(samples_s: list[float], ps=(50, 95, 99)) -> dict:
    """``{"p50_ms": …}`` (nearest-rank) for latencies given in seconds; empty input → None values."""
    out = {}
    data = sorted(samples_s)
    for p in ps:
        if not data:
            out[f"p{p}_ms"] = None
            continue
        k = max(0, min(len(data) - 1, int(round(p / 100 * len(data) + 0.5)) - 1))
        out[f"p{p}_ms"] = round(data[k] * 1000, 2)
    return out


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


# ---- database ------------------------------------------------------------------------------------

def prepare_database():
    """Create database ``bench`` if missing, rebuild its schema from the migrations, return an engine."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from voelgoed.cli import db_upgrade
    from voelgoed.services.platform import db as dbmod

    u = make_url(BENCH_DATABASE_URL)
    admin = create_engine(u.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": u.database}).scalar():
            conn.execute(text(f'CREATE DATABASE "{u.database}"'))
    admin.dispose()
    engine = dbmod.make_engine(BENCH_DATABASE_URL, pool_size=4, max_overflow=4)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    db_upgrade(BENCH_DATABASE_URL)
    dbmod.set_engine(engine)
    import redis

    redis.Redis.from_url(BENCH_REDIS_URL).flushdb()
    return engine


def psycopg_dsn() -> str:
    return BENCH_DATABASE_URL.replace("postgresql+psycopg://", "postgresql://")


def seed_sale(session, *, quantity: int, max_per_order: int = 10, waiting_room: bool = False,
              rate_per_minute: int = 600, gates: tuple[str, ...] = ("MAIN",)) -> dict:
    """An organisation, venue (gates), published on-sale event and one ticket type of ``quantity``.

    Returns ``{org_id, event_id, slug, ticket_type_id, api_key}``.
    """
    from voelgoed.models import Event, Gate, Organization, TicketType, Venue
    from voelgoed.services.accounts import apikeys

    suffix = uuid.uuid4().hex[:8]
    now = datetime.now(UTC)
    org = Organization(name=f"Bench {suffix}", slug=f"bench-{suffix}")
    session.add(org)
    session.flush()
    venue = Venue(organization_id=org.id, name="Bench Arena", city="Johannesburg", timezone="Africa/Johannesburg")
    session.add(venue)
    session.flush()
    for code in gates:
        session.add(Gate(organization_id=org.id, venue_id=venue.id, gate_code=code, name=f"Gate {code}"))
    event = Event(organization_id=org.id, venue_id=venue.id, name="Bench Flash Sale", slug=f"bench-sale-{suffix}",
                  status="published", starts_at=now + timedelta(days=1), ends_at=now + timedelta(days=1, hours=6),
                  sale_starts_at=now - timedelta(days=1), sale_ends_at=now + timedelta(days=1),
                  waiting_room_enabled=waiting_room, waiting_room_opens_at=now - timedelta(seconds=60) if waiting_room else None,
                  waiting_room_rate_per_minute=rate_per_minute, published_at=now)
    session.add(event)
    session.flush()
    tt = TicketType(organization_id=org.id, event_id=event.id, name="General", price_cents=35000, currency="ZAR",
                    quantity=quantity, max_per_order=max_per_order)
    session.add(tt)
    session.commit()
    _key, secret = apikeys.create_api_key(session, organization_id=org.id, name="bench")
    return {"org_id": str(org.id), "event_id": str(event.id), "slug": event.slug, "ticket_type_id": str(tt.id),
            "api_key": secret}


def seed_paid_tickets(session, seeded: dict, *, count: int, batch: int = 200) -> list[dict]:
    """``count`` issued tickets (paid orders of up to ``batch`` tickets, issued by ``tickets.issue_for_order``).

    Returns ``[{ticket_id, qr}]``.
    """
    from voelgoed.models import Order, OrderItem
    from voelgoed.services.platform import new_code, new_token
    from voelgoed.services.tickets import tickets

    out: list[dict] = []
    org_id, event_id, tt_id = (uuid.UUID(seeded[k]) for k in ("org_id", "event_id", "ticket_type_id"))
    left = count
    while left > 0:
        n = min(batch, left)
        order = Order(organization_id=org_id, event_id=event_id, order_code="VG-" + new_code(8),
                      access_token=new_token(16), status="paid", buyer_name="Bench Buyer",
                      buyer_email="bench@example.co.za", total_cents=35000 * n, paid_at=datetime.now(UTC))
        session.add(order)
        session.flush()
        session.add(OrderItem(organization_id=org_id, order_id=order.id, ticket_type_id=tt_id, quantity=n,
                              unit_price_cents=35000))
        session.flush()
        issued = tickets.issue_for_order(session, order)
        session.commit()
        out.extend({"ticket_id": str(t.id), "qr": t.qr_payload} for t in issued)
        left -= n
    return out


def create_device(session, seeded: dict, *, name: str, gate_code: str | None = "MAIN") -> str:
    """A scanner device token for the seeded event (``devices.create_device``)."""
    from voelgoed.services.gate import devices
    from voelgoed.services.platform import Actor, TenantContext

    ctx = TenantContext(uuid.UUID(seeded["org_id"]), Actor("system", "bench"), "admin")
    _device, token, _code = devices.create_device(session, ctx, event_id=uuid.UUID(seeded["event_id"]), name=name,
                                                  gate_code=gate_code)
    return token


# ---- the app server ------------------------------------------------------------------------------

@contextlib.contextmanager
def app_server(*, with_worker: bool = True):
    """Yield the base URL of a production-mode app (see the module docstring)."""
    if os.environ.get("BENCH_BASE_URL"):
        yield os.environ["BENCH_BASE_URL"].rstrip("/")
        return
    port = int(os.environ.get("BENCH_PORT") or devserver.free_port())
    overrides = {
        "REFLEX_REDIS_URL": BENCH_REDIS_URL, "DATABASE_URL": BENCH_DATABASE_URL, "REDIS_URL": BENCH_REDIS_URL,
        "SECRET_KEY": BENCH_SECRET, "MAIL_DIR": str(ROOT / "var/bench/mail"),
    }
    log_dir = ROOT / "var" / "bench"
    log(f"starting the app on :{port} (log: {log_dir / f'web-{port}.log'})")
    started = time.monotonic()
    with devserver.running_app(app_dir=log_dir / "app", port=port, env_overrides=overrides, log_dir=log_dir,
                               fresh=False, with_worker=with_worker, timeout_s=900) as base:
        log(f"app ready in {time.monotonic() - started:.1f}s")
        yield base


def cpu_probe(db_name: str):
    """CPU seconds so far of: the app's web processes (this process's children, the RQ worker excluded), the
    PostgreSQL backends connected to the bench database (pg_stat_activity), and the Redis server (shared with
    other work on this machine: an upper bound). ``None`` figures when psutil cannot see them."""
    import psutil
    import psycopg

    me = psutil.Process()
    workers = [p for p in me.children() if "worker" in " ".join(p.cmdline())]
    skip = {p.pid for w in workers for p in [w, *w.children(recursive=True)]}
    web = [p for p in me.children(recursive=True) if p.pid not in skip and "wrk" not in p.name()]

    def cpu(procs) -> dict[int, float]:
        out = {}
        for p in procs:
            try:
                t = p.cpu_times()
                out[p.pid] = t.user + t.system + t.children_user + t.children_system
            except Exception:
                pass
        return out

    with psycopg.connect(psycopg_dsn(), autocommit=True) as conn:
        pids = [r[0] for r in conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                                           (db_name,)).fetchall()]
    pg = []
    for pid in pids:
        try:
            pg.append(psutil.Process(pid))
        except Exception:
            pass
    redis = [p for p in psutil.process_iter(["name"]) if (p.info["name"] or "").startswith("redis-server")]
    return {"web": cpu(web), "postgres": cpu(pg), "redis": cpu(redis)}


def cpu_delta(before: dict, after: dict) -> dict:
    """Per part: CPU seconds between two probes (a process seen only at the end counts from zero)."""
    return {part: round(sum(v - before[part].get(pid, 0.0) for pid, v in after[part].items()), 3) for part in after}
