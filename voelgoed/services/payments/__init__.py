"""Payment providers. ``get_provider(name)`` → a :class:`~.base.Provider` (404 ``not_found`` if unknown/disabled).

Provider adapters only (the interface, Paystack, the sandbox provider); processing webhooks and settling
orders is ``sales``. The public face: code outside the package imports only the names in ``__all__``."""

from __future__ import annotations

from voelgoed.config import get_settings
from voelgoed.services.platform import NotFound

from . import base, paystack, sandbox
from .base import (
    FAILURE,
    IGNORED,
    SUCCESS,
    Provider,
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
from .paystack import PaystackProvider
from .sandbox import SandboxProvider, build_webhook, sandbox_view

PROVIDER_NAMES = ("sandbox", "paystack")


def default_provider_name() -> str:
    return get_settings().payment_provider or "sandbox"


def get_provider(name: str | None = None):
    """The provider called ``name`` (default: ``settings.payment_provider``)."""
    name = (name or default_provider_name()).strip().lower()
    settings = get_settings()
    if name == "sandbox" and settings.sandbox_enabled:
        return SandboxProvider()
    if name == "paystack":
        return PaystackProvider()
    raise NotFound("not_found", f"Unknown payment provider {name!r}", {"provider": name})


__all__ = [
    "PROVIDER_NAMES",
    "default_provider_name",
    "get_provider",
    "base",
    "FAILURE",
    "IGNORED",
    "SUCCESS",
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
    "PaystackProvider",
    "SandboxProvider",
    "build_webhook",
    "sandbox_view",
]
