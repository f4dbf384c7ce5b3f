"""A local stand-in for Paystack's REST API, following its public documentation.

Implements ``POST /transaction/initialize`` and ``GET /transaction/verify/{reference}`` (Bearer
secret key, ``{"status": bool, "message", "data"}`` envelopes, amounts in subunits) and signs
webhooks the way Paystack does: ``x-paystack-signature`` = hex HMAC-SHA512 of the raw body keyed
with the secret key (https://paystack.com/docs/payments/webhooks/). Runs under uvicorn in a thread
on 127.0.0.1. Tests drive the "customer" with :meth:`PaystackStandIn.charge`.

Refunds (https://paystack.com/docs/payments/refunds/): ``POST /refund`` ``{transaction (reference or
id), amount?, currency?, merchant_note?, customer_note?}`` → ``{"status": true, "message": "Refund has
been queued for processing", "data": {"id", "transaction": {...}, "amount", "currency", "status":
"pending", ...}}``; no amount means the whole remaining amount; more than the transaction's remaining
amount → 400 ``status: false``. The outcome arrives as a signed webhook: :meth:`refund_webhook`
builds ``refund.pending`` / ``refund.processed`` / ``refund.failed`` with ``data`` ``{status,
transaction_reference, refund_reference, amount, currency}`` the way Paystack sends them.
``refund_mode`` steers the next answers: ``"pending"`` (Paystack's normal answer), ``"down"``
(answers 503, as when Paystack is unavailable), ``"refuse"`` (400 ``status: false``).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import secrets
import socket
import threading
import time

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


class PaystackStandIn:
    def __init__(self, secret_key: str = "sk_test_standin_0123456789"):
        self.secret_key = secret_key
        self.transactions: dict[str, dict] = {}
        # failure injection for the next initialize calls, one entry per call: "500" (Paystack answers a 5xx
        # without creating anything) or "slow:<seconds>" (it creates the transaction, then answers late: the
        # client's timeout fires although the reference is now taken); on_initialize(reference) runs first
        self.initialize_faults: list[str] = []
        self.on_initialize = None
        self.initialize_calls = 0
        self.on_verify = None  # on_verify(reference) runs before a verify is answered
        self.verify_calls = 0
        self.refunds: dict[int, dict] = {}
        self.refund_calls = 0
        self.refund_mode = "pending"
        self.refund_delay = 0.0  # seconds the refund endpoint takes (to widen race windows)
        self.refuse_references: set[str] = set()  # charges whose refunds are refused
        self._ids = itertools.count(4_000_000)
        self.port = 0
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # --- HTTP endpoints -----------------------------------------------------------------
    def _authorised(self, request: Request) -> bool:
        return request.headers.get("authorization", "") == f"Bearer {self.secret_key}"

    async def initialize(self, request: Request):
        if not self._authorised(request):
            return JSONResponse({"status": False, "message": "Invalid key"}, status_code=401)
        try:
            body = await request.json()
            amount = int(body["amount"])
            email = str(body["email"])
        except (ValueError, KeyError, TypeError):
            return JSONResponse({"status": False, "message": "Invalid request"}, status_code=400)
        reference = str(body.get("reference") or secrets.token_hex(8))
        self.initialize_calls += 1
        if self.on_initialize is not None:
            await asyncio.to_thread(self.on_initialize, reference)
        fault = self.initialize_faults.pop(0) if self.initialize_faults else ""
        if fault == "500":
            return JSONResponse({"status": False, "message": "An error occurred"}, status_code=500)
        if reference in self.transactions:
            return JSONResponse({"status": False, "message": "Duplicate Transaction Reference"}, status_code=400)
        access_code = secrets.token_hex(6)
        self.transactions[reference] = {
            "id": next(self._ids), "reference": reference, "amount": amount, "currency": body.get("currency", "NGN"),
            "status": "abandoned", "customer": {"email": email}, "callback_url": body.get("callback_url"),
            "metadata": body.get("metadata"),
        }
        if fault.startswith("slow:"):
            await asyncio.sleep(float(fault.split(":", 1)[1]))
        return JSONResponse({"status": True, "message": "Authorization URL created", "data": {
            "authorization_url": f"{self.base_url}/checkout/{access_code}", "access_code": access_code, "reference": reference}})

    async def verify(self, request: Request):
        if not self._authorised(request):
            return JSONResponse({"status": False, "message": "Invalid key"}, status_code=401)
        self.verify_calls += 1
        if self.on_verify is not None:
            await asyncio.to_thread(self.on_verify, request.path_params["reference"])
        tx = self.transactions.get(request.path_params["reference"])
        if tx is None:
            return JSONResponse({"status": False, "message": "Transaction reference not found"}, status_code=400)
        return JSONResponse({"status": True, "message": "Verification successful", "data": tx})

    async def refund(self, request: Request):
        self.refund_calls += 1
        if self.refund_delay:
            import asyncio

            await asyncio.sleep(self.refund_delay)
        if not self._authorised(request):
            return JSONResponse({"status": False, "message": "Invalid key"}, status_code=401)
        if self.refund_mode == "down":
            return JSONResponse({"status": False, "message": "Service unavailable"}, status_code=503)
        try:
            body = await request.json()
            key = str(body["transaction"])
        except (ValueError, KeyError, TypeError):
            return JSONResponse({"status": False, "message": "Invalid request"}, status_code=400)
        tx = self.transactions.get(key) or next((t for t in self.transactions.values() if str(t["id"]) == key), None)
        if tx is None or tx["status"] != "success":
            return JSONResponse({"status": False, "message": "Transaction not found"}, status_code=400)
        refunded = sum(r["amount"] for r in self.refunds.values()
                       if r["transaction"]["reference"] == tx["reference"] and r["status"] != "failed")
        amount = int(body.get("amount") or (tx["amount"] - refunded))
        if self.refund_mode == "refuse" or tx["reference"] in self.refuse_references or amount <= 0 or refunded + amount > tx["amount"]:
            return JSONResponse({"status": False, "message": "Refund amount cannot be greater than transaction amount"},
                                status_code=400)
        refund_id = next(self._ids)
        self.refunds[refund_id] = {
            "id": refund_id, "transaction": {"id": tx["id"], "reference": tx["reference"], "amount": tx["amount"]},
            "amount": amount, "currency": tx["currency"], "status": "pending", "channel": "card",
            "merchant_note": body.get("merchant_note"), "customer_note": body.get("customer_note"),
            "refunded_by": "standin@example.com", "deducted_amount": 0, "fully_deducted": False,
        }
        return JSONResponse({"status": True, "message": "Refund has been queued for processing",
                             "data": self.refunds[refund_id]})

    def refund_webhook(self, refund_id: int, event: str = "refund.processed") -> tuple[dict[str, str], bytes]:
        """The refund's webhook as Paystack sends it (``event``: refund.pending|processed|failed)."""
        r = self.refunds[refund_id]
        r["status"] = event.split(".", 1)[1]
        body = {"event": event, "data": {
            "status": r["status"], "transaction_reference": r["transaction"]["reference"],
            "refund_reference": f"RRN{refund_id}", "amount": str(r["amount"]), "currency": r["currency"],
            "processor": "standin", "customer": {"email": "buyer@example.com"}, "integration": 412829, "domain": "test"}}
        raw = json.dumps(body).encode()
        return {"x-paystack-signature": self.sign(raw), "content-type": "application/json"}, raw

    # --- the customer's side ------------------------------------------------------------
    def sign(self, raw: bytes, key: str | None = None) -> str:
        return hmac.new((key or self.secret_key).encode(), raw, hashlib.sha512).hexdigest()

    def charge(self, reference: str, outcome: str = "success", *, amount: int | None = None,
               currency: str | None = None, fees: int | None = None) -> tuple[dict[str, str], bytes]:
        """The customer pays (or fails to). Returns the ``charge.success`` webhook Paystack would send.
        ``fees`` (subunits): Paystack's fee on the charge, in ``data.fees`` of the webhook and of verify
        (https://paystack.com/docs/api/transaction/#verify); left out when None."""
        tx = self.transactions[reference]
        tx["status"] = "success" if outcome == "success" else "failed"
        tx["gateway_response"] = "Successful" if outcome == "success" else "Declined"
        # what Paystack's charge.success / verify data also carries (card and customer details)
        tx["authorization"] = {"authorization_code": "AUTH_standin8x1", "bin": "408408", "last4": "4081",
                               "exp_month": "12", "exp_year": "2030", "card_type": "visa", "bank": "TEST BANK",
                               "signature": "SIG_standin", "reusable": True}
        tx["customer"] = {**tx["customer"], "id": 8811, "customer_code": "CUS_standin", "phone": "+27820000000",
                          "first_name": "Naledi", "last_name": "Mokoena"}
        tx["ip_address"] = "196.25.1.1"
        if amount is not None:
            tx["amount"] = amount
        if currency is not None:
            tx["currency"] = currency
        if fees is not None:
            tx["fees"] = fees
        body = {"event": "charge.success" if outcome == "success" else "charge.failed",
                "data": {**tx, "paid_at": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())}}
        raw = json.dumps(body).encode()
        return {"x-paystack-signature": self.sign(raw), "content-type": "application/json"}, raw

    # --- lifecycle ----------------------------------------------------------------------
    def start(self) -> PaystackStandIn:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        app = Starlette(routes=[Route("/transaction/initialize", self.initialize, methods=["POST"]),
                                Route("/transaction/verify/{reference}", self.verify, methods=["GET"]),
                                Route("/refund", self.refund, methods=["POST"])])
        self._server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning"))
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 30
        while not self._server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
            self._thread.join(timeout=10)
