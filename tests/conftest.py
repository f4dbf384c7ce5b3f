"""Test fixtures on the machine's real PostgreSQL and Redis.

Defaults: ``TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test`` and
``TEST_REDIS_URL=redis://127.0.0.1:6379/15``. The schema is rebuilt with the Alembic migrations at
the start of the run (so every run also proves the migrations work).

- ``db``: a Session in an outer transaction that is rolled back after the test
  (``join_transaction_mode="create_savepoint"``: service commits become savepoints). While it is
  active, ``session_scope()`` (used by jobs) yields the same session.
  **In a test that uses ``client``** the API must run exactly as in production, so ``db`` is instead
  an engine-bound Session whose commits are real; every request through ``client`` first commits
  ``db`` (what the test arranged) and afterwards expires it (the test reads what the API committed),
  the routes' ``session_scope()`` opens its own sessions on the engine (real commits, the PostgreSQL
  autocommit fast path, a missing commit is lost as it would be in production), and every table is
  emptied after the test.
- ``committed_db``: for concurrency, worker and browser tests that need real commits seen by other
  connections or processes; every table is emptied afterwards.
- ``client``: a FastAPI TestClient on the API (production session handling, see ``db``).
- ``redis_client``: the test Redis database, flushed before and after the test.
"""

from __future__ import annotations

import os
from contextlib import contextmanager

import pytest

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")

os.environ["DATABASE_URL"] = TEST_DATABASE_URL
os.environ["REDIS_URL"] = TEST_REDIS_URL
os.environ.setdefault("VOELGOED_ENV", "test")
os.environ.setdefault("SECRET_KEY", "test-secret-key-0123456789abcdef0123456789")
os.environ.setdefault("HOLD_RATE_LIMIT", "100000/minute")
os.environ.setdefault("PUBLIC_RATE_LIMIT", "100000/minute")
os.environ.setdefault("SIGNIN_RATE_LIMIT", "1000/minute")
os.environ.setdefault("SANDBOX_ENABLED", "1")  # off by default; tests that need it off monkeypatch it
os.environ.setdefault("SIGNIN_ACCOUNT_RATE_LIMIT", "1000/minute")

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlmodel import Session, SQLModel  # noqa: E402

from voelgoed.config import get_settings  # noqa: E402

get_settings.cache_clear()


def _ensure_database(url: str) -> None:
    u = make_url(url)
    admin = create_engine(u.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": u.database}).scalar()
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{u.database}"'))
    admin.dispose()


@pytest.fixture(scope="session")
def engine():
    from voelgoed.cli import db_upgrade
    from voelgoed.services.platform import db as dbmod
    from voelgoed.services.platform import redis_conn

    _ensure_database(TEST_DATABASE_URL)
    eng = dbmod.make_engine(TEST_DATABASE_URL)
    with eng.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    db_upgrade(TEST_DATABASE_URL)
    dbmod.set_engine(eng)
    redis_conn.reset()
    yield eng
    dbmod.set_engine(None)
    eng.dispose()


def truncate_all(eng) -> None:
    """Empty every table (DELETE children first: ~30x faster than TRUNCATE on the few rows tests leave).

    A live app (the browser tests' server, a worker) may still commit a row — an audit entry of a request that
    was in flight — between the child and the parent DELETE; the parent's foreign key then refuses. The whole
    transaction is rolled back and run again (at most 3 times), so the stray row is deleted too."""
    from sqlalchemy.exc import IntegrityError

    import voelgoed.models  # noqa: F401

    for attempt in range(3):
        try:
            with eng.begin() as conn:
                for table in reversed(SQLModel.metadata.sorted_tables):
                    conn.execute(table.delete())
            return
        except IntegrityError:
            if attempt == 2:
                raise


@contextmanager
def committing_session(eng):
    """A Session whose commits are real (seen by other connections/processes); every table truncated afterwards."""
    session = Session(eng, expire_on_commit=False)
    try:
        yield session
    finally:
        session.close()
        truncate_all(eng)


@pytest.fixture
def db(engine, request):
    from voelgoed.services.platform import db as dbmod

    if "client" in request.fixturenames:  # API tests: production session handling (see the module docstring)
        truncate_all(engine)
        with committing_session(engine) as session:
            yield session
        return
    connection = engine.connect()
    outer = connection.begin()
    session = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    dbmod.set_session_override(session)
    try:
        yield session
    finally:
        dbmod.set_session_override(None)
        session.close()
        outer.rollback()
        connection.close()


@pytest.fixture
def committed_db(engine):
    """Real commits (visible to other connections/processes); all tables truncated afterwards."""
    truncate_all(engine)
    with committing_session(engine) as session:
        yield session


@pytest.fixture
def redis_client(engine):
    import redis

    from voelgoed.services.platform import redis_conn

    client = redis.Redis.from_url(TEST_REDIS_URL)
    client.flushdb()
    redis_conn.reset()
    yield client
    client.flushdb()
    redis_conn.reset()


@pytest.fixture
def client(db, redis_client):
    """A FastAPI TestClient on the API; its routes use their own engine-bound sessions as in production.
    Each request commits ``db`` first and expires it afterwards (see the module docstring)."""
    from fastapi.testclient import TestClient

    from voelgoed.api import create_api

    class _CommittingClient(TestClient):
        def request(self, *args, **kwargs):
            db.commit()
            try:
                return super().request(*args, **kwargs)
            finally:
                db.expire_all()

    with _CommittingClient(create_api(), raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def live_client(committed_db, redis_client):
    """A TestClient whose requests commit for real (for tests that also use other connections)."""
    from fastapi.testclient import TestClient

    from voelgoed.api import create_api

    with TestClient(create_api(), raise_server_exceptions=False) as c:
        yield c


# Paystack, played by a local stand-in that follows its published API and signature scheme
# (tests/paystack_standin.py); test modules that need more set-up define their own ``paystack``.
@pytest.fixture(scope="module")
def standin():
    from tests.paystack_standin import PaystackStandIn

    server = PaystackStandIn().start()
    yield server
    server.stop()


@pytest.fixture
def paystack(standin, monkeypatch):
    """The deployment configured for Paystack against the stand-in; returns the stand-in."""
    settings = get_settings()
    monkeypatch.setattr(settings, "paystack_secret_key", standin.secret_key)
    monkeypatch.setattr(settings, "paystack_base_url", standin.base_url)
    monkeypatch.setattr(settings, "payment_provider", "paystack")
    return standin
