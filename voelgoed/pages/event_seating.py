"""The event editor's "Seating plan" card (state: :mod:`voelgoed.state.event_seating`)."""

from __future__ import annotations

import reflex as rx

from voelgoed.state.event_seating import NONE
from voelgoed.state.event_seating import EventSeatingState as S


def seating_card() -> rx.Component:
    return rx.card(
        rx.heading("Seating plan", size="4", margin_bottom="4px"),
        rx.text("Sell assigned seats from a published version of one of the venue's seating plans. "
                "A version never changes; publish a new one in the builder and choose it here.", size="2", color_scheme="gray"),
        rx.text("Now: ", rx.text.strong(S.current_label, id="event-seating-current"), size="2", margin_top="6px"),
        rx.form(
            rx.hstack(
                rx.el.select(
                    rx.el.option("No seating plan (general admission)", value=NONE),
                    rx.foreach(S.options, lambda o: rx.el.option(o["label"], value=o["id"])),
                    name="seating_plan_version_id", id="event-seating-select", default_value=S.current, key=S.current,
                    class_name="rt-reset rt-SelectTrigger rt-r-size-2 rt-variant-surface", style={"min_width": "280px"},
                ),
                rx.button("Use this plan", type="submit", id="event-seating-save", disabled=~S.may_edit),
                spacing="2", align="center", wrap="wrap", margin_top="8px",
            ),
            on_submit=S.attach, reset_on_submit=False,
        ),
        rx.cond(S.protected > 0, rx.text(S.protected, " seats are sold or held: a new version must keep them.",
                                         size="2", color_scheme="amber", margin_top="6px")),
        rx.cond(S.error != "", rx.callout.root(
            rx.callout.icon(rx.icon("lock", size=16)),
            rx.vstack(rx.text(S.error, size="2", weight="medium"),
                      rx.foreach(S.blocked_seats, lambda s: rx.text("• ", s, size="2")), spacing="1"),
            color_scheme="red", margin_top="8px", id="event-seating-error")),
        width="100%",
    )
