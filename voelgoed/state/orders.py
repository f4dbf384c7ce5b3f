"""State of `/orders` (search + filters) and `/dashboard/orders/[order_id]` (order detail)."""

from __future__ import annotations

from urllib.parse import urlsplit

import reflex as rx

from voelgoed.services.platform import VoelgoedError, session_scope
from voelgoed.services.sales import orders_admin
from voelgoed.state.formatting import money, when
from voelgoed.state.session import SessionState

PAGE_SIZE = 25


def _order_row(o: dict) -> dict[str, str]:
    return {"id": o["id"], "order_code": o["order_code"], "status": o["status"], "buyer_name": o["buyer_name"],
            "buyer_email": o["buyer_email"], "event_name": o["event_name"], "tickets": str(o["tickets"]),
            "total": money(o["total_cents"], o["currency"]), "when": when(o["created_at"], "%d %b %Y, %H:%M"),
            "attention": _attention_text(o) if o["needs_attention"] else ""}


def _attention_text(o: dict) -> str:
    if o.get("attention_reason"):
        return f"Payment not confirmed, no tickets issued: {o['attention_reason']}"
    return "Paid after the tickets were gone (or the order was cancelled). No tickets were issued; refund the buyer."


class OrdersState(SessionState):
    loading: bool = True
    rows: list[dict[str, str]] = []
    total: int = 0
    offset: int = 0
    search: str = ""
    status_filter: str = "all"
    event_filter: str = "all"
    event_options: list[dict[str, str]] = []
    error: str = ""

    def _reload(self) -> None:
        ctx = self._tenant_context()
        if ctx is None:
            return
        try:
            with session_scope() as session:
                data = orders_admin.list_orders(
                    session, ctx, search=self.search, offset=self.offset, limit=PAGE_SIZE,
                    status=None if self.status_filter == "all" else self.status_filter,
                    event_id=None if self.event_filter == "all" else self.event_filter)
                self.event_options = [{"id": "all", "name": "All events"}, *orders_admin.event_choices(session, ctx)]
        except VoelgoedError as exc:
            self.error, self.rows, self.total, self.loading = exc.message, [], 0, False
            return
        self.error = ""
        self.rows = [_order_row(o) for o in data["orders"]]
        self.total, self.loading = data["total"], False

    @rx.event
    def load(self):
        self.offset = 0
        wanted = str(self.router.url.query_parameters.get("status", ""))[:20]
        if wanted in (orders_admin.ATTENTION, *orders_admin.STATUSES):
            self.status_filter = wanted
        self._reload()

    @rx.event
    def set_search(self, value: str):
        self.search, self.offset = (value or "")[:120], 0
        self._reload()

    @rx.event
    def set_status_filter(self, value: str):
        self.status_filter = value if value in ["all", orders_admin.ATTENTION, *orders_admin.STATUSES] else "all"
        self.offset = 0
        self._reload()

    @rx.event
    def set_event_filter(self, value: str):
        self.event_filter, self.offset = value or "all", 0
        self._reload()

    @rx.event
    def page(self, direction: int):
        self.offset = max(0, min(self.offset + int(direction) * PAGE_SIZE, max(self.total - 1, 0)))
        self._reload()

    @rx.var
    def range_label(self) -> str:
        if self.total == 0:
            return "No orders"
        return f"{self.offset + 1}–{min(self.offset + PAGE_SIZE, self.total)} of {self.total}"


class OrderDetailState(SessionState):
    loading: bool = True
    not_found: bool = False
    order: dict[str, str] = {}
    items: list[dict[str, str]] = []
    payments: list[dict[str, str]] = []
    tickets: list[dict[str, str]] = []

    def _order_id(self) -> str:
        return urlsplit(str(self.router.url)).path.rstrip("/").rsplit("/", 1)[-1]

    @rx.event
    def load(self):
        self.loading = True
        try:
            d = self._for_tenant(orders_admin.order_detail, self._order_id())
        except VoelgoedError:
            self.not_found, self.loading = True, False
            return
        if d is None:
            return
        cur = d["currency"]
        self.order = {**_order_row(d), "event_id": d["event_id"], "provider": d["provider"],
                      "paid_at": when(d["paid_at"] or "", "%d %b %Y, %H:%M"), "event_slug": d["event_slug"]}
        self.items = [{"ticket_type": i["ticket_type"], "quantity": str(i["quantity"]),
                       "unit": money(i["unit_price_cents"], cur), "line": money(i["line_total_cents"], cur)} for i in d["items"]]
        self.payments = [{"provider": p["provider"], "reference": p["reference"], "status": p["status"],
                          "amount": money(p["amount_cents"], p["currency"]), "when": when(p["created_at"], "%d %b %Y, %H:%M"),
                          "updated": when(p["updated_at"], "%d %b, %H:%M")} for p in d["payments"]]
        self.tickets = [{"id": t["id"], "ticket_code": t["ticket_code"], "ticket_type": t["ticket_type"], "status": t["status"],
                         "holder_name": t["holder_name"], "holder_email": t["holder_email"], "checked_in": when(t["checked_in_at"] or "", "%d %b, %H:%M"),
                         "gate": t["checked_in_gate_code"] or "", "void_reason": t["void_reason"]} for t in d["tickets"]]
        self.not_found, self.loading = False, False
