"""Payment reconciliation: a pending payment the provider's webhook never settled is verified with the provider.

``reconcile_pending_payments(session, *, now=None, limit=None) -> {"checked", "paid", "refund_required",
"pending", "failed", "flagged", "other", "errors"}`` (counts) — run every ``RECONCILE_INTERVAL_SECONDS`` by the worker's RQ cron
(:func:`reconcile_job`, registered in :func:`voelgoed.services.runtime.worker.cron_scheduler`).

Which payments: ``initiated`` at an external provider (not ``sandbox``/``free``), whose provider call completed
(a redirect URL was stored, so the buyer could pay), of an order that is ``pending`` or ``expired`` (a buyer may
pay just before the hold lapses) and not flagged for the organiser, created at least ``RECONCILE_AFTER_SECONDS``
ago and at most :data:`MAX_AGE` ago, and due (``payment.next_verify_at``, NULL = created_at + after).

1. *claim* — one short transaction: pick at most ``RECONCILE_BATCH`` due payments (PostgreSQL ``FOR UPDATE
   SKIP LOCKED``: two workers never ask about the same payment), set ``next_verify_at = now + max(after,
   age)`` (so the gaps double: ~5 min, 10, 20, … — an abandoned checkout costs ~10 look-ups, not one per run),
   commit;
2. *verify and apply* — per payment :func:`voelgoed.services.sales.orders.reconcile_payment` (the order page's
   verify path): the provider is called with no transaction open and no row locked, then the answer is applied
   like a webhook — ``paid`` (tickets issued, ``order.paid`` outbox row in the same transaction), the late
   payment path for an expired order (re-reserve, else ``refund_required``), ``amount_mismatch`` /
   ``unconfirmed`` (order flagged: ``attention_reason``, shown to the organiser), ``failed`` (order cancelled,
   stock released). Provider unreachable → counted in ``errors``, asked again when due.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from voelgoed.config import get_settings
from voelgoed.models import Order, Payment
from voelgoed.services.platform import VoelgoedError, clock, is_postgres, session_scope
from voelgoed.services.sales import orders

MAX_AGE = timedelta(days=2)
_LOCAL = ("sandbox", "free")
_PAY, _ORDER = Payment.__table__, Order.__table__
log = logging.getLogger(__name__)


def claim_due(session: Session, *, now: datetime, limit: int) -> list[tuple[str, str]]:
    """Step 1: ``[(reference, provider)]`` of at most ``limit`` due payments, their next look-up moved on; commits."""
    after = timedelta(seconds=max(0, get_settings().reconcile_after_seconds))
    stmt = (select(_PAY.c.id, _PAY.c.reference, _PAY.c.provider, _PAY.c.created_at)
            .join(_ORDER, _ORDER.c.id == _PAY.c.order_id)
            .where(_PAY.c.status == "initiated", _PAY.c.provider.not_in(_LOCAL), _PAY.c.redirect_url != "",
                   _PAY.c.created_at <= now - after, _PAY.c.created_at >= now - MAX_AGE,
                   or_(_PAY.c.next_verify_at.is_(None), _PAY.c.next_verify_at <= now),
                   _ORDER.c.status.in_(("pending", "expired")), _ORDER.c.attention_reason.is_(None))
            .order_by(func.coalesce(_PAY.c.next_verify_at, _PAY.c.created_at)).limit(max(0, limit)))
    if is_postgres(session):
        stmt = stmt.with_for_update(of=_PAY, skip_locked=True)
    try:
        rows = session.execute(stmt).all()
        for r in rows:
            age = now - clock.aware(r.created_at)
            session.execute(_PAY.update().where(_PAY.c.id == r.id).values(next_verify_at=now + max(after, age)))
        session.commit()
    except OperationalError:
        session.rollback()
        raise
    return [(r.reference, r.provider) for r in rows]


def reconcile_pending_payments(session: Session, *, now: datetime | None = None, limit: int | None = None) -> dict:
    """Steps 1–2 of the module docstring; returns the counts by outcome. Commits (per payment)."""
    now = clock.resolve(now)
    limit = get_settings().reconcile_batch if limit is None else limit
    counts = dict.fromkeys(("checked", "paid", "refund_required", "pending", "failed", "flagged", "other", "errors"), 0)
    for reference, provider in claim_due(session, now=now, limit=limit):
        counts["checked"] += 1
        try:
            outcome = orders.reconcile_payment(session, reference=reference, provider=provider, now=now)
        except (VoelgoedError, OperationalError) as exc:
            session.rollback()
            counts["errors"] += 1
            log.warning("reconcile: payment %s at %s not verified: %s", reference, provider, exc)
            continue
        key = {"paid": "paid", "refund_required": "refund_required", "pending": "pending", "failed": "failed",
               "amount_mismatch": "flagged", "unconfirmed": "flagged"}.get(outcome, "other")
        counts[key] += 1
        if key != "pending":
            log.info("reconcile: payment %s at %s → %s", reference, provider, outcome)
    return counts


def reconcile_job() -> dict:
    """RQ job (enqueued by the worker's cron every ``RECONCILE_INTERVAL_SECONDS``): one bounded run."""
    with session_scope() as session:
        return reconcile_pending_payments(session)
