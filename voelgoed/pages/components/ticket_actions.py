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


def resend_button(order_id) -> rx.Component:
    return rx.button(rx.icon("mail", size=16), "Resend tickets", variant="outline", on_click=S.resend(order_id),
                     loading=S.resend_busy, id="resend-tickets")
