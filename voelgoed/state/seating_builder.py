"""State of `/venues/[venue_id]/plans/[plan_id]`: only what the page frame needs (plan name, venue, access).

The layout itself lives in the browser's builder component and travels over the builder's HTTP routes."""

from __future__ import annotations

from urllib.parse import urlsplit

import reflex as rx

from voelgoed.services.catalog import get_venue
from voelgoed.services.platform import VoelgoedError, session_scope
from voelgoed.services.seating import duplicate_plan, get_plan, rename_plan
from voelgoed.state.session import SessionState


class SeatingBuilderState(SessionState):
    plan_id: str = ""
    plan_name: str = ""
    venue_name: str = ""
    not_found: bool = False
    venue_id: str = ""
    rename_open: bool = False
    rename_error: str = ""

    def _path_ids(self) -> tuple[str, str]:
        parts = urlsplit(str(self.router.url)).path.strip("/").split("/")
        if len(parts) == 4 and parts[0] == "venues" and parts[2] == "plans":
            return parts[1][:64], parts[3][:64]
        return "", ""

    @rx.event
    def load(self):
        venue_id, plan_id = self._path_ids()
        ctx = self._tenant_context()
        if ctx is None:
            return
        try:
            with session_scope() as session:
                plan = get_plan(session, ctx, plan_id)
                venue = get_venue(session, ctx, venue_id)
                if plan.venue_id != venue.id:
                    raise VoelgoedError("not_found", "Seating plan not found", status=404)
                self.plan_id, self.plan_name, self.venue_name = str(plan.id), plan.name, venue.name
                self.venue_id = str(venue.id)
                self.not_found = False
        except VoelgoedError:
            self.plan_id, self.plan_name, self.venue_name, self.not_found = "", "", "", True

    @rx.event
    def set_rename_open(self, value: bool):
        self.rename_open, self.rename_error = value, ""

    @rx.event
    def rename(self, form: dict):
        """Rename the plan (versions keep their layouts); errors stay in the dialog."""
        ctx = self._tenant_context()
        if ctx is None:
            return rx.redirect("/signin")
        try:
            with session_scope() as session:
                self.plan_name = rename_plan(session, ctx, self.plan_id, name=form.get("name")).name
        except VoelgoedError as exc:
            self.rename_error = exc.message
            return
        self.rename_open, self.rename_error = False, ""
        return rx.toast.success("Plan renamed")

    @rx.event
    def duplicate(self):
        """Copy the saved draft into a new plan at the same venue and open it."""
        ctx = self._tenant_context()
        if ctx is None:
            return rx.redirect("/signin")
        try:
            with session_scope() as session:
                copy = duplicate_plan(session, ctx, self.plan_id)
        except VoelgoedError as exc:
            return rx.toast.error(exc.message)
        return rx.redirect(f"/venues/{self.venue_id}/plans/{copy.id}")
