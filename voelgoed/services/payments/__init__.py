"""Payment providers. ``get_provider(name)`` → a :class:`~.base.Provider` (404 ``not_found`` if unknown
or not available on this deployment — the sandbox only exists where
:func:`~.selection.sandbox_available`). Which provider takes a sale is decided by
:func:`~.selection.resolve_provider_name`, never by the buyer."""

from __future__ import annotations

from voelgoed.services.errors import NotFound
from voelgoed.services.payments.selection import (  # noqa: F401  (public face)
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
        from voelgoed.services.payments.sandbox import SandboxProvider

        return SandboxProvider()
    if name == "paystack":
        from voelgoed.services.payments.paystack import PaystackProvider

        return PaystackProvider()
    raise NotFound("not_found", f"Unknown payment provider {name!r}", {"provider": name[:20]})
