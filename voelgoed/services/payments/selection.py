"""Which payment provider takes an order: the server decides, never the buyer (issue 9, item 1).

- :func:`real_provider_configured` — the deployment has a real provider: ``PAYMENT_PROVIDER=paystack``
  or a ``PAYSTACK_SECRET_KEY``.
- :func:`sandbox_available` — ``SANDBOX_ENABLED`` is true **and** no real provider is configured.
  Everywhere else the sandbox does not exist: its API, hosted page and webhook answer 404
  ``not_found`` and it can never settle an order.
- :func:`resolve_provider_name` — for an event: the event's ``payment_provider``, else its
  organisation's, else ``PAYMENT_PROVIDER``, else Paystack when its secret key is set, else
  ``sandbox`` when available. A configured name
  that is not available on this deployment (e.g. ``sandbox`` next to Paystack) is skipped. Nothing
  available → 503 ``payments_unavailable``.
- :func:`set_payment_provider` — an owner/admin sets (or clears) the organisation's or an event's choice.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlmodel import Session

from voelgoed.config import Settings, get_settings
from voelgoed.models import Event, Organization
from voelgoed.services.platform import NotFound, ValidationFailed, VoelgoedError, audit, rbac
from voelgoed.services.platform.helpers import get_owned

PROVIDER_NAMES = ("sandbox", "paystack")
REAL_PROVIDERS = ("paystack",)

log = logging.getLogger(__name__)


def real_provider_configured(settings: Settings | None = None) -> bool:
    """True when the deployment is configured for a real provider (``PAYMENT_PROVIDER`` names one, or
    ``PAYSTACK_SECRET_KEY`` is set)."""
    s = settings or get_settings()
    return (s.payment_provider or "").strip().lower() in REAL_PROVIDERS or bool(s.paystack_secret_key)


def sandbox_available(settings: Settings | None = None) -> bool:
    """``SANDBOX_ENABLED`` and no real provider configured (see :func:`real_provider_configured`)."""
    s = settings or get_settings()
    return bool(s.sandbox_enabled) and not real_provider_configured(s)


def provider_available(name: str | None, settings: Settings | None = None) -> bool:
    """Whether ``name`` can take payments here: ``sandbox`` per :func:`sandbox_available`; ``paystack``
    when a real provider is configured."""
    s = settings or get_settings()
    name = (name or "").strip().lower()
    if name == "sandbox":
        return sandbox_available(s)
    if name == "paystack":
        return real_provider_configured(s)
    return False


def resolve_provider_name(session: Session, *, event_id: Any) -> str:
    """The provider for a sale of ``event_id``: event → organisation → ``PAYMENT_PROVIDER`` → ``paystack``
    if ``PAYSTACK_SECRET_KEY`` is set → ``sandbox`` (only if :func:`sandbox_available`). Unavailable names are skipped (logged).
    Errors: 404 ``not_found`` (no such event), 503 ``payments_unavailable`` (no provider configured)."""
    settings = get_settings()
    event = session.get(Event, event_id)
    if event is None:
        raise NotFound("not_found", "Event not found")
    org = session.get(Organization, event.organization_id)
    candidates = [("event", event.payment_provider), ("organisation", org.payment_provider if org else None),
                  ("PAYMENT_PROVIDER", settings.payment_provider),
                  ("default", "paystack" if real_provider_configured(settings) else "sandbox")]
    for source, name in candidates:
        name = (name or "").strip().lower()
        if not name:
            continue
        if provider_available(name, settings):
            return name
        if source != "default":
            log.warning("payment provider %r (%s setting) is not available on this deployment; skipped", name, source)
    raise VoelgoedError("payments_unavailable", "Payments are not available for this event right now",
                        {"event_id": str(event.id)}, status=503)


def set_payment_provider(session: Session, ctx, *, provider: str | None, event_id: Any = None) -> dict[str, Any]:
    """Set (``provider`` one of :data:`PROVIDER_NAMES`) or clear (``None``/``""``) the organisation's
    provider, or an event's when ``event_id`` is given. Owner/admin only (403 ``forbidden``);
    another organisation's event → 404; unknown name → 422 ``validation_failed``. Commits, audited.
    → ``{"scope": "organisation"|"event", "payment_provider": str|None}``."""

    rbac.require(ctx, rbac.can_manage_members, "change the payment provider")
    name = (provider or "").strip().lower() or None
    if name is not None and name not in PROVIDER_NAMES:
        raise ValidationFailed({"payment_provider": f"One of {', '.join(PROVIDER_NAMES)}"})
    target = get_owned(session, ctx, Event, event_id, "event") if event_id else session.get(Organization, ctx.organization_id)
    target.payment_provider = name
    session.add(target)
    session.flush()
    audit.record(session, ctx.actor, "payments.provider_set", target,
                 {"payment_provider": name})
    session.commit()
    return {"scope": "event" if event_id else "organisation", "payment_provider": name}
