"""State of `/events/[event_id]`: details and schedule (venue timezone), lifecycle buttons, and
the ticket types table with its add/edit dialog (:class:`TicketTypeFormState`)."""

from __future__ import annotations

from urllib.parse import urlsplit

import reflex as rx

from voelgoed.services.catalog import event_forms, events
from voelgoed.services.platform import VoelgoedError, session_scope
from voelgoed.state.formatting import field_errors, money
from voelgoed.state.session import SessionState


class EventEditorState(SessionState):
    loading: bool = True
    not_found: bool = False
    ev: dict[str, str] = {}
    ticket_rows: list[dict[str, str]] = []
    venue_options: list[dict[str, str]] = []
    problems: list[str] = []
    can_edit: bool = False
    can_publish: bool = False
    form_key: int = 0
    form_error: str = ""
    field_errors: dict[str, str] = {}

    def _event_id(self) -> str:
        parts = urlsplit(str(self.router.url)).path.strip("/").split("/")
        return parts[1] if len(parts) >= 2 and parts[0] == "events" else ""

    def _reload(self) -> None:
        try:
            view = self._for_tenant(event_forms.event_editor_view, self._event_id())
        except VoelgoedError:
            self.not_found, self.loading = True, False
            return
        if view is None:
            return
        e = view["event"]
        self.ev = {k: str(v) for k, v in e.items()}
        self.ticket_rows = [{
            "id": t["id"], "name": t["name"], "description": t["description"],
            "price": money(t["price_cents"], t["currency"]) if t["price_cents"] else "Free",
            "price_input": f"{t['price_cents'] // 100}.{t['price_cents'] % 100:02d}",
            "quantity": str(t["quantity"]), "sold": str(t["sold"]), "held": str(t["held"]),
            "available": str(t["available"]), "max_per_order": str(t["max_per_order"]),
            "sale_starts_local": t["sale_starts_local"], "sale_ends_local": t["sale_ends_local"],
            "is_active": "on" if t["is_active"] else "", "is_hidden": "on" if t["is_hidden"] else "",
            "flags": ("" if t["is_active"] else "off sale") + (" hidden" if t["is_hidden"] else "")
            + {"required": " attendee details required", "optional": " attendee details asked"}.get(t["attendee_mode"], ""),
            "attendee_mode": t["attendee_mode"],
        } for t in view["ticket_types"]]
        self.venue_options = view["venues"]
        self.problems = view["problems"]
        self.can_edit, self.can_publish = view["can_edit"], view["can_publish"]
        self.not_found, self.loading = False, False
        self.form_key += 1

    @rx.event
    def load(self):
        self.loading, self.form_error, self.field_errors = True, "", {}
        self._reload()

    @rx.event
    def save_details(self, form: dict):
        ctx = self._tenant_context()
        if ctx is None:
            return rx.redirect("/signin")
        try:
            with session_scope() as session:
                event_forms.update_event_from_form(session, ctx, self._event_id(), form)
        except VoelgoedError as exc:
            self.form_error, self.field_errors = exc.message, field_errors(exc)
            return rx.toast.error(exc.message)
        self.form_error, self.field_errors = "", {}
        self._reload()
        return rx.toast.success("Event saved")

    def _lifecycle(self, action, done: str):
        ctx = self._tenant_context()
        if ctx is None:
            return rx.redirect("/signin")
        try:
            with session_scope() as session:
                action(session, ctx, self._event_id())
        except VoelgoedError as exc:
            self._reload()
            reasons = exc.details.get("reasons") or []
            return rx.toast.error(exc.message + (": " + "; ".join(reasons) if reasons else ""))
        self._reload()
        return rx.toast.success(done)

    @rx.event
    def publish(self):
        return self._lifecycle(events.publish, "Published: tickets are on sale")

    @rx.event
    def cancel_event(self):
        return self._lifecycle(events.cancel, "Event cancelled; sales have stopped")

    @rx.event
    def archive_event(self):
        return self._lifecycle(events.archive, "Event archived")


class TicketTypeFormState(EventEditorState):
    """The add/edit ticket type dialog."""

    tt_open: bool = False
    tt: dict[str, str] = {}
    tt_error: str = ""
    tt_field_errors: dict[str, str] = {}

    @rx.event
    def open_new(self):
        self.tt = {"id": "", "name": "", "description": "", "price_input": "", "quantity": "", "max_per_order": "10",
                   "sale_starts_local": "", "sale_ends_local": "", "is_active": "on", "is_hidden": "",
                   "attendee_mode": "off"}
        self.tt_error, self.tt_field_errors, self.tt_open = "", {}, True

    @rx.event
    def open_edit(self, row: dict):
        self.tt = {k: str(v) for k, v in row.items()}
        self.tt_error, self.tt_field_errors, self.tt_open = "", {}, True

    @rx.event
    def set_tt_open(self, value: bool):
        self.tt_open = bool(value)

    @rx.event
    def save(self, form: dict):
        ctx = self._tenant_context()
        if ctx is None:
            return rx.redirect("/signin")
        form = {**form, "id": self.tt.get("id", "")}
        try:
            with session_scope() as session:
                event_forms.save_ticket_type_from_form(session, ctx, self._event_id(), form)
        except VoelgoedError as exc:
            self.tt_error, self.tt_field_errors = exc.message, field_errors(exc)
            return
        self.tt_open = False
        self._reload()
        return rx.toast.success("Ticket type saved")
