"""State of `/events`: the organiser's events with status badges, and the "create event" dialog."""

from __future__ import annotations

import reflex as rx

from voelgoed.services.catalog import event_forms, venues
from voelgoed.services.platform import VoelgoedError, can_manage_events, session_scope
from voelgoed.state.formatting import field_errors
from voelgoed.state.session import SessionState

STATUS_FILTERS = ["all", "draft", "published", "live", "ended", "cancelled", "archived"]


class EventsState(SessionState):
    loading: bool = True
    rows: list[dict[str, str]] = []
    venue_options: list[dict[str, str]] = []
    status_filter: str = "all"
    search: str = ""
    may_create: bool = False
    create_open: bool = False
    saving: bool = False
    form_error: str = ""
    field_errors: dict[str, str] = {}

    def _reload(self) -> None:
        ctx = self._tenant_context()
        if ctx is None:
            return
        status = None if self.status_filter == "all" else self.status_filter
        with session_scope() as session:
            rows = event_forms.events_overview(session, ctx, status=status, search=self.search)
            self.venue_options = [{"id": str(v.id), "name": v.name, "timezone": v.timezone}
                                  for v in venues.list_venues(session, ctx)]
        self.rows = [{**{k: str(v) for k, v in r.items()},
                      "sold_label": f"{r['sold']} / {r['quantity']}" if r["quantity"] else "—"} for r in rows]
        self.may_create = can_manage_events(ctx)
        self.loading = False

    @rx.event
    def load(self):
        self.create_open = False
        self._reload()

    @rx.event
    def set_status_filter(self, value: str):
        self.status_filter = value if value in STATUS_FILTERS else "all"
        self._reload()

    @rx.event
    def set_search(self, value: str):
        self.search = (value or "")[:100]
        self._reload()

    @rx.event
    def set_create_open(self, value: bool):
        self.create_open = bool(value)
        self.form_error, self.field_errors = "", {}

    @rx.event
    def create(self, form: dict):
        ctx = self._tenant_context()
        if ctx is None:
            return rx.redirect("/signin")
        self.saving = True
        try:
            with session_scope() as session:
                event = event_forms.create_event_from_form(session, ctx, form)
                event_id = str(event.id)
        except VoelgoedError as exc:
            self.saving = False
            self.form_error = exc.message
            self.field_errors = field_errors(exc)
            return
        self.saving, self.create_open = False, False
        return [rx.toast.success("Event created as a draft"), rx.redirect(f"/events/{event_id}")]
