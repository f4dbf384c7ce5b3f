"""`/attendees` — find a ticket holder or buyer across every event (name, e-mail, order code, ticket code)."""

from __future__ import annotations

import reflex as rx

from voelgoed.pages.components.catalog_ui import status_badge
from voelgoed.pages.components.shell import empty_state, organiser_page
from voelgoed.state.attendees import AttendeesState as S
from voelgoed.state.session import SessionState


def _results() -> rx.Component:
    header = ("Ticket", "Attendee", "Buyer", "Order", "Event", "Status")
    return rx.box(rx.table.root(
        rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in header])),
        rx.table.body(rx.foreach(S.results, lambda r: rx.table.row(
            rx.table.cell(rx.code(r["ticket_code"])),
            rx.table.cell(rx.vstack(rx.text(r["holder_name"], size="2", weight="medium"),
                                    rx.cond(r["holder_email"] != "", rx.text(r["holder_email"], size="1", color_scheme="gray")),
                                    spacing="0")),
            rx.table.cell(rx.text(r["buyer"], size="1")),
            rx.table.cell(rx.link(rx.code(r["order_code"]), href="/dashboard/orders/" + r["order_id"])),
            rx.table.cell(rx.vstack(rx.link(r["event_name"], href="/events/" + r["event_id"]),
                                    rx.text(r["when"], size="1", color_scheme="gray"), spacing="0")),
            rx.table.cell(status_badge(r["status"])),
            class_name="attendee-row"))),
        variant="surface", width="100%", id="attendee-results"), overflow_x="auto", width="100%")


def attendees_page() -> rx.Component:
    return organiser_page(
        "Attendees", "attendees",
        rx.text("Search every event: an attendee's or buyer's name or e-mail, an order code or a ticket code. "
                "Open the order to change a ticket's holder or e-mail the tickets again.", color_scheme="gray"),
        rx.form(rx.hstack(
            rx.input(rx.input.slot(rx.icon("search", size=16)), value=S.query, on_change=S.set_query,
                     placeholder="Naledi, naledi@example.com, VG-7K3Q9M …", max_length=200, width="100%", size="3",
                     id="attendee-query"),
            rx.button("Search", type="submit", size="3", id="attendee-search"),
            width="100%", max_width="640px"), on_submit=lambda _: S.search(), reset_on_submit=False),
        rx.cond(S.error != "", rx.callout(S.error, icon="circle-alert", color_scheme="red", id="attendee-error")),
        rx.cond(S.results.length() > 0, _results(),
                rx.cond(S.searched & (S.error == ""),
                        empty_state("user-search", "No one found", "Try part of a name or e-mail, or a full order or ticket code."),
                        empty_state("users", "Find an attendee", "Results from all your events appear here."))),
    )


def register(app: rx.App) -> None:
    app.add_page(attendees_page, route="/attendees", title="Attendees · VoelgoedEvents",
                 on_load=[SessionState.require_signed_in, S.load])
