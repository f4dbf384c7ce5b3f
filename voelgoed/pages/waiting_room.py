"""The waiting-room page ``/e/[slug]/queue``: static markup + ``/waiting_room.js``.

No per-visitor Reflex state: the script joins with plain ``fetch`` (POST
``/api/v1/public/events/<slug>/queue``), keeps the visitor token in ``localStorage`` key
``vg_visitor_<slug>``, polls ``GET …/queue/<token>`` at the server's ``poll_after_seconds``, and once
admitted stores the pass in ``sessionStorage`` key ``vg_pass_<slug>`` and goes to
``/e/<slug>?pass=<pass>`` (the event page's state hands it to ``inventory.create_hold`` as ``pass_token``).
"""

import reflex as rx

ROUTE = "/e/[slug]/queue"


def queue_page() -> rx.Component:
    return rx.center(
        rx.vstack(
            rx.heading("You're in the queue", size="8"),
            rx.text("Keep this page open. We'll take you to the tickets when it's your turn.",
                    id="wr-message", size="4"),
            rx.hstack(
                rx.vstack(rx.text("Your place", size="2", color_scheme="gray"),
                          rx.text("…", id="wr-position", size="8", weight="bold"), align="center"),
                rx.vstack(rx.text("Estimated wait", size="2", color_scheme="gray"),
                          rx.text("…", id="wr-wait", size="8", weight="bold"), align="center"),
                spacing="9",
            ),
            rx.text("", id="wr-detail", size="2", color_scheme="gray"),
            rx.script(src="/waiting_room.js"),
            align="center",
            spacing="5",
            padding="2em",
            max_width="40em",
        ),
        min_height="80vh",
    )


def register(app: rx.App) -> None:
    app.add_page(queue_page, route=ROUTE, title="Waiting room · VoelgoedEvents")
