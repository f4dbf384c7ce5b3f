"""Browser journeys: the real app in production mode + a real RQ worker + Debian's Chromium.

``live_app`` builds and starts ``reflex run --env prod`` once per test run, in its own directory
under ``var/e2e/`` (so several runs on one machine never share a `.web` build), against the test
PostgreSQL database and Redis database 13, plus ``python -m voelgoed worker``. ``browser`` is one
session-scoped Playwright Chromium (Playwright never downloads a browser here).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import TEST_DATABASE_URL, committing_session, truncate_all

ROOT = Path(__file__).resolve().parents[2]
# Journeys save screenshots here; `UPDATE_SCREENSHOTS=1 make test` refreshes the ones in docs/ instead.
SHOTS = ROOT / ("docs/screenshots" if os.environ.get("UPDATE_SCREENSHOTS") == "1" else "var/e2e/screenshots")
E2E_REDIS_URL = os.environ.get("TEST_E2E_REDIS_URL", "redis://127.0.0.1:6379/13")
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _app_env(port: int) -> dict:
    env = dict(os.environ)
    env.update(
        PORT=str(port),
        BASE_URL=f"http://localhost:{port}",
        DATABASE_URL=TEST_DATABASE_URL,
        REDIS_URL=E2E_REDIS_URL,
        REFLEX_REDIS_URL=E2E_REDIS_URL,
        VOELGOED_ENV="test",
        REFLEX_CHECK_LATEST_VERSION="0",
        REFLEX_TELEMETRY_ENABLED="0",
        NPM_CONFIG_REGISTRY=os.environ.get("NPM_CONFIG_REGISTRY", "https://registry.npmjs.org/"),
        PATH=f"{ROOT / '.tools/bun/node_modules/.bin'}:{Path(sys.executable).parent}:{os.environ.get('PATH', '')}",
        PYTHONPATH=str(ROOT),
    )
    env.setdefault("MAIL_DIR", str(ROOT / "var/e2e/mail"))
    return env


def _stage_app_dir(port: int) -> Path:
    app_dir = ROOT / "var" / "e2e" / f"app-{port}"
    if app_dir.exists():
        shutil.rmtree(app_dir)
    app_dir.mkdir(parents=True)
    (app_dir / "voelgoed").symlink_to(ROOT / "voelgoed")
    shutil.copy(ROOT / "rxconfig.py", app_dir / "rxconfig.py")
    shutil.copytree(ROOT / "assets", app_dir / "assets")
    return app_dir


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=20)
        except Exception:
            os.killpg(proc.pid, signal.SIGKILL)


@pytest.fixture(scope="session")
def live_app(engine):
    import redis

    redis.Redis.from_url(E2E_REDIS_URL).flushdb()
    truncate_all(engine)
    port = _free_port()
    env = _app_env(port)
    app_dir = _stage_app_dir(port)
    log_dir = ROOT / "var" / "e2e"
    web_log = open(log_dir / f"web-{port}.log", "w")
    worker_log = open(log_dir / f"worker-{port}.log", "w")
    web = subprocess.Popen(
        [sys.executable, "-m", "reflex", "run", "--env", "prod", "--loglevel", "info"],
        cwd=app_dir, env=env, stdout=web_log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    worker = subprocess.Popen(
        [sys.executable, "-m", "voelgoed", "worker"], cwd=ROOT, env=env,
        stdout=worker_log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    base = f"http://localhost:{port}"
    deadline = time.monotonic() + 600
    ok = False
    while time.monotonic() < deadline and web.poll() is None:
        try:
            if httpx.get(base + "/api/health", timeout=2).status_code == 200 and httpx.get(base + "/", timeout=5).status_code == 200:
                ok = True
                break
        except httpx.HTTPError:
            pass
        time.sleep(1)
    if not ok:
        _stop(web)
        _stop(worker)
        pytest.fail("the app did not start; see " + str(log_dir / f"web-{port}.log") + "\n" + (log_dir / f"web-{port}.log").read_text()[-3000:])
    yield base
    _stop(web)
    _stop(worker)
    shutil.rmtree(app_dir, ignore_errors=True)


@pytest.fixture
def app_db(live_app, engine):
    """A committing session for arranging data the running app will see; truncated afterwards."""
    with committing_session(engine) as session:
        yield session


@pytest.fixture(scope="session")
def playwright_instance():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(playwright_instance, tmp_path_factory):
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    extra = os.environ.get("E2E_CHROMIUM_ARGS", "").split()
    b = playwright_instance.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS + extra)
    yield b
    b.close()


@pytest.fixture
def page(browser, live_app):
    context = browser.new_context(base_url=live_app, viewport={"width": 1280, "height": 900})
    p = context.new_page()
    p.set_default_timeout(20_000)
    yield p
    context.close()
