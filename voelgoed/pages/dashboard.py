"""`/dashboard` (organiser overview, with the live part pushed by :mod:`voelgoed.state.overview`) and `/reports`
(per-event sales summary)."""

from __future__ import annotations

import reflex as rx

from voelgoed.pages.components.catalog_ui import status_badge
from voelgoed.pages.components.shell import empty_state, organiser_page
from voelgoed.state.dashboard import DashboardState, ReportsState
from voelgoed.state.overview import SLOTS, OverviewState
from voelgoed.state.session import SessionState

OV = OverviewState
COLORS = [rx.color(c, 9) for c in ("blue", "green", "amber", "crimson", "violet", "cyan", "gray")]


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
        "Upcoming events", "All events", "/events", OV.ov_next,
        lambda e: [rx.vstack(rx.text(e["name"], weight="medium"), rx.text(e["when"], size="1", color_scheme="gray"),
                             spacing="0", align="start"),
                   rx.spacer(), rx.text(e["sold"], size="2", color_scheme="gray")],
        lambda e: "/events/" + e["id"],
        empty_state("calendar-days", "No upcoming events", "Create an event, add ticket types and publish it to start selling.",
                    rx.link(rx.button(rx.icon("plus", size=16), "Create event"), href="/events")),
    )


def _recent_orders() -> rx.Component:
    return _list_card(
        "Recent orders", "All orders", "/orders", OV.ov_recent,
        lambda o: [rx.vstack(rx.text(o["order_code"], weight="medium", font_family="monospace"),
                             rx.text(o["buyer_name"], size="1", color_scheme="gray"), spacing="0", align="start"),
                   rx.spacer(), rx.text(o["total"], size="2")],
        lambda o: "/dashboard/orders/" + o["id"],
        empty_state("receipt", "No orders yet", "Orders appear here as soon as buyers check out."),
    )


def _live_card(label: str, value, hint, icon: str, id_: str) -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.vstack(rx.text(label, size="2", color_scheme="gray"),
                      rx.heading(value, size=rx.breakpoints(initial="5", sm="7"), id=id_),
                      rx.text(hint, size="1", color_scheme="gray"), spacing="1", align="start"),
            rx.spacer(),
            rx.center(rx.icon(icon, size=20), width="40px", height="40px", border_radius="10px",
                      background=rx.color("accent", 3), color=rx.color("accent", 11)),
            align="start", width="100%"),
        width="100%")


def _legend(labels) -> rx.Component:
    return rx.hstack(
        *[rx.cond(labels[i] != "", rx.hstack(rx.box(width="10px", height="10px", border_radius="2px", background=COLORS[i]),
                                             rx.text(labels[i], size="1"), spacing="1", align="center"))
          for i in range(len(SLOTS))],
        wrap="wrap", spacing="3")


def _stacked_chart(data, labels, x_key: str, id_: str, empty: str) -> rx.Component:
    return rx.cond(
        labels[0] != "",
        rx.vstack(
            rx.recharts.bar_chart(
                *[rx.recharts.bar(data_key=k, name=labels[i], stack_id="all", fill=COLORS[i], is_animation_active=False)
                  for i, k in enumerate(SLOTS)],
                rx.recharts.x_axis(data_key=x_key, font_size=11, min_tick_gap=12),
                rx.recharts.y_axis(allow_decimals=False, width=32, font_size=11),
                rx.recharts.graphing_tooltip(),
                data=data, height=220, width="100%"),
            _legend(labels), width="100%", id=id_, spacing="2"),
        rx.center(rx.text(empty, size="2", color_scheme="gray"), height="220px", width="100%", id=id_ + "-empty"),
    )


def _range_picker() -> rx.Component:
    return rx.segmented_control.root(
        rx.segmented_control.item("7 days", value="7"), rx.segmented_control.item("30 days", value="30"),
        rx.segmented_control.item("90 days", value="90"),
        value=OV.ov_days, on_change=OV.set_range, id="overview-range")


def _live_overview() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.heading("Live", size="5"),
            rx.badge(rx.hstack(rx.box(width="8px", height="8px", border_radius="50%", background=rx.color("green", 9)),
                               "updates itself", spacing="1", align="center"), color_scheme="green", variant="soft"),
            rx.text("Updated ", OV.ov_updated, size="1", color_scheme="gray", id="overview-updated"),
            rx.spacer(), _range_picker(), align="center", width="100%", wrap="wrap"),
        rx.grid(
            _live_card("Sales today", OV.ov_tickets_today,
                       "tickets in " + OV.ov_orders_today + rx.cond(OV.ov_orders_today == "1", " order", " orders"),
                       "ticket", "ov-sales-today"),
            _live_card("Revenue today", OV.ov_revenue_today, "net of refunds", "wallet", "ov-revenue-today"),
            _live_card("Check-ins now", OV.ov_checkins_now, OV.ov_checkins_today + " today · last 15 min", "scan-line",
                       "ov-checkins-now"),
            _live_card("In range", OV.ov_tickets_range, "tickets · " + OV.ov_revenue_range, "chart-column", "ov-range-tickets"),
            columns=rx.breakpoints(initial="2", lg="4"), spacing=rx.breakpoints(initial="3", sm="4"), width="100%"),
        rx.grid(
            rx.card(rx.heading("Tickets sold per day, by ticket type", size="3", margin_bottom="8px"),
                    _stacked_chart(OV.ov_sales, OV.ov_sales_labels, "day", "chart-sales", "No sales in this range yet."),
                    width="100%"),
            rx.card(rx.hstack(rx.heading("Check-ins per 5 minutes, by gate", size="3"), rx.spacer(),
                              rx.text(OV.ov_window, size="1", color_scheme="gray"), margin_bottom="8px", width="100%"),
                    _stacked_chart(OV.ov_checkins, OV.ov_gate_labels, "time", "chart-checkins", "No check-ins yet."),
                    width="100%"),
            columns=rx.breakpoints(initial="1", lg="2"), spacing="4", width="100%"),
        rx.grid(
            rx.card(rx.heading("Sell-through per event", size="3", margin_bottom="8px"),
                    rx.cond(OV.ov_sell_through.length() > 0,
                            rx.recharts.bar_chart(
                                rx.recharts.bar(data_key="pct", name="% sold", fill=rx.color("accent", 9), radius=[0, 3, 3, 0],
                                                is_animation_active=False),
                                rx.recharts.x_axis(type_="number", domain=[0, 100], font_size=11, unit="%"),
                                rx.recharts.y_axis(data_key="name", type_="category", width=150, font_size=11),
                                rx.recharts.graphing_tooltip(),
                                data=OV.ov_sell_through, layout="vertical", height=240, width="100%", id="chart-sell-through"),
                            rx.center(rx.text("No events in this range.", size="2", color_scheme="gray"), height="240px")),
                    width="100%"),
            rx.card(rx.heading("No-shows at past events", size="3", margin_bottom="8px"),
                    rx.cond(OV.ov_no_shows.length() > 0,
                            rx.table.root(
                                rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in
                                                               ("Event", "Ended", "Tickets", "Checked in", "No-show")])),
                                rx.table.body(rx.foreach(OV.ov_no_shows, lambda e: rx.table.row(
                                    rx.table.row_header_cell(rx.link(e["name"], href="/events/" + e["event_id"] + "/live")),
                                    rx.table.cell(e["ended"]), rx.table.cell(e["tickets"]), rx.table.cell(e["checked_in"]),
                                    rx.table.cell(rx.badge(e["pct"], color_scheme="amber"))))),
                                size="1", width="100%", id="no-shows"),
                            rx.center(rx.text("No past events yet: the no-show rate appears after your first event.", size="2",
                                              color_scheme="gray"), height="240px")),
                    width="100%"),
            columns=rx.breakpoints(initial="1", lg="2"), spacing="4", width="100%"),
        spacing="4", width="100%", id="live-overview",
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
        _live_overview(),
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
                 on_load=[SessionState.require_signed_in, DashboardState.load, OverviewState.ov_load])
    app.add_page(reports_page, route="/reports", title="Reports · VoelgoedEvents",
                 on_load=[SessionState.require_signed_in, ReportsState.load])
