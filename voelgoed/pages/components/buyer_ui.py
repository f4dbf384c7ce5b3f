"""Shared look of the buyer pages (event, hold, sandbox payment): brand bar, narrow mobile-first column."""

from __future__ import annotations

import reflex as rx


def brand(*, href: str = "/", label: str = "VoelgoedEvents", large: bool = False) -> rx.Component:
    """The ticket logo and name linking to ``href`` (``large`` on the sign-in cards)."""
    box, icon, radius = ("36px", 20, "9px") if large else ("32px", 18, "8px")
    return rx.link(
        rx.hstack(
            rx.center(rx.icon("ticket", size=icon, color="white"), width=box, height=box, border_radius=radius,
                      background=rx.color("accent", 9)),
            rx.text(label, weight="bold", size="5" if large else "4"), align="center", spacing="2"),
        href=href, underline="none", color=rx.color("gray", 12))


def loaded(loading: rx.Var, found: rx.Var, view: rx.Component, missing: rx.Component) -> rx.Component:
    """Skeleton while ``loading``, then ``view`` when ``found`` else ``missing``."""
    return rx.cond(loading, loading_block(), rx.cond(found, view, missing))


def buyer_page(*children: rx.Component, max_width: str = "560px", padding: str = "20px 14px 120px") -> rx.Component:
    return rx.box(
        rx.vstack(brand(), *children, spacing="5", width="100%", max_width=max_width, margin_x="auto"),
        min_height="100vh", padding=padding,
        background=f"linear-gradient(180deg, {rx.color('accent', 2)} 0%, {rx.color('gray', 1)} 320px)",
    )


def empty_state(icon: str, title: str, text: str, *actions: rx.Component, id: str = "") -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.icon(icon, size=36, color=rx.color("gray", 9)),
            rx.heading(title, size="5", id=id or None),
            rx.text(text, color_scheme="gray", size="2", align="center"),
            *actions,
            spacing="3", align="center", padding_y="16px",
        ),
        width="100%",
    )


def loading_block() -> rx.Component:
    return rx.vstack(rx.skeleton(height="140px", width="100%"), rx.skeleton(height="90px", width="100%"),
                     rx.skeleton(height="90px", width="100%"), spacing="4", width="100%")


def info_row(icon: str, *text: rx.Component | str) -> rx.Component:
    return rx.hstack(rx.icon(icon, size=16, color=rx.color("gray", 10)), rx.text(*text, size="3"), spacing="2", align="center")
