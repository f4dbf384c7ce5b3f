"""State of `/events/[event_id]/live`: the live event dashboard, pushed to every open browser.

How it stays live (docs/scanner-contract.md, "Live dashboard"): ``load`` starts one background task
per open dashboard. Every 0.5 s it asks :func:`stats.event_stats`, which answers from the snapshot
shared in Redis by all web processes (recomputed at most once per change / per 0.5 s, never per
viewer); the browser gets a delta only when the snapshot changed. Scans bump the event's version and
drop the snapshot, so a check-in shows within ~0.5 s; sales within ~1 s. The task ends when the
browser disconnects or leaves the page.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from urllib.parse import urlsplit

import reflex as rx

from voelgoed.services.insights import stats
from voelgoed.services.platform import VoelgoedError, session_scope
from voelgoed.state.formatting import money, when
from voelgoed.state.session import SessionState

TICK_SECONDS = 0.5
RECHECK_AUTH_SECONDS = 30
MAX_WATCH_SECONDS = 12 * 3600


def _connected(token: str) -> bool:
    try:
        from reflex.utils.prerequisites import get_app

        namespace = get_app().app.event_namespace
        return namespace is None or token in namespace.token_to_sid
    except Exception:  # noqa: BLE001 - when unsure, keep serving
        return True


class LiveState(SessionState):
    found: bool = True
    loading: bool = True
    live_event_id: str = ""
    sold: int = 0
    held: int = 0
    available: int = 0
    checked_in: int = 0
    revenue: str = ""
    by_gate: list[dict[str, str]] = []
    by_type: list[dict[str, str]] = []
    by_section: list[dict[str, str]] = []  # seated events: seats per section (sold / held / free / blocked)
    arrivals: list[dict[str, int | str]] = []
    recent: list[dict[str, str]] = []
    updated: str = ""
    watching: bool = False
    _generated: str = ""

    def _path_event_id(self) -> str:
        parts = urlsplit(str(self.router.url)).path.strip("/").split("/")
        return parts[1][:64] if len(parts) >= 3 and parts[0] == "events" and parts[2] == "live" else ""

    def _apply(self, ctx=None) -> bool:
        ctx = ctx or self._tenant_context()
        if ctx is None:
            return False
        try:
            with session_scope() as session:
                s = stats.event_stats(session, ctx, self.live_event_id)
        except VoelgoedError:
            self.found = False
            return False
        self.found = True
        fingerprint = hashlib.sha1(json.dumps({k: v for k, v in s.items() if k not in ("generated_at", "version")},
                                              sort_keys=True, default=str).encode()).hexdigest()
        if fingerprint == self._generated:
            return True
        self._generated = fingerprint
        self.sold, self.held, self.available, self.checked_in = (s["tickets_sold"], s["tickets_held"],
                                                                 s["tickets_available"], s["checked_in"])
        self.revenue = "—" if s["revenue_cents"] is None else money(s["revenue_cents"], s["currency"]).replace(" ", "\u00a0")
        self.by_gate = [{"gate": g["gate_code"] or "No gate", "checked_in": str(g["checked_in"])} for g in s["by_gate"]]
        self.by_type = [{"name": t["name"], "sold": str(t["sold"]), "held": str(t["held"]), "available": str(t["available"]),
                         "checked_in": str(t["checked_in"]),
                         "pct": str(round(100 * t["checked_in"] / t["sold"]) if t["sold"] else 0)} for t in s["by_ticket_type"]]
        self.by_section = [{"section": x["section"] or "—", "sold": str(x["sold"]), "held": str(x["held"]),
                            "free": str(x["free"]), "blocked": str(x["blocked"]), "total": str(x["total"]),
                            "pct": str(round(100 * x["sold"] / x["total"]) if x["total"] else 0)}
                           for x in s.get("by_section", [])]
        self.arrivals = [{"minute": when(a["minute"], "%H:%M"), "count": a["count"]} for a in s["arrivals_per_minute"]]
        self.recent = [{"time": when(r["scanned_at"], "%H:%M:%S"), "result": r["result"], "gate": r["gate_code"] or "—",
                        "ticket": r["ticket_code"] or "—", "type": r["ticket_type"] or "", "device": r["device"] or "",
                        "offline": "offline" if r["offline"] else ""} for r in s["recent_scans"]]
        self.updated = when(s["generated_at"], "%H:%M:%S")
        return True

    @rx.event
    def load(self):
        self.loading = True
        self.live_event_id = self._path_event_id()
        self._generated = ""
        ok = self._apply()
        self.loading = False
        if ok and not self.watching:
            return LiveState.watch

    @rx.event
    def stop(self):
        self.watching = False

    @rx.event(background=True)
    async def watch(self):
        async with self:
            if self.watching:
                return
            self.watching = True
            event_id = self.live_event_id
            token = self.router.session.client_token
            ctx = self._tenant_context()
        started = last_auth = time.monotonic()
        while time.monotonic() - started < MAX_WATCH_SECONDS:
            await asyncio.sleep(TICK_SECONDS)
            if not _connected(token):
                break
            async with self:
                if not self.watching or self.live_event_id != event_id or self._path_event_id() != event_id:
                    break
                if time.monotonic() - last_auth > RECHECK_AUTH_SECONDS:
                    last_auth = time.monotonic()
                    ctx = self._tenant_context()
                if ctx is None or not self._apply(ctx):
                    break
        async with self:
            self.watching = False
