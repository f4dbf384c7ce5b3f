"""State of `/venues`: venues with their gates; create/edit/archive venues, add/rename/archive gates."""

from __future__ import annotations

import dataclasses

import reflex as rx

from voelgoed.services.catalog import event_forms, venues
from voelgoed.services.platform import VoelgoedError, can_manage_events, session_scope
from voelgoed.state.formatting import field_errors
from voelgoed.state.session import SessionState


@dataclasses.dataclass
class GateRow:
    id: str = ""
    gate_code: str = ""
    name: str = ""


@dataclasses.dataclass
class VenueRow:
    id: str = ""
    name: str = ""
    address: str = ""
    city: str = ""
    country: str = ""
    timezone: str = ""
    capacity: str = ""
    events: int = 0
    gates: list[GateRow] = dataclasses.field(default_factory=list)


class VenuesState(SessionState):
    loading: bool = True
    rows: list[VenueRow] = []
    may_edit: bool = False
    venue_open: bool = False
    venue_form: dict[str, str] = {}
    gate_open: bool = False
    gate_form: dict[str, str] = {}
    error: str = ""
    field_errors: dict[str, str] = {}

    def _reload(self) -> None:
        ctx = self._tenant_context()
        if ctx is None:
            return
        with session_scope() as session:
            data = event_forms.venues_overview(session, ctx)
        self.rows = [VenueRow(id=v["id"], name=v["name"], address=v["address"], city=v["city"], country=v["country"],
                              timezone=v["timezone"], capacity=v["capacity"], events=v["events"],
                              gates=[GateRow(**g) for g in v["gates"]]) for v in data]
        self.may_edit, self.loading = can_manage_events(ctx), False

    def _fail(self, exc: VoelgoedError):
        self.error = exc.message
        self.field_errors = field_errors(exc)
        return rx.toast.error(exc.message)

    def _run(self, fn, *args, done: str):
        ctx = self._tenant_context()
        if ctx is None:
            return rx.redirect("/signin")
        try:
            with session_scope() as session:
                fn(session, ctx, *args)
        except VoelgoedError as exc:
            return self._fail(exc)
        self.error, self.field_errors = "", {}
        self.venue_open = self.gate_open = False
        self._reload()
        return rx.toast.success(done)

    @rx.event
    def load(self):
        self.venue_open = self.gate_open = False
        self._reload()

    @rx.event
    def open_venue(self, row: dict):
        """``row`` is a venue row to edit, or ``{}`` for a new venue."""
        keys = ("id", "name", "address", "city", "country", "timezone", "capacity")
        self.venue_form = {k: str(row.get(k) or "") for k in keys}
        self.venue_form["country"] = self.venue_form["country"] or "ZA"
        self.venue_form["timezone"] = self.venue_form["timezone"] or "Africa/Johannesburg"
        self.error, self.field_errors, self.venue_open = "", {}, True

    @rx.event
    def set_venue_open(self, value: bool):
        self.venue_open = bool(value)

    @rx.event
    def save_venue(self, form: dict):
        return self._run(event_forms.save_venue_from_form, {**form, "id": self.venue_form.get("id", "")},
                         done="Venue saved")

    @rx.event
    def archive_venue(self, venue_id: str):
        return self._run(venues.archive_venue, venue_id, done="Venue archived")

    @rx.event
    def open_gate(self, venue_id: str, gate: dict):
        self.gate_form = {"venue_id": venue_id, "id": str(gate.get("id") or ""),
                          "gate_code": str(gate.get("gate_code") or ""), "name": str(gate.get("name") or "")}
        self.error, self.field_errors, self.gate_open = "", {}, True

    @rx.event
    def set_gate_open(self, value: bool):
        self.gate_open = bool(value)

    @rx.event
    def save_gate(self, form: dict):
        code, name = str(form.get("gate_code") or ""), str(form.get("name") or "")
        if self.gate_form.get("id"):
            return self._run(lambda s, c, gid: venues.update_gate(s, c, gid, gate_code=code, name=name),
                             self.gate_form["id"], done="Gate saved")
        return self._run(lambda s, c, vid: venues.create_gate(s, c, vid, gate_code=code, name=name),
                         self.gate_form.get("venue_id", ""), done=f"Gate {code.strip().upper()} added")

    @rx.event
    def archive_gate(self, gate_id: str):
        return self._run(venues.archive_gate, gate_id, done="Gate archived")
