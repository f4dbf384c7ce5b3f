"""State of `/venues/[venue_id]/plans/[plan_id]`: only what the page frame needs (plan name, venue, access).

The layout itself lives in the browser's builder component and travels over the builder's HTTP routes."""

from __future__ import annotations

from urllib.parse import urlsplit

import reflex as rx

from voelgoed.services.catalog import get_venue
from voelgoed.services.platform import VoelgoedError, session_scope
from voelgoed.services.seating import get_plan
from voelgoed.state.session import SessionState


class SeatingBuilderState(SessionState):
    plan_id: str = ""
    plan_name: str = ""
    venue_name: str = ""
    not_found: bool = False

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
                self.not_found = False
        except VoelgoedError:
            self.plan_id, self.plan_name, self.venue_name, self.not_found = "", "", "", True
