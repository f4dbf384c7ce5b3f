"""Organiser ticket actions (void with reason + confirmation, change a ticket's holder, resend the confirmation e-mail).

Every handler resolves the organiser's :class:`TenantContext` from the session cookie and calls one
service; ids sent by the browser are never trusted (another organisation's ticket is "not found").
"""

from __future__ import annotations

import reflex as rx

from voelgoed.services.platform import VoelgoedError, session_scope
from voelgoed.services.tickets import change_holder, tickets
from voelgoed.state.formatting import field_errors
from voelgoed.state.session import SessionState


class TicketActionsState(SessionState):
    void_open: bool = False
    void_ticket_id: str = ""
    void_ticket_code: str = ""
    void_reason: str = ""
    void_busy: bool = False
    resend_busy: bool = False
    holder_open: bool = False
    holder_ticket_id: str = ""
    holder_ticket_code: str = ""
    holder_name: str = ""
    holder_email: str = ""
    holder_busy: bool = False
    holder_errors: dict[str, str] = {}

    @rx.event
    def open_holder(self, ticket_id: str, ticket_code: str, name: str, email: str):
        self.holder_ticket_id, self.holder_ticket_code = str(ticket_id)[:64], str(ticket_code)[:16]
        self.holder_name, self.holder_email = str(name)[:200], str(email)[:320]
        self.holder_errors, self.holder_open = {}, True

    @rx.event
    def set_holder_open(self, value: bool):
        self.holder_open = bool(value)

    @rx.event
    def set_holder_name(self, value: str):
        self.holder_name = str(value)[:200]

    @rx.event
    def set_holder_email(self, value: str):
        self.holder_email = str(value)[:320]

    @rx.event
    def confirm_holder(self, resend: bool = False):
        """Give the ticket the new holder (audited, PDF re-issued); with ``resend`` e-mail the order's tickets again."""
        ctx = self._tenant_context()
        if ctx is None:
            self.holder_open = False
            return rx.redirect("/signin")
        self.holder_busy, self.holder_errors = True, {}
        try:
            with session_scope() as session:
                ticket = change_holder(session, ctx, ticket_id=self.holder_ticket_id, name=self.holder_name,
                                       email=self.holder_email)
                code, order_id = ticket.ticket_code, ticket.order_id
                if resend:
                    to = tickets.resend_order_email(session, ctx, order_id=order_id).buyer_email
        except VoelgoedError as exc:
            self.holder_busy = False
            self.holder_errors = field_errors(exc)
            return None if self.holder_errors else rx.toast.error(exc.message)
        self.holder_busy, self.holder_open = False, False
        if resend:
            return rx.toast.success(f"Ticket {code} is now in {self.holder_name}'s name; tickets e-mailed again to {to}")
        return rx.toast.success(f"Ticket {code} is now in {self.holder_name}'s name; its PDF is re-issued")

    @rx.event
    def open_void(self, ticket_id: str, ticket_code: str):
        self.void_ticket_id, self.void_ticket_code = str(ticket_id)[:64], str(ticket_code)[:16]
        self.void_reason, self.void_open = "", True

    @rx.event
    def set_void_open(self, value: bool):
        self.void_open = bool(value)

    @rx.event
    def set_void_reason(self, value: str):
        self.void_reason = str(value)[:500]

    @rx.event
    def confirm_void(self):
        """Void the selected ticket (409 already_voided / 404 / 403 become an error toast)."""
        ctx = self._tenant_context()
        if ctx is None:
            self.void_open = False
            return rx.redirect("/signin")
        self.void_busy = True
        try:
            with session_scope() as session:
                ticket = tickets.void_ticket(session, ctx, ticket_id=self.void_ticket_id, reason=self.void_reason)
                code = ticket.ticket_code
        except VoelgoedError as exc:
            self.void_busy, self.void_open = False, False
            return rx.toast.error(exc.message)
        self.void_busy, self.void_open = False, False
        return rx.toast.success(f"Ticket {code} voided: it will be refused at the gate")

    @rx.event
    def resend(self, order_id: str):
        """E-mail the order confirmation with the ticket PDFs to the buyer again."""
        ctx = self._tenant_context()
        if ctx is None:
            return rx.redirect("/signin")
        self.resend_busy = True
        try:
            with session_scope() as session:
                order = tickets.resend_order_email(session, ctx, order_id=str(order_id)[:64])
                to = order.buyer_email
        except VoelgoedError as exc:
            self.resend_busy = False
            return rx.toast.error(exc.message)
        self.resend_busy = False
        return rx.toast.success(f"Tickets e-mailed again to {to}")
