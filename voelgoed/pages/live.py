"""`/events/[event_id]/live` (organiser): sales, holds, check-ins per gate and type, arrivals per minute, recent scans.

Updates are pushed by :class:`voelgoed.state.live.LiveState` (no reload, no per-viewer queries).
"""

from __future__ import annotations

import reflex as rx

from voelgoed.pages.components.shell import empty_state, organiser_page, stat_card
from voelgoed.state.live import LiveState
from voelgoed.state.session import SessionState

_RESULT_COLOURS = {"accepted": "grass", "already_scanned": "amber", "duplicate_offline": "amber", "invalid": "red",
                   "wrong_event": "red", "revoked": "red", "not_valid_now": "orange"}


def _result_badge(result) -> rx.Component:
    return rx.match(result, *[(k, rx.badge(k.replace("_", " "), color_scheme=v, variant="soft")) for k, v in _RESULT_COLOURS.items()],
                    rx.badge(result, variant="soft"))


def _stats_grid() -> rx.Component:
    return rx.grid(
        rx.box(stat_card("Checked in", LiveState.checked_in.to_string(), "scan-line", "of " + LiveState.sold.to_string() + " sold"),
               id="live-checked-in", data_value=LiveState.checked_in.to_string()),
        stat_card("Tickets sold", LiveState.sold.to_string(), "ticket"),
        stat_card("Revenue", LiveState.revenue, "banknote"),
        stat_card("Held now", LiveState.held.to_string(), "timer", "in live carts"),
        stat_card("Available", LiveState.available.to_string(), "package-open"),
        columns=rx.breakpoints(initial="2", md="3", lg="5"), spacing="3", width="100%",
    )


def _arrivals_chart() -> rx.Component:
    return rx.card(
        rx.heading("Arrivals per minute", size="4", margin_bottom="8px"),
        rx.text("Accepted scans in the last hour", size="1", color_scheme="gray"),
        rx.recharts.bar_chart(
            rx.recharts.bar(data_key="count", fill=rx.color("accent", 9), radius=[3, 3, 0, 0], is_animation_active=False),
            rx.recharts.x_axis(data_key="minute", interval=9, font_size=11),
            rx.recharts.y_axis(allow_decimals=False, width=32, font_size=11),
            rx.recharts.graphing_tooltip(),
            data=LiveState.arrivals, height=220, width="100%",
        ),
        width="100%",
    )


def _per_gate() -> rx.Component:
    return rx.card(
        rx.heading("By gate", size="4", margin_bottom="12px"),
        rx.cond(LiveState.by_gate.length() > 0,
                rx.vstack(rx.foreach(LiveState.by_gate, lambda g: rx.hstack(
                    rx.icon("door-open", size=16), rx.text(g["gate"]), rx.spacer(), rx.text(g["checked_in"], weight="bold"),
                    width="100%", align="center")), spacing="2", width="100%", id="live-by-gate"),
                rx.text("Nobody checked in yet", size="2", color_scheme="gray")),
        width="100%",
    )


def _per_type() -> rx.Component:
    return rx.card(
        rx.heading("By ticket type", size="4", margin_bottom="12px"),
        rx.vstack(rx.foreach(LiveState.by_type, lambda t: rx.vstack(
            rx.hstack(rx.text(t["name"], weight="medium"), rx.spacer(),
                      rx.text(t["checked_in"] + " / " + t["sold"] + " in", size="2"), width="100%"),
            rx.progress(value=t["pct"].to(int), width="100%"),
            rx.text("held " + t["held"] + " · available " + t["available"], size="1", color_scheme="gray"),
            spacing="1", width="100%")), spacing="4", width="100%"),
        width="100%",
    )


def _per_section() -> rx.Component:
    """Seated events: sold / held / free seats per section, live (a lapsed hold counts as free)."""
    return rx.card(
        rx.heading("Seats by section", size="4", margin_bottom="12px"),
        rx.vstack(rx.foreach(LiveState.by_section, lambda x: rx.vstack(
            rx.hstack(rx.text(x["section"], weight="medium"), rx.spacer(),
                      rx.text(x["sold"] + " / " + x["total"] + " sold", size="2", weight="bold"), width="100%"),
            rx.progress(value=x["pct"].to(int), width="100%", color_scheme="grass"),
            rx.hstack(rx.badge("sold " + x["sold"], color_scheme="grass", variant="soft"),
                      rx.badge("held " + x["held"], color_scheme="amber", variant="soft"),
                      rx.badge("free " + x["free"], color_scheme="gray", variant="soft"),
                      rx.cond(x["blocked"] != "0", rx.badge("blocked " + x["blocked"], color_scheme="red", variant="soft")),
                      spacing="2", wrap="wrap"),
            spacing="1", width="100%", class_name="live-section", custom_attrs={"data-section": x["section"]})),
            spacing="4", width="100%", id="live-by-section"),
        width="100%",
    )


def _recent() -> rx.Component:
    return rx.card(
        rx.heading("Recent scans", size="4", margin_bottom="12px"),
        rx.cond(
            LiveState.recent.length() > 0,
            rx.table.root(
                rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in ("Time", "Result", "Ticket", "Gate", "Device")])),
                rx.table.body(rx.foreach(LiveState.recent, lambda r: rx.table.row(
                    rx.table.cell(r["time"]), rx.table.cell(rx.hstack(_result_badge(r["result"]), rx.cond(r["offline"] != "", rx.badge("offline", variant="outline")))),
                    rx.table.cell(rx.code(r["ticket"])), rx.table.cell(r["gate"]), rx.table.cell(r["device"])))),
                width="100%", variant="ghost", size="1",
            ),
            empty_state("scan-line", "No scans yet", "Scans from every gate appear here as they happen."),
        ),
        width="100%", overflow_x="auto",
    )


def live_page() -> rx.Component:
    return organiser_page(
        "Live",
        "events",
        rx.cond(
            LiveState.found,
            rx.vstack(
                rx.hstack(rx.badge(rx.hstack(rx.box(width="8px", height="8px", border_radius="50%", background=rx.color("grass", 9)),
                                             rx.text("Live"), align="center", spacing="1"), color_scheme="grass", size="2"),
                          rx.text("updated " + LiveState.updated, size="1", color_scheme="gray", id="live-updated"),
                          rx.spacer(),
                          rx.link(rx.button(rx.icon("smartphone", size=16), "Scanners", variant="surface"), href="/scanning"),
                          align="center", width="100%"),
                _stats_grid(),
                rx.grid(_arrivals_chart(), _per_gate(), columns=rx.breakpoints(initial="1", md="2"), spacing="3", width="100%"),
                rx.grid(_per_type(), _recent(), columns=rx.breakpoints(initial="1", md="2"), spacing="3", width="100%"),
                rx.cond(LiveState.by_section.length() > 0, _per_section()),
                spacing="4", width="100%", on_unmount=LiveState.stop,
            ),
            empty_state("search-x", "Event not found", "It may belong to another organisation, or the link is wrong.",
                        rx.link(rx.button("All events"), href="/events")),
        ),
    )


def register(app: rx.App) -> None:
    app.add_page(live_page, route="/events/[event_id]/live", title="Live · VoelgoedEvents",
                 on_load=[SessionState.require_signed_in, LiveState.load])
