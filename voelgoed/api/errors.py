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
from sqlalchemy.exc import DataError, DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from voelgoed.services.platform import VoelgoedError

log = logging.getLogger(__name__)

RETRY_AFTER = {"Retry-After": "1"}


def error_response(status: int, code: str, message: str, details: dict | None = None, headers: dict | None = None) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message, "details": details or {}}}, status_code=status, headers=headers)


ERROR_STATUSES = {400: "malformed request", 401: "unauthenticated", 403: "not allowed", 404: "not found (also another "
                  "organisation's objects)", 409: "conflict with the current state", 422: "validation failed "
                  "(details.fields)", 429: "rate limited (Retry-After)", 503: "busy, retry (Retry-After)"}
ERROR_SCHEMA = {
    "title": "Error", "type": "object", "required": ["error"],
    "properties": {"error": {"type": "object", "required": ["code", "message", "details"], "properties": {
        "code": {"type": "string", "description": "snake_case, stable"}, "message": {"type": "string"},
        "details": {"type": "object", "description": "422: {fields: {name: message}}; others: code-specific"}}}},
    "examples": [{"error": {"code": "validation_failed", "message": "Some fields are invalid",
                            "details": {"fields": {"limit": "Input should be less than or equal to 200"}}}}],
}


def install_error_schema(api: FastAPI) -> None:
    """Make the OpenAPI document tell the truth about errors: FastAPI's ``HTTPValidationError`` (a shape
    this API never sends) becomes the api-v1 envelope, and every operation lists the envelope for the
    api-v1.md error statuses (400, 401, 403, 404, 409, 422, 429, 503) it does not already describe."""
    original = api.openapi

    def openapi() -> dict:
        if api.openapi_schema is not None:
            return api.openapi_schema
        spec = original()
        schemas = spec.setdefault("components", {}).setdefault("schemas", {})
        schemas["Error"] = ERROR_SCHEMA
        schemas.pop("ValidationError", None)
        schemas["HTTPValidationError"] = {"$ref": "#/components/schemas/Error"}
        ref = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
        for operations in spec.get("paths", {}).values():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                for status, text in ERROR_STATUSES.items():
                    entry = responses.setdefault(str(status), {"description": text})
                    entry["content"] = ref
        api.openapi_schema = spec
        return spec

    api.openapi = openapi


def install_error_handlers(api: FastAPI) -> None:
    install_error_schema(api)

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

    @api.exception_handler(DataError)
    async def _unstorable(request: Request, exc: DataError):
        # PostgreSQL refused a value from the request (a NUL byte in text, a number out of range): the
        # client's input, so 422 naming the parameters that hold control characters (else "request")
        log.info("database refused a request value: %s", str(exc).splitlines()[0][:200])
        params = {**request.path_params, **dict(request.query_params)}
        fields = {name: "must not contain control characters (such as NUL)" for name, value in params.items()
                  if any(ord(c) < 32 for c in str(value))}
        return error_response(422, "validation_failed", "Some fields are invalid",
                              {"fields": fields or {"request": "a value cannot be stored (out of range or NUL)"}})

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
