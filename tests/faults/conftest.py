"""Fault fixtures: a private redis-server and a private PostgreSQL server that the test starts, stops and
restarts (never the machine's shared ones; other engineers' tests use those)."""

from __future__ import annotations

import pytest

from tests.faults.servers import PrivateRedis


@pytest.fixture
def private_redis(monkeypatch):
    from voelgoed.config import get_settings
    from voelgoed.services.platform import redis_conn

    server = PrivateRedis()
    server.start()
    monkeypatch.setattr(get_settings(), "redis_url", server.url)
    monkeypatch.setattr(redis_conn, "RETRY_AFTER_S", 0.2)
    redis_conn.reset()
    try:
        yield server
    finally:
        server.stop()
        redis_conn.reset()


@pytest.fixture
def private_pg():
    """A private PostgreSQL server (own cluster, free port, fsync off), migrated; removed afterwards."""
    from tests.faults.servers import PrivatePostgres
    from voelgoed.cli import db_upgrade

    server = PrivatePostgres()
    try:
        server.start()
        db_upgrade(server.url)
        yield server
    finally:
        server.stop()


@pytest.fixture
def private_pg_session(private_pg):
    """A committing session on the private server, for arranging and checking (pre-ping: it survives restarts)."""
    from sqlalchemy import create_engine
    from sqlmodel import Session

    eng = create_engine(private_pg.url, pool_pre_ping=True)
    with Session(eng, expire_on_commit=False) as session:
        yield session
    eng.dispose()
