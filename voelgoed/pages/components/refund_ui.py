"""Refund widgets of the organiser order page: the refunds panel, the refund dialog and the one-click
refund of a ``refund_required`` order."""

from __future__ import annotations

import reflex as rx

from voelgoed.pages.components.catalog_ui import confirm_button, status_badge
from voelgoed.state.refunds import RefundState as R

REFUND_COLOURS = {"pending": "amber", "processed": "grass", "failed": "red"}


def refund_buttons(order_status, on_changed) -> rx.Component:
    paid = (order_status == "paid") | (order_status == "cancelled")
    unpaid_cancel = confirm_button(
        "Cancel order", title="Cancel this unpaid order?", id="cancel-unpaid-order",
        description="The held tickets go back on sale at once. If the buyer still pays, the order is flagged for a refund.",
        confirm_label="Cancel order", on_confirm=[R.cancel, on_changed], icon="x")
    return rx.cond(order_status == "pending", unpaid_cancel, rx.cond(R.can_refund & (R.refundable_cents > 0), rx.hstack(
        rx.cond(paid, rx.button(rx.icon("undo-2", size=16), "Refund…", variant="outline", color_scheme="red",
                                on_click=R.open_dialog("order"), id="open-refund")),
        rx.cond(order_status == "refund_required", confirm_button(
            "Refund " + R.refundable, title="Refund this order in full?", id="one-click-refund",
            description="The buyer paid after the tickets were gone. The whole payment goes back to them "
                        "through the payment provider; they get an e-mail.",
            confirm_label="Refund " + R.refundable, on_confirm=[R.refund_whole, on_changed], icon="undo-2")),
        rx.cond(paid, confirm_button(
            "Cancel order", title="Cancel this order?", id="cancel-order",
            description="Every ticket is refunded and stops working at the gate; the seats go back on sale and the "
                        "buyer gets an e-mail once the money is back.",
            confirm_label="Cancel and refund", on_confirm=[R.cancel, on_changed], icon="x")),
        spacing="2",
    )))


def refunds_panel() -> rx.Component:
    return rx.card(
        rx.hstack(rx.heading("Refunds", size="4"), rx.spacer(),
                  rx.text("Paid and not refunded: ", rx.text.strong(R.balance, id="order-balance"), size="2"),
                  align="center", margin_bottom="10px"),
        rx.cond(R.refunds.length() > 0, rx.box(rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in
                                           ("When", "Amount", "Tickets", "Reason", "Status", "")])),
            rx.table.body(rx.foreach(R.refunds, lambda r: rx.table.row(
                rx.table.cell(r["when"]), rx.table.cell(r["amount"]), rx.table.cell(r["tickets"]),
                rx.table.cell(r["reason"]),
                rx.table.cell(status_badge(r["status"], REFUND_COLOURS),
                              rx.cond(r["error"] != "", rx.text(r["error"], size="1", color_scheme="red"))),
                rx.table.cell(rx.cond((r["retryable"] != "") & R.can_refund, rx.button(
                    "Retry", size="1", variant="soft", on_click=R.retry(r["id"]), class_name="retry-refund"))),
                class_name="refund-row"))),
            variant="ghost", width="100%", id="order-refunds"), overflow_x="auto", width="100%"),
            rx.text("No refunds.", size="2", color_scheme="gray")),
        width="100%",
    )


def refund_dialog(tickets, on_changed) -> rx.Component:
    """``tickets``: the order page's ticket rows (``id``, ``ticket_code``, ``ticket_type``, ``status``)."""
    return rx.alert_dialog.root(rx.alert_dialog.content(
        rx.alert_dialog.title("Refund order"),
        rx.alert_dialog.description("The money goes back through the payment provider; refunded tickets stop "
                                    "working at the gate at once. Up to ", rx.text.strong(R.refundable), " can be refunded.",
                                    size="2"),
        rx.vstack(
            rx.radio_group.root(rx.hstack(
                rx.radio_group.item("Whole order", value="order"), rx.radio_group.item("Pick tickets", value="tickets"),
                rx.radio_group.item("An amount", value="amount"), spacing="4"),
                value=R.mode, on_change=R.set_mode, id="refund-mode"),
            rx.cond(R.mode == "tickets", rx.vstack(rx.foreach(tickets, lambda t: rx.cond(
                (t["status"] == "valid") | (t["status"] == "checked_in"),
                rx.hstack(rx.checkbox(checked=R.picked.contains(t["id"]), on_change=lambda checked: R.toggle_ticket(t["id"], checked),
                                      class_name="refund-pick"),
                          rx.code(t["ticket_code"]), rx.text(t["ticket_type"], size="2"), align="center"))),
                spacing="1")),
            rx.cond(R.mode == "amount", rx.input(value=R.amount_text, on_change=R.set_amount_text, placeholder="Amount in rand, e.g. 150.00",
                                                 id="refund-amount", width="100%")),
            rx.text("Reason (the buyer sees it in the e-mail)", size="2", weight="medium"),
            rx.text_area(value=R.reason, on_change=R.set_reason, max_length=500, id="refund-reason", width="100%",
                         placeholder="e.g. Can't attend"),
            rx.cond(R.mode != "amount", rx.hstack(rx.switch(checked=R.return_to_sale, on_change=R.set_return_to_sale,
                                                            id="refund-return-to-sale"),
                                                  rx.text("Put the refunded tickets back on sale", size="2"), align="center")),
            rx.cond(R.error != "", rx.callout(R.error, icon="triangle-alert", color_scheme="red", id="refund-error")),
            spacing="3", width="100%", margin_top="12px",
        ),
        rx.hstack(
            rx.alert_dialog.cancel(rx.button("Keep the money", variant="soft", color_scheme="gray")),
            rx.button("Refund now", color_scheme="red", on_click=[R.confirm, on_changed], loading=R.busy,
                      disabled=R.busy, id="confirm-refund"),
            spacing="3", justify="end", margin_top="16px",
        ),
        max_width="480px",
    ), open=R.open, on_open_change=R.set_open)
