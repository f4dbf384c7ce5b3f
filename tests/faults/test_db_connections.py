"""Pooled database connections across processes and in bad states (``services/platform/db.py``).

The production web server imports the app in granian's supervisor — where ``create_api()`` runs the
start-up check, a query — and then forks its workers; the RQ worker forks a work horse per job. A
pooled connection inherited by two processes is one server session driven by both at once (rows of
one request answering another, ``ResourceClosedError``, "connection in transaction status INTRANS",
a read that never returns). These tests fork for real against the test PostgreSQL and prove that a
child never uses its parent's pooled connection, that the parent's connection survives the child,
and that a pooled connection in a bad state is discarded, not handed out again.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest
from psycopg.pq import TransactionStatus
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from tests.conftest import TEST_DATABASE_URL, TEST_REDIS_URL
from voelgoed.services.platform import db as dbmod

ROOT = Path(__file__).resolve().parents[2]
BACKEND_PID = text("SELECT pg_backend_pid()")


@contextmanager
def one_connection_engine(**kwargs):
    """The process-wide engine replaced by one with a single pooled connection (restored afterwards)."""
    previous = dbmod.get_engine()
    eng = dbmod.make_engine(TEST_DATABASE_URL, pool_size=1, max_overflow=0, **kwargs)
    dbmod.set_engine(eng)
    try:
        yield eng
    finally:
        dbmod.set_engine(previous)
        eng.dispose()


def in_child(fn, timeout_s: int = 60):
    """Run ``fn()`` in a forked child; returns what it returned (JSON) or raises with the child's error."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        os.close(read_fd)
        signal.alarm(timeout_s)  # a child stuck on a shared socket must not hang the run
        try:
            out = {"ok": fn()}
        except BaseException as exc:  # noqa: BLE001 - reported to the parent
            out = {"error": f"{type(exc).__name__}: {exc}"}
        os.write(write_fd, json.dumps(out).encode())
        os._exit(0)
    os.close(write_fd)
    with os.fdopen(read_fd, "rb") as pipe:
        raw = pipe.read()
    _, status = os.waitpid(pid, 0)
    assert raw, f"the child died without an answer (wait status {status})"
    out = json.loads(raw)
    assert "error" not in out, out["error"]
    return out["ok"]


def _backend_pid() -> int:
    with dbmod.get_engine().connect() as conn:
        return conn.execute(BACKEND_PID).scalar()


def test_a_forked_child_opens_its_own_connection_and_leaves_the_parents_alone(engine):
    with one_connection_engine() as eng:
        parent_backend = _backend_pid()  # now idle in the pool, as after the start-up check
        child_backend = in_child(_backend_pid)
        assert child_backend != parent_backend
        # the child neither used nor closed the parent's connection: the parent still has it, working
        assert _backend_pid() == parent_backend
        assert eng.pool.checkedin() == 1


def test_two_forked_children_under_load_each_get_their_own_answers(engine):
    """The symptom itself: two children hammering through ``session_scope`` after the parent used the pool."""

    def hammer():
        wrong = 0
        for n in range(300):
            with dbmod.session_scope() as session:
                got = session.execute(text("SELECT :n, 'x', pg_backend_pid()"), {"n": n}).one()
                wrong += got[0] != n
        return wrong

    with one_connection_engine():
        _backend_pid()
        read_fds, pids = [], []
        for _ in range(2):  # both children run at the same time, like two granian workers
            r, w = os.pipe()
            pid = os.fork()
            if pid == 0:
                os.close(r)
                signal.alarm(60)
                try:
                    out = {"wrong": hammer()}
                except BaseException as exc:  # noqa: BLE001
                    out = {"error": f"{type(exc).__name__}: {exc}"}
                os.write(w, json.dumps(out).encode())
                os._exit(0)
            os.close(w)
            read_fds.append(r)
            pids.append(pid)
        results = []
        for r, pid in zip(read_fds, pids, strict=True):
            with os.fdopen(r, "rb") as pipe:
                raw = pipe.read()
            os.waitpid(pid, 0)
            results.append(json.loads(raw) if raw else {"error": "child died"})
    assert results == [{"wrong": 0}, {"wrong": 0}]


def test_the_real_startup_check_then_a_fork_shares_no_connection(engine):
    """``create_api()`` in production (its demo-account query), then forks like granian's supervisor."""
    script = r"""
import json, os
from sqlalchemy import text
from voelgoed.api import create_api
from voelgoed.services.platform import get_engine

create_api()
eng = get_engine()
assert eng.pool.checkedin() == 0, "the start-up check left a pooled connection behind"
with eng.connect() as conn:  # anything else the supervisor might do with the database before it forks
    supervisor = conn.execute(text("SELECT pg_backend_pid()")).scalar()
children = []
for _ in range(2):
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        with get_engine().connect() as conn:
            os.write(w, str(conn.execute(text("SELECT pg_backend_pid()")).scalar()).encode())
        os._exit(0)
    os.close(w)
    with os.fdopen(r) as f:
        children.append(int(f.read()))
    os.waitpid(pid, 0)
print(json.dumps({"supervisor": supervisor, "children": children}))
"""
    env = {k: v for k, v in os.environ.items() if k not in ("DEMO_MODE", "PAYMENT_PROVIDER", "PAYSTACK_SECRET_KEY")}
    env.update(DATABASE_URL=TEST_DATABASE_URL, REDIS_URL=TEST_REDIS_URL, PYTHONPATH=str(ROOT), VOELGOED_ENV="prod",
               SECRET_KEY="prod-secret-" + "k" * 40, SANDBOX_ENABLED="1")
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-3000:]
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got["supervisor"] not in got["children"], got


def test_a_pooled_connection_from_another_process_is_dropped_without_closing_it(engine):
    with one_connection_engine() as eng:
        with eng.connect() as conn:
            first = conn.execute(BACKEND_PID).scalar()
            inherited = conn.connection.dbapi_connection
            conn.connection.info["pid"] = os.getpid() + 1  # as if opened by a parent process
        try:
            with eng.connect() as conn:
                assert conn.execute(BACKEND_PID).scalar() != first
            assert not inherited.closed  # it belongs to "the parent": not closed, not terminated
        finally:
            inherited.close()


def test_a_pooled_connection_left_inside_a_transaction_is_invalidated(engine):
    # no reset on return: the connection goes back to the pool inside its transaction (a reset that
    # did not happen, e.g. a driver error on the way back)
    with one_connection_engine(pool_reset_on_return=None) as eng:
        raw = eng.raw_connection()
        cur = raw.cursor()
        cur.execute("SELECT pg_backend_pid()")
        first = cur.fetchone()[0]
        dbapi = raw.dbapi_connection
        raw.close()
        assert dbapi.info.transaction_status == TransactionStatus.INTRANS
        with eng.connect() as conn:
            assert conn.execute(BACKEND_PID).scalar() != first
        assert dbapi.closed


def test_a_connection_the_server_dropped_fails_once_and_is_replaced(engine):
    with one_connection_engine() as eng:
        first = _backend_pid()
        with engine.connect() as admin:
            admin.execute(text("SELECT pg_terminate_backend(:p)"), {"p": first})
        with pytest.raises(OperationalError) as info, eng.connect() as conn:
            conn.execute(text("SELECT 1"))
        assert info.value.connection_invalidated
        assert _backend_pid() != first
