"""Orchestration above every package: the housekeeping job, the RQ worker and cron, the outbox topic handlers and the start-up safety check.

The public face of the package: code outside it imports only the names in ``__all__``."""

from __future__ import annotations

from . import housekeeping, outbox_handlers, startup, web_limits, worker
from .housekeeping import housekeeping_job, inprocess_ticker, sweep
from .outbox_handlers import (
    invitation_created,
    order_paid,
    ticket_voided,
    tickets_resend,
)
from .startup import demo_accounts_with_published_passwords, ensure_safe_start
from .web_limits import apply_thread_limit
from .worker import cron_scheduler, run_cron, run_worker

__all__ = [
    "housekeeping",
    "worker",
    "outbox_handlers",
    "startup",
    "web_limits",
    "apply_thread_limit",
    "sweep",
    "housekeeping_job",
    "inprocess_ticker",
    "cron_scheduler",
    "run_cron",
    "run_worker",
    "order_paid",
    "ticket_voided",
    "tickets_resend",
    "invitation_created",
    "demo_accounts_with_published_passwords",
    "ensure_safe_start",
]
