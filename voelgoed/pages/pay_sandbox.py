"""The sandbox provider's hosted page ``/pay/sandbox/[reference]`` (test mode: Pay / Decline)."""

from __future__ import annotations

import reflex as rx

from voelgoed.pages.components.buyer_ui import buyer_page, empty_state, loaded
from voelgoed.state.pay_sandbox import SandboxPayState as S

ROUTE = "/pay/sandbox/[reference]"


def pay_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(rx.badge(rx.icon("flask-conical", size=14), "Sandbox · test mode", color_scheme="violet", radius="full"),
                      rx.spacer(), rx.code(S.order_code, variant="ghost"), width="100%", align="center"),
            rx.text("Pay", size="2", color_scheme="gray"),
            rx.heading(S.amount, size="8", id="sandbox-amount"),
            rx.text(S.event_name, size="3"),
            rx.text("Receipt to ", S.buyer_email, size="2", color_scheme="gray"),
            rx.divider(),
            rx.match(
                S.status,
                ("succeeded", rx.vstack(rx.callout("This payment has been made.", icon="circle-check", color_scheme="green", width="100%"),
                                        rx.button("View my tickets", on_click=S.view_order, size="4", width="100%"), width="100%")),
                ("failed", rx.vstack(rx.callout("This payment was declined. Nothing was charged.", icon="circle-x", color_scheme="red",
                                                width="100%", id="sandbox-declined"),
                                     rx.link(rx.button("Back to the event", size="3", variant="soft", width="100%"),
                                             href="/e/" + S.event_slug, width="100%"), width="100%")),
                rx.vstack(
                    rx.button(rx.icon("check", size=16), "Pay " + S.amount, on_click=S.pay, loading=S.busy, size="4",
                              width="100%", color_scheme="green", id="sandbox-pay"),
                    rx.button("Decline", on_click=S.decline, disabled=S.busy, size="3", width="100%", variant="soft",
                              color_scheme="red", id="sandbox-decline"),
                    rx.text("No real money moves: this page plays the payment provider.", size="1", color_scheme="gray"),
                    spacing="3", width="100%"),
            ),
            spacing="3", width="100%",
        ),
        size="4", width="100%",
    )


def sandbox_page() -> rx.Component:
    return buyer_page(
        loaded(S.loading, S.found, pay_card(),
               empty_state("search-x", "Payment not found", "This payment link is not valid.",
                           rx.link("Back to VoelgoedEvents", href="/"))),
        max_width="440px",
    )


def register(app: rx.App) -> None:
    app.add_page(sandbox_page, route=ROUTE, title="Sandbox payment · VoelgoedEvents", on_load=S.load)
