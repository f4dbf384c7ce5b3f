"""The organisation's band on buyer pages (issue 15 branding): its logo on a white plate and its name, on its
primary colour with the text colour chosen for contrast (``accounts.brand_colours.text_on``)."""

from __future__ import annotations

import reflex as rx


def brand_banner(name, primary, on_primary, logo_url, *, id: str = "brand-banner") -> rx.Component:
    """``name`` / ``primary`` / ``on_primary`` / ``logo_url``: state vars (``logo_url`` ``""`` → name only)."""
    return rx.hstack(
        rx.cond(logo_url != "", rx.box(
            rx.image(src=logo_url, alt=name + " logo", height="40px", max_width="200px", object_fit="contain",
                     id=id + "-logo"),
            background="white", border_radius="8px", padding="4px 6px", display="flex")),
        rx.text(name, weight="bold", size="4"),
        background=primary, color=on_primary, padding="12px 16px", border_radius="12px", width="100%",
        align="center", spacing="3", id=id,
    )
