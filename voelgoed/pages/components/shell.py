"""The organiser dashboard shell (shared UI contract).

``organiser_page(title, active, *children)`` — a role-aware, responsive layout: a fixed sidebar on
desktop (brand, organisation switcher, navigation, user menu with sign out) and a top bar with a
menu on phone widths. ``active`` is one of ``events, venues, orders, scanning, reports, settings``
(or ``dashboard``). Pages using it should set ``on_load=SessionState.require_signed_in`` (or a
handler of a subclass that calls it). Navigation hides what a role cannot use; services still
authorise every action.
"""

from __future__ import annotations

import reflex as rx

from voelgoed.pages.components.buyer_ui import brand
from voelgoed.state.session import SessionState

# (key, label, href, icon, roles that see it)
_ALL = ("owner", "admin", "staff", "viewer", "scanner_only")
NAV_ITEMS: list[tuple[str, str, str, str, tuple[str, ...]]] = [
    ("dashboard", "Overview", "/dashboard", "layout-dashboard", _ALL),
    ("events", "Events", "/events", "calendar-days", _ALL),
    ("venues", "Venues", "/venues", "map-pin", ("owner", "admin", "staff", "viewer")),
    ("orders", "Orders", "/orders", "receipt", ("owner", "admin", "staff", "viewer")),
    ("attendees", "Attendees", "/attendees", "users", ("owner", "admin", "staff", "viewer")),
    ("scanning", "Scanning", "/scanning", "scan-line", ("owner", "admin", "staff", "scanner_only")),
    ("reports", "Reports", "/reports", "chart-column", ("owner", "admin", "staff", "viewer")),
    ("settings", "Settings", "/settings", "settings", _ALL),
]
SIDEBAR_WIDTH = "248px"


def _visible(roles: tuple[str, ...]) -> rx.Var:
    return rx.Var.create(list(roles)).contains(SessionState.role)


def _nav_link(key: str, label: str, href: str, icon: str, active: str) -> rx.Component:
    is_active = key == active
    return rx.link(
        rx.hstack(
            rx.icon(icon, size=18),
            rx.text(label, size="3", weight="medium" if is_active else "regular"),
            align="center", spacing="3", padding_x="12px", padding_y="9px", border_radius="8px", width="100%",
            background=rx.color("accent", 4) if is_active else "transparent",
            color=rx.color("accent", 11) if is_active else rx.color("gray", 11),
            _hover={"background": rx.color("accent", 3), "color": rx.color("accent", 11)},
        ),
        href=href, underline="none", width="100%", id=f"nav-{key}",
    )


def _nav(active: str) -> rx.Component:
    return rx.vstack(
        *[rx.cond(_visible(roles), _nav_link(key, label, href, icon, active))
          for key, label, href, icon, roles in NAV_ITEMS],
        spacing="1", width="100%",
    )


def _brand() -> rx.Component:
    return brand(href="/dashboard", label="Voelgoed")


def _menu_label(text) -> rx.Component:
    return rx.text(text, size="1", color_scheme="gray", padding="4px 8px", truncate=True)


def org_switcher() -> rx.Component:
    """Active organisation with a menu of the user's other organisations."""
    return rx.menu.root(
        rx.menu.trigger(
            rx.button(
                rx.hstack(
                    rx.icon("building-2", size=16),
                    rx.text(SessionState.org_name, white_space="nowrap", overflow="hidden", text_overflow="ellipsis",
                            max_width=["90px", "150px"]),
                    align="center", spacing="2",
                ),
                rx.icon("chevrons-up-down", size=14),
                variant="soft", color_scheme="gray", width="100%", justify="between", id="org-switcher",
            ),
        ),
        rx.menu.content(
            _menu_label("Your organisations"),
            rx.foreach(
                SessionState.organizations,
                lambda org: rx.menu.item(
                    rx.hstack(
                        rx.text(org["name"]),
                        rx.badge(org["role"], variant="soft", size="1"),
                        rx.cond(org["id"] == SessionState.org_id, rx.icon("check", size=14)),
                        spacing="2", align="center",
                    ),
                    on_click=SessionState.switch_organization(org["id"]),
                ),
            ),
            rx.menu.separator(),
            rx.menu.item(rx.hstack(rx.icon("plus", size=14), rx.text("New organisation")),
                         on_click=rx.redirect("/settings?tab=organisation&new=1")),
        ),
    )


def user_menu() -> rx.Component:
    return rx.menu.root(
        rx.menu.trigger(
            rx.button(
                rx.avatar(fallback=SessionState.user_name[:1].upper(), size="1", radius="full"),
                rx.vstack(
                    rx.text(SessionState.user_name, size="2", weight="medium", truncate=True, max_width="140px"),
                    rx.text(SessionState.role, size="1", color_scheme="gray"),
                    spacing="0", align="start",
                ),
                variant="ghost", color_scheme="gray", id="user-menu", height="auto", padding="6px",
            ),
        ),
        rx.menu.content(
            _menu_label(SessionState.user_email),
            rx.menu.item(rx.hstack(rx.icon("user", size=14), rx.text("Account settings")),
                         on_click=rx.redirect("/settings?tab=account")),
            rx.menu.separator(),
            rx.menu.item(rx.hstack(rx.icon("log-out", size=14), rx.text("Sign out")),
                         on_click=SessionState.sign_out, color="red", id="sign-out"),
        ),
    )


def _sidebar(active: str) -> rx.Component:
    return rx.box(
        rx.vstack(
            _brand(),
            org_switcher(),
            rx.divider(),
            _nav(active),
            rx.spacer(),
            rx.divider(),
            user_menu(),
            spacing="4", height="100%", padding="20px 16px", align="stretch",
        ),
        position="fixed", top="0", left="0", height="100vh", width=SIDEBAR_WIDTH,
        border_right=f"1px solid {rx.color('gray', 5)}", background=rx.color("gray", 2),
        display=["none", "none", "none", "block"], z_index="10",
    )


def _topbar(active: str) -> rx.Component:
    return rx.box(
        rx.hstack(
            rx.menu.root(
                rx.menu.trigger(rx.icon_button(rx.icon("menu", size=20), variant="ghost", size="3",
                                               aria_label="Open menu", id="mobile-menu")),
                rx.menu.content(
                    _menu_label(SessionState.org_name),
                    *[rx.cond(_visible(roles), rx.menu.item(
                        rx.hstack(rx.icon(icon, size=16), rx.text(label), spacing="2",
                                  color=rx.color("accent", 11) if key == active else None),
                        on_click=rx.redirect(href)))
                      for key, label, href, icon, roles in NAV_ITEMS],
                    rx.menu.separator(),
                    rx.menu.item(rx.hstack(rx.icon("log-out", size=16), rx.text("Sign out"), spacing="2"),
                                 on_click=SessionState.sign_out, color="red"),
                    min_width="220px",
                ),
            ),
            _brand(),
            rx.spacer(),
            rx.box(org_switcher(), max_width="170px"),
            align="center", spacing="3", width="100%",
        ),
        position="sticky", top="0", z_index="10", padding="10px 14px",
        background=rx.color("gray", 1), border_bottom=f"1px solid {rx.color('gray', 5)}",
        display=["block", "block", "block", "none"],
    )


def _no_organisation() -> rx.Component:
    return rx.center(empty_state(
        "building-2", "You're not part of an organisation yet",
        "Create one to start selling tickets, or ask a colleague to invite you to theirs.",
        rx.link(rx.button(rx.icon("plus", size=16), "Create an organisation"),
                href="/settings?tab=organisation&new=1"),
    ), width="100%", max_width="560px", margin="10vh auto 0")


def organiser_page(title: str, active: str, *children: rx.Component) -> rx.Component:
    """The page frame: sidebar/top bar + a heading + ``children`` in a max-width content column."""
    return rx.box(
        _sidebar(active),
        _topbar(active),
        rx.box(
            rx.cond(
                SessionState.signed_in,
                rx.cond(
                    SessionState.org_id != "",
                    rx.vstack(
                        rx.heading(title, size="7", weight="bold"),
                        *children,
                        spacing="5", width="100%", max_width="1200px", align="stretch",
                    ),
                    _no_organisation(),
                ),
                rx.center(rx.spinner(size="3"), height="60vh", width="100%"),
            ),
            margin_left=["0", "0", "0", SIDEBAR_WIDTH],
            padding=["16px", "20px", "28px", "32px 40px"],
        ),
        min_height="100vh", background=rx.color("gray", 1),
    )


def stat_card(label: str | rx.Var, value: rx.Var | str, icon: str, hint: rx.Var | str = "") -> rx.Component:
    """A small metric card used on overview pages."""
    return rx.card(
        rx.hstack(
            rx.vstack(
                rx.text(label, size="2", color_scheme="gray"),
                rx.heading(value, size=rx.breakpoints(initial="5", sm="7")),
                rx.text(hint, size="1", color_scheme="gray"),
                spacing="1", align="start",
            ),
            rx.spacer(),
            rx.center(rx.icon(icon, size=20), width="40px", height="40px", border_radius="10px",
                      background=rx.color("accent", 3), color=rx.color("accent", 11),
                      display=["none", "flex"]),
            align="start", width="100%",
        ),
        size="2", width="100%",
    )


def empty_state(icon: str, title: str, text: str, action: rx.Component | None = None) -> rx.Component:
    """A friendly placeholder for lists with nothing in them yet."""
    return rx.center(
        rx.vstack(
            rx.center(rx.icon(icon, size=24), width="48px", height="48px", border_radius="50%",
                      background=rx.color("accent", 3), color=rx.color("accent", 11)),
            rx.text(title, weight="medium", size="3"),
            rx.text(text, size="2", color_scheme="gray", text_align="center", max_width="360px"),
            *([action] if action is not None else []),
            align="center", spacing="2",
        ),
        padding="32px 16px", width="100%",
        border=f"1px dashed {rx.color('gray', 6)}", border_radius="12px",
    )
