"""Ticket action widgets for the organiser order detail page (``/dashboard/orders/[order_id]``).

Usage (the page renders ``void_dialog`` once, and a ``void_button`` per ticket row)::

    ticket_actions.void_dialog(on_changed=OrderDetailState.load)   # reload after a void
    ticket_actions.void_button(ticket["id"], ticket["ticket_code"], ticket["status"])
    ticket_actions.resend_button(order_id_var)

Buttons hide themselves for tickets that cannot be voided (already void or refunded).
"""

from __future__ import annotations

import reflex as rx

from voelgoed.state.ticket_actions import TicketActionsState as S


def void_button(ticket_id, ticket_code, status) -> rx.Component:
    return rx.cond(
        (status == "valid") | (status == "checked_in"),
        rx.button(rx.icon("ban", size=14), "Void", size="1", variant="soft", color_scheme="red",
                  on_click=S.open_void(ticket_id, ticket_code), class_name="void-ticket"),
    )


def void_dialog(on_changed=None) -> rx.Component:
    confirm = [S.confirm_void] + ([on_changed] if on_changed is not None else [])
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("Void ticket ", rx.code(S.void_ticket_code), "?"),
            rx.alert_dialog.description(
                "The ticket will be refused at every gate, also by scanners that are offline once they sync. "
                "The buyer keeps their other tickets. This cannot be undone.", size="2"),
            rx.vstack(
                rx.text("Reason (kept in the audit log)", size="2", weight="medium", as_="label", html_for="void-reason"),
                rx.text_area(value=S.void_reason, on_change=S.set_void_reason, placeholder="e.g. Chargeback, duplicate purchase",
                             max_length=500, id="void-reason", width="100%"),
                spacing="1", width="100%", margin_top="12px",
            ),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Keep ticket", variant="soft", color_scheme="gray")),
                rx.button("Void ticket", color_scheme="red", on_click=confirm, loading=S.void_busy, id="confirm-void"),
                spacing="3", justify="end", margin_top="16px",
            ),
            max_width="440px",
        ),
        open=S.void_open, on_open_change=S.set_void_open,
    )


def holder_button(ticket_id, ticket_code, status, name, email) -> rx.Component:
    return rx.cond(
        (status == "valid") | (status == "checked_in"),
        rx.button(rx.icon("user-pen", size=14), "Holder", size="1", variant="soft",
                  on_click=S.open_holder(ticket_id, ticket_code, name, email), class_name="change-holder"),
    )


def holder_dialog(on_changed=None) -> rx.Component:
    """Change a ticket's holder: name (required) and e-mail; save, or save and e-mail the tickets again."""
    after = [on_changed] if on_changed is not None else []
    err = S.holder_errors
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Change the holder of ", rx.code(S.holder_ticket_code)),
            rx.dialog.description("The ticket's QR code stays valid; its PDF is issued again with the new name. "
                                  "The change is kept in the audit log.", size="2"),
            rx.vstack(
                rx.text("Attendee name", size="2", weight="medium", as_="label", html_for="holder-name"),
                rx.input(value=S.holder_name, on_change=S.set_holder_name, max_length=200, id="holder-name", width="100%"),
                rx.cond(err.contains("name"), rx.text(err["name"], size="1", color_scheme="red")),
                rx.text("Attendee e-mail (optional)", size="2", weight="medium", as_="label", html_for="holder-email"),
                rx.input(value=S.holder_email, on_change=S.set_holder_email, type="email", max_length=320, id="holder-email",
                         width="100%"),
                rx.cond(err.contains("email"), rx.text(err["email"], size="1", color_scheme="red")),
                spacing="1", width="100%", margin_top="12px",
            ),
            rx.hstack(
                rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray")),
                rx.button("Save", variant="outline", on_click=[S.confirm_holder(False), *after], loading=S.holder_busy,
                          id="confirm-holder"),
                rx.button(rx.icon("mail", size=14), "Save and e-mail tickets", on_click=[S.confirm_holder(True), *after],
                          loading=S.holder_busy, id="confirm-holder-resend"),
                spacing="3", justify="end", margin_top="16px", wrap="wrap",
            ),
            max_width="460px",
        ),
        open=S.holder_open, on_open_change=S.set_holder_open,
    )


def resend_button(order_id) -> rx.Component:
    return rx.button(rx.icon("mail", size=16), "Resend tickets", variant="outline", on_click=S.resend(order_id),
                     loading=S.resend_busy, id="resend-tickets")
