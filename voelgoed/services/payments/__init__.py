"""Payment providers: adapters only (the interface, Paystack, the sandbox provider); processing webhooks
and settling orders is ``sales``.

``get_provider(name)`` → a :class:`~.base.Provider` (404 ``not_found`` if unknown or not available on
this deployment — the sandbox only exists where :func:`~.selection.sandbox_available`). Which provider
takes a sale is decided by :func:`~.selection.resolve_provider_name`, never by the buyer. The public
face: code outside the package imports only the names in ``__all__``."""

from __future__ import annotations

from voelgoed.services.platform import NotFound

from . import base, box_office, confirmation, paystack, sandbox, selection
from .base import (
    FAILURE,
    IGNORED,
    REFUND_FAILED,
    REFUND_OUTCOMES,
    REFUND_PENDING,
    REFUND_PROCESSED,
    SUCCESS,
    Provider,
    RefundResult,
    VerifyResult,
    WebhookEvent,
    bad_signature,
    charge_event,
    check_signature,
    hmac_sha512_hex,
    lower_headers,
    parse_json_object,
    verified_body,
)
from .box_office import BoxOfficeProvider
from .paystack import PaystackProvider
from .sandbox import SandboxProvider, build_refund_webhook, build_webhook, require_available, sandbox_view
from .selection import (
    PROVIDER_NAMES,
    real_provider_configured,
    resolve_provider_name,
    sandbox_available,
    set_payment_provider,
)


def get_provider(name: str):
    """The provider called ``name``. ``sandbox`` only when :func:`sandbox_available`; else 404 ``not_found``."""
    name = (name or "").strip().lower()
    if name == "sandbox" and sandbox_available():
        return SandboxProvider()
    if name == "paystack":
        return PaystackProvider()
    if name == box_office.NAME:  # seats sold at the desk: refunds are paid back there (never an online sale)
        return BoxOfficeProvider()
    raise NotFound("not_found", f"Unknown payment provider {name!r}", {"provider": name[:20]})


__all__ = [
    "PROVIDER_NAMES",
    "get_provider",
    "real_provider_configured",
    "resolve_provider_name",
    "sandbox_available",
    "set_payment_provider",
    "base",
    "confirmation",
    "selection",
    "FAILURE",
    "IGNORED",
    "SUCCESS",
    "REFUND_FAILED",
    "REFUND_OUTCOMES",
    "REFUND_PENDING",
    "REFUND_PROCESSED",
    "RefundResult",
    "build_refund_webhook",
    "Provider",
    "VerifyResult",
    "WebhookEvent",
    "bad_signature",
    "charge_event",
    "check_signature",
    "hmac_sha512_hex",
    "lower_headers",
    "parse_json_object",
    "verified_body",
    "paystack",
    "sandbox",
    "box_office",
    "BoxOfficeProvider",
    "PaystackProvider",
    "SandboxProvider",
    "build_webhook",
    "require_available",
    "sandbox_view",
]
