"""Domain errors with stable codes.

Every service raises a :class:`VoelgoedError` (or subclass) with a snake_case ``code``; the API maps
the code's HTTP status from :data:`HTTP_STATUS` and renders
``{"error": {"code", "message", "details"}}`` (see `docs` / api-v1.md); Reflex state shows
``message`` on the form. Tests assert on ``code``.
"""

from __future__ import annotations

from typing import Any


class VoelgoedError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, code: str | None = None, message: str | None = None, details: dict[str, Any] | None = None, *, status: int | None = None):
        self.code = code or type(self).code
        self.message = message or self.code.replace("_", " ").capitalize()
        self.details = details or {}
        if status is not None:
            self.status = status
        elif self.code in HTTP_STATUS:
            self.status = HTTP_STATUS[self.code]
        super().__init__(f"{self.code}: {self.message}")


class BadRequest(VoelgoedError):
    status, code = 400, "bad_request"


class Unauthenticated(VoelgoedError):
    status, code = 401, "unauthenticated"


class Forbidden(VoelgoedError):
    status, code = 403, "forbidden"


class NotFound(VoelgoedError):
    status, code = 404, "not_found"


class Conflict(VoelgoedError):
    status, code = 409, "conflict"


class ValidationFailed(VoelgoedError):
    """422; ``details.fields`` maps field name → message."""

    status, code = 422, "validation_failed"

    def __init__(self, fields: dict[str, str], message: str | None = None):
        first = next(iter(fields.values()), "Invalid input")
        super().__init__("validation_failed", message or first, {"fields": fields})


class RateLimited(VoelgoedError):
    status, code = 429, "rate_limited"

    def __init__(self, retry_after: int, message: str = "Too many requests, try again shortly"):
        super().__init__("rate_limited", message, {"retry_after": retry_after})
        self.retry_after = retry_after


class Busy(VoelgoedError):
    status, code = 503, "busy"


# code → HTTP status for codes raised with a generic class
HTTP_STATUS: dict[str, int] = {
    "bad_request": 400,
    "malformed": 400,
    "unauthenticated": 401,
    "invalid_credentials": 401,
    "session_expired": 401,
    "bad_signature": 401,
    "forbidden": 403,
    "insufficient_scope": 403,
    "event_not_allowed": 403,
    "not_found": 404,
    "conflict": 409,
    "sold_out": 409,
    "insufficient_inventory": 409,
    "hold_expired": 409,
    "hold_not_active": 409,
    "already_checked_out": 409,
    "invalid_state": 409,
    "not_publishable": 409,
    "already_voided": 409,
    "duplicate": 409,
    "email_taken": 409,
    "slug_taken": 409,
    "already_member": 409,
    "last_owner": 409,
    "invitation_email_mismatch": 409,
    "event_cancelled": 409,
    "capacity_below_sold": 409,
    "quantity_below_sold": 409,
    "device_expired": 401,
    "validation_failed": 422,
    "rate_limited": 429,
    "waiting_room_pass_required": 403,
    "busy": 503,
}
