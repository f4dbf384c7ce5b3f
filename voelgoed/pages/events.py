"""`/events` (list + create) and `/events/[event_id]` (editor: details, schedule in the venue's
timezone, ticket types, lifecycle buttons with confirmations)."""

from __future__ import annotations

import reflex as rx

from voelgoed.pages.components.catalog_ui import (
    confirm_button,
    form_error,
    form_field,
    labelled_select,
    loading_block,
    status_badge,
)
from voelgoed.pages.components.shell import empty_state, organiser_page
from voelgoed.pages.event_seating import seating_card
from voelgoed.state.event_editor import EventEditorState, TicketTypeFormState
from voelgoed.state.event_seating import EventSeatingState
from voelgoed.state.events import STATUS_FILTERS, EventsState
from voelgoed.state.session import SessionState

E, T = EventEditorState, TicketTypeFormState


def _venue_select(options, default, name: str = "venue_id", id: str = "venue-select") -> rx.Component:
    return rx.select.root(
        rx.select.trigger(placeholder="Choose a venue", width="100%"),
        rx.select.content(rx.foreach(options, lambda v: rx.select.item(v["name"], value=v["id"]))),
        name=name, default_value=default, id=id,
    )


def _dt(name: str, default="", **kw) -> rx.Component:
    return rx.input(type="datetime-local", name=name, default_value=default, id=f"f-{name}", **kw)


# --- /events ---------------------------------------------------------------------------------


def _create_dialog() -> rx.Component:
    err = EventsState.field_errors
    return rx.dialog.root(
        rx.dialog.trigger(rx.button(rx.icon("plus", size=16), "New event", id="new-event", disabled=~EventsState.may_create)),
        rx.dialog.content(
            rx.dialog.title("New event"),
            rx.dialog.description("Start with the basics; you can add ticket types and publish next.", size="2",
                                  color_scheme="gray", margin_bottom="12px"),
            rx.cond(
                EventsState.venue_options.length() > 0,
                rx.form(
                    rx.vstack(
                        form_error(EventsState.form_error),
                        form_field("Event name", rx.input(name="name", placeholder="Summer Sounds Joburg", id="f-name"), err.get("name", "")),
                        form_field("Venue", _venue_select(EventsState.venue_options, EventsState.venue_options[0]["id"]), err.get("venue_id", ""),
                                   "Times below are in the venue's timezone"),
                        rx.grid(form_field("Starts", _dt("starts_at"), err.get("starts_at", "")),
                                form_field("Ends", _dt("ends_at"), err.get("ends_at", "")),
                                columns=rx.breakpoints(initial="1", sm="2"), spacing="3", width="100%"),
                        rx.grid(form_field("Sales open (optional)", _dt("sale_starts_at"), err.get("sale_starts_at", ""), "Default: when you publish"),
                                form_field("Sales close (optional)", _dt("sale_ends_at"), err.get("sale_ends_at", ""), "Default: when doors open"),
                                columns=rx.breakpoints(initial="1", sm="2"), spacing="3", width="100%"),
                        form_field("Web address (optional)", rx.input(name="slug", placeholder="made from the name", id="f-slug"),
                                   err.get("slug", ""), "Your public page will be /e/<address>"),
                        rx.hstack(
                            rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray", type="button")),
                            rx.button("Create draft", type="submit", loading=EventsState.saving, id="create-event-submit"),
                            justify="end", spacing="3", width="100%",
                        ),
                        spacing="3", width="100%",
                    ),
                    on_submit=EventsState.create, reset_on_submit=False,
                ),
                empty_state("map-pin", "Add a venue first", "Events happen at a venue; create one with its gates.",
                            rx.link(rx.button("Go to venues"), href="/venues")),
            ),
            max_width="560px",
        ),
        open=EventsState.create_open, on_open_change=EventsState.set_create_open,
    )


def _events_table() -> rx.Component:
    return rx.box(rx.table.root(
        rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in ("Event", "Date", "Venue", "Status", "Sold")])),
        rx.table.body(rx.foreach(EventsState.rows, lambda r: rx.table.row(
            rx.table.row_header_cell(rx.link(r["name"], href="/events/" + r["id"], weight="medium")),
            rx.table.cell(r["when"], white_space="nowrap"),
            rx.table.cell(r["venue_name"]),
            rx.table.cell(status_badge(r["status"])),
            rx.table.cell(r["sold_label"]),
        ))),
        variant="surface", width="100%", id="events-table",
    ), overflow_x="auto", width="100%")


def events_page() -> rx.Component:
    return organiser_page(
        "Events", "events",
        rx.flex(
            rx.input(rx.input.slot(rx.icon("search", size=16)), placeholder="Search events", value=EventsState.search,
                     on_change=EventsState.set_search.debounce(300), width=["100%", "260px"]),
            labelled_select([(s, "All statuses" if s == "all" else s.capitalize()) for s in STATUS_FILTERS],
                            EventsState.status_filter, EventsState.set_status_filter, id="event-status-filter"),
            rx.spacer(),
            _create_dialog(),
            spacing="3", wrap="wrap", width="100%", align="center",
        ),
        rx.cond(
            EventsState.loading, loading_block(),
            rx.cond(EventsState.rows.length() > 0, _events_table(),
                    empty_state("calendar-days", "No events yet",
                                "Create your first event, add ticket types and publish it to start selling.")),
        ),
    )


# --- /events/[event_id] ------------------------------------------------------------------------


def _lifecycle_buttons() -> rx.Component:
    s = E.ev["status"]
    return rx.flex(
        rx.cond(s == "draft", confirm_button(
            "Publish", title="Publish this event?", id="publish",
            description="Tickets go on sale on the public page as soon as the sale window opens.",
            confirm_label="Publish now", on_confirm=E.publish, icon="rocket", color="grass", variant="solid",
            disabled=~E.can_publish)),
        rx.cond(((s == "draft") | (s == "published") | (s == "live")) & E.can_publish, rx.link(  # the guided flow
            rx.button(rx.icon("ban", size=15), "Cancel event", color_scheme="red", variant="soft", id="cancel-event"),
            href="/events/" + E.ev["id"] + "/cancel")),
        rx.cond(s == "cancelled", rx.link(rx.button(rx.icon("undo-2", size=15), "Refund progress", variant="surface",
                                                    id="refund-progress-link"), href="/events/" + E.ev["id"] + "/cancel")),
        rx.cond(s != "draft", rx.link(rx.button(rx.icon("wallet", size=15), "Money", variant="surface", id="event-money"),
                                      href="/events/" + E.ev["id"] + "/money")),
        rx.cond(s != "draft", rx.link(rx.button(rx.icon("download", size=15), "Exports", variant="surface",
                                                id="event-exports"), href="/events/" + E.ev["id"] + "/exports")),
        rx.link(rx.button(rx.icon("megaphone", size=15), "Marketing", variant="surface", id="event-marketing"),
                href="/events/" + E.ev["id"] + "/marketing"),
        rx.cond((s == "draft") | (s == "ended") | (s == "cancelled"), confirm_button(
            "Archive", title="Archive this event?", id="archive-event",
            description="Archived events are kept for your records but hidden from day-to-day lists.",
            confirm_label="Archive", on_confirm=E.archive_event, icon="archive", color="gray", disabled=~E.can_publish)),
        rx.link(rx.button(rx.icon("activity", size=15), "Live dashboard", variant="surface"), href="/events/" + E.ev["id"] + "/live"),
        rx.cond(s != "draft", rx.link(rx.button(rx.icon("external-link", size=15), "Public page", variant="surface"),
                                      href="/e/" + E.ev["slug"], is_external=True)),
        spacing="2", wrap="wrap",
    )


def _details_card() -> rx.Component:
    err = E.field_errors
    return rx.card(
        rx.heading("Details & schedule", size="4", margin_bottom="4px"),
        rx.text("Times are in ", rx.text.strong(E.ev["timezone"]), " (the venue's timezone).", size="2", color_scheme="gray"),
        rx.form(
            rx.vstack(
                form_error(E.form_error),
                rx.grid(
                    form_field("Name", rx.input(name="name", default_value=E.ev["name"], id="f-name"), err.get("name", "")),
                    form_field("Web address", rx.input(name="slug", default_value=E.ev["slug"], id="f-slug"), err.get("slug", "")),
                    form_field("Venue", _venue_select(E.venue_options, E.ev["venue_id"]), err.get("venue_id", "")),
                    form_field("Capacity (optional)", rx.input(name="capacity", default_value=E.ev["capacity"], inputmode="numeric"),
                               err.get("capacity", ""), "Across all ticket types"),
                    form_field("Starts", _dt("starts_at", E.ev["starts_at"]), err.get("starts_at", "")),
                    form_field("Ends", _dt("ends_at", E.ev["ends_at"]), err.get("ends_at", "")),
                    form_field("Sales open", _dt("sale_starts_at", E.ev["sale_starts_at"]), err.get("sale_starts_at", "")),
                    form_field("Sales close", _dt("sale_ends_at", E.ev["sale_ends_at"]), err.get("sale_ends_at", "")),
                    columns=rx.breakpoints(initial="1", md="2"), spacing="3", width="100%",
                ),
                form_field("Description", rx.text_area(name="description", default_value=E.ev["description"], rows="4"),
                           err.get("description", "")),
                rx.hstack(rx.button("Save changes", type="submit", disabled=~E.can_edit, id="save-event"), justify="end", width="100%"),
                spacing="3", width="100%", margin_top="12px",
            ),
            on_submit=E.save_details, reset_on_submit=False, key=E.form_key,
        ),
        width="100%",
    )


def _tt_dialog() -> rx.Component:
    err = T.tt_field_errors
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(rx.cond(T.tt["id"] != "", "Edit ticket type", "Add ticket type")),
            rx.form(
                rx.vstack(
                    form_error(T.tt_error),
                    form_field("Name", rx.input(name="name", default_value=T.tt["name"], placeholder="General admission", id="tt-name"), err.get("name", "")),
                    rx.grid(
                        form_field("Price (R)", rx.input(name="price", default_value=T.tt["price_input"], placeholder="350.00",
                                                             inputmode="decimal", id="tt-price"), err.get("price", err.get("price_cents", "")), "0 for a free ticket"),
                        form_field("Quantity", rx.input(name="quantity", default_value=T.tt["quantity"], inputmode="numeric", id="tt-quantity"),
                                   err.get("quantity", "")),
                        form_field("Max per order", rx.input(name="max_per_order", default_value=T.tt["max_per_order"], inputmode="numeric"),
                                   err.get("max_per_order", "")),
                        columns="3", spacing="3", width="100%",
                    ),
                    rx.grid(
                        form_field("Sales open (optional)", _dt("sale_starts_at", T.tt["sale_starts_local"]), err.get("sale_starts_at", "")),
                        form_field("Sales close (optional)", _dt("sale_ends_at", T.tt["sale_ends_local"]), err.get("sale_ends_at", "")),
                        columns=rx.breakpoints(initial="1", sm="2"), spacing="3", width="100%",
                    ),
                    form_field("Description", rx.text_area(name="description", default_value=T.tt["description"], rows="2"), err.get("description", "")),
                    form_field("Attendee name and e-mail per ticket",
                               rx.el.select(rx.el.option("Off — tickets carry the buyer's name", value="off"),
                                            rx.el.option("Optional — asked at checkout", value="optional"),
                                            rx.el.option("Required — every ticket needs a name and e-mail", value="required"),
                                            name="attendee_mode", default_value=T.tt["attendee_mode"], id="tt-attendee-mode",
                                            style={"padding": "6px 8px", "border_radius": "6px", "border": "1px solid var(--gray-7)",
                                                   "background": "var(--color-panel-solid)", "width": "100%"}),
                               err.get("attendee_mode", ""), "Asked per ticket when buyers check out"),
                    rx.hstack(
                        rx.checkbox("On sale", name="is_active", default_checked=T.tt["is_active"] == "on"),
                        rx.checkbox("Hidden from the public page", name="is_hidden", default_checked=T.tt["is_hidden"] == "on"),
                        spacing="5", wrap="wrap",
                    ),
                    rx.hstack(
                        rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray", type="button")),
                        rx.button("Save ticket type", type="submit", id="tt-save"),
                        justify="end", spacing="3", width="100%",
                    ),
                    spacing="3", width="100%",
                ),
                on_submit=T.save, reset_on_submit=False, key=T.tt["id"] + E.form_key.to_string(),
            ),
            max_width="560px",
        ),
        open=T.tt_open, on_open_change=T.set_tt_open,
    )


def _ticket_types_card() -> rx.Component:
    header = ("Ticket type", "Price", "Sold", "Held", "Available", "Quantity", "Per order", "")
    return rx.card(
        rx.hstack(rx.heading("Ticket types", size="4"), rx.spacer(),
                  rx.button(rx.icon("plus", size=15), "Add ticket type", on_click=T.open_new, disabled=~E.can_edit,
                            variant="surface", id="add-ticket-type"), align="center", margin_bottom="12px"),
        rx.cond(
            E.ticket_rows.length() > 0,
            rx.box(rx.table.root(
                rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in header])),
                rx.table.body(rx.foreach(E.ticket_rows, lambda t: rx.table.row(
                    rx.table.row_header_cell(rx.vstack(rx.text(t["name"], weight="medium"),
                                                       rx.cond(t["flags"] != "", rx.text(t["flags"], size="1", color_scheme="amber")),
                                                       spacing="0")),
                    rx.table.cell(t["price"], white_space="nowrap"), rx.table.cell(t["sold"]), rx.table.cell(t["held"]),
                    rx.table.cell(rx.text(t["available"], weight="bold")), rx.table.cell(t["quantity"]),
                    rx.table.cell(t["max_per_order"]),
                    rx.table.cell(rx.icon_button(rx.icon("pencil", size=14), variant="ghost", on_click=T.open_edit(t),
                                                 disabled=~E.can_edit, aria_label="Edit ticket type")),
                ))),
                variant="ghost", width="100%", id="ticket-types-table",
            ), overflow_x="auto", width="100%"),
            empty_state("ticket", "No ticket types yet", "Add at least one ticket type (free tickets are fine) before publishing."),
        ),
        _tt_dialog(),
        width="100%",
    )


def event_editor_page() -> rx.Component:
    return organiser_page(
        "Event", "events",
        rx.cond(
            E.loading, loading_block(),
            rx.cond(
                E.not_found,
                empty_state("search-x", "Event not found", "It may belong to another organisation or have been removed.",
                            rx.link(rx.button("Back to events"), href="/events")),
                rx.vstack(
                    rx.link(rx.hstack(rx.icon("arrow-left", size=14), rx.text("All events", size="2")), href="/events"),
                    rx.flex(
                        rx.vstack(rx.hstack(rx.heading(E.ev["name"], size="6", id="event-name"), status_badge(E.ev["status"]),
                                            align="center", spacing="3", wrap="wrap"),
                                  rx.text(E.ev["venue_name"], " · ", E.ev["when"], size="2", color_scheme="gray"), spacing="1"),
                        rx.spacer(), _lifecycle_buttons(),
                        direction=rx.breakpoints(initial="column", md="row"), spacing="3", width="100%",
                    ),
                    rx.cond(E.problems.length() > 0, rx.callout.root(
                        rx.callout.icon(rx.icon("info", size=16)),
                        rx.vstack(rx.text("Before you can publish:", weight="medium", size="2"),
                                  rx.foreach(E.problems, lambda p: rx.text("• ", p, size="2")), spacing="1"),
                        color_scheme="amber", width="100%", id="publish-problems")),
                    _ticket_types_card(),
                    seating_card(),
                    _details_card(),
                    spacing="4", width="100%", align="stretch",
                ),
            ),
        ),
    )


def register(app: rx.App) -> None:
    app.add_page(events_page, route="/events", title="Events · VoelgoedEvents",
                 on_load=[SessionState.require_signed_in, EventsState.load])
    app.add_page(event_editor_page, route="/events/[event_id]", title="Event · VoelgoedEvents",
                 on_load=[SessionState.require_signed_in, EventEditorState.load, EventSeatingState.load])
