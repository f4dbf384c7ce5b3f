"""The buyer's order page ``/orders/[order_code]?token=…`` (thin: parse the URL, call one service, present).

The access token lives in a private (backend-only) var; public vars hold plain display data only.
A wrong or missing token looks exactly like a missing order. On load, a pending order paid through a
real provider is checked with the provider once (``orders.refresh_pending_order``: the buyer has just
come back from its hosted page), so the page need not wait for the webhook. While the payment is still being
confirmed (status ``pending``), a background task re-reads the order every 2 s for up to a minute.
"""

from __future__ import annotations

import asyncio
from urllib.parse import unquote

import reflex as rx

from voelgoed.services.platform import VoelgoedError, session_scope
from voelgoed.services.sales import orders
from voelgoed.services.tickets import order_calendar_path, ticket_views, tickets

POLL_SECONDS = 2
POLL_ROUNDS = 30


class BuyerOrderState(rx.State):
    loading: bool = True
    found: bool = False
    status: str = ""
    code: str = ""
    buyer_name: str = ""
    buyer_email: str = ""
    total: str = ""
    event_name: str = ""
    starts_local: str = ""
    venue_name: str = ""
    venue_address: str = ""
    gates: str = ""
    tickets: list[dict[str, str]] = []
    resend_busy: bool = False
    calendar_url: str = ""  # like the PDF links, it carries the buyer's own token
    polling: bool = False
    # the organisation's branding (issue 15)
    brand_name: str = ""
    brand_primary: str = "#1C2024"
    brand_on_primary: str = "#FFFFFF"
    brand_logo: str = ""
    _order_code: str = ""
    _token: str = ""

    def _read(self) -> bool:
        """Load the order into the public vars; False when not found."""
        try:
            with session_scope() as session:
                view = ticket_views.buyer_order_page(session, order_code=self._order_code, access_token=self._token)
        except VoelgoedError:
            self.found, self.tickets = False, []
            return False
        self.found = True
        for name in ("status", "buyer_name", "buyer_email", "total", "event_name", "starts_local", "venue_name",
                     "venue_address", "gates"):
            setattr(self, name, str(view[name]))
        self.code = view["order_code"]
        brand = view["branding"]
        self.brand_name, self.brand_primary = brand["name"], brand["primary"]
        self.brand_on_primary, self.brand_logo = brand["on_primary"], brand["logo_url"]
        self.calendar_url = order_calendar_path(self.code, self._token)
        self.tickets = [{k: str(v) for k, v in t.items()} for t in view["tickets"]]
        return True

    @rx.event
    def load(self):
        """``on_load``: order code from the path, ``token`` from the query string."""
        self.loading = True
        path = str(self.router.url.path or "")
        self._order_code = unquote(path.rstrip("/").rsplit("/", 1)[-1])[:32]
        self._token = str(self.router.url.query_parameters.get("token", ""))[:128]
        try:
            with session_scope() as session:
                orders.refresh_pending_order(session, order_code=self._order_code, access_token=self._token)
        except VoelgoedError:
            pass  # not found: _read shows the same "not found" page
        self._read()
        self.loading = False
        if self.found and self.status == "pending" and not self.polling:
            return BuyerOrderState.poll_until_paid

    @rx.event(background=True)
    async def poll_until_paid(self):
        async with self:
            self.polling = True
        for _ in range(POLL_ROUNDS):
            await asyncio.sleep(POLL_SECONDS)
            async with self:
                if not self._read() or self.status != "pending" or self.tickets:
                    break
        async with self:
            self.polling = False
            if self.status == "paid" and self.tickets:
                return rx.toast.success("Payment confirmed — your tickets are ready")

    @rx.event
    def resend(self):
        """E-mail the tickets again (rate-limited in the service)."""
        if not self.found or self.resend_busy:
            return
        self.resend_busy = True
        try:
            with session_scope() as session:
                order = tickets.resend_order_email_for_buyer(session, order_code=self._order_code,
                                                             access_token=self._token)
                to = order.buyer_email
        except VoelgoedError as exc:
            self.resend_busy = False
            return rx.toast.error(exc.message)
        self.resend_busy = False
        return rx.toast.success(f"On its way: we've e-mailed your tickets to {to}")

    @rx.var
    def valid_count(self) -> int:
        return sum(1 for t in self.tickets if t.get("status") in ("valid", "checked_in"))
