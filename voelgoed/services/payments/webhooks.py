"""Webhook processing, shared by ``POST /api/v1/payments/{provider}/webhook`` and the sandbox.

``process_webhook(session, *, provider, headers, raw_body, now=None) -> {"outcome": str}``:

1. the provider verifies the signature over the raw body — unsigned or wrong → 401
   ``bad_signature`` and nothing is written;
2. the delivery is recorded in ``WebhookDelivery`` keyed by (provider, delivery key) with
   ``INSERT … ON CONFLICT DO NOTHING`` — a replay finds the key taken and returns
   ``{"outcome": "duplicate"}`` without changing anything;
3. ``charge.success`` → :func:`orders.apply_success` (amount + currency checked against the
   payment; mismatch → outcome ``amount_mismatch``, order unchanged), failures →
   :func:`orders.apply_failure`, other events → ``ignored``. An unknown reference is
   acknowledged and ignored (outcome ``unknown_reference``, HTTP 200) so the provider stops retrying.

Commits once; ticket side effects are enqueued after the commit.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from voelgoed.services import clock, orders, tickets
from voelgoed.services.errors import Busy
from voelgoed.services.payments import get_provider
from voelgoed.services.payments.base import FAILURE, SUCCESS

_RECORD = text("""
INSERT INTO webhookdelivery (id, provider, delivery_key, reference, event_type, outcome, payload, received_at)
VALUES (gen_random_uuid(), :provider, :key, :reference, :event_type, 'received', CAST(:payload AS json), :now)
ON CONFLICT (provider, delivery_key) DO NOTHING RETURNING id
""")


def process_webhook(session: Session, *, provider: str, headers, raw_body: bytes, now: datetime | None = None) -> dict:
    """See the module docstring. Errors: 401 ``bad_signature``, 404 ``not_found`` (unknown provider), 503 ``busy``."""
    import json

    now = clock.resolve(now)
    prov = get_provider(provider)
    event = prov.verify_webhook(headers, raw_body)
    try:
        delivery_id = session.execute(_RECORD, {
            "provider": prov.name, "key": event.delivery_key.replace("\x00", ""), "reference": event.reference.replace("\x00", ""),
            "event_type": event.event_type.replace("\x00", ""), "payload": json.dumps(event.payload, default=str)[:100_000], "now": now,
        }).scalar()
        if delivery_id is None:
            session.rollback()
            return {"outcome": "duplicate"}
        order = None
        if event.outcome == SUCCESS:
            outcome, order = orders.apply_success(session, reference=event.reference, amount_cents=event.amount_cents,
                                                  currency=event.currency, provider=prov.name, now=now)
        elif event.outcome == FAILURE:
            outcome, order = orders.apply_failure(session, reference=event.reference, provider=prov.name, now=now)
        else:
            outcome = "ignored"
        session.execute(text("UPDATE webhookdelivery SET outcome = :o WHERE id = :id"), {"o": outcome, "id": delivery_id})
        session.commit()
    except OperationalError as exc:
        session.rollback()
        raise Busy("busy", "Please retry the delivery") from exc
    if outcome == "paid" and order is not None:
        tickets.after_order_paid(order.id)
    return {"outcome": outcome}
