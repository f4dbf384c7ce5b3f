"""Widgets shared by the catalog pages (events, venues, orders): status badges, confirmation
dialogs and labelled form fields with inline errors."""

from __future__ import annotations

import reflex as rx

EVENT_STATUS_COLOURS = {"draft": "gray", "published": "blue", "live": "grass", "ended": "bronze",
                        "archived": "gray", "cancelled": "red"}
ORDER_STATUS_COLOURS = {"pending": "amber", "paid": "grass", "expired": "gray", "cancelled": "gray",
                        "refund_required": "red", "refunded": "orange", "initiated": "amber", "succeeded": "grass",
                        "failed": "red", "valid": "grass", "checked_in": "blue", "voided": "red"}


def status_badge(status: rx.Var, colours: dict[str, str] | None = None) -> rx.Component:
    """A soft badge coloured by status (``refund_required`` shows as "refund required")."""
    colours = colours or {**EVENT_STATUS_COLOURS, **ORDER_STATUS_COLOURS}
    return rx.match(
        status,
        *[(k, rx.badge(k.replace("_", " "), color_scheme=v, variant="soft", radius="full")) for k, v in colours.items()],
        rx.badge(status, variant="soft", radius="full"),
    )


def confirm_button(label: str, *, title: str, description: str | rx.Var, confirm_label: str, on_confirm,
                   icon: str = "", color: str = "red", variant: str = "soft", size: str = "2", id: str = "",
                   disabled: rx.Var | bool = False) -> rx.Component:
    """A button that asks "are you sure?" in an alert dialog before running ``on_confirm``."""
    trigger_children = ([rx.icon(icon, size=15)] if icon else []) + [label]
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(rx.button(*trigger_children, color_scheme=color, variant=variant, size=size,
                                          id=id or None, disabled=disabled)),
        rx.alert_dialog.content(
            rx.alert_dialog.title(title),
            rx.alert_dialog.description(description, size="2"),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Keep it", variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(rx.button(confirm_label, color_scheme=color, on_click=on_confirm,
                                                 id=f"{id}-confirm" if id else None)),
                spacing="3", margin_top="16px", justify="end",
            ),
            max_width="440px",
        ),
    )


def form_field(label: str, control: rx.Component, error: rx.Var | str = "", hint: str = "") -> rx.Component:
    """Label above the control; a hint or a red error below it."""
    return rx.vstack(
        rx.text(label, size="2", weight="medium", as_="label"),
        control,
        rx.cond(error != "", rx.text(error, size="1", color_scheme="red"),
                rx.text(hint, size="1", color_scheme="gray") if hint else rx.fragment()),
        spacing="1", width="100%", align="stretch",
    )


def form_error(message: rx.Var) -> rx.Component:
    return rx.cond(message != "", rx.callout(message, icon="circle-alert", color_scheme="red", size="1", width="100%"))


def loading_block() -> rx.Component:
    return rx.center(rx.spinner(size="3"), padding="48px", width="100%")


def labelled_select(options: list[tuple[str, str]], value: rx.Var, on_change, id: str = "") -> rx.Component:
    """A Radix select over fixed ``(value, label)`` pairs (labels shown, values sent)."""
    return rx.select.root(
        rx.select.trigger(min_width="150px"),
        rx.select.content(*[rx.select.item(label, value=val) for val, label in options]),
        value=value, on_change=on_change, id=id or None,
    )
