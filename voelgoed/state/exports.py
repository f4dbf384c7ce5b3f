"""State of `/events/[event_id]/exports`: start an export (kind × format), watch its progress, download it."""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

import reflex as rx

from voelgoed.services.insights import export_view, list_exports, request_export
from voelgoed.services.platform import VoelgoedError
from voelgoed.state.session import SessionState

LABELS = {"orders": "Orders", "tickets": "Tickets / attendees", "checkins": "Check-ins", "refunds": "Refunds"}


def _view(session, ctx, event_id: str) -> list[dict]:
    return [export_view(session, j) for j in list_exports(session, ctx, event_id)]


class ExportsState(SessionState):
    loading: bool = True
    not_found: bool = False
    event_id: str = ""
    jobs: list[dict[str, str]] = []
    watching: bool = False

    @rx.var
    def active(self) -> bool:
        return any(j["status"] in ("queued", "running") for j in self.jobs)

    def _reload(self) -> None:
        parts = urlsplit(str(self.router.url)).path.rstrip("/").split("/")
        self.event_id = parts[-2][:64] if len(parts) >= 2 else ""
        try:
            rows = self._for_tenant(_view, self.event_id)
        except VoelgoedError:
            self.not_found, self.loading = True, False
            return
        if rows is None:
            return
        self.jobs = [{"id": r["id"], "kind": LABELS.get(r["kind"], r["kind"]), "format": r["format"].upper(),
                      "status": r["status"], "percent": str(r["percent"]),
                      "progress": f"{r['rows_done']:,} / {r['rows_total']:,} rows".replace(",", " "),
                      "error": r["error"], "url": r["download_url"], "filename": r["filename"],
                      "created_at": r["created_at"][:16].replace("T", " ")} for r in rows]
        self.not_found, self.loading = False, False

    @rx.event
    def load(self):
        self.loading = True
        self._reload()
        if self.active:
            return ExportsState.watch

    @rx.event
    def start(self, kind: str, fmt: str):
        try:
            self._for_tenant(lambda s, ctx: request_export(s, ctx, event_id=self.event_id, kind=kind, fmt=fmt))
        except VoelgoedError as exc:
            return rx.toast.error(exc.message)
        self._reload()
        return [rx.toast.success(f"{LABELS.get(kind, kind)} export started"), ExportsState.watch]

    @rx.event(background=True)
    async def watch(self):
        """Poll progress every 1.5 s while an export is queued or running (at most 20 minutes; one per tab)."""
        async with self:
            if self.watching:
                return
            self.watching = True
        try:
            for _ in range(800):
                await asyncio.sleep(1.5)
                async with self:
                    self._reload()
                    if not self.active or self.not_found:
                        return
        finally:
            async with self:
                self.watching = False
