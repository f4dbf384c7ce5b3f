"""Engine and sessions.

``get_engine()`` is built once per process from ``DATABASE_URL`` (PostgreSQL via psycopg 3, or the
embedded SQLite file). ``session_scope()`` yields a Session; services commit themselves.
Tests replace the engine with :func:`set_engine` (see tests/conftest.py).

Processes that fork: the web server (granian, started by ``reflex run --env prod``) imports the app in
its supervisor, where ``create_api()`` runs the start-up check (``runtime.ensure_safe_start``, a query),
and only then forks its workers; the RQ worker forks a work horse per job. A pooled connection is a
socket plus client-side protocol state, so a pool inherited by two processes lets both speak on one
server session at once (rows of one request answering another, "not enough values to unpack",
``ResourceClosedError``, "connection in transaction status INTRANS", a reader waiting forever).
Therefore (SQLAlchemy, "Using Connection Pools with Multiprocessing or os.fork()"):

- ``os.register_at_fork(after_in_child=...)`` gives every child a fresh, empty pool
  (``engine.dispose(close=False)``: the parent's connections are dereferenced, never closed or used —
  psycopg does not send a Terminate from a process other than the one that opened the connection);
- a ``checkout`` guard refuses, and invalidates, a pooled connection opened by another process or
  found not idle on the client side (closed, broken, or inside a transaction after its reset on
  return): ``DisconnectionError`` makes the pool discard it and hand out a new one.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from psycopg.pq import TransactionStatus
from sqlalchemy import event as sa_event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError
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

        _guard_pool(engine)
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
    _guard_pool(engine)
    return engine


def _guard_pool(engine: Engine) -> None:
    """Pool events: remember the process that opened each connection; at checkout, refuse (and so
    invalidate) one from another process or one whose client-side state is not idle (module doc)."""

    @sa_event.listens_for(engine, "connect")
    def _remember_pid(_dbapi_conn, record):
        record.info["pid"] = os.getpid()

    @sa_event.listens_for(engine, "checkout")
    def _refuse_foreign_or_unclean(dbapi_conn, record, proxy):
        if record.info.get("pid") != os.getpid():
            # another process's socket: drop it without closing it (closing would end the parent's session)
            record.dbapi_connection = proxy.dbapi_connection = None
            raise DisconnectionError(f"connection opened by process {record.info.get('pid')}, not {os.getpid()}")
        info = getattr(dbapi_conn, "info", None)  # psycopg 3: client-side state, no round trip
        if getattr(dbapi_conn, "broken", False) or getattr(dbapi_conn, "closed", False) or (
                info is not None and info.transaction_status != TransactionStatus.IDLE):
            raise DisconnectionError("pooled connection is not idle; discarding it")


def _forget_inherited_pool() -> None:
    """In a forked child: a fresh pool; the parent's connections are left to the parent (module doc)."""
    if _engine is not None:
        _engine.dispose(close=False)


def get_engine() -> Engine:
    global _engine
    if _engine is None:
        _engine = make_engine()
    return _engine


def set_engine(engine: Engine | None) -> None:
    global _engine
    _engine = engine


os.register_at_fork(after_in_child=_forget_inherited_pool)


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
