"""The refund panel and dialog of `/dashboard/orders/[order_id]` (whole order / chosen tickets / an amount).

The dialog gets a fresh ``request_key`` each time it opens, so a double click (or a second press while
the first is still with the provider) is the same refund. Every handler calls one service.
"""

from __future__ import annotations

import uuid
from decimal import Decimal, InvalidOperation
from urllib.parse import urlsplit

import reflex as rx

from voelgoed.services.platform import VoelgoedError, session_scope
from voelgoed.services.sales import cancel_order, order_refunds, request_refund, retry_refund
from voelgoed.state.formatting import money, when
from voelgoed.state.session import SessionState

MODES = ("order", "tickets", "amount")


def parse_rand(text: str) -> int | None:
    """``"150"`` / ``"150.5"`` / ``"R 1 150,50"`` → cents; None when it is not a positive amount."""
    cleaned = str(text or "").replace("R", "").replace("\u00a0", "").replace(" ", "").replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    if not value.is_finite() or value <= 0 or value != value.quantize(Decimal("0.01")) or value > Decimal(10**10):
        return None
    return int(value * 100)


class RefundState(SessionState):
    refunds: list[dict[str, str]] = []
    balance: str = ""
    refundable: str = ""
    refundable_cents: int = 0
    can_refund: bool = False
    open: bool = False
    mode: str = "order"
    picked: list[str] = []
    amount_text: str = ""
    reason: str = ""
    return_to_sale: bool = True
    request_key: str = ""
    busy: bool = False
    error: str = ""

    def _order_id(self) -> str:
        return urlsplit(str(self.router.url)).path.rstrip("/").rsplit("/", 1)[-1][:64]

    @rx.event
    def load(self):
        try:
            d = self._for_tenant(order_refunds, self._order_id())
        except VoelgoedError:
            self.refunds, self.can_refund = [], False
            return
        if d is None:
            return
        cur = d["currency"]
        self.balance, self.refundable = money(d["balance_cents"], cur), money(d["refundable_cents"], cur)
        self.refundable_cents, self.can_refund = d["refundable_cents"], bool(d["can_refund"])
        self.refunds = [{"id": r["id"], "status": r["status"], "amount": money(r["amount_cents"], r["currency"]),
                         "reason": r["reason"] or "—", "tickets": ", ".join(t for t in r["tickets"] if t) or "—",
                         "when": when(r["created_at"], "%d %b, %H:%M"), "error": r["last_error"] or "",
                         "retryable": "yes" if r["retryable"] else ""} for r in d["refunds"]]

    @rx.event
    def open_dialog(self, mode: str = "order"):
        self.mode = mode if mode in MODES else "order"
        self.picked, self.amount_text, self.reason, self.error = [], "", "", ""
        self.return_to_sale, self.request_key, self.open = True, uuid.uuid4().hex, True

    @rx.event
    def set_open(self, value: bool):
        self.open = bool(value)

    @rx.event
    def set_mode(self, value: str):
        self.mode, self.error = (value if value in MODES else "order"), ""

    @rx.event
    def toggle_ticket(self, ticket_id: str, checked: bool):
        tid = str(ticket_id)[:64]
        self.picked = [t for t in self.picked if t != tid] + ([tid] if checked else [])

    @rx.event
    def set_amount_text(self, value: str):
        self.amount_text = str(value)[:20]

    @rx.event
    def set_reason(self, value: str):
        self.reason = str(value)[:500]

    @rx.event
    def set_return_to_sale(self, value: bool):
        self.return_to_sale = bool(value)

    def _run(self, fn, done: str, **kwargs):
        ctx = self._tenant_context()
        if ctx is None:
            return rx.redirect("/signin")
        self.busy = True
        try:
            with session_scope() as session:
                result = fn(session, ctx, **kwargs)
        except VoelgoedError as exc:
            self.busy, self.error = False, exc.message
            return rx.toast.error(exc.message)
        self.busy, self.open, self.error = False, False, ""
        self.load()
        status = getattr(result, "status", None) or (result.get("refund_status") if isinstance(result, dict) else "")
        return rx.toast.success(done + (f" (refund {status})" if status else ""))

    @rx.event
    def confirm(self):
        """Send the refund the dialog describes (validation errors stay in the dialog)."""
        kwargs: dict = {"order_id": self._order_id(), "reason": self.reason, "return_to_sale": self.return_to_sale,
                        "request_key": self.request_key}
        if self.mode == "tickets":
            if not self.picked:
                self.error = "Pick at least one ticket"
                return
            kwargs["ticket_ids"] = list(self.picked)
        elif self.mode == "amount":
            cents = parse_rand(self.amount_text)
            if cents is None:
                self.error = "Enter an amount in rand, e.g. 150 or 150.50"
                return
            kwargs["amount_cents"] = cents
        return self._run(request_refund, "Refund sent to the payment provider", **kwargs)

    @rx.event
    def refund_whole(self):
        """The one-click refund of a ``refund_required`` order (after the confirmation dialog)."""
        if not self.request_key:
            self.request_key = uuid.uuid4().hex
        return self._run(request_refund, "Refund sent to the payment provider", order_id=self._order_id(),
                         reason="Paid after the tickets were gone", return_to_sale=False, request_key=self.request_key)

    @rx.event
    def cancel(self):
        return self._run(cancel_order, "Order cancelled", order_id=self._order_id(), reason="Cancelled by the organiser")

    @rx.event
    def retry(self, refund_id: str):
        return self._run(retry_refund, "Refund sent again", refund_id=str(refund_id)[:64])
