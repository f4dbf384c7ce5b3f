"""The payment provider interface (architecture decision 8).

A provider turns a pending order into a hosted checkout and reports the outcome through a signed
webhook. Implementations: :mod:`.sandbox` (built in, for demos and tests) and :mod:`.paystack`.

- ``create_checkout(order, payment) -> (reference, redirect_url)``: ``payment.reference`` is
  pre-filled with a fresh unique reference; providers that accept merchant references (Paystack
  does) return it unchanged. Raises ``provider_unavailable`` (503) when the provider can't be reached.
- ``verify_webhook(headers, raw_body) -> WebhookEvent``: checks the signature over the *raw* body
  and parses it. Raises ``bad_signature`` (401) for a missing/wrong signature or an unparseable body.
- ``verify(reference) -> VerifyResult``: asks the provider for the transaction's current state.
- ``refund(payment, *, amount_cents, refund_id, reason) -> RefundResult``: asks the provider to pay
  ``amount_cents`` of the charge back. Raises ``provider_unavailable`` (503) when it can't be reached
  (nothing known to have happened: retryable); a refusal is a ``failed`` result, not an exception.
  Refund webhooks come through ``verify_webhook`` with the outcomes :data:`REFUND_PENDING`,
  :data:`REFUND_PROCESSED`, :data:`REFUND_FAILED` (``reference`` = the charge's reference).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, field
from typing import Any, Protocol

from voelgoed.services.platform import VoelgoedError

SUCCESS, FAILURE, IGNORED = "success", "failure", "ignored"
REFUND_PENDING, REFUND_PROCESSED, REFUND_FAILED = "refund.pending", "refund.processed", "refund.failed"
REFUND_OUTCOMES = (REFUND_PENDING, REFUND_PROCESSED, REFUND_FAILED)


@dataclass(frozen=True)
class WebhookEvent:
    """A verified provider notification. ``amount_cents`` in minor units; ``outcome`` success|failure|ignored."""

    delivery_key: str
    event_type: str
    reference: str
    outcome: str
    amount_cents: int | None = None
    currency: str | None = None
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class VerifyResult:
    """``status``: success | failed | pending (anything else the provider says maps to pending).
    ``reference`` is the one the provider answered for; ``payload`` the answer reduced by
    :func:`reduced_payload` (never card or customer data)."""

    reference: str
    status: str
    amount_cents: int | None = None
    currency: str | None = None
    payload: dict[str, Any] = field(default_factory=dict)
    fees_cents: int | None = None  # the provider's fee on the charge, minor units (Paystack ``data.fees``)


@dataclass(frozen=True)
class RefundResult:
    """The provider's answer to a refund request. ``status``: pending | processed | failed;
    ``provider_reference`` the provider's refund id (None when it gave none); ``payload`` reduced to
    scalar fields (``id``, ``status``, ``amount``, ``currency``, ``message``)."""

    status: str
    provider_reference: str | None = None
    amount_cents: int | None = None
    currency: str | None = None
    payload: dict[str, Any] = field(default_factory=dict)


# The only provider fields we store (webhook bodies, verify answers): what we act on or show the
# organiser (``fees``: the provider's fee, recorded in the money ledger). Card (``authorization``),
# ``customer``, ``metadata``, IP … are dropped.
KEPT_TOP = ("event", "id")
KEPT_DATA = ("id", "reference", "status", "amount", "currency", "paid_at", "gateway_response", "fees")


def _scalar(value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        return value[:200]
    return None


def reduced_payload(body: dict[str, Any] | None, data: dict[str, Any] | None = None) -> dict[str, Any]:
    """``{"event", "id", "data": {"id" (gateway transaction id), "reference", "status", "amount"
    (minor units), "currency", "paid_at", "gateway_response", "fees" (minor units)}}`` from a Paystack-shaped body (or a
    verify answer's ``data`` passed as ``data``); only scalar values (strings clipped to 200
    characters), absent fields left out. Issue 9 item 10: no card/customer data at rest."""
    body = body if isinstance(body, dict) else {}
    if data is None:
        data = body.get("data") if isinstance(body.get("data"), dict) else {}
    out: dict[str, Any] = {k: _scalar(body[k]) for k in KEPT_TOP if k in body and _scalar(body[k]) is not None}
    out["data"] = {k: _scalar(data[k]) for k in KEPT_DATA if k in data and _scalar(data[k]) is not None}
    return out


class Provider(Protocol):
    name: str

    def create_checkout(self, order, payment) -> tuple[str, str]: ...

    def verify_webhook(self, headers, raw_body: bytes) -> WebhookEvent: ...

    def verify(self, reference: str) -> VerifyResult: ...

    def refund(self, payment, *, amount_cents: int, refund_id: str, reason: str = "") -> RefundResult: ...


def bad_signature(message: str = "The webhook signature is missing or wrong") -> VoelgoedError:
    """The 401 ``bad_signature`` error every provider raises for an unverifiable webhook."""
    return VoelgoedError("bad_signature", message, status=401)


def hmac_sha512_hex(secret: str, raw_body: bytes) -> str:
    """Hex HMAC-SHA512 of the raw body (Paystack's ``x-paystack-signature`` scheme)."""
    return hmac.new(secret.encode(), raw_body, hashlib.sha512).hexdigest()


def check_signature(secret: str, raw_body: bytes, signature: str | None) -> None:
    """Constant-time check of a hex HMAC-SHA512 ``signature`` (case-insensitive) over ``raw_body``.
    Raises 401 ``bad_signature`` when the secret or signature is empty or they differ."""
    if not secret or not signature or not hmac.compare_digest(hmac_sha512_hex(secret, raw_body), signature.strip().lower()):
        raise bad_signature()


def lower_headers(headers) -> dict[str, str]:
    """Headers (any mapping) with lower-cased names."""
    return {str(k).lower(): str(v) for k, v in dict(headers or {}).items()}


def _reject_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def parse_json_object(raw_body: bytes) -> dict[str, Any]:
    """The body as a JSON object (NaN/Infinity refused). Raises 401 ``bad_signature`` otherwise."""
    try:
        body = json.loads(raw_body, parse_constant=_reject_constant)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise bad_signature("The webhook body is not JSON") from None
    if not isinstance(body, dict):
        raise bad_signature("The webhook body is not a JSON object")
    return body


def verified_body(secret: str, headers, raw_body: bytes, signature_header: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Check ``signature_header`` (hex HMAC-SHA512 of the *raw* body keyed with ``secret``, Paystack's
    scheme: https://paystack.com/docs/payments/webhooks/) and parse the body → ``(body, body["data"] or {})``.

    Raises 401 ``bad_signature`` for a missing/wrong signature, a non-JSON body or a non-object body.
    """
    check_signature(secret, raw_body, lower_headers(headers).get(signature_header))
    body = parse_json_object(raw_body)
    return body, body.get("data") if isinstance(body.get("data"), dict) else {}


def charge_event(body: dict[str, Any], data: dict[str, Any], *, delivery_key: str, outcome: str) -> WebhookEvent:
    """A :class:`WebhookEvent` from a Paystack-shaped charge notification ``{"event", "data": {"reference",
    "amount" (minor units), "currency"}}``; strings are clipped to the column sizes (key 200, type 60, reference 100);
    ``payload`` is :func:`reduced_payload` of the body (what gets stored)."""
    return WebhookEvent(
        delivery_key=delivery_key[:200], event_type=str(body.get("event", ""))[:60],
        reference=str(data.get("reference", ""))[:100], outcome=outcome,
        amount_cents=as_int(data.get("amount")), currency=str(data.get("currency") or "").upper() or None,
        payload=reduced_payload(body, data),
    )


def as_int(value) -> int | None:
    """An integer amount (minor units) from an int or a digit string; None for anything else (bools too)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def refund_event(body: dict[str, Any], data: dict[str, Any], *, delivery_key: str) -> WebhookEvent:
    """A :class:`WebhookEvent` from a Paystack-shaped refund notification (``refund.pending`` |
    ``refund.processed`` | ``refund.failed``; https://paystack.com/docs/payments/refunds/): ``data``
    ``{"status", "transaction_reference", "refund_reference", "amount" (subunits, may be a string),
    "currency", "id"?}``. ``reference`` is the charge's reference; ``payload`` keeps only scalars."""
    event_type = str(body.get("event", ""))[:60]
    kept = {k: _scalar(data.get(k)) for k in ("id", "status", "transaction_reference", "refund_reference",
                                              "amount", "currency") if _scalar(data.get(k)) is not None}
    return WebhookEvent(
        delivery_key=delivery_key[:200], event_type=event_type,
        reference=str(data.get("transaction_reference") or data.get("reference") or "")[:100],
        outcome=event_type if event_type in REFUND_OUTCOMES else IGNORED,
        amount_cents=as_int(data.get("amount")), currency=str(data.get("currency") or "").upper()[:3] or None,
        payload={"event": event_type, "data": kept},
    )
