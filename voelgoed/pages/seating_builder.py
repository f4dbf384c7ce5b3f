"""`/venues/[venue_id]/plans/[plan_id]`: the seating plan builder (a thin frame around one canvas component)."""

from __future__ import annotations

import reflex as rx

from voelgoed.pages.components.seating_canvas import seating_builder
from voelgoed.pages.components.shell import empty_state, organiser_page
from voelgoed.state.seating_builder import SeatingBuilderState as B
from voelgoed.state.session import SessionState


def _rename_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.trigger(rx.button(rx.icon("pencil", size=14), "Rename", size="1", variant="soft", id="plan-rename")),
        rx.dialog.content(
            rx.dialog.title("Rename the seating plan"),
            rx.form(
                rx.vstack(
                    rx.input(name="name", default_value=B.plan_name, max_length=120, id="plan-rename-input", width="100%"),
                    rx.cond(B.rename_error != "", rx.text(B.rename_error, color_scheme="red", size="2", id="plan-rename-error")),
                    rx.hstack(rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray", type="button")),
                              rx.button("Rename", type="submit", id="plan-rename-submit"), justify="end", width="100%"),
                    spacing="3",
                ),
                on_submit=B.rename, reset_on_submit=False,
            ),
        ),
        open=B.rename_open, on_open_change=B.set_rename_open,
    )


def builder_page() -> rx.Component:
    return organiser_page(
        "Seating plan", "venues",
        rx.cond(
            B.not_found,
            empty_state("map-pin", "Seating plan not found", "It may belong to another organisation, or the link is wrong."),
            rx.vstack(
                rx.hstack(
                    rx.link(rx.hstack(rx.icon("arrow-left", size=14), rx.text("Venues"), spacing="1", align="center"), href="/venues"),
                    rx.text("·", color_scheme="gray"),
                    rx.text(B.venue_name, color_scheme="gray"),
                    rx.text("·", color_scheme="gray"),
                    rx.heading(B.plan_name, size="4", id="plan-name"),
                    _rename_dialog(),
                    rx.button(rx.icon("copy", size=14), "Duplicate", size="1", variant="soft", id="plan-duplicate",
                              on_click=B.duplicate, title="Copy the saved draft into a new plan"),
                    align="center", spacing="2", wrap="wrap",
                ),
                rx.cond(B.plan_id != "", seating_builder(plan_id=B.plan_id, height=620, key=B.plan_id),
                        rx.center(rx.spinner(size="3"), height="300px", width="100%")),
                spacing="3", width="100%", align="stretch",
            ),
        ),
    )


def register(app: rx.App) -> None:
    app.add_page(builder_page, route="/venues/[venue_id]/plans/[plan_id]", title="Seating plan · VoelgoedEvents",
                 on_load=[SessionState.require_signed_in, B.load])
