"""The hold page ``/hold/[hold_id]``: summary, live countdown, name + e-mail, checkout, cancel."""

from __future__ import annotations

import reflex as rx

from voelgoed.pages.components.buyer_ui import buyer_page, empty_state, info_row, loaded
from voelgoed.state.hold import HoldState as S

ROUTE = "/hold/[hold_id]"

# Ticks every [data-countdown-seconds] element in the browser (m:ss); started once per tab.
COUNTDOWN_JS = """(function(){if(window.__vgCountdown)return;window.__vgCountdown=setInterval(function(){
document.querySelectorAll('[data-countdown-seconds]').forEach(function(el){var k=el.getAttribute('data-countdown-key');
if(el.__vgKey!==k){el.__vgKey=k;el.__vgEnd=Date.now()+Number(el.getAttribute('data-countdown-seconds'))*1000;}
var s=Math.max(0,Math.ceil((el.__vgEnd-Date.now())/1000));el.textContent=Math.floor(s/60)+':'+String(s%60).padStart(2,'0');
el.style.color=s<=60?'var(--red-11)':'';});},250);})()"""


def countdown() -> rx.Component:
    return rx.callout(
        rx.hstack(
            rx.text("Tickets reserved for", size="3"),
            rx.el.span((S.seconds_left // 60).to_string() + ":" + rx.cond(S.seconds_left % 60 < 10, "0", "")
                       + (S.seconds_left % 60).to_string(),
                       id="hold-countdown", custom_attrs={"data-countdown-seconds": S.seconds_left, "data-countdown-key": S.expires_at},
                       style={"font_weight": "700", "font_variant_numeric": "tabular-nums", "font_size": "1.25em"}),
            spacing="2", align="center"),
        icon="timer", color_scheme="amber", width="100%",
    )


def summary() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(S.event_name, size="6"),
            info_row("calendar", S.event_when),
            rx.cond(S.venue != "", info_row("map-pin", S.venue)),
            rx.divider(),
            rx.foreach(S.items, lambda it: rx.hstack(
                rx.text(it["qty"] + " × " + it["name"], size="3"), rx.spacer(),
                rx.text(it["line"], size="3"), width="100%")),
            rx.divider(),
            rx.hstack(rx.text("Total", weight="bold"), rx.spacer(), rx.text(S.total, weight="bold", size="5", id="hold-total"), width="100%"),
            spacing="2", width="100%",
        ),
        size="3", width="100%",
    )


def field(label: str, name: str, type_: str, placeholder: str, autocomplete: str) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="2", weight="medium"),
        rx.input(name=name, type=type_, placeholder=placeholder, required=True, size="3", width="100%",
                 auto_complete=autocomplete, max_length=200, id=name),
        rx.cond(S.field_errors.contains(name), rx.text(S.field_errors[name], size="1", color_scheme="red")),
        spacing="1", width="100%",
    )


def attendee_card(slot) -> rx.Component:
    """One ticket's attendee name and e-mail (the ticket type asks for them: optional or required)."""
    required = slot["mode"] == "required"
    return rx.box(
        rx.hstack(rx.icon("ticket", size=15), rx.text(slot["label"], size="2", weight="bold"),
                  rx.badge(rx.cond(required, "required", "optional"), color_scheme=rx.cond(required, "amber", "gray")),
                  spacing="2", align="center"),
        rx.grid(
            rx.vstack(
                rx.input(name=slot["name_field"], placeholder="Attendee's full name", size="2", width="100%", max_length=200,
                         required=required, id=slot["name_field"], auto_complete="off"),
                rx.cond(S.field_errors.contains(slot["name_field"]),
                        rx.text(S.field_errors[slot["name_field"]], size="1", color_scheme="red")),
                spacing="1", width="100%"),
            rx.vstack(
                rx.input(name=slot["email_field"], type="email", placeholder="attendee@example.co.za", size="2", width="100%",
                         max_length=254, required=required, id=slot["email_field"], auto_complete="off"),
                rx.cond(S.field_errors.contains(slot["email_field"]),
                        rx.text(S.field_errors[slot["email_field"]], size="1", color_scheme="red")),
                spacing="1", width="100%"),
            columns=rx.breakpoints(initial="1", sm="2"), spacing="2", width="100%", margin_top="6px"),
        padding="10px", border="1px solid var(--gray-5)", border_radius="8px", width="100%",
    )


def attendees_section() -> rx.Component:
    return rx.cond(
        S.attendee_slots.length() > 0,
        rx.vstack(
            rx.divider(),
            rx.heading("Who is going?", size="4"),
            rx.text("The organiser asks for each ticket's attendee. Their name is printed on the ticket.", size="1",
                    color_scheme="gray"),
            rx.foreach(S.attendee_slots, attendee_card),
            rx.cond(S.field_errors.contains("attendees"), rx.text(S.field_errors["attendees"], size="1", color_scheme="red")),
            spacing="2", width="100%", id="attendees"),
    )


def checkout_form() -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading("Your details", size="4"),
                field("Full name", "buyer_name", "text", "Thandi Mokoena", "name"),
                field("E-mail", "buyer_email", "email", "you@example.co.za", "email"),
                rx.text("Your tickets are e-mailed here.", size="1", color_scheme="gray"),
                attendees_section(),
                rx.cond(S.error != "", rx.callout(S.error, icon="triangle-alert", color_scheme="red", width="100%")),
                rx.button(rx.icon("credit-card", size=16), "Continue to payment", type="submit", size="4", width="100%",
                          loading=S.busy, id="checkout"),
                spacing="3", width="100%",
            ),
            on_submit=S.submit,
        ),
        size="3", width="100%",
    )


def cancel_button() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(rx.button("Cancel reservation", variant="ghost", color_scheme="gray", width="100%", id="cancel-hold")),
        rx.alert_dialog.content(
            rx.alert_dialog.title("Cancel this reservation?"),
            rx.alert_dialog.description("The tickets go back on sale straight away."),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Keep my tickets", variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(rx.button("Cancel reservation", color_scheme="red", on_click=S.cancel, id="confirm-cancel")),
                spacing="3", justify="end", margin_top="16px"),
            max_width="420px",
        ),
    )


def active_view() -> rx.Component:
    return rx.vstack(countdown(), summary(), checkout_form(), cancel_button(), spacing="4", width="100%")


def ended_view() -> rx.Component:
    return rx.match(
        S.status,
        ("expired", empty_state("clock-alert", "Reservation expired", "Your tickets were released. They may still be available.",
                                rx.link(rx.button("Choose tickets again", size="3"), href="/e/" + S.event_slug), id="hold-expired")),
        ("converted", empty_state("credit-card", "Checkout in progress", "You've already started paying for these tickets.",
                                  rx.link(rx.button("Back to the event", size="3", variant="soft"), href="/e/" + S.event_slug))),
        empty_state("circle-x", "Reservation closed", "This reservation is no longer active.",
                    rx.link(rx.button("Back to the event", size="3"), href="/e/" + S.event_slug)),
    )


def hold_page() -> rx.Component:
    return buyer_page(
        loaded(S.loading, S.found, rx.cond(S.status == "active", active_view(), ended_view()),
               empty_state("search-x", "Reservation not found", "This link doesn't match a reservation.",
                           rx.link("Back to VoelgoedEvents", href="/"))),
    )


def register(app: rx.App) -> None:
    app.add_page(hold_page, route=ROUTE, title="Checkout · VoelgoedEvents", on_load=[S.load, rx.call_script(COUNTDOWN_JS)])
