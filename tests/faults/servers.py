"""Private servers and the app as real processes, for the fault tests (never the machine's shared ones).

- :class:`PrivateRedis`: ``redis-server --port N --save ''`` that a test stops (SIGKILL) and starts again.

- :class:`PrivatePostgres`: its own cluster (``initdb``) in a temp dir, on a free port, ``fsync=off``;
  run as the ``postgres`` user when the tests run as root (PostgreSQL refuses root). ``restart()`` is
  ``pg_ctl restart -m fast``; ``terminate_app_connections()`` is ``pg_terminate_backend`` of every
  backend of the app's database.
- :class:`AppStack`: the API (``uvicorn --factory voelgoed.api:create_api``: the very FastAPI app that
  ``voelgoed.py`` mounts into Reflex, with production session handling) plus ``python -m voelgoed worker``,
  each in its own process group. ``ensure_worker()`` plays the process supervisor (systemd
  ``Restart=always``): a worker that exited is started again.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import redis
from sqlalchemy import create_engine, text

from tests.outbox_helpers import free_port
from voelgoed import devserver

ROOT = Path(__file__).resolve().parents[2]
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))


class PrivateRedis:
    def __init__(self):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen([shutil.which("redis-server") or "redis-server", "--port", str(self.port),
                                      "--save", "", "--appendonly", "no", "--bind", "127.0.0.1"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        end = time.monotonic() + 20
        while time.monotonic() < end:
            try:
                if redis.Redis.from_url(self.url, socket_connect_timeout=0.2).ping():
                    return
            except redis.RedisError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(timeout=10)
            self.proc = None


class PrivatePostgres:
    def __init__(self, database: str = "voelgoed"):
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="vg-faults-pg-"))
        self.data = self.dir / "data"
        self.database = database
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"
        self.admin_url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")

    def _run(self, *args: str, timeout: float = 120) -> None:
        cmd = [str(PG_BIN / args[0]), *args[1:]]
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=self.dir)
        if done.returncode != 0:
            log = (self.dir / "server.log")
            raise RuntimeError(f"{args[0]} failed: {done.stdout}{done.stderr}\n"
                               + (log.read_text()[-2000:] if log.exists() else ""))

    def _options(self) -> str:
        return (f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.dir} -c fsync=off "
                "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200")

    def start(self) -> None:
        if not self.data.exists():
            self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8",
                      "--locale=C", "--no-sync")
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.dir / "server.log"), "-w", "-t", "60",
                  "-o", self._options(), "start")
        admin = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            if not conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": self.database}).scalar():
                conn.execute(text(f'CREATE DATABASE "{self.database}"'))
        admin.dispose()

    def restart(self) -> None:
        """``pg_ctl restart -m fast``: every session is ended, the server is down for a moment."""
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.dir / "server.log"), "-w", "-t", "60",
                  "-m", "fast", "-o", self._options(), "restart")

    def terminate_app_connections(self) -> int:
        """``pg_terminate_backend`` of every backend connected to the app's database → how many."""
        admin = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as conn:
                return len(conn.execute(text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :n AND pid <> pg_backend_pid()"), {"n": self.database}).all())
        finally:
            admin.dispose()

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            try:
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop", timeout=60)
            except RuntimeError:
                pass
        shutil.rmtree(self.dir, ignore_errors=True)


class AppStack:
    """The API server and a worker against ``database_url`` / ``redis_url``; logs under ``workdir``."""

    def __init__(self, workdir: Path, *, database_url: str, redis_url: str, extra_env: dict[str, str] | None = None):
        self.workdir = workdir
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.mail_dir = workdir / "mail"
        self.env = dict(
            os.environ, DATABASE_URL=database_url, REDIS_URL=redis_url, PYTHONPATH=str(ROOT),
            BASE_URL=self.base, VOELGOED_ENV="test", SANDBOX_ENABLED="1", SMTP_HOST="",
            MAIL_DIR=str(self.mail_dir), MEDIA_DIR=str(workdir / "media"), VAR_DIR=str(workdir / "var"),
            HOUSEKEEPING_INTERVAL_SECONDS="1", OUTBOX_LEASE_SECONDS="4",
            HOLD_RATE_LIMIT="100000/minute", PUBLIC_RATE_LIMIT="100000/minute",
            # every simulated buyer comes from 127.0.0.1: the per-address hold caps would stop them after 5 holds
            HOLD_MAX_LIVE_PER_CLIENT="0", HOLD_MAX_TICKETS_PER_CLIENT="0",
        )
        self.env.update(extra_env or {})
        self.api: subprocess.Popen | None = None
        self.worker: subprocess.Popen | None = None
        self.worker_starts = 0

    def _spawn(self, args: list[str], log_name: str) -> subprocess.Popen:
        log = open(self.workdir / log_name, "a")
        return subprocess.Popen(args, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def start(self) -> None:
        self.api = self._spawn([sys.executable, "-m", "uvicorn", "--factory", "voelgoed.api:create_api",
                                "--host", "127.0.0.1", "--port", str(self.port), "--log-level", "warning"], "api.log")
        self.ensure_worker()
        end = time.monotonic() + 60
        while time.monotonic() < end:
            if self.api.poll() is not None:
                break
            try:
                if httpx.get(self.base + "/api/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError("the API did not start:\n" + self.log("api.log"))

    def ensure_worker(self) -> None:
        if self.worker is None or self.worker.poll() is not None:
            self.worker = self._spawn([sys.executable, "-m", "voelgoed", "worker"], "worker.log")
            self.worker_starts += 1

    def log(self, name: str) -> str:
        path = self.workdir / name
        return path.read_text()[-4000:] if path.exists() else ""

    def stop(self) -> None:
        for proc in (self.api, self.worker):
            if proc is not None:
                devserver.stop(proc)
