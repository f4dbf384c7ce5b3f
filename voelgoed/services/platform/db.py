"""Engine and sessions.

``get_engine()`` is built once per process from ``DATABASE_URL`` (PostgreSQL via psycopg 3, or the
embedded SQLite file). ``session_scope()`` yields a Session; services commit themselves.
Tests replace the engine with :func:`set_engine` (see tests/conftest.py).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event as sa_event
from sqlalchemy import exc
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

from voelgoed.config import get_settings

_engine: Engine | None = None
_session_override: Session | None = None


def make_engine(url: str | None = None, **kwargs) -> Engine:
    settings = get_settings()
    url = url or settings.effective_database_url
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    # database errors and SQL logs never carry bound parameters (buyer e-mails, token hashes…)
    kwargs.setdefault("hide_parameters", True)
    if url.startswith("sqlite"):
        settings.var_dir.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs)

        @sa_event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # pragma: no cover - trivial
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.close()

        return engine
    kwargs.setdefault("pool_size", settings.db_pool_size)
    kwargs.setdefault("max_overflow", settings.db_max_overflow)
    # No pre-ping (it cost a round trip on every checkout, ~5 % of a hold's CPU): connections are recycled
    # after DB_POOL_RECYCLE_S, and a connection the server dropped fails its first statement with an
    # OperationalError, which SQLAlchemy recognises as a disconnect (the pool is invalidated and refilled)
    # and the API answers 503 busy with Retry-After (api/errors.py) — once per pool, after a database restart.
    kwargs.setdefault("pool_pre_ping", False)
    kwargs.setdefault("pool_recycle", settings.db_pool_recycle_s)
    timeout = settings.db_lock_timeout_ms
    engine = create_engine(
        url,
        connect_args={"options": f"-c lock_timeout={timeout} -c statement_timeout={timeout * 10}"},
        **kwargs,
    )
    _guard_fork(engine)
    return engine


def _guard_fork(engine: Engine) -> None:
    """A pooled connection belongs to the process that opened it. Server processes that fork their workers
    after the app was imported (granian's default start method on Linux) would otherwise hand one socket to
    two processes, which then read each other's answers (``server sent data ("D" message) without prior row
    description``). SQLAlchemy's documented pattern ("Using Connection Pools with Multiprocessing or
    os.fork()"): a connection checked out in another process than its creator's is invalidated and replaced."""

    @sa_event.listens_for(engine, "connect")
    def _remember_pid(_dbapi_conn, record):
        record.info["pid"] = os.getpid()

    @sa_event.listens_for(engine, "checkout")
    def _check_pid(_dbapi_conn, record, proxy):
        pid = os.getpid()
        if record.info.get("pid", pid) != pid:
            record.dbapi_connection = proxy.dbapi_connection = None
            raise exc.DisconnectionError(f"connection opened in process {record.info['pid']}, checked out in {pid}")


def get_engine() -> Engine:
    global _engine
    if _engine is None:
        _engine = make_engine()
    return _engine


def set_engine(engine: Engine | None) -> None:
    global _engine
    _engine = engine


def is_postgres(session_or_engine) -> bool:
    bind = session_or_engine.get_bind() if hasattr(session_or_engine, "get_bind") else session_or_engine
    return bind.dialect.name == "postgresql"


def set_session_override(session: Session | None) -> None:
    """Tests only: make ``session_scope()`` yield this session (inside a rolled-back transaction)."""
    global _session_override
    _session_override = session


@contextmanager
def session_scope() -> Iterator[Session]:
    """A session for one use case; rolled back on error, closed at the end. Services commit."""
    if _session_override is not None:
        try:
            yield _session_override
        except Exception:
            _session_override.rollback()
            raise
        return
    session = Session(get_engine(), expire_on_commit=False)
    try:
        yield session
    except Exception:
        session.rollback()
        raise
    finally:
        session.close()
