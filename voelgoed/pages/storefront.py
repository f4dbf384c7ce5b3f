"""Public event page ``/e/[slug]``: details in the venue's timezone, ticket types with live availability."""

from __future__ import annotations

import reflex as rx

from voelgoed.pages.components.brand_ui import brand_banner
from voelgoed.pages.components.buyer_ui import buyer_page, empty_state, info_row, loaded
from voelgoed.pages.components.seat_map import seat_map
from voelgoed.state.storefront import EventPageState as S

ROUTE = "/e/[slug]"


def stepper(t, i) -> rx.Component:
    qty = t["qty"].to(int)
    return rx.hstack(
        rx.icon_button(rx.icon("minus", size=16), on_click=S.change_qty(i, -1), variant="soft", size="3", radius="full",
                       disabled=qty <= 0, aria_label="Fewer " + t["name"], id="qty-minus-" + i.to_string()),
        rx.text(t["qty"], size="5", weight="bold", min_width="2ch", align="center", id="qty-" + i.to_string()),
        rx.icon_button(rx.icon("plus", size=16), on_click=S.change_qty(i, 1), size="3", radius="full",
                       disabled=qty >= t["cap"].to(int), aria_label="More " + t["name"], id="qty-plus-" + i.to_string()),
        spacing="3", align="center",
    )


def ticket_row(t, i) -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.vstack(
                rx.hstack(rx.text(t["name"], weight="bold", size="4"),
                          rx.cond(t["unlocked"] != "", rx.badge(rx.icon("key-round", size=12), "Unlocked with your code",
                                                                color_scheme="violet", radius="full", class_name="unlocked-badge")),
                          spacing="2", align="center", wrap="wrap"),
                rx.cond(t["description"] != "", rx.text(t["description"], size="2", color_scheme="gray")),
                rx.hstack(
                    rx.text(t["price"], size="4", weight="medium"),
                    rx.match(t["state"],
                             ("sold_out", rx.badge("Sold out", color_scheme="red", radius="full")),
                             ("seated", rx.badge(t["left"], color_scheme="blue", radius="full")),
                             ("closed", rx.badge("Not on sale", color_scheme="gray", radius="full")),
                             rx.badge(t["left"], color_scheme=rx.cond(t["left"] == "Available", "green", "amber"), radius="full")),
                    spacing="3", align="center", wrap="wrap"),
                spacing="1", align="start", flex="1",
            ),
            rx.cond(t["state"] == "on_sale", stepper(t, i)),
            width="100%", align="center", spacing="4",
        ),
        width="100%", class_name="ticket-type", opacity=rx.cond((t["state"] == "on_sale") | (t["state"] == "seated"), "1", "0.65"),
    )


def code_box() -> rx.Component:
    """Promo / access code: "Apply" checks it now (an access code reveals its hidden ticket types)."""
    return rx.vstack(
        rx.hstack(
            rx.input(placeholder="Promo or access code", value=S.promo_code, on_change=S.set_promo_code, id="promo-code",
                     max_length=40, width="16em"),
            rx.button("Apply", on_click=S.apply_code, variant="soft", id="apply-code", disabled=S.promo_code == ""),
            align="center", spacing="2"),
        rx.cond(S.code_error != "", rx.callout(S.code_error, icon="circle-x", color_scheme="red", size="1", id="code-error")),
        rx.cond(S.code_note != "", rx.callout(S.code_note, icon="key-round", color_scheme="grass", size="1", id="code-note")),
        rx.cond((S.code_note == "") & (S.code_error == ""),
                rx.text("Have a code? Apply it to see hidden tickets; discounts are applied when you reserve.",
                        size="1", color_scheme="gray")),
        spacing="2", width="100%")


def checkout_bar() -> rx.Component:
    return rx.box(
        rx.hstack(
            rx.vstack(
                rx.text(S.ticket_count.to_string() + rx.cond(S.ticket_count == 1, " ticket", " tickets"), size="2", color_scheme="gray"),
                rx.text(S.total_label, size="5", weight="bold", id="selection-total"),
                spacing="0",
            ),
            rx.spacer(),
            rx.button(rx.icon("lock", size=16), "Reserve tickets", on_click=S.reserve, loading=S.busy,
                      disabled=S.ticket_count == 0, size="4", id="reserve",
                      background=rx.cond(S.ticket_count == 0, rx.color("gray", 4), S.brand_accent),
                      color=rx.cond(S.ticket_count == 0, rx.color("gray", 8), S.brand_on_accent)),
            width="100%", max_width="560px", margin_x="auto", align="center",
        ),
        position="fixed", bottom="0", left="0", right="0", padding="12px 16px",
        background=rx.color("gray", 1), border_top=f"1px solid {rx.color('gray', 5)}",
        box_shadow="0 -6px 24px rgba(0,0,0,0.06)", z_index="10",
    )


def event_view() -> rx.Component:
    return rx.vstack(
        brand_banner(S.brand_name, S.brand_primary, S.brand_on_primary, S.brand_logo),
        rx.card(
            rx.vstack(
                rx.heading(S.name, size="8", id="event-name"),
                info_row("calendar", S.date_label),
                info_row("clock", S.time_label, rx.text.span(" (" + S.tz_label + ")", color=rx.color("gray", 10), size="1")),
                rx.cond(S.venue_label != "", info_row("map-pin", S.venue_label)),
                rx.cond(S.description != "", rx.text(S.description, size="3", color_scheme="gray", white_space="pre-wrap")),
                spacing="2", width="100%",
            ),
            size="3", width="100%",
        ),
        rx.cond(S.status_note != "", rx.callout(S.status_note, icon="info", color_scheme="gray", width="100%")),
        # seated events (issue 12): the live seat map; renders nothing for general admission
        rx.cond(S.on_sale & (S.slug != ""), rx.box(seat_map(slug=S.slug, height=520, key=S.slug), width="100%", id="seat-map")),
        rx.cond(S.cancelled, cancelled_notice(), tickets_section()),
        spacing="4", width="100%",
    )


def cancelled_notice() -> rx.Component:
    return rx.callout("This event has been cancelled. Tickets are no longer on sale.", icon="ban", color_scheme="red",
                      size="3", width="100%", id="event-cancelled")


def tickets_section() -> rx.Component:
    return rx.vstack(
        rx.heading("Tickets", size="5"),
        rx.cond(S.types.length() > 0,
                rx.vstack(rx.foreach(S.types, ticket_row), spacing="3", width="100%"),
                empty_state("ticket-x", "No tickets yet", "Tickets for this event aren't available yet. Check back soon.")),
        rx.cond(S.error != "", rx.callout(S.error, icon="triangle-alert", color_scheme="red", width="100%", id="hold-error")),
        rx.cond(S.on_sale, code_box()),
        rx.text("Tickets are held for you for a few minutes while you check out.", size="1", color_scheme="gray"),
        rx.cond(S.on_sale, checkout_bar()),
        spacing="4", width="100%",
    )


def event_page() -> rx.Component:
    return buyer_page(
        loaded(S.loading, S.found, event_view(),
               empty_state("calendar-x", "Event not found", "This event doesn't exist or isn't on sale.",
                           rx.link("Back to VoelgoedEvents", href="/"), id="event-not-found")),
    )


def register(app: rx.App) -> None:
    app.add_page(event_page, route=ROUTE, title="Tickets · VoelgoedEvents", on_load=S.load)
