"""State of `/attendees`: attendee search across every event of the organisation (issue 13, item 4).

One service call per search (:func:`voelgoed.services.tickets.search_attendees`: name, e-mail, order code or
ticket code); roles without financial rights get the service's 403 as a message, never a list.
"""

from __future__ import annotations

import reflex as rx

from voelgoed.services.platform import VoelgoedError
from voelgoed.services.tickets import search_attendees
from voelgoed.state.formatting import when
from voelgoed.state.session import SessionState


class AttendeesState(SessionState):
    query: str = ""
    searched: bool = False
    results: list[dict[str, str]] = []
    error: str = ""

    @rx.event
    def load(self):
        self.results, self.searched, self.error = [], False, ""
        q = str(self.router.url.query_parameters.get("q", "") or "")[:200]
        if q:
            self.query = q
            return AttendeesState.search

    @rx.event
    def set_query(self, value: str):
        self.query = str(value)[:200]

    @rx.event
    def search(self):
        q = self.query.strip()
        if len(q) < 2:
            self.results, self.searched, self.error = [], False, "Type at least 2 characters"
            return
        try:
            rows = self._for_tenant(search_attendees, q)
        except VoelgoedError as exc:
            self.results, self.searched, self.error = [], True, exc.message
            return
        if rows is None:
            return rx.redirect("/signin")
        self.error, self.searched = "", True
        self.results = [{"ticket_code": r["ticket_code"], "status": r["status"], "holder_name": r["holder_name"] or r["buyer_name"],
                         "holder_email": r["holder_email"], "buyer": f"{r['buyer_name']} · {r['buyer_email']}",
                         "order_code": r["order_code"], "order_id": r["order_id"], "event_name": r["event_name"],
                         "event_id": r["event_id"], "when": when(r["starts_at"], "%d %b %Y")} for r in rows]
