"""The embedded default works for every persona: the buyer journey and the door (scanner + live
dashboard) journey, run once on what ``make run`` gives without ``DATABASE_URL`` and without Redis —
the SQLite file ``<VAR_DIR>/voelgoed.db``, jobs and the outbox drained inside the web process, Reflex
state without Redis, no worker.

The journeys are the very functions of ``test_buy_journey.py`` and ``test_scanner_journey.py``, called
with this app and a session on its SQLite file (one production build for both).
"""

from __future__ import annotations

import shutil

import pytest

from tests.e2e import test_buy_journey as buy
from tests.e2e import test_scanner_journey as door
from tests.e2e.conftest import ROOT
from voelgoed import devserver


@pytest.fixture(scope="module")
def embedded_app(tmp_path_factory):
    from voelgoed.cli import db_upgrade

    var = tmp_path_factory.mktemp("embedded-var")
    url = f"sqlite:///{var / 'voelgoed.db'}"
    db_upgrade(url)  # what `make run` does first (python -m voelgoed db upgrade)
    port = devserver.free_port()
    app_dir = ROOT / "var" / "e2e" / f"app-sqlite-{port}"
    env = {"DATABASE_URL": "", "REDIS_URL": "", "REFLEX_REDIS_URL": "", "VAR_DIR": str(var),
           "MAIL_DIR": str(var / "mail"), "MEDIA_DIR": str(var / "media"),
           "VOELGOED_ENV": "test", "SANDBOX_ENABLED": "1", "GRANIAN_WORKERS": "2"}
    try:
        with devserver.running_app(app_dir=app_dir, port=port, env_overrides=env, log_dir=ROOT / "var" / "e2e",
                                   fresh=True, loglevel="info", with_worker=False) as base:
            yield base, url, var
    except RuntimeError as exc:
        pytest.fail(str(exc))
    finally:
        shutil.rmtree(app_dir, ignore_errors=True)


@pytest.fixture
def sqlite_db(embedded_app):
    """A committing session on the app's SQLite file (the app sees its commits)."""
    from sqlmodel import Session

    from voelgoed.services.platform import db as dbmod

    eng = dbmod.make_engine(embedded_app[1])
    with Session(eng, expire_on_commit=False) as session:
        yield session
    eng.dispose()


@pytest.mark.e2e
def test_buyer_journey_on_the_embedded_default(embedded_app, sqlite_db, browser):
    base, _url, var = embedded_app
    context = browser.new_context(base_url=base, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20_000)
    try:
        buy.test_buyer_journey_from_event_page_to_paid_order(page, base, sqlite_db)
    finally:
        context.close()


@pytest.mark.e2e
def test_door_journey_on_the_embedded_default(embedded_app, sqlite_db, playwright_instance, browser, tmp_path):
    base, _url, _var = embedded_app
    door.test_scanner_online_offline_and_live_dashboard(base, sqlite_db, playwright_instance, browser, tmp_path)
