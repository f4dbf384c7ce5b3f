"""`/scan`: the door staff's camera scanner (phone-first, dark, works offline).

The page is a thin shell: the scanning engine is plain JS in ``assets/scanner/`` (served at
``/scanner/...``) so it keeps working without the Reflex websocket — see docs/scanner-contract.md.
"""

import reflex as rx


def scan_page() -> rx.Component:
    return rx.box(
        rx.center(
            rx.vstack(rx.spinner(size="3"), rx.text("Loading scanner…", color="#93a39a"), align="center", spacing="3"),
            id="scanner-loading", height="100vh", width="100%",
        ),
        rx.el.div(id="scanner-root"),
        rx.script(src="/scanner/boot.js"),
        background="#0b0f0d", min_height="100vh", color="#eef3ef",
    )


def register(app: rx.App) -> None:
    app.add_page(scan_page, route="/scan", title="Scanner · VoelgoedEvents",
                 meta=[{"name": "theme-color", "content": "#0b0f0d"},
                       {"name": "mobile-web-app-capable", "content": "yes"}])
