"""State of `/events/[event_id]/cancel` (the guided cancellation: what will happen, confirm, then the
refund progress with failures and retry) and `/events/[event_id]/money` (reconciliation from the ledger)."""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

import reflex as rx

from voelgoed.services.catalog import events
from voelgoed.services.platform import VoelgoedError
from voelgoed.services.sales import (
    cancellation_preview,
    event_cancellation_report,
    event_reconciliation,
    retry_event_refunds,
)
from voelgoed.state.formatting import money
from voelgoed.state.session import SessionState


class EventMoneyState(SessionState):
    loading: bool = True
    not_found: bool = False
    event_id: str = ""
    preview: dict[str, str] = {}
    report: dict[str, str] = {}
    failed: list[dict[str, str]] = []
    recon: dict[str, str] = {}
    understood: bool = False
    reason: str = ""
    busy: bool = False
    watching: bool = False

    def _event_id(self) -> str:
        parts = urlsplit(str(self.router.url)).path.rstrip("/").split("/")
        return parts[-2][:64] if len(parts) >= 2 else ""

    def _reload(self) -> None:
        self.event_id = self._event_id()
        try:
            p = self._for_tenant(cancellation_preview, self.event_id)
            r = self._for_tenant(event_cancellation_report, self.event_id)
            c = self._for_tenant(event_reconciliation, self.event_id)
        except VoelgoedError:
            self.not_found, self.loading = True, False
            return
        if p is None or r is None or c is None:
            return
        cur = p["currency"]
        self.preview = {"event_name": p["event_name"], "status": p["status"], "paid_orders": str(p["paid_orders"]),
                        "amount": money(p["amount_cents"], cur), "live_tickets": str(p["live_tickets"]),
                        "pending_orders": str(p["pending_orders"])}
        self.report = {"orders": str(r["orders"]), "refunded": str(r["refunded"]), "in_progress": str(r["in_progress"]),
                       "waiting": str(r["waiting"]), "failed": str(len(r["failed"])),
                       "refunded_amount": money(r["refunded_cents"], cur), "remaining": money(r["remaining_cents"], cur),
                       "done": "yes" if r["done"] else "",
                       "percent": str(int(100 * r["refunded"] / r["orders"]) if r["orders"] else 100)}
        self.failed = [{"order_id": f["order_id"], "order_code": f["order_code"], "amount": money(f["amount_cents"], f["currency"]),
                        "error": f["error"] or "refused by the provider"} for f in r["failed"]]
        self.recon = {"sold": money(c["sold_cents"], cur), "refunded": money(c["refunded_cents"], cur),
                      "fees": money(c["fees_cents"], cur), "net": money(c["net_cents"], cur),
                      "pending": money(c["pending_refunds_cents"], cur), "entries": str(c["entries"])}
        self.not_found, self.loading = False, False

    @rx.event
    def load(self):
        self.loading, self.understood, self.reason = True, False, ""
        self._reload()
        if self.preview.get("status") == "cancelled" and not self.report.get("done"):
            return EventMoneyState.watch

    @rx.event
    def refresh(self):
        self._reload()

    @rx.event(background=True)
    async def watch(self):
        """While refunds are running, refresh the progress every 3 s (at most 10 minutes; one per tab)."""
        async with self:
            if self.watching:
                return
            self.watching = True
        try:
            for _ in range(200):
                await asyncio.sleep(3)
                async with self:
                    self._reload()
                    if self.report.get("done") or self.not_found:
                        return
        finally:
            async with self:
                self.watching = False

    @rx.event
    def set_understood(self, value: bool):
        self.understood = bool(value)

    @rx.event
    def set_reason(self, value: str):
        self.reason = str(value)[:500]

    @rx.event
    def confirm_cancel(self):
        """Cancel the event (refunds and e-mails go to the background queue); the page turns into progress."""
        if not self.understood:
            return rx.toast.error("Tick the box to confirm you understand what happens")
        self.busy = True
        try:
            self._for_tenant(events.cancel, self.event_id, reason=self.reason)
        except VoelgoedError as exc:
            self.busy = False
            return rx.toast.error(exc.message)
        self.busy = False
        self._reload()
        return [rx.toast.success("Event cancelled: refunds are on their way"), EventMoneyState.watch]

    @rx.event
    def retry_failed(self):
        try:
            n = self._for_tenant(retry_event_refunds, self.event_id)
        except VoelgoedError as exc:
            return rx.toast.error(exc.message)
        self._reload()
        return [rx.toast.success(f"{n or 0} refund(s) queued again"), EventMoneyState.watch]
