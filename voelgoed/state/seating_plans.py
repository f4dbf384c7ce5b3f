"""Seating plans on the `/venues` page: each venue's plans (links to the builder) and "New seating plan"."""

from __future__ import annotations

import reflex as rx

from voelgoed.services.platform import VoelgoedError, can_manage_events, session_scope
from voelgoed.services.seating import TEMPLATES, create_plan, plans_by_venue, starter_layout
from voelgoed.state.session import SessionState


def builder_url(venue_id: str, plan_id: str) -> str:
    return f"/venues/{venue_id}/plans/{plan_id}"


class SeatingPlansState(SessionState):
    # venue id → [{id, name, label, href}]
    plans: dict[str, list[dict[str, str]]] = {}
    may_create: bool = False

    @rx.event
    def load(self):
        ctx = self._tenant_context()
        if ctx is None:
            return
        with session_scope() as session:
            data = plans_by_venue(session, ctx)
        self.plans = {vid: [{"id": p["id"], "name": p["name"], "href": builder_url(vid, p["id"]),
                             "label": f"v{p['latest_version']}" if p["latest_version"] else "draft"} for p in rows]
                      for vid, rows in data.items()}
        self.may_create = can_manage_events(ctx)

    @rx.event
    def new_from_template(self, venue_id: str, kind: str):
        """A plan at the venue started from a starter template (theatre, arena, cabaret, stadium), opened in the builder."""
        ctx = self._tenant_context()
        if ctx is None:
            return rx.redirect("/signin")
        try:
            with session_scope() as session:
                plan = create_plan(session, ctx, venue_id=venue_id, name=TEMPLATES.get(kind, "Seating plan"),
                                   layout_doc=starter_layout(kind, seed=f"{venue_id}:{len(self.plans.get(venue_id, []))}"))
        except VoelgoedError as exc:
            return rx.toast.error(exc.message)
        return rx.redirect(builder_url(venue_id, str(plan.id)))

    @rx.event
    def new_plan(self, venue_id: str, venue_name: str):
        ctx = self._tenant_context()
        if ctx is None:
            return rx.redirect("/signin")
        count = len(self.plans.get(venue_id, [])) + 1
        name = f"{venue_name} seating" + (f" {count}" if count > 1 else "")
        try:
            with session_scope() as session:
                plan = create_plan(session, ctx, venue_id=venue_id, name=name[:120])
        except VoelgoedError as exc:
            return rx.toast.error(exc.message)
        return rx.redirect(builder_url(venue_id, str(plan.id)))
