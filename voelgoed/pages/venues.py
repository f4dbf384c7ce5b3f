"""`/venues`: venue cards with their gates; create/edit/archive venues and gates (with confirmation)."""

from __future__ import annotations

import reflex as rx

from voelgoed.pages.components.catalog_ui import confirm_button, form_error, form_field, loading_block
from voelgoed.pages.components.shell import empty_state, organiser_page
from voelgoed.services.platform import common_timezones
from voelgoed.state.seating_plans import SeatingPlansState as SP
from voelgoed.state.session import SessionState
from voelgoed.state.venues import VenuesState as V

_WORLD = ["Europe/London", "Europe/Amsterdam", "Europe/Berlin", "America/New_York", "Asia/Dubai", "Australia/Sydney"]
TIMEZONES = [tz for tz in common_timezones() if tz.startswith("Africa/")] + _WORLD


def _venue_dialog() -> rx.Component:
    f, err = V.venue_form, V.field_errors
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(rx.cond(f["id"] != "", "Edit venue", "New venue")),
            rx.form(
                rx.vstack(
                    form_error(V.error),
                    form_field("Name", rx.input(name="name", default_value=f["name"], placeholder="Mary Fitzgerald Square", id="v-name"),
                               err.get("name", "")),
                    form_field("Address", rx.input(name="address", default_value=f["address"], placeholder="Street, suburb"), err.get("address", "")),
                    rx.grid(
                        form_field("City", rx.input(name="city", default_value=f["city"], placeholder="Johannesburg", id="v-city"), err.get("city", "")),
                        form_field("Country", rx.input(name="country", default_value=f["country"], max_length=2), err.get("country", ""), "e.g. ZA"),
                        columns="2", spacing="3", width="100%",
                    ),
                    rx.grid(
                        form_field("Timezone", rx.select(TIMEZONES, name="timezone", default_value=f["timezone"], id="v-timezone"),
                                   err.get("timezone", ""), "Event times are entered in this zone"),
                        form_field("Capacity (optional)", rx.input(name="capacity", default_value=f["capacity"], inputmode="numeric"),
                                   err.get("capacity", "")),
                        columns="2", spacing="3", width="100%",
                    ),
                    rx.hstack(rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray", type="button")),
                              rx.button("Save venue", type="submit", id="v-save"), justify="end", spacing="3", width="100%"),
                    spacing="3", width="100%",
                ),
                on_submit=V.save_venue, reset_on_submit=False, key=f["id"] + f["name"],
            ),
            max_width="520px",
        ),
        open=V.venue_open, on_open_change=V.set_venue_open,
    )


def _gate_dialog() -> rx.Component:
    f, err = V.gate_form, V.field_errors
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(rx.cond(f["id"] != "", "Edit gate", "Add gate")),
            rx.dialog.description("Scanners report the gate code with every scan.", size="2", color_scheme="gray"),
            rx.form(
                rx.vstack(
                    form_error(V.error),
                    form_field("Gate code", rx.input(name="gate_code", default_value=f["gate_code"], placeholder="MAIN", id="g-code",
                                                     text_transform="uppercase"), err.get("gate_code", ""), "Letters, digits and dashes"),
                    form_field("Name", rx.input(name="name", default_value=f["name"], placeholder="Main entrance", id="g-name"), err.get("name", "")),
                    rx.hstack(rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray", type="button")),
                              rx.button("Save gate", type="submit", id="g-save"), justify="end", spacing="3", width="100%"),
                    spacing="3", width="100%", margin_top="8px",
                ),
                on_submit=V.save_gate, reset_on_submit=False, key=f["venue_id"] + f["id"],
            ),
            max_width="420px",
        ),
        open=V.gate_open, on_open_change=V.set_gate_open,
    )


def _gate_chip(venue, gate) -> rx.Component:
    return rx.hstack(
        rx.badge(gate.gate_code, variant="solid", radius="full"),
        rx.text(gate.name, size="2"),
        rx.spacer(),
        rx.cond(V.may_edit, rx.hstack(
            rx.icon_button(rx.icon("pencil", size=13), size="1", variant="ghost", aria_label="Edit gate",
                           on_click=V.open_gate(venue.id, {"id": gate.id, "gate_code": gate.gate_code, "name": gate.name})),
            confirm_button("", title="Archive gate " + gate.gate_code + "?", icon="trash-2", size="1", variant="ghost",
                           description="Scanners stop offering this gate. Its code stays reserved at this venue.",
                           confirm_label="Archive gate", on_confirm=V.archive_gate(gate.id)),
            spacing="1")),
        align="center", width="100%", padding_y="6px", border_bottom=f"1px solid {rx.color('gray', 4)}",
    )


def _seating_plans(v) -> rx.Component:
    """The venue's seating plans (links to the builder) and "New seating plan"."""
    return rx.vstack(
        rx.text("Seating plans", size="2", weight="medium", margin_top="8px"),
        rx.cond(SP.plans.contains(v.id),
                rx.hstack(rx.foreach(SP.plans[v.id], lambda p: rx.link(
                    rx.badge(rx.icon("armchair", size=12), p["name"], " · ", p["label"], variant="soft", radius="full"),
                    href=p["href"], class_name="seating-plan-link")), wrap="wrap", spacing="2"),
                rx.text("No seating plan yet — add one to sell assigned seats.", size="2", color_scheme="gray")),
        rx.cond(SP.may_create, rx.hstack(
            rx.button(rx.icon("armchair", size=14), "New seating plan", size="1", variant="surface",
                      on_click=SP.new_plan(v.id, v.name), class_name="new-seating-plan"),
            rx.menu.root(
                rx.menu.trigger(rx.button(rx.icon("layout-template", size=14), "From a template", size="1", variant="soft",
                                          class_name="seating-template-menu")),
                rx.menu.content(
                    rx.menu.item("Theatre: stalls and balcony", on_click=SP.new_from_template(v.id, "theatre"), class_name="template-theatre"),
                    rx.menu.item("Arena bowl", on_click=SP.new_from_template(v.id, "arena"), class_name="template-arena"),
                    rx.menu.item("Cabaret tables", on_click=SP.new_from_template(v.id, "cabaret"), class_name="template-cabaret"),
                    rx.menu.item("Stadium bowl (18 504 seats)", on_click=SP.new_from_template(v.id, "stadium"),
                                 class_name="template-stadium"),
                ),
            ),
            spacing="2")),
        spacing="2", width="100%", align="start",
    )


def _venue_card(v) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.vstack(rx.heading(v.name, size="4"),
                          rx.text(rx.cond(v.address != "", v.address + ", ", ""), v.city, " · ", v.country, size="2", color_scheme="gray"),
                          spacing="1"),
                rx.spacer(),
                rx.cond(V.may_edit, rx.hstack(
                    rx.icon_button(rx.icon("pencil", size=15), variant="soft", aria_label="Edit venue",
                                   on_click=V.open_venue({"id": v.id, "name": v.name, "address": v.address, "city": v.city,
                                                          "country": v.country, "timezone": v.timezone, "capacity": v.capacity})),
                    confirm_button("", title="Archive " + v.name + "?", icon="archive", variant="soft",
                                   description="The venue disappears from pickers. Events already there keep it.",
                                   confirm_label="Archive venue", on_confirm=V.archive_venue(v.id)),
                    spacing="2")),
                align="start", width="100%",
            ),
            rx.hstack(rx.badge(rx.icon("clock", size=12), v.timezone, variant="surface"),
                      rx.cond(v.capacity != "", rx.badge(rx.icon("users", size=12), v.capacity, variant="surface")),
                      rx.badge(rx.icon("calendar-days", size=12), v.events.to_string(), rx.cond(v.events == 1, " event", " events"), variant="surface"),
                      wrap="wrap", spacing="2"),
            rx.text("Gates", size="2", weight="medium", margin_top="8px"),
            rx.cond(v.gates.length() > 0, rx.vstack(rx.foreach(v.gates, lambda g: _gate_chip(v, g)), spacing="0", width="100%"),
                    rx.text("No gates yet — scanners can still be used without one.", size="2", color_scheme="gray")),
            rx.cond(V.may_edit, rx.button(rx.icon("plus", size=14), "Add gate", size="1", variant="surface",
                                          on_click=V.open_gate(v.id, {}), class_name="add-gate")),
            _seating_plans(v),
            spacing="2", width="100%",
        ),
        width="100%", class_name="venue-card",
    )


def venues_page() -> rx.Component:
    return organiser_page(
        "Venues", "venues",
        rx.hstack(rx.text("Where your events happen, with the gates door staff scan at.", color_scheme="gray"), rx.spacer(),
                  rx.cond(V.may_edit, rx.button(rx.icon("plus", size=16), "New venue", on_click=V.open_venue({}), id="new-venue")),
                  align="center", width="100%", wrap="wrap"),
        rx.cond(V.loading, loading_block(), rx.cond(
            V.rows.length() > 0,
            rx.grid(rx.foreach(V.rows, _venue_card), columns=rx.breakpoints(initial="1", lg="2"), spacing="4", width="100%"),
            empty_state("map-pin", "No venues yet", "Add the venue of your first event, with its entrances as gates."),
        )),
        _venue_dialog(),
        _gate_dialog(),
    )


def register(app: rx.App) -> None:
    app.add_page(venues_page, route="/venues", title="Venues · VoelgoedEvents",
                 on_load=[SessionState.require_signed_in, V.load, SP.load])
