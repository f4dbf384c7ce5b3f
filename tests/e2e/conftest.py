"""Browser journeys: the real app in production mode + a real RQ worker + Debian's Chromium.

``live_app`` builds and starts ``reflex run --env prod`` once per test run, in its own directory
under ``var/e2e/`` (so several runs on one machine never share a `.web` build), against the test
PostgreSQL database and Redis database 13, plus ``python -m voelgoed worker``. ``browser`` is one
session-scoped Playwright Chromium (Playwright never downloads a browser here).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import TEST_DATABASE_URL, committing_session, truncate_all
from voelgoed import devserver

ROOT = Path(__file__).resolve().parents[2]
# Journeys save screenshots here; `UPDATE_SCREENSHOTS=1 make test` refreshes the ones in docs/ instead.
SHOTS = ROOT / ("docs/screenshots" if os.environ.get("UPDATE_SCREENSHOTS") == "1" else "var/e2e/screenshots")
E2E_REDIS_URL = os.environ.get("TEST_E2E_REDIS_URL", "redis://127.0.0.1:6379/13")
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic",
]


def _app_env_overrides() -> dict[str, str]:
    return {
        "DATABASE_URL": TEST_DATABASE_URL, "REDIS_URL": E2E_REDIS_URL, "REFLEX_REDIS_URL": E2E_REDIS_URL,
        "VOELGOED_ENV": "test", "SANDBOX_ENABLED": "1", "WEBHOOKS_ALLOW_PRIVATE": "true", "MAIL_DIR": os.environ.get("MAIL_DIR", str(ROOT / "var/e2e/mail")),
    }


@pytest.fixture(scope="session")
def live_app(engine):
    import redis

    redis.Redis.from_url(E2E_REDIS_URL).flushdb()
    truncate_all(engine)
    port = devserver.free_port()
    app_dir = ROOT / "var" / "e2e" / f"app-{port}"
    try:
        with devserver.running_app(app_dir=app_dir, port=port, env_overrides=_app_env_overrides(),
                                   log_dir=ROOT / "var" / "e2e", fresh=True, loglevel="info") as base:
            yield base
    except RuntimeError as exc:
        pytest.fail(str(exc))
    finally:
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
