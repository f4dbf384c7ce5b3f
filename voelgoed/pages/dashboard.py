"""`/dashboard` (organiser overview) and `/reports` (per-event sales summary)."""

from __future__ import annotations

import reflex as rx

from voelgoed.pages.components.catalog_ui import status_badge
from voelgoed.pages.components.shell import empty_state, organiser_page, stat_card
from voelgoed.state.dashboard import DashboardState, ReportsState
from voelgoed.state.session import SessionState


def _quick_link(label: str, href: str, icon: str) -> rx.Component:
    return rx.link(rx.button(rx.icon(icon, size=16), label, variant="surface", size="2"), href=href)


def _list_card(title: str, all_label: str, all_href: str, rows: rx.Var, row, href, empty: rx.Component) -> rx.Component:
    """A card of linked rows (``row(item)`` → the row's children, ``href(item)`` → its link) or ``empty``."""
    return rx.card(
        rx.hstack(rx.heading(title, size="4"), rx.spacer(), rx.link(all_label, href=all_href, size="2"),
                  align="center", margin_bottom="12px"),
        rx.cond(
            rows.length() > 0,
            rx.vstack(rx.foreach(rows, lambda item: rx.link(
                rx.hstack(
                    *row(item),
                    status_badge(item["status"]),
                    align="center", width="100%", padding_y="8px",
                    border_bottom=f"1px solid {rx.color('gray', 4)}", spacing="3",
                ), href=href(item), underline="none", color="inherit", width="100%")),
                spacing="0", width="100%"),
            empty,
        ),
        width="100%",
    )


def _next_events() -> rx.Component:
    return _list_card(
        "Upcoming events", "All events", "/events", DashboardState.next_events,
        lambda e: [rx.vstack(rx.text(e["name"], weight="medium"), rx.text(e["when"], size="1", color_scheme="gray"),
                             spacing="0", align="start"),
                   rx.spacer(), rx.text(e["sold"], size="2", color_scheme="gray")],
        lambda e: "/events/" + e["id"],
        empty_state("calendar-days", "No upcoming events", "Create an event, add ticket types and publish it to start selling.",
                    rx.link(rx.button(rx.icon("plus", size=16), "Create event"), href="/events")),
    )


def _recent_orders() -> rx.Component:
    return _list_card(
        "Recent orders", "All orders", "/orders", DashboardState.recent_orders,
        lambda o: [rx.vstack(rx.text(o["order_code"], weight="medium", font_family="monospace"),
                             rx.text(o["buyer_name"], size="1", color_scheme="gray"), spacing="0", align="start"),
                   rx.spacer(), rx.text(o["total"], size="2")],
        lambda o: "/dashboard/orders/" + o["id"],
        empty_state("receipt", "No orders yet", "Orders appear here as soon as buyers check out."),
    )


def dashboard() -> rx.Component:
    return organiser_page(
        "Overview", "dashboard",
        rx.text("Welcome back, ", rx.text.strong(SessionState.user_name), ". Here is how ",
                rx.text.strong(SessionState.org_name), " is doing.", color_scheme="gray", id="dashboard-welcome"),
        rx.cond(DashboardState.attention_orders > 0, rx.link(rx.callout(
            rx.text(rx.text.strong(DashboardState.attention_orders.to_string()),
                    " order(s) need your attention (a payment the provider did not confirm, or a refund to make)."),
            icon="triangle-alert", color_scheme="red", width="100%"), href="/orders?status=attention",
            underline="none", width="100%", id="attention-orders")),
        rx.grid(
            stat_card("Upcoming events", DashboardState.upcoming_events, "calendar-days",
                      DashboardState.draft_events.to_string() + " drafts"),
            stat_card("Tickets sold", DashboardState.tickets_sold, "ticket", "across all events"),
            stat_card("Paid orders", DashboardState.orders_paid, "receipt", "all time"),
            stat_card("Revenue", DashboardState.revenue, "chart-column", "paid orders"),
            columns=rx.breakpoints(initial="2", lg="4"), spacing=rx.breakpoints(initial="3", sm="4"), width="100%",
        ),
        rx.hstack(
            _quick_link("New event", "/events", "plus"),
            _quick_link("Venues", "/venues", "map-pin"),
            _quick_link("Scanning", "/scanning", "scan-line"),
            _quick_link("Invite team", "/settings?tab=organisation", "users"),
            wrap="wrap", spacing="2",
        ),
        rx.grid(_next_events(), _recent_orders(), columns=rx.breakpoints(initial="1", lg="2"), spacing="4", width="100%"),
    )


def reports_page() -> rx.Component:
    header = ["Event", "Date", "Status", "Sold", "Held", "Capacity", "Paid orders", "Revenue"]
    return organiser_page(
        "Reports", "reports",
        rx.text("Sales per event. Revenue counts paid orders only.", color_scheme="gray"),
        rx.cond(ReportsState.error != "", rx.callout(ReportsState.error, icon="circle-alert", color_scheme="red")),
        rx.cond(
            ReportsState.rows.length() > 0,
            rx.box(rx.table.root(
                rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in header])),
                rx.table.body(rx.foreach(ReportsState.rows, lambda r: rx.table.row(
                    rx.table.row_header_cell(rx.link(r["name"], href="/events/" + r["event_id"] + "/live")),
                    rx.table.cell(r["when"]), rx.table.cell(status_badge(r["status"])), rx.table.cell(r["sold"]),
                    rx.table.cell(r["held"]), rx.table.cell(r["capacity"]), rx.table.cell(r["orders"]),
                    rx.table.cell(r["revenue"]),
                ))),
                variant="surface", width="100%", id="sales-table",
            ), overflow_x="auto", width="100%"),
            rx.cond(ReportsState.error == "",
                    empty_state("chart-column", "Nothing to report yet", "Sales figures appear once you create events.")),
        ),
        rx.cond(ReportsState.sections.length() > 0, _sections_table()),
    )


def _sections_table() -> rx.Component:
    """Seated events: seats per section (a lapsed hold counts as free; blocked = not on public sale)."""
    header = ["Event", "Section", "Sold", "Held", "Free", "Blocked", "Seats"]
    return rx.vstack(
        rx.heading("Seats by section", size="4"),
        rx.box(rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in header])),
            rx.table.body(rx.foreach(ReportsState.sections, lambda r: rx.table.row(
                rx.table.row_header_cell(rx.link(r["event"], href="/events/" + r["event_id"] + "/live")),
                rx.table.cell(r["section"]), rx.table.cell(r["sold"]), rx.table.cell(r["held"]),
                rx.table.cell(r["free"]), rx.table.cell(r["blocked"]), rx.table.cell(r["total"]),
            ))),
            variant="surface", width="100%", id="sections-table",
        ), overflow_x="auto", width="100%"),
        spacing="2", width="100%",
    )


def register(app: rx.App) -> None:
    app.add_page(dashboard, route="/dashboard", title="Overview · VoelgoedEvents",
                 on_load=[SessionState.require_signed_in, DashboardState.load])
    app.add_page(reports_page, route="/reports", title="Reports · VoelgoedEvents",
                 on_load=[SessionState.require_signed_in, ReportsState.load])
