"""Buyer order page ``/orders/[order_code]?token=…`` — mobile-first: status, tickets with QR, PDF, resend.

This is where the payment flow lands after the sandbox / provider page.
"""

from __future__ import annotations

import reflex as rx

from voelgoed.pages.components.brand_ui import brand_banner
from voelgoed.pages.components.buyer_ui import buyer_page
from voelgoed.state.buyer_order import BuyerOrderState as S

ROUTE = "/orders/[order_code]"

_STATUS = {
    "paid": ("Paid", "green", "circle-check"),
    "pending": ("Confirming payment", "amber", "loader"),
    "cancelled": ("Cancelled", "gray", "circle-x"),
    "expired": ("Expired", "gray", "clock"),
    "refund_required": ("Refund due", "orange", "circle-alert"),
    "refunded": ("Refunded", "gray", "undo-2"),
}


def status_badge() -> rx.Component:
    return rx.match(
        S.status,
        *[(key, rx.badge(rx.icon(icon, size=14), label, color_scheme=color, size="2", radius="full", id="order-status"))
          for key, (label, color, icon) in _STATUS.items()],
        rx.badge(S.status, size="2", radius="full", id="order-status"),
    )


def ticket_status(t) -> rx.Component:
    return rx.match(
        t["status"],
        ("valid", rx.badge("Valid", color_scheme="green", radius="full")),
        ("checked_in", rx.badge("Checked in", color_scheme="blue", radius="full")),
        ("voided", rx.badge("Void", color_scheme="red", radius="full")),
        ("refunded", rx.badge("Refunded", color_scheme="gray", radius="full")),
        rx.badge(t["status"], radius="full"),
    )


def _seat_part(name: str, value) -> rx.Component:
    return rx.cond(value != "", rx.vstack(rx.text(name, size="1", color_scheme="gray", weight="medium"),
                                          rx.text(value, size="6", weight="bold", class_name="ticket-seat-" + name.lower()),
                                          spacing="0", align="center", flex="1"))


def seat_band(t) -> rx.Component:
    """Section / row / seat of a seated ticket, large (``aria-label`` carries the one-line label)."""
    return rx.hstack(_seat_part("Section", t["seat_section"]), _seat_part("Row", t["seat_row"]),
                     _seat_part("Seat", t["seat_number"]),
                     width="100%", padding="10px", border_radius="10px", background=rx.color("accent", 3),
                     border=f"1px solid {rx.color('accent', 6)}", class_name="ticket-seat",
                     custom_attrs={"aria-label": t["seat_label"], "data-seat": t["seat_label"]})


def ticket_card(t) -> rx.Component:
    usable = (t["status"] == "valid") | (t["status"] == "checked_in")
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.vstack(
                    rx.text(t["ticket_type"], weight="bold", size="4"),
                    rx.text(t["holder_name"], size="2", color_scheme="gray"),
                    spacing="0", align="start",
                ),
                rx.spacer(),
                ticket_status(t),
                width="100%", align="center",
            ),
            rx.cond(t["seat_label"] != "", seat_band(t)),
            rx.cond(
                usable,
                rx.center(
                    rx.image(src=t["qr_svg"], alt="Ticket QR code " + t["ticket_code"], width="100%",
                             max_width="300px", style={"aspect_ratio": "1 / 1", "image_rendering": "pixelated"},
                             class_name="ticket-qr"),
                    background="white", border_radius="12px", padding="8px", width="100%",
                ),
                rx.callout("This ticket is no longer valid and will be refused at the gate.", icon="ban",
                           color_scheme="red", width="100%"),
            ),
            rx.center(rx.code(t["ticket_code"], size="5", variant="ghost", class_name="ticket-code"), width="100%"),
            rx.button(rx.icon("download", size=16), "Download PDF", variant="soft", size="3", width="100%",
                      on_click=rx.download(url=t["pdf_url"]), class_name="ticket-pdf"),
            spacing="3", width="100%",
        ),
        size="3", width="100%", class_name="ticket-card",
    )


def not_found() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.icon("search-x", size=36, color=rx.color("gray", 9)),
            rx.heading("Order not found", size="5", id="order-not-found"),
            rx.text("Check that you opened the full link from your confirmation e-mail. "
                    "The link is private to the buyer.", color_scheme="gray", size="2", align="center"),
            rx.link("Back to VoelgoedEvents", href="/"),
            spacing="3", align="center", padding_y="16px",
        ),
        width="100%",
    )


def pending_note() -> rx.Component:
    return rx.cond(
        S.status == "pending",
        rx.callout("We're confirming your payment with the provider. This page updates by itself; your "
                   "tickets appear here and in your inbox as soon as it's done.", icon="hourglass", color_scheme="amber",
                   width="100%"),
    )


def order_view() -> rx.Component:
    return rx.vstack(
        brand_banner(S.brand_name, S.brand_primary, S.brand_on_primary, S.brand_logo),
        rx.card(
            rx.vstack(
                rx.hstack(rx.text("Order ", rx.code(S.code, id="order-code"), size="2", color_scheme="gray"),
                          rx.spacer(), status_badge(), width="100%", align="center"),
                rx.heading(S.event_name, size="7", id="event-name"),
                rx.hstack(rx.icon("calendar", size=16), rx.text(S.starts_local, size="3"), spacing="2", align="center"),
                rx.hstack(rx.icon("map-pin", size=16),
                          rx.text(S.venue_name, rx.cond(S.venue_address != "", ", " + S.venue_address, ""), size="3"),
                          spacing="2", align="center"),
                rx.cond(S.gates != "", rx.hstack(rx.icon("door-open", size=16), rx.text(S.gates, size="2", color_scheme="gray"),
                                                 spacing="2", align="center")),
                rx.divider(),
                rx.hstack(rx.text("Total", color_scheme="gray"), rx.spacer(), rx.text(S.total, weight="bold"), width="100%"),
                spacing="2", width="100%",
            ),
            size="3", width="100%",
        ),
        pending_note(),
        rx.cond(S.tickets.length() > 0,
                rx.vstack(
                    rx.hstack(rx.heading("Your tickets", size="5"), rx.spacer(),
                              rx.badge(S.tickets.length().to_string() + rx.cond(S.tickets.length() == 1, " ticket", " tickets"), variant="soft"),
                              width="100%", align="center"),
                    rx.text("Show the QR code at the gate. Brightness up helps the scanner.", size="2", color_scheme="gray"),
                    rx.foreach(S.tickets, ticket_card),
                    spacing="3", width="100%",
                )),
        rx.cond(S.status == "paid",
                rx.card(rx.vstack(
                    rx.text("Sent to ", rx.text.strong(S.buyer_email), size="2"),
                    rx.button(rx.icon("calendar-plus", size=16), "Add to calendar", variant="soft", size="3", width="100%",
                              on_click=rx.download(url=S.calendar_url), id="add-to-calendar"),
                    rx.button(rx.icon("mail", size=16), "E-mail my tickets again", on_click=S.resend,
                              loading=S.resend_busy, variant="outline", size="3", width="100%", id="resend-email"),
                    spacing="2", width="100%"), width="100%")),
        spacing="4", width="100%",
    )


def buyer_order_page() -> rx.Component:
    return buyer_page(
        rx.cond(S.loading,
                rx.vstack(rx.skeleton(height="160px", width="100%"), rx.skeleton(height="360px", width="100%"),
                          spacing="4", width="100%"),
                rx.cond(S.found, order_view(), not_found())),
        rx.text("Tickets are signed and checked offline at the gate. Keep your link private.",
                size="1", color_scheme="gray", align="center", width="100%"),
        max_width="480px", padding="20px 14px 40px",
    )


def register(app: rx.App) -> None:
    app.add_page(buyer_order_page, route=ROUTE, title="Your tickets · VoelgoedEvents", on_load=S.load)
