"""Paystack over its documented REST API with ``httpx`` (https://paystack.com/docs/api/).

- ``POST {PAYSTACK_BASE_URL}/transaction/initialize`` ``{email, amount, currency, reference,
  callback_url, metadata}`` with ``Authorization: Bearer <secret key>`` → ``data.authorization_url``.
  Amounts are in the currency's subunit (cents for ZAR).
- ``GET /transaction/verify/{reference}`` → ``data.status`` (success | failed | abandoned | …),
  ``data.amount``, ``data.currency``, ``data.fees`` (Paystack's fee on the charge, subunits: recorded as a
  ``fee`` ledger entry when the payment succeeds). ``abandoned`` is how Paystack reports an initialised
  transaction the customer has not completed (yet), so it maps to *pending*, not *failed*: the
  buyer's order page verifies on load and must not cancel an order that is still being paid.
- Webhooks (https://paystack.com/docs/payments/webhooks/): header ``x-paystack-signature`` = hex
  HMAC-SHA512 of the raw body keyed with the secret key; we act on ``charge.success``. Paystack
  sends no delivery id, so the delivery key is ``<event>:<data.id>`` (the transaction id), falling
  back to the body's SHA-256.
- Refunds (https://paystack.com/docs/payments/refunds/): ``POST /refund`` ``{transaction, amount,
  merchant_note}`` → ``data.status`` (``pending`` when queued, ``processed``, ``failed``) and
  ``data.id``; the outcome arrives later as the webhooks ``refund.pending`` / ``refund.processed`` /
  ``refund.failed`` (``data.transaction_reference``, ``data.amount``), delivery key
  ``<event>:<transaction_reference>:<refund_reference|amount>``.
"""

from __future__ import annotations

import hashlib
from urllib.parse import quote

import httpx

from voelgoed.config import get_settings
from voelgoed.services.payments.base import (
    IGNORED,
    REFUND_OUTCOMES,
    SUCCESS,
    RefundResult,
    VerifyResult,
    WebhookEvent,
    as_int,
    charge_event,
    reduced_payload,
    refund_event,
    verified_body,
)
from voelgoed.services.platform import VoelgoedError

SIGNATURE_HEADER = "x-paystack-signature"
TIMEOUT = httpx.Timeout(10.0, connect=5.0)


def _unavailable(detail: str) -> VoelgoedError:
    return VoelgoedError("provider_unavailable", "The payment provider could not be reached; please try again",
                         {"provider": "paystack", "reason": detail[:200]}, status=503)


class PaystackProvider:
    name = "paystack"

    def __init__(self, secret_key: str | None = None, base_url: str | None = None):
        settings = get_settings()
        self.secret_key = secret_key if secret_key is not None else settings.paystack_secret_key
        self.base_url = (base_url or settings.paystack_base_url).rstrip("/")

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.secret_key}", "Content-Type": "application/json"}

    def _request(self, method: str, path: str, **kwargs) -> tuple[httpx.Response, dict]:
        try:
            resp = httpx.request(method, self.base_url + path, headers=self._headers(), timeout=TIMEOUT, **kwargs)
            body = resp.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise _unavailable(str(exc)) from exc
        return resp, body if isinstance(body, dict) else {}

    def _call(self, method: str, path: str, **kwargs) -> dict:
        resp, body = self._request(method, path, **kwargs)
        if resp.status_code >= 400 or not isinstance(body, dict) or not body.get("status"):
            raise _unavailable(str(body.get("message") if isinstance(body, dict) else resp.status_code))
        return body.get("data") or {}

    def create_checkout(self, order, payment) -> tuple[str, str]:
        base = get_settings().effective_base_url
        data = self._call("POST", "/transaction/initialize", json={
            "email": order.buyer_email, "amount": payment.amount_cents, "currency": payment.currency,
            "reference": payment.reference,
            "callback_url": f"{base}/orders/{order.order_code}?token={order.access_token}",
            "metadata": {"order_code": order.order_code},
        })
        url = data.get("authorization_url")
        if not url:
            raise _unavailable("no authorization_url")
        return str(data.get("reference") or payment.reference), str(url)

    def verify_webhook(self, headers, raw_body: bytes) -> WebhookEvent:
        body, data = verified_body(self.secret_key, headers, raw_body, SIGNATURE_HEADER)
        event_type = str(body.get("event", ""))
        if event_type in REFUND_OUTCOMES:
            tail = data.get("refund_reference") or data.get("id") or data.get("amount")
            key = (f"{event_type}:{data.get('transaction_reference')}:{tail}" if data.get("transaction_reference")
                   else hashlib.sha256(raw_body).hexdigest())
            return refund_event(body, data, delivery_key=key)
        tx_id = data.get("id")
        key = f"{event_type}:{tx_id}" if tx_id not in (None, "") else hashlib.sha256(raw_body).hexdigest()
        return charge_event(body, data, delivery_key=key, outcome=SUCCESS if event_type == "charge.success" else IGNORED)

    def verify(self, reference: str) -> VerifyResult:
        """``GET /transaction/verify/{reference}`` → :class:`VerifyResult` with the reference Paystack
        answered for (``data.reference``), status, amount (minor units), currency, the reduced
        answer and ``fees_cents`` (``data.fees``, None when absent or not a non-negative integer). Raises 503 ``provider_unavailable`` when Paystack can't be reached or says no."""
        data = self._call("GET", "/transaction/verify/" + quote(reference, safe=""))
        if not isinstance(data, dict):
            raise _unavailable("verify answer has no data object")
        status = {"success": "success", "failed": "failed", "reversed": "failed"}.get(
            str(data.get("status")), "pending")
        fees = as_int(data.get("fees"))
        return VerifyResult(str(data.get("reference") or "")[:100], status, as_int(data.get("amount")),
                            str(data.get("currency") or "").upper()[:3] or None, reduced_payload({}, data)["data"],
                            fees_cents=fees if fees is not None and fees >= 0 else None)

    def refund(self, payment, *, amount_cents: int, refund_id: str, reason: str = "") -> RefundResult:
        """``POST /refund`` ``{transaction: <our reference>, amount (subunits), merchant_note}``.
        Paystack's 4xx refusal (``status: false``, e.g. more than the transaction's remaining amount) →
        a ``failed`` result with its message; unreachable / 5xx → 503 ``provider_unavailable``."""
        resp, body = self._request("POST", "/refund", json={
            "transaction": payment.reference, "amount": amount_cents, "currency": payment.currency,
            "merchant_note": f"voelgoed refund {refund_id}"[:200], "customer_note": (reason or "Refund")[:200],
        })
        if resp.status_code >= 500:
            raise _unavailable(str(body.get("message") or resp.status_code))
        data = body.get("data") if isinstance(body.get("data"), dict) else {}
        message = str(body.get("message") or "")[:200]
        if resp.status_code >= 400 or not body.get("status"):
            return RefundResult("failed", None, amount_cents, payment.currency, {"message": message})
        status = {"processed": "processed", "failed": "failed"}.get(str(data.get("status")), "pending")
        ref = str(data["id"])[:100] if data.get("id") not in (None, "") else None
        return RefundResult(status, ref, as_int(data.get("amount")), str(data.get("currency") or "").upper()[:3] or None,
                            {"id": ref, "status": str(data.get("status") or "")[:40], "message": message})
