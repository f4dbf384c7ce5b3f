"""The landing page `/`."""

import reflex as rx


def index() -> rx.Component:
    return rx.center(
        rx.vstack(
            rx.heading("VoelgoedEvents", size="9"),
            rx.text("Tickets, seats and gates for South African events."),
            rx.hstack(
                rx.link(rx.button("Organiser sign-in", size="3"), href="/signin"),
                rx.link(rx.button("Scanner", size="3", variant="outline"), href="/scan"),
            ),
            align="center",
            spacing="5",
        ),
        min_height="100vh",
    )


def register(app: rx.App) -> None:
    app.add_page(index, route="/", title="VoelgoedEvents")
