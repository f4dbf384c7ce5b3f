"""No exception becomes a 500 (``api/errors.py``): database trouble and the unexpected are ``503 busy``
with ``Retry-After``, in the api-v1 error envelope, through the real handlers on a real connection."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.exc import TimeoutError as PoolTimeout

from voelgoed.api.errors import install_error_handlers
from voelgoed.services.platform import get_engine


def _app() -> FastAPI:
    api = FastAPI()
    install_error_handlers(api)

    @api.get("/dropped")
    def dropped():
        # the server ends this connection's session, then the route uses it: a real OperationalError
        with get_engine().connect() as conn:
            pid = conn.execute(text("SELECT pg_backend_pid()")).scalar()
            with get_engine().connect() as admin:
                admin.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid})
            conn.execute(text("SELECT 1"))

    @api.get("/driver-error")
    def driver_error():
        with get_engine().connect() as conn:  # a real non-operational DBAPIError (ProgrammingError)
            conn.execute(text("SELECT no_such_column FROM no_such_table"))

    @api.get("/pool-exhausted")
    def pool_exhausted():
        raise PoolTimeout("QueuePool limit of size 6 overflow 2 reached, connection timed out, timeout 30.00")

    @api.get("/unexpected")
    def unexpected():
        return (1,)[3]  # IndexError, like a row read with the wrong shape

    return api


@pytest.mark.parametrize("path", ["/dropped", "/driver-error", "/pool-exhausted", "/unexpected"])
def test_database_trouble_and_the_unexpected_answer_503_busy_with_retry_after(engine, path):
    client = TestClient(_app(), raise_server_exceptions=False)
    r = client.get(path)
    assert r.status_code == 503
    assert r.headers["Retry-After"] == "1"
    assert r.json()["error"]["code"] == "busy"
    assert "Traceback" not in r.text
