"""Checking a reported charge before tickets are issued (issue 9, item 3).

Every provider except our own ``sandbox`` (:func:`requires_confirmation`; Paystack today) is asked ``verify(reference)`` — by the
caller, *before* any row is locked — and :func:`problems` compares what the webhook said, what
verify said and what the payment expects. Any disagreement leaves the order unpaid;
:func:`flag` audits it (``payment.amount_mismatch`` or ``payment.unconfirmed``) and sets
``Order.attention_reason`` so the organiser sees it (orders list, order detail, dashboard count).

Source: Paystack "Verify transactions" (https://paystack.com/docs/payments/verify-payments/):
confirm ``data.status == "success"``, the amount (subunits) and the currency before giving value.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session

from voelgoed.models import Order, Payment
from voelgoed.services.payments.base import VerifyResult
from voelgoed.services.platform import audit

AMOUNT_FIELDS = {"amount", "currency"}


UNCONFIRMED_PROVIDERS = ("sandbox",)  # ours: its "verify" would only read our own database


def requires_confirmation(provider: str) -> bool:
    """True for providers whose reported charges must be confirmed with ``verify`` before tickets
    are issued: every external provider (Paystack), i.e. all but :data:`UNCONFIRMED_PROVIDERS`."""
    return (provider or "").strip().lower() not in UNCONFIRMED_PROVIDERS


def problems(payment: Payment, *, amount_cents: int | None, currency: str | None,
             confirmation: VerifyResult | None, required: bool) -> dict[str, dict[str, Any]]:
    """``{}`` when everything agrees, else ``{field: {"expected", "reported", "verified"}}`` for the
    fields that disagree (``amount`` cents, ``currency``, ``status``, ``reference``, or ``verify`` when a
    required confirmation is missing). ``reported`` is the webhook's (or caller's) claim."""
    out: dict[str, dict[str, Any]] = {}
    cur = (currency or "").upper() or None
    if amount_cents != payment.amount_cents:
        out["amount"] = {"expected": payment.amount_cents, "reported": amount_cents}
    if cur != payment.currency.upper():
        out["currency"] = {"expected": payment.currency, "reported": cur}
    if confirmation is None:
        if required:
            out["verify"] = {"expected": "a verify answer", "verified": None}
        return out
    if confirmation.status != "success":
        out["status"] = {"expected": "success", "verified": confirmation.status}
    if confirmation.reference != payment.reference:
        out["reference"] = {"expected": payment.reference, "verified": confirmation.reference}
    if confirmation.amount_cents != payment.amount_cents:
        out.setdefault("amount", {"expected": payment.amount_cents, "reported": amount_cents})["verified"] = confirmation.amount_cents
    if (confirmation.currency or "").upper() != payment.currency.upper():
        out.setdefault("currency", {"expected": payment.currency, "reported": cur})["verified"] = confirmation.currency
    return out


def outcome_for(found: dict[str, dict[str, Any]]) -> str:
    """``amount_mismatch`` when only amount/currency disagree, else ``unconfirmed``."""
    return "amount_mismatch" if set(found) <= AMOUNT_FIELDS else "unconfirmed"


def describe(provider: str, found: dict[str, dict[str, Any]]) -> str:
    """The organiser-facing reason (≤ 200 characters), e.g. ``paystack did not confirm the payment:
    amount 70000 expected, provider said 100``."""
    parts = []
    for name, d in found.items():
        said = d.get("verified", d.get("reported"))
        parts.append(f"{name} {d.get('expected')} expected, provider said {said}")
    return f"{provider} did not confirm the payment: {'; '.join(parts)}"[:200]


def flag(session: Session, *, order: Order, payment: Payment, provider: str, found: dict[str, dict[str, Any]],
         now: datetime) -> str:
    """Leave the order unpaid, audit the disagreement and set ``order.attention_reason``. No commit.
    Returns the outcome code (:func:`outcome_for`)."""
    outcome = outcome_for(found)
    actor = audit.Actor("provider", provider)
    data = {"expected_cents": payment.amount_cents, "expected_currency": payment.currency, "problems": found}
    audit.record(session, actor, "payment.amount_mismatch" if outcome == "amount_mismatch" else "payment.unconfirmed",
                 payment, data)
    order.attention_reason, order.updated_at = describe(provider, found), now
    session.add(order)
    audit.record(session, actor, "order.flagged", order, {"order_code": order.order_code, "reason": order.attention_reason})
    return outcome


def remember(payment: Payment, confirmation: VerifyResult | None, now: datetime) -> None:
    """Keep the (reduced) verify answer on ``payment.provider_data["verify"]`` with ``verified_at``."""
    if confirmation is not None:
        payment.provider_data = {**(payment.provider_data or {}),
                                 "verify": {**confirmation.payload, "verified_at": now.isoformat()}}
