"""State of the live part of `/dashboard` (issue 13, item 7): figures and charts pushed to every open browser.

Like the event live dashboard (:mod:`voelgoed.state.live`): ``load`` starts one background task per open
overview; every :data:`TICK_SECONDS` it asks :func:`insights.live_overview`, which answers from the
snapshot shared in Redis by every viewer and web process (recomputed at most once per second per
organisation and date range, only after a sale, refund or scan moved the organisation's version, or when
it ages out) — never a query per viewer. The browser gets a delta only when the snapshot changed. The task
ends when the browser disconnects or leaves the page.
"""

from __future__ import annotations

import asyncio
import time

import reflex as rx

from voelgoed.services.insights import RANGES, live_overview
from voelgoed.services.platform import VoelgoedError, session_scope
from voelgoed.state.formatting import money, when
from voelgoed.state.live import _connected
from voelgoed.state.session import SessionState

TICK_SECONDS = 1.0
RECHECK_AUTH_SECONDS = 30
MAX_WATCH_SECONDS = 12 * 3600
SLOTS = ("s0", "s1", "s2", "s3", "s4", "s5", "other")


def _labels(series: list[dict]) -> list[str]:
    """Series labels in slot order (:data:`SLOTS`), "" for unused slots (their bars draw nothing)."""
    by_key = {s["key"]: s["label"] for s in series}
    return [by_key.get(k, "") for k in SLOTS]


class OverviewState(SessionState):
    ov_days: str = "30"
    ov_ready: bool = False
    ov_tickets_today: str = "0"
    ov_orders_today: str = "0"
    ov_revenue_today: str = "—"
    ov_revenue_range: str = "—"
    ov_tickets_range: str = "0"
    ov_checkins_now: str = "0"
    ov_checkins_today: str = "0"
    ov_sales: list[dict] = []
    ov_sales_labels: list[str] = [""] * len(SLOTS)
    ov_checkins: list[dict] = []
    ov_gate_labels: list[str] = [""] * len(SLOTS)
    ov_window: str = ""
    ov_sell_through: list[dict] = []
    ov_no_shows: list[dict[str, str]] = []
    ov_recent: list[dict[str, str]] = []
    ov_next: list[dict[str, str]] = []
    ov_financials: bool = False
    ov_updated: str = ""
    ov_watching: bool = False
    _ov_version: str = ""

    def _ov_apply(self, ctx=None) -> bool:
        ctx = ctx or self._tenant_context()
        if ctx is None:
            return False
        try:
            with session_scope() as session:
                s = live_overview(session, ctx, days=int(self.ov_days))
        except VoelgoedError:
            return False
        mark = f"{self.ov_days}:{s['version']}:{s['generated_at']}"
        if mark == self._ov_version:
            return True
        self._ov_version = mark
        cur = s["currency"]
        self.ov_financials = s["financials_visible"]
        self.ov_tickets_today, self.ov_orders_today = str(s["today"]["tickets"]), str(s["today"]["orders"])
        self.ov_tickets_range = str(s["range"]["tickets"])
        self.ov_revenue_today = "—" if s["today"]["revenue_cents"] is None else money(s["today"]["revenue_cents"], cur)
        self.ov_revenue_range = "—" if s["range"]["revenue_cents"] is None else money(s["range"]["revenue_cents"], cur)
        self.ov_checkins_now, self.ov_checkins_today = str(s["checkins"]["now"]), str(s["checkins"]["today"])
        self.ov_sales, self.ov_sales_labels = s["sales_by_day"], _labels(s["sales_series"])
        self.ov_checkins, self.ov_gate_labels = s["checkins_by_5min"], _labels(s["gate_series"])
        self.ov_window = when(s["checkins_window"]["start"], "%d %b %H:%M") + " – " + when(s["checkins_window"]["end"], "%H:%M")
        self.ov_sell_through = [{"name": e["name"][:28], "pct": e["pct"], "label": f"{e['sold']} / {e['capacity']}"}
                                for e in s["sell_through"]]
        self.ov_no_shows = [{"event_id": e["event_id"], "name": e["name"], "ended": when(e["ended_at"], "%d %b %Y"),
                             "tickets": str(e["tickets"]), "checked_in": str(e["checked_in"]),
                             "no_show": str(e["no_show"]), "pct": f"{e['pct']:.0f}%"} for e in s["no_shows"]]
        self.ov_recent = [{"id": o["id"], "order_code": o["order_code"], "buyer_name": o["buyer_name"], "status": o["status"],
                           "total": money(o["total_cents"], o["currency"]), "when": when(o["created_at"], "%d %b, %H:%M")}
                          for o in s.get("recent_orders", [])]
        self.ov_next = [{"id": e["id"], "name": e["name"], "status": e["status"], "when": when(e["starts_at"]),
                         "sold": f"{e['sold']} / {e['capacity']}" if e["capacity"] else str(e["sold"])}
                        for e in s.get("next_events", [])]
        self.ov_updated = when(s["generated_at"], "%H:%M:%S")
        self.ov_ready = True
        return True

    def _on_dashboard(self) -> bool:
        return str(self.router.url.path or "").rstrip("/") == "/dashboard"

    @rx.event
    def ov_load(self):
        self._ov_version = ""
        ok = self._ov_apply()
        if ok and not self.ov_watching:
            return OverviewState.ov_watch

    @rx.event
    def set_range(self, value: str | list[str]):
        value = value[0] if isinstance(value, list) and value else value
        if isinstance(value, str) and value in {str(r) for r in RANGES}:
            self.ov_days = value
            self._ov_version = ""
            self._ov_apply()

    @rx.event(background=True)
    async def ov_watch(self):
        async with self:
            if self.ov_watching:
                return
            self.ov_watching = True
            token = self.router.session.client_token
            ctx = self._tenant_context()
        started = last_auth = time.monotonic()
        while time.monotonic() - started < MAX_WATCH_SECONDS:
            await asyncio.sleep(TICK_SECONDS)
            if not _connected(token):
                break
            async with self:
                if not self._on_dashboard():
                    break
                if time.monotonic() - last_auth > RECHECK_AUTH_SECONDS:
                    last_auth = time.monotonic()
                    ctx = self._tenant_context()
                if ctx is None or not self._ov_apply(ctx):
                    break
        async with self:
            self.ov_watching = False
