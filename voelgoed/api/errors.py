"""Error rendering: every non-2xx answer is ``{"error": {"code", "message", "details"}}`` (api-v1.md).

Domain errors keep their code and status; FastAPI validation errors become 422 with
``details.fields``; anything unexpected is logged and answered with 500-free ``503 busy`` for
lock/DB timeouts or ``400 bad_request`` for undecodable input — never a traceback.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from voelgoed.services.platform import VoelgoedError

log = logging.getLogger(__name__)


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
    async def _db_busy(_request: Request, exc: OperationalError):
        log.warning("database busy: %s", exc)
        return error_response(503, "busy", "The service is busy, please retry", headers={"Retry-After": "1"})

    @api.exception_handler(Exception)
    async def _unexpected(_request: Request, exc: Exception):  # pragma: no cover - last resort
        log.exception("unexpected error")
        return error_response(503, "busy", "Something went wrong on our side; nothing was changed. Please retry.")
