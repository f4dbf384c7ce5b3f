"""The sandbox provider's hosted page ``/pay/sandbox/[reference]`` (Pay / Decline).

Both buttons call :func:`voelgoed.services.sales.sandbox_checkout.complete`, which delivers a signed
webhook through the same verification and processing as a real provider's.
"""

from __future__ import annotations

from urllib.parse import unquote

import reflex as rx

from voelgoed.services.payments import sandbox
from voelgoed.services.platform import VoelgoedError, session_scope
from voelgoed.services.sales import sandbox_checkout
from voelgoed.state.formatting import money


class SandboxPayState(rx.State):
    loading: bool = True
    found: bool = False
    busy: bool = False
    status: str = ""
    amount: str = ""
    event_name: str = ""
    event_slug: str = ""
    order_code: str = ""
    buyer_email: str = ""
    _reference: str = ""
    _token: str = ""

    def _read(self) -> None:
        try:
            with session_scope() as session:
                view = sandbox.sandbox_view(session, self._reference)
        except VoelgoedError:
            self.found = False
            return
        self.found, self.status = True, view["status"]
        self.amount = money(view["amount_cents"], view["currency"])
        self.event_name, self.event_slug = view["event_name"], view["event_slug"]
        self.order_code, self.buyer_email, self._token = view["order_code"], view["buyer_email"], view["access_token"]

    @rx.event
    def load(self):
        self.loading = True
        self._reference = unquote(str(self.router.url.path or "").rstrip("/").rsplit("/", 1)[-1])[:100]
        self._read()
        self.loading = False

    def _order_url(self) -> str:
        return f"/orders/{self.order_code}?token={self._token}"

    @rx.event
    def view_order(self):
        return rx.redirect(self._order_url()) if self.found else None

    def _complete(self, outcome: str):
        if self.busy or not self.found:
            return None
        self.busy = True
        try:
            with session_scope() as session:
                sandbox_checkout.complete(session, reference=self._reference, outcome=outcome)
        except VoelgoedError as exc:
            self.busy = False
            return rx.toast.error(exc.message)
        self._read()
        self.busy = False
        if outcome == "success":
            return rx.redirect(self._order_url())
        return rx.toast.info("Payment declined. Nothing was charged.")

    @rx.event
    def pay(self):
        return self._complete("success")

    @rx.event
    def decline(self):
        return self._complete("failure")
