"""`/orders` (search by code/buyer, status and event filters; orders needing attention — ``refund_required``
or flagged with an unconfirmed payment — highlighted) and
`/dashboard/orders/[order_id]` (items, payment history, tickets; void/resend widgets from
``pages/components/ticket_actions.py``, owned by the tickets slice; refunds, cancel and the one-click
refund of a ``refund_required`` order from ``pages/components/refund_ui.py``)."""

from __future__ import annotations

import reflex as rx

from voelgoed.pages.components import refund_ui, ticket_actions
from voelgoed.pages.components.audit_ui import entries_table
from voelgoed.pages.components.catalog_ui import labelled_select, loading_block, status_badge
from voelgoed.pages.components.shell import empty_state, organiser_page
from voelgoed.services.sales import ATTENTION, STATUSES
from voelgoed.state.audit import HistoryState as H
from voelgoed.state.orders import OrderDetailState as D
from voelgoed.state.orders import OrdersState as O
from voelgoed.state.refunds import RefundState
from voelgoed.state.session import SessionState


def _filters() -> rx.Component:
    return rx.flex(
        rx.input(rx.input.slot(rx.icon("search", size=16)), placeholder="Order code, buyer name or e-mail",
                 value=O.search, on_change=O.set_search.debounce(300), width=["100%", "320px"], id="order-search"),
        labelled_select([("all", "All statuses"), (ATTENTION, "Needs attention")]
                        + [(s, s.replace("_", " ").capitalize()) for s in STATUSES],
                        O.status_filter, O.set_status_filter, id="status-filter"),
        rx.select.root(
            rx.select.trigger(placeholder="All events", max_width="260px"),
            rx.select.content(rx.foreach(O.event_options, lambda e: rx.select.item(e["name"], value=e["id"]))),
            value=O.event_filter, on_change=O.set_event_filter,
        ),
        spacing="3", wrap="wrap", width="100%", align="center",
    )


def _orders_table() -> rx.Component:
    header = ("Order", "Buyer", "Event", "Tickets", "Total", "Status", "Placed")
    return rx.box(rx.table.root(
        rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in header])),
        rx.table.body(rx.foreach(O.rows, lambda o: rx.table.row(
            rx.table.row_header_cell(rx.hstack(
                rx.cond(o["attention"] != "", rx.tooltip(rx.icon("triangle-alert", size=15, color=rx.color("red", 10)),
                                                         content=o["attention"])),
                rx.link(o["order_code"], href="/dashboard/orders/" + o["id"], font_family="monospace", weight="medium"),
                align="center", spacing="2")),
            rx.table.cell(rx.vstack(rx.text(o["buyer_name"], size="2"), rx.text(o["buyer_email"], size="1", color_scheme="gray"), spacing="0")),
            rx.table.cell(o["event_name"]), rx.table.cell(o["tickets"]), rx.table.cell(o["total"], white_space="nowrap"),
            rx.table.cell(status_badge(o["status"])), rx.table.cell(o["when"], white_space="nowrap"),
            background=rx.cond(o["attention"] != "", rx.color("red", 3), "transparent"),
            class_name=rx.cond(o["attention"] != "", "order-attention", "order-row"),
        ))),
        variant="surface", width="100%", id="orders-table",
    ), overflow_x="auto", width="100%")


def orders_page() -> rx.Component:
    return organiser_page(
        "Orders", "orders",
        _filters(),
        rx.cond(O.error != "", rx.callout(O.error, icon="circle-alert", color_scheme="red")),
        rx.cond(O.loading, loading_block(), rx.cond(
            O.rows.length() > 0,
            rx.vstack(
                _orders_table(),
                rx.hstack(rx.text(O.range_label, size="2", color_scheme="gray"), rx.spacer(),
                          rx.button(rx.icon("chevron-left", size=15), "Newer", variant="soft", on_click=O.page(-1), disabled=O.offset == 0),
                          rx.button("Older", rx.icon("chevron-right", size=15), variant="soft", on_click=O.page(1),
                                    disabled=O.offset + 25 >= O.total),
                          align="center", width="100%"),
                width="100%", spacing="3",
            ),
            rx.cond(O.error == "", empty_state("receipt", "No orders found",
                                               "Orders appear here as soon as buyers check out. Try clearing the filters.")),
        )),
    )


def _section(title: str, *children) -> rx.Component:
    return rx.card(rx.heading(title, size="4", margin_bottom="10px"), *children, width="100%")


def _simple_table(header: tuple[str, ...], rows, cells, id: str) -> rx.Component:
    return rx.box(rx.table.root(
        rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in header])),
        rx.table.body(rx.foreach(rows, lambda r: rx.table.row(*cells(r)))),
        variant="ghost", width="100%", id=id,
    ), overflow_x="auto", width="100%")


def order_detail_page() -> rx.Component:
    o = D.order
    return organiser_page(
        "Order", "orders",
        rx.cond(D.loading, loading_block(), rx.cond(
            D.not_found,
            empty_state("search-x", "Order not found", "It may belong to another organisation.",
                        rx.link(rx.button("Back to orders"), href="/orders")),
            rx.vstack(
                rx.link(rx.hstack(rx.icon("arrow-left", size=14), rx.text("All orders", size="2")), href="/orders"),
                rx.flex(
                    rx.vstack(
                        rx.hstack(rx.heading(o["order_code"], size="6", font_family="monospace", id="order-code"),
                                  status_badge(o["status"]), align="center", spacing="3"),
                        rx.text(o["buyer_name"], " · ", o["buyer_email"], size="2", color_scheme="gray"),
                        rx.link(o["event_name"], href="/events/" + o["event_id"], size="2"),
                        spacing="1"),
                    rx.spacer(),
                    rx.vstack(rx.heading(o["total"], size="6"), rx.text("Placed ", o["when"], size="1", color_scheme="gray"),
                              align="end", spacing="1"),
                    rx.hstack(rx.cond(o["status"] == "paid", ticket_actions.resend_button(o["id"])),
                              refund_ui.refund_buttons(o["status"], D.load), id="order-actions", spacing="2"),
                    direction=rx.breakpoints(initial="column", md="row"), spacing="3", width="100%",
                ),
                rx.cond(o["attention"] != "", rx.callout(
                    o["attention"], icon="triangle-alert", color_scheme="red", id="refund-required")),
                _section("Items", _simple_table(("Ticket type", "Qty", "Unit price", "Line total"), D.items,
                                                lambda i: [rx.table.cell(i["ticket_type"]), rx.table.cell(i["quantity"]),
                                                           rx.table.cell(i["unit"]), rx.table.cell(i["line"])], "order-items")),
                _section("Payments", rx.cond(D.payments.length() > 0, _simple_table(
                    ("Provider", "Reference", "Amount", "Status", "Started", "Updated"), D.payments,
                    lambda p: [rx.table.cell(p["provider"]), rx.table.cell(rx.code(p["reference"])), rx.table.cell(p["amount"]),
                               rx.table.cell(status_badge(p["status"])), rx.table.cell(p["when"]), rx.table.cell(p["updated"])],
                    "order-payments"), rx.text("No payment attempts yet.", size="2", color_scheme="gray"))),
                _section("Tickets", rx.cond(D.tickets.length() > 0, _simple_table(
                    ("Code", "Type", "Holder", "Status", "Checked in", ""), D.tickets,
                    lambda t: [rx.table.cell(rx.code(t["ticket_code"])), rx.table.cell(t["ticket_type"]),
                               rx.table.cell(rx.vstack(rx.text(t["holder_name"], size="2", class_name="holder-name"),
                                                       rx.cond(t["holder_email"] != "", rx.text(t["holder_email"], size="1",
                                                                                                color_scheme="gray")),
                                                       spacing="0")),
                               rx.table.cell(status_badge(t["status"])),
                               rx.table.cell(rx.cond(t["checked_in"] != "", t["checked_in"] + " · " + t["gate"], "—")),
                               rx.table.cell(rx.hstack(
                                   ticket_actions.holder_button(t["id"], t["ticket_code"], t["status"], t["holder_name"],
                                                                t["holder_email"]),
                                   ticket_actions.void_button(t["id"], t["ticket_code"], t["status"]), spacing="2"))],
                    "order-tickets"), rx.text("Tickets are issued when the payment succeeds.", size="2", color_scheme="gray"))),
                refund_ui.refunds_panel(),
                rx.cond(~H.history_hidden, _section("History", rx.cond(
                    H.history.length() > 0, entries_table(H.history, "order-history"),
                    rx.text("Nothing recorded yet.", size="2", color_scheme="gray")))),
                ticket_actions.void_dialog(on_changed=D.load),
                ticket_actions.holder_dialog(on_changed=D.load),
                refund_ui.refund_dialog(D.tickets, D.load),
                spacing="4", width="100%", align="stretch",
            ),
        )),
    )


def register(app: rx.App) -> None:
    app.add_page(orders_page, route="/orders", title="Orders · VoelgoedEvents",
                 on_load=[SessionState.require_signed_in, O.load])
    app.add_page(order_detail_page, route="/dashboard/orders/[order_id]", title="Order · VoelgoedEvents",
                 on_load=[SessionState.require_signed_in, D.load, RefundState.load, H.load])
