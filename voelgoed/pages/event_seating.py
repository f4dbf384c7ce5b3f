"""The event editor's "Seating plan" card (choose a version, set up seated sales) and the organiser's seat map
page `/events/[event_id]/seats` (state: :mod:`voelgoed.state.event_seating`)."""

from __future__ import annotations

import reflex as rx

from voelgoed.pages.components.seat_office import seat_office
from voelgoed.pages.components.shell import empty_state, organiser_page
from voelgoed.state.event_seating import NONE, RULE_TEXT
from voelgoed.state.event_seating import EventSeatingState as S
from voelgoed.state.session import SessionState


def _category_row(c) -> rx.Component:
    return rx.hstack(
        rx.box(width="14px", height="14px", border_radius="7px", background=c["color"], flex_shrink="0"),
        rx.text(c["label"], size="2", weight="medium", min_width="120px"),
        rx.cond(c["seats"] != "", rx.text(c["seats"], " seats", size="1", color_scheme="gray", min_width="70px")),
        rx.el.select(
            rx.el.option("Choose a ticket type…", value=""),
            rx.foreach(S.ticket_types, lambda t: rx.el.option(t["label"], value=t["id"])),
            name=c["field"], id="seat-category-" + c["key"], default_value=c["ticket_type_id"],
            key=c["key"] + c["ticket_type_id"],
            class_name="rt-reset rt-SelectTrigger rt-r-size-2 rt-variant-surface", style={"min_width": "240px"},
        ),
        align="center", spacing="3", wrap="wrap", class_name="seat-category-row",
    )


def _number(name: str, value, label: str) -> rx.Component:
    return rx.vstack(rx.text(label, size="1", color_scheme="gray"),
                     rx.input(name=name, default_value=value, key=value, type="number", min=1, max=100, width="110px",
                              id="seated-" + name.replace("_", "-")), spacing="1")


def _sales_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.text("Price categories → ticket types (the ticket type's price is the seat's price)", size="2",
                    weight="medium"),
            rx.foreach(S.categories, _category_row),
            rx.cond(S.ticket_types.length() == 0,
                    rx.text("Add ticket types to this event first (e.g. Premium, Standard); seated ticket types may have "
                            "quantity 0 — the seats are the capacity.", size="2", color_scheme="amber")),
            rx.hstack(
                rx.vstack(rx.text("Isolated seats", size="1", color_scheme="gray"),
                          rx.el.select(*[rx.el.option(text, value=rule) for rule, text in RULE_TEXT.items()],
                                       name="isolated_rule", id="seated-isolated-rule", default_value=S.isolated_rule,
                                       key=S.isolated_rule, style={"width": "360px", "max_width": "100%"},
                                       class_name="rt-reset rt-SelectTrigger rt-r-size-2 rt-variant-surface"),
                          spacing="1"),
                _number("max_per_order", S.max_per_order, "Seats per order"),
                _number("max_per_buyer", S.max_per_buyer, "Seats held per buyer"),
                spacing="4", wrap="wrap", align="end",
            ),
            rx.button(rx.cond(S.configured, "Save seated-sales settings", "Start selling seats"), type="submit",
                      id="seated-sales-save", disabled=~S.may_edit),
            spacing="3", width="100%",
        ),
        on_submit=S.save_sales, reset_on_submit=False,
    )


def _sales_section() -> rx.Component:
    return rx.vstack(
        rx.divider(margin_y="6px"),
        rx.hstack(
            rx.heading("Seated sales", size="3"),
            rx.cond(S.configured, rx.badge("On · ", S.seat_count, " seats ready to sell", color_scheme="grass",
                                           id="seated-sales-on"),
                    rx.badge("Not set up yet", color_scheme="amber", id="seated-sales-off")),
            rx.spacer(),
            rx.cond(S.configured, rx.link(rx.button(rx.icon("armchair", size=15), "Open the seat map", variant="soft",
                                                    id="open-seat-map"), href="/events/" + S.event_id + "/seats")),
            align="center", width="100%", wrap="wrap",
        ),
        _sales_form(),
        rx.cond(S.sales_error != "", rx.callout.root(
            rx.callout.icon(rx.icon("triangle-alert", size=16)),
            rx.vstack(rx.text(S.sales_error, size="2", weight="medium"),
                      rx.foreach(S.sales_problems, lambda p: rx.text("• ", p, size="2")), spacing="1"),
            color_scheme="red", id="seated-sales-error")),
        spacing="3", width="100%", margin_top="8px",
    )


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
        rx.cond(S.has_version, _sales_section()),
        width="100%",
    )


def seat_map_page() -> rx.Component:
    return organiser_page(
        "Seat map", "events",
        rx.cond(
            S.not_found,
            empty_state("search-x", "Event not found", "It may belong to another organisation or have been removed.",
                        rx.link(rx.button("Back to events"), href="/events")),
            rx.vstack(
                rx.link(rx.hstack(rx.icon("arrow-left", size=14), rx.text("Back to the event", size="2")),
                        href="/events/" + S.event_id),
                rx.text(S.current_label, size="2", color_scheme="gray", id="seat-map-plan"),
                rx.cond(
                    S.configured,
                    seat_office(event_id=S.event_id, height=520, may_edit=S.may_edit, may_sell=S.may_sell, key=S.event_id),
                    rx.cond(S.event_id != "",
                            empty_state("armchair", "This event does not sell seats yet",
                                        "Choose a seating plan on the event's page and map its categories to ticket types.",
                                        rx.link(rx.button("Set up seated sales"), href="/events/" + S.event_id)),
                            rx.center(rx.spinner(size="3"), height="300px", width="100%")),
                ),
                spacing="3", width="100%", align="stretch",
            ),
        ),
    )


def register(app: rx.App) -> None:
    app.add_page(seat_map_page, route="/events/[event_id]/seats", title="Seat map · VoelgoedEvents",
                 on_load=[SessionState.require_signed_in, S.load])
