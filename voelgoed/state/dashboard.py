"""State of `/dashboard` (overview cards) and `/reports` (per-event sales summary)."""

from __future__ import annotations

import reflex as rx

from voelgoed.services.insights import reports
from voelgoed.services.platform import VoelgoedError
from voelgoed.state.formatting import money, when
from voelgoed.state.session import SessionState


class DashboardState(SessionState):
    loading: bool = True
    upcoming_events: int = 0
    published_events: int = 0
    draft_events: int = 0
    orders_paid: str = ""
    tickets_sold: str = ""
    revenue: str = ""
    attention_orders: int = 0
    next_events: list[dict[str, str]] = []
    recent_orders: list[dict[str, str]] = []

    @rx.event
    def load(self):
        data = self._for_tenant(reports.dashboard_overview)
        if data is None:
            return
        self.upcoming_events, self.published_events = data["upcoming_events"], data["published_events"]
        self.draft_events = data["draft_events"]
        shown = data["financials_visible"]
        self.orders_paid = str(data["orders_paid"]) if shown else "—"
        self.tickets_sold = str(data["tickets_sold"]) if shown else "—"
        self.revenue = money(data["revenue_cents"], data["currency"]) if shown else "—"
        self.attention_orders = data["orders_needing_attention"]
        self.next_events = [{"id": e["id"], "name": e["name"], "status": e["status"], "when": when(e["starts_at"]),
                             "sold": f"{e['sold']} / {e['capacity']}" if e["capacity"] else str(e["sold"])}
                            for e in data["next_events"]]
        self.recent_orders = [{"id": o["id"], "order_code": o["order_code"], "buyer_name": o["buyer_name"],
                               "status": o["status"], "total": money(o["total_cents"], o["currency"]),
                               "when": when(o["created_at"], "%d %b, %H:%M")} for o in data["recent_orders"]]
        self.loading = False


class ReportsState(SessionState):
    loading: bool = True
    rows: list[dict[str, str]] = []
    sections: list[dict[str, str]] = []  # seated events: one row per event section (sold / held / free / blocked)
    error: str = ""

    @rx.event
    def load(self):
        try:
            data = self._for_tenant(reports.event_sales_summary)
        except VoelgoedError as exc:
            self.error, self.rows, self.sections, self.loading = exc.message, [], [], False
            return
        if data is None:
            return
        self.error = ""
        self.rows = [{"event_id": r["event_id"], "name": r["name"], "status": r["status"],
                      "when": when(r["starts_at"], "%d %b %Y"), "sold": str(r["tickets_sold"]),
                      "held": str(r["tickets_held"]), "capacity": str(r["capacity"] or "—"),
                      "orders": str(r["orders_paid"]), "revenue": money(r["revenue_cents"], r["currency"])}
                     for r in data]
        self.sections = [{"event_id": r["event_id"], "event": r["name"], "section": sec["section"] or "—",
                          "sold": str(sec["sold"]), "held": str(sec["held"]), "free": str(sec["free"]),
                          "blocked": str(sec["blocked"]), "total": str(sec["total"])}
                         for r in data for sec in r.get("sections", [])]
        self.loading = False
