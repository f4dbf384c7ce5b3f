"""Safe start-up: every process (web app factory, RQ worker, CLI) calls :func:`ensure_safe_start`.

``ensure_safe_start(settings=None, *, check_database=True) -> None`` raises
:class:`voelgoed.config.ConfigurationError` (message: "Production start-up refused: …", naming each
variable to fix) when ``VOELGOED_ENV=prod`` and

- ``SECRET_KEY`` is missing, shorter than 32 characters or the published development value;
- ``SANDBOX_ENABLED`` or ``DEMO_MODE`` is on next to a real payment provider
  (``PAYMENT_PROVIDER=paystack`` or ``PAYSTACK_SECRET_KEY`` set);
- outside ``DEMO_MODE``, the database holds a demo account (``services.seed``) whose password still
  verifies against the published demo password (``check_database``; two indexed lookups and at most
  two argon2 verifications; skipped with a warning when the database or its tables are not there yet,
  e.g. before the first ``db upgrade``). The check's pooled connection is closed afterwards
  (``engine.dispose()``), so a supervisor that forks workers after it holds no idle connection.

Outside production it does nothing. The checklist is documented in ``docs/security.md``.
"""

from __future__ import annotations

import logging

from sqlalchemy.exc import SQLAlchemyError

from voelgoed.config import ConfigurationError, Settings, check_production, get_settings

log = logging.getLogger(__name__)


def demo_accounts_with_published_passwords(session) -> list[str]:
    """E-mails of demo-seed accounts whose password is still the one published in the source."""
    from voelgoed.services.accounts import get_user_by_email
    from voelgoed.services.demo import seed
    from voelgoed.services.platform import verify_password

    found = []
    for email, password in ((seed.DEMO_OWNER_EMAIL, seed.DEMO_OWNER_PASSWORD), (seed.DEMO_DOOR_EMAIL, seed.DEMO_DOOR_PASSWORD)):
        user = get_user_by_email(session, email)
        if user is not None and user.is_active and verify_password(password, user.password_hash):
            found.append(email)
    return found


def ensure_safe_start(settings: Settings | None = None, *, check_database: bool = True) -> None:
    """Raise ConfigurationError for an unsafe production start (see module doc); no-op otherwise."""
    settings = settings or get_settings()
    if not settings.is_prod:
        return
    check_production(settings)
    if not check_database or settings.demo_mode:
        return
    from voelgoed.services.platform import get_engine, session_scope

    try:
        with session_scope() as session:
            demo = demo_accounts_with_published_passwords(session)
    except SQLAlchemyError as exc:
        log.warning("start-up check: demo accounts not checked (database not ready: %s)", type(exc).__name__)
        return
    finally:
        # give the check's connection back to the server: the web server's supervisor runs this before it
        # forks its workers and never queries again (children get fresh pools anyway: platform/db.py)
        get_engine().dispose()
    if demo:
        raise ConfigurationError(
            "Production start-up refused: the database holds demo account(s) with the published demo password "
            f"({', '.join(demo)}) while DEMO_MODE is off; change their passwords or deactivate them "
            "(or set DEMO_MODE=1 for a demo deployment without a real payment provider)")
