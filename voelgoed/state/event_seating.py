"""The "Seating plan" card of `/events/[event_id]`: which published seating-plan version the event sells.

Options are the published versions of the venue's plans (``seating.event_seating``); choosing one calls
``seating.attach_version``, which refuses (and lists) sold or held seats that would disappear."""

from __future__ import annotations

from urllib.parse import urlsplit

import reflex as rx

from voelgoed.services.platform import VoelgoedError, can_manage_events, session_scope
from voelgoed.services.seating import attach_version, event_seating
from voelgoed.state.session import SessionState

NONE = "none"   # the select's value for "no seating plan" (general admission)


class EventSeatingState(SessionState):
    options: list[dict[str, str]] = []
    current: str = NONE
    current_label: str = "No seating plan (general admission)"
    protected: int = 0
    may_edit: bool = False
    error: str = ""
    blocked_seats: list[str] = []

    def _event_id(self) -> str:
        parts = urlsplit(str(self.router.url)).path.strip("/").split("/")
        return parts[1] if len(parts) >= 2 and parts[0] == "events" else ""

    def _reload(self, ctx) -> None:
        with session_scope() as session:
            view = event_seating(session, ctx, self._event_id())
        self.options = [{"id": o["id"], "label": o["label"]} for o in view["options"]]
        cur = view["current"]
        if cur and all(o["id"] != cur["id"] for o in self.options):
            self.options.insert(0, {"id": cur["id"], "label": cur["label"]})
        self.current = cur["id"] if cur else NONE
        self.current_label = cur["label"] if cur else "No seating plan (general admission)"
        self.protected = view["protected"]
        self.may_edit = can_manage_events(ctx)

    @rx.event
    def load(self):
        ctx = self._tenant_context()
        if ctx is None:
            return
        self.error, self.blocked_seats = "", []
        try:
            self._reload(ctx)
        except VoelgoedError:
            self.options, self.current = [], NONE

    @rx.event
    def attach(self, form: dict):
        ctx = self._tenant_context()
        if ctx is None:
            return rx.redirect("/signin")
        choice = str(form.get("seating_plan_version_id") or NONE)
        try:
            with session_scope() as session:
                attach_version(session, ctx, self._event_id(), None if choice == NONE else choice)
        except VoelgoedError as exc:
            self.error = exc.message
            self.blocked_seats = [f"{s['label']} ({s['status']})" for s in (exc.details or {}).get("seats", [])[:50]]
            return rx.toast.error(exc.message)
        self.error, self.blocked_seats = "", []
        self._reload(ctx)
        return rx.toast.success("Seating plan saved")
