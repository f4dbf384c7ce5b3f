"""Error rendering: every non-2xx answer is ``{"error": {"code", "message", "details"}}`` (api-v1.md).

Domain errors keep their code and status; FastAPI validation errors become 422 with
``details.fields``; nothing is ever answered 500 or with a traceback:

- a database that is busy or unreachable — ``OperationalError`` (lock/statement timeout, a dropped
  connection: SQLAlchemy invalidates it and the pool opens a new one), any other driver error
  (``DBAPIError``: e.g. a connection found broken mid-protocol, invalidated the same way), or the pool
  exhausted (``sqlalchemy.exc.TimeoutError``) — is ``503 busy`` with ``Retry-After: 1``;
- anything else unexpected is logged with its traceback and answered ``503 busy`` with
  ``Retry-After: 1`` too ("nothing was changed": the request's transaction was rolled back).
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from voelgoed.services.platform import VoelgoedError

log = logging.getLogger(__name__)

RETRY_AFTER = {"Retry-After": "1"}


def error_response(status: int, code: str, message: str, details: dict | None = None, headers: dict | None = None) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message, "details": details or {}}}, status_code=status, headers=headers)


def install_error_handlers(api: FastAPI) -> None:
    @api.exception_handler(VoelgoedError)
    async def _domain(_request: Request, exc: VoelgoedError):
        headers = None
        if exc.status == 429:
            headers = {"Retry-After": str(exc.details.get("retry_after", 1))}
        return error_response(exc.status, exc.code, exc.message, exc.details, headers)

    @api.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError):
        fields: dict[str, str] = {}
        malformed = False
        for err in exc.errors():
            loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path")]
            if err.get("type") in ("json_invalid", "model_attributes_type") or (not loc and err.get("type") != "missing"):
                malformed = True
            fields[".".join(loc) or "body"] = err.get("msg", "invalid")
        if malformed:
            return error_response(400, "malformed", "The request body is not valid JSON of the expected shape", {"fields": fields})
        return error_response(422, "validation_failed", "Some fields are invalid", {"fields": fields})

    @api.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException):
        code = {400: "malformed", 401: "unauthenticated", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
                413: "too_large", 415: "unsupported_media_type", 429: "rate_limited"}.get(exc.status_code, "error")
        return error_response(exc.status_code, code, str(exc.detail))

    @api.exception_handler(OperationalError)
    @api.exception_handler(PoolTimeout)
    async def _db_busy(_request: Request, exc: Exception):
        log.warning("database busy: %s", exc)
        return error_response(503, "busy", "The service is busy, please retry", headers=RETRY_AFTER)

    @api.exception_handler(DBAPIError)
    async def _db_error(_request: Request, exc: DBAPIError):
        log.exception("database error (connection invalidated: %s)", exc.connection_invalidated)
        return error_response(503, "busy", "The service is busy, please retry", headers=RETRY_AFTER)

    @api.exception_handler(Exception)
    async def _unexpected(_request: Request, exc: Exception):
        log.exception("unexpected error")
        return error_response(503, "busy", "Something went wrong on our side; nothing was changed. Please retry.",
                              headers=RETRY_AFTER)
