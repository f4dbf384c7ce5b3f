"""`/settings` → Organisation tab, "Failed deliveries": dead-lettered outbox entries and "retry"."""

from __future__ import annotations

import reflex as rx

from voelgoed.services.platform import VoelgoedError, outbox, session_scope
from voelgoed.state.formatting import when
from voelgoed.state.session import SessionState

TOPIC_LABELS = {"order.paid": "Tickets and confirmation e-mail", "ticket.voided": "Updated ticket PDF",
                "tickets.resend": "Re-sent tickets", "invitation.created": "Invitation e-mail"}


class DeliveriesState(SessionState):
    dead_count: int = 0
    can_retry: bool = False
    dead_rows: list[dict[str, str]] = []

    def _reload(self) -> None:
        ctx = self._tenant_context()
        if ctx is None:
            return
        with session_scope() as session:
            view = outbox.ops_overview(session, ctx)
        self.dead_count, self.can_retry = view["dead_count"], view["can_retry"]
        self.dead_rows = [{"id": e["id"], "what": TOPIC_LABELS.get(e["topic"], e["topic"]), "error": e["last_error"],
                           "attempts": str(e["attempts"]), "when": when(e["processed_at"], "%d %b %H:%M")}
                          for e in view["entries"]]

    @rx.event
    def load(self):
        self._reload()

    @rx.event
    def retry(self, entry_id: str):
        ctx = self._tenant_context()
        if ctx is None:
            return
        try:
            with session_scope() as session:
                outbox.retry_entry(session, ctx, entry_id=entry_id)
        except VoelgoedError as exc:
            return rx.toast.error(exc.message)
        self._reload()
        return rx.toast.success("Queued again")
