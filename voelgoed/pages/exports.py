"""`/events/[event_id]/exports` — CSV and XLSX exports of an event's orders, tickets/attendees, check-ins and
refunds, written in the background with a progress bar, then downloaded through a signed link."""

from __future__ import annotations

import reflex as rx

from voelgoed.pages.components.catalog_ui import loading_block
from voelgoed.pages.components.shell import empty_state, organiser_page
from voelgoed.state.exports import LABELS
from voelgoed.state.exports import ExportsState as X
from voelgoed.state.session import SessionState

STATUS_COLOURS = {"queued": "gray", "running": "blue", "done": "grass", "failed": "red"}


def _starter(kind: str, label: str) -> rx.Component:
    return rx.card(
        rx.heading(label, size="3"),
        rx.hstack(rx.button(rx.icon("file-text", size=14), "CSV", on_click=X.start(kind, "csv"), variant="soft",
                            id=f"export-{kind}-csv"),
                  rx.button(rx.icon("sheet", size=14), "Excel", on_click=X.start(kind, "xlsx"), variant="soft",
                            id=f"export-{kind}-xlsx"), spacing="2", margin_top="8px"),
        min_width="200px")


def _job(j) -> rx.Component:
    return rx.table.row(
        rx.table.cell(j["kind"]), rx.table.cell(j["format"]), rx.table.cell(j["created_at"]),
        rx.table.cell(rx.badge(j["status"], color_scheme=rx.match(j["status"], *STATUS_COLOURS.items(), "gray"))),
        rx.table.cell(rx.vstack(rx.progress(value=j["percent"].to(int), max=100, width="160px"),
                                rx.text(j["progress"], size="1", color_scheme="gray"), spacing="1")),
        rx.table.cell(rx.cond(j["url"] != "",
                              rx.link(rx.button(rx.icon("download", size=14), "Download", size="1"), href=j["url"],
                                      is_external=True, class_name="export-download"),
                              rx.text(j["error"], size="1", color_scheme="red"))),
        class_name="export-job")


def exports_page() -> rx.Component:
    return organiser_page(
        "Exports", "events",
        rx.cond(X.loading, loading_block(), rx.cond(
            X.not_found, empty_state("search-x", "Event not found", "It may belong to another organisation."),
            rx.vstack(
                rx.link(rx.hstack(rx.icon("arrow-left", size=14), rx.text("Back to the event", size="2")),
                        href="/events/" + X.event_id),
                rx.text("Exports are written in the background; large events take a moment. Money is in cents, "
                        "times in UTC.", size="2", color_scheme="gray"),
                rx.flex(*[_starter(k, label) for k, label in LABELS.items()], spacing="3", wrap="wrap"),
                rx.cond(X.jobs.length() > 0, rx.table.root(
                    rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in
                                                   ("What", "Format", "Requested (UTC)", "Status", "Progress", "")])),
                    rx.table.body(rx.foreach(X.jobs, _job)), width="100%", id="export-jobs"),
                    rx.text("No exports yet.", size="2", color_scheme="gray")),
                spacing="4", width="100%", align="stretch"),
        )),
    )


def register(app: rx.App) -> None:
    app.add_page(exports_page, route="/events/[event_id]/exports", title="Exports · VoelgoedEvents",
                 on_load=[SessionState.require_signed_in, X.load])
