"""`/settings` → Organisation tab, "Branding" card: logo upload, colours with their contrast, e-mail sender name, and a
preview of the event page band, the buy button, the ticket header and the e-mail's From line before saving."""

from __future__ import annotations

import reflex as rx

from voelgoed.services.accounts import LOGO_MAX_BYTES
from voelgoed.state.branding import BrandingState as B
from voelgoed.state.session import SessionState

UPLOAD_ID = "logo-upload"


def _colour_field(label: str, key: str, value, on_change, help_text: str) -> rx.Component:
    error = B.look[key + "_error"]
    return rx.vstack(
        rx.text(label, size="2", weight="medium"),
        rx.hstack(
            rx.el.input(type="color", value=B.look[key], on_change=on_change, aria_label=label + " picker",
                        style={"width": "40px", "height": "32px", "border": "none", "padding": "0", "background": "none"}),
            rx.input(value=value, on_change=on_change, placeholder="default", id="brand-" + key, max_length=7,
                     width="9em", disabled=~B.can_edit),
            rx.badge("text " + B.look[key + "_ratio"], color_scheme=rx.cond(error == "", "green", "red"), variant="soft",
                     id="brand-" + key + "-ratio"),
            align="center", spacing="2"),
        rx.cond(error != "", rx.text(error, color_scheme="red", size="1", id="brand-" + key + "-error"),
                rx.text(help_text, color_scheme="gray", size="1")),
        spacing="1", width="100%")


def _logo_field() -> rx.Component:
    return rx.vstack(
        rx.text("Logo", size="2", weight="medium"),
        rx.upload(
            rx.vstack(rx.icon("image-up", size=22, color=rx.color("gray", 10)),
                      rx.text("Drop a PNG or JPEG here, or click to choose", size="2"),
                      rx.text(f"At most {LOGO_MAX_BYTES // 1_000_000} MB and 4000 px a side; it is resized to fit "
                              "600 × 200 px. SVG is not accepted.", size="1", color_scheme="gray"),
                      align="center", spacing="1"),
            id=UPLOAD_ID, multiple=False, max_files=1, max_size=LOGO_MAX_BYTES,
            accept={"image/png": [".png"], "image/jpeg": [".jpg", ".jpeg"]},
            on_drop=B.upload_logo(rx.upload_files(upload_id=UPLOAD_ID)), on_drop_rejected=B.logo_rejected,
            disabled=~B.can_edit, border=f"1px dashed {rx.color('gray', 7)}", border_radius="8px", padding="14px",
            width="100%", cursor="pointer"),
        rx.cond(B.upload_error != "", rx.callout(B.upload_error, icon="circle-alert", color_scheme="red", size="1",
                                                 id="logo-error", width="100%")),
        rx.cond(B.logo_src != "", rx.hstack(
            rx.badge(rx.cond(B.logo_pending, "New logo, not saved yet", "Current logo"),
                     color_scheme=rx.cond(B.logo_pending, "amber", "gray"), variant="soft", id="logo-status"),
            rx.button(rx.cond(B.logo_pending, "Discard new logo", "Remove logo"), size="1", variant="ghost",
                      color_scheme="red", on_click=B.drop_logo, disabled=~B.can_edit, id="logo-drop"),
            align="center", spacing="2")),
        rx.cond(B.remove_logo, rx.text("The logo will be removed when you save.", size="1", color_scheme="amber")),
        spacing="2", width="100%")


def _logo(id: str) -> rx.Component:
    return rx.cond(B.logo_src != "", rx.box(rx.image(src=B.logo_src, alt="Logo preview", height="34px", max_width="160px",
                                                     object_fit="contain", id=id),
                                            background="white", border_radius="6px", padding="3px 5px", display="flex"))


def _preview() -> rx.Component:
    look = B.look
    return rx.vstack(
        rx.text("Preview", size="2", weight="medium"),
        rx.box(
            rx.hstack(_logo("brand-preview-logo"), rx.text(SessionState.org_name, weight="bold"), align="center", spacing="2",
                      background=look["primary"], color=look["on_primary"], padding="10px 12px", id="brand-preview-band"),
            rx.vstack(
                rx.text("Your event page", size="1", color_scheme="gray"),
                rx.heading("Summer Sounds", size="4"),
                rx.box("Reserve tickets", background=look["accent"], color=look["on_accent"], padding="6px 14px",
                       border_radius="8px", font_weight="600", width="fit-content", id="brand-preview-button"),
                padding="10px 12px", spacing="2"),
            border=f"1px solid {rx.color('gray', 6)}", border_radius="10px", overflow="hidden", width="100%"),
        rx.box(
            rx.hstack(rx.vstack(rx.text("TICKET 1 OF 2", size="1"), rx.text("Summer Sounds", weight="bold"), spacing="0"),
                      rx.spacer(), _logo("brand-preview-ticket-logo"), align="center", background=look["primary"], color=look["on_primary"],
                      padding="10px 12px"),
            rx.box(height="6px", background=look["accent"]),
            rx.text("PDF ticket header", size="1", color_scheme="gray", padding="4px 12px"),
            border=f"1px solid {rx.color('gray', 6)}", border_radius="10px", overflow="hidden", width="100%"),
        rx.text("E-mails from: ", rx.code(B.from_line, id="brand-from-line"), size="2"),
        spacing="2", width="100%", id="brand-preview")


def branding_section() -> rx.Component:
    has_errors = (B.look["primary_error"] != "") | (B.look["accent_error"] != "")
    return rx.card(rx.vstack(
        rx.heading("Branding", size="4"),
        rx.text("Your logo and colours on your event pages, order pages, PDF tickets and e-mails, and the name your "
                "buyers' e-mails come from. Check the preview, then save.", size="2", color_scheme="gray"),
        rx.cond(~B.can_edit, rx.callout("Only owners and admins can change the branding.", icon="lock", size="1")),
        rx.grid(
            rx.vstack(
                _logo_field(),
                _colour_field("Primary colour", "primary", B.primary, B.set_primary,
                              "Header bands of pages, tickets and e-mails. Empty: the VoelgoedEvents look."),
                _colour_field("Accent colour", "accent", B.accent, B.set_accent, "Buttons and the ticket's stripe."),
                rx.vstack(rx.text("E-mail sender name", size="2", weight="medium"),
                          rx.input(value=B.sender_name, on_change=B.set_sender_name, placeholder=SessionState.org_name,
                                   id="brand-sender", max_length=80, width="100%", disabled=~B.can_edit),
                          rx.text("Shown as the sender of tickets and refund e-mails. Empty: the organisation's name.",
                                  size="1", color_scheme="gray"), spacing="1", width="100%"),
                spacing="4", width="100%"),
            _preview(),
            columns=rx.breakpoints(initial="1", md="2"), spacing="5", width="100%"),
        rx.cond(B.save_error != "", rx.callout(B.save_error, icon="circle-alert", color_scheme="red", size="1",
                                               id="brand-error")),
        rx.cond(B.can_edit, rx.hstack(
            rx.button(rx.icon("save", size=14), "Save branding", on_click=B.save, disabled=~B.dirty | has_errors,
                      id="brand-save"),
            rx.button("Undo changes", variant="soft", color_scheme="gray", on_click=B.revert, disabled=~B.dirty),
            spacing="2")),
        spacing="3", width="100%"), width="100%", id="branding-settings")
