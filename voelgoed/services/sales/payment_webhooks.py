"""Webhook processing, shared by ``POST /api/v1/payments/{provider}/webhook`` and the sandbox.

``process_webhook(session, *, provider, headers, raw_body, now=None) -> {"outcome": str}``:

1. the provider verifies the signature over the raw body — unsigned or wrong → 401
   ``bad_signature`` and nothing is written (the sandbox's webhook is 404 where the sandbox does not
   exist, and it only ever matches payments created with the sandbox);
2. the delivery is recorded in ``WebhookDelivery`` keyed by (provider, delivery key) with
   ``INSERT … ON CONFLICT DO NOTHING`` — a replay finds the key taken and returns
   ``{"outcome": "duplicate"}`` without changing anything;
3. for an external provider (Paystack), a ``charge.success`` for a known, unsettled payment is
   confirmed with the provider's ``verify`` *before* anything is written or locked (the read
   transaction is ended first). Provider unreachable → 503 ``provider_unavailable``, nothing is
   recorded, so the provider's retry is processed in full;
4. ``charge.success`` → :func:`orders.apply_success` (webhook amount/currency, the verify answer and
   the payment must agree; a mismatch → outcome ``amount_mismatch``/``unconfirmed``, order unpaid,
   audited and flagged for the organiser), failures →
   :func:`orders.apply_failure`, other events → ``ignored``. An unknown reference is
   acknowledged and ignored (outcome ``unknown_reference``, HTTP 200) so the provider stops retrying.
   Refund notifications (``refund.pending|processed|failed``) →
   :func:`~voelgoed.services.sales.refund_views.apply_refund_webhook` (outcomes ``refund_*``).

Stored payloads are reduced to the fields we use (:func:`~.base.reduced_payload`): no card or
customer data. Commits once (the ``order.paid`` outbox entry is part of that commit); then nudges
the outbox drain.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from voelgoed.models import Payment, WebhookDelivery
from voelgoed.services.payments import get_provider
from voelgoed.services.payments.base import FAILURE, REFUND_OUTCOMES, SUCCESS, VerifyResult
from voelgoed.services.payments.confirmation import requires_confirmation
from voelgoed.services.platform import Busy, clean_key, clock, outbox
from voelgoed.services.sales import orders
from voelgoed.services.sales.refund_views import apply_refund_webhook

_WD = WebhookDelivery.__table__


def _storable(payload: dict) -> dict:
    """The payload as stored: PostgreSQL text can't hold NUL, so such payloads are kept as a digest only."""
    try:
        dumped = json.dumps(payload, default=str, allow_nan=False)
    except ValueError:  # NaN / Infinity are not JSON for PostgreSQL
        dumped = "\\u0000"
    if "\\u0000" in dumped or len(dumped) > 100_000:
        import hashlib

        return {"unstored": True, "sha256": hashlib.sha256(dumped.encode()).hexdigest()}
    return json.loads(dumped)


def _record_delivery(session: Session, *, provider: str, event, now: datetime):
    """``INSERT … ON CONFLICT (provider, delivery_key) DO NOTHING RETURNING id`` → the new id, or None for a replay."""
    dialect = session.get_bind().dialect.name
    ins = pg_insert(_WD) if dialect == "postgresql" else sqlite_insert(_WD)
    stmt = ins.values(
        id=uuid.uuid4(), provider=provider, delivery_key=event.delivery_key.replace("\x00", ""),
        reference=event.reference.replace("\x00", ""), event_type=event.event_type.replace("\x00", ""),
        outcome="received", payload=_storable(event.payload), received_at=now,
    ).on_conflict_do_nothing(index_elements=["provider", "delivery_key"]).returning(_WD.c.id)
    return session.execute(stmt).scalar()


def _confirm(session: Session, prov, event) -> tuple[bool, VerifyResult | None]:
    """``(duplicate, verify answer)`` for a success webhook of a provider that needs confirmation.
    Reads without locks, ends the transaction, then calls the provider (503 ``provider_unavailable``
    propagates). No call for a replayed delivery, an unknown reference or a settled payment."""
    seen = session.execute(select(_WD.c.id).where(_WD.c.provider == prov.name,
                                                  _WD.c.delivery_key == event.delivery_key.replace("\x00", ""))).first()
    key = clean_key(event.reference, 100)
    status = None if key is None else session.exec(
        select(Payment.status).where(Payment.reference == key, Payment.provider == prov.name)).first()
    session.rollback()  # no transaction, lock or pooled connection held while the provider answers
    if seen is not None:
        return True, None
    if status != "initiated":
        return False, None
    return False, prov.verify(key)


def process_webhook(session: Session, *, provider: str, headers, raw_body: bytes, now: datetime | None = None) -> dict:
    """See the module docstring. Errors: 401 ``bad_signature``, 404 ``not_found`` (unknown provider or the
    sandbox where it does not exist), 503 ``provider_unavailable`` (verify failed; nothing recorded), 503 ``busy``."""
    now = clock.resolve(now)
    prov = get_provider(provider)
    event = prov.verify_webhook(headers, raw_body)
    confirmation = None
    if event.outcome == SUCCESS and requires_confirmation(prov.name):
        duplicate, confirmation = _confirm(session, prov, event)
        if duplicate:
            return {"outcome": "duplicate"}
    try:
        delivery_id = _record_delivery(session, provider=prov.name, event=event, now=now)
        if delivery_id is None:
            session.rollback()
            return {"outcome": "duplicate"}
        order = None
        if event.outcome == SUCCESS:
            outcome, order = orders.apply_success(session, reference=event.reference, amount_cents=event.amount_cents,
                                                  currency=event.currency, provider=prov.name, now=now,
                                                  confirmation=confirmation)
        elif event.outcome == FAILURE:
            outcome, order = orders.apply_failure(session, reference=event.reference, provider=prov.name, now=now)
        elif event.outcome in REFUND_OUTCOMES:
            outcome = apply_refund_webhook(session, provider=prov.name, event=event, now=now)
        else:
            outcome = "ignored"
        session.execute(update(_WD).where(_WD.c.id == delivery_id).values(outcome=outcome))
        session.commit()
    except OperationalError as exc:
        session.rollback()
        raise Busy("busy", "Please retry the delivery") from exc
    if (outcome == "paid" and order is not None) or outcome == "refund_processed":
        outbox.nudge()  # the order.paid outbox row was committed with the order
    return {"outcome": outcome}
