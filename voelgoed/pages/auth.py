"""`/signin`, `/signup` and `/invite/[invite_token]` — mobile-first cards."""

from __future__ import annotations

import reflex as rx

from voelgoed.pages.components.buyer_ui import brand
from voelgoed.state.auth import AuthState, InviteState


def auth_card(*children: rx.Component, heading: str, sub: str | rx.Var) -> rx.Component:
    return rx.center(
        rx.vstack(
            brand(large=True),
            rx.card(
                rx.vstack(
                    rx.heading(heading, size="6"),
                    rx.text(sub, color_scheme="gray", size="2"),
                    *children,
                    spacing="4", width="100%",
                ),
                size="4", width="100%",
            ),
            spacing="5", align="center", width="100%", max_width="420px",
        ),
        min_height="100vh", padding="24px 16px",
        background=f"linear-gradient(160deg, {rx.color('accent', 2)} 0%, {rx.color('gray', 1)} 60%)",
    )


def field(label: str, name: str, state=AuthState, type_: str = "text", placeholder: str = "", **props) -> rx.Component:
    return rx.vstack(
        rx.text(label, as_="label", html_for=name, size="2", weight="medium"),
        rx.input(name=name, id=name, type=type_, placeholder=placeholder, size="3", width="100%", **props),
        rx.cond(state.field_errors.contains(name),
                rx.text(state.field_errors[name], color_scheme="red", size="1", id=f"{name}-error")),
        spacing="1", width="100%",
    )


def form_error(state=AuthState) -> rx.Component:
    return rx.cond(state.error != "", rx.callout(state.error, icon="circle-alert", color_scheme="red", size="1",
                                                 width="100%", id="form-error"))


def _auth_form(*fields: rx.Component, submit: str, submit_id: str, on_submit) -> rx.Component:
    """The form-level error, ``fields`` and a submit button (disabled until the page is hydrated)."""
    return rx.form(
        rx.vstack(
            form_error(),
            *fields,
            rx.button(submit, type="submit", size="3", width="100%", id=submit_id, disabled=~rx.State.is_hydrated),
            spacing="4", width="100%",
        ),
        on_submit=on_submit, reset_on_submit=False, width="100%",
    )


def signin() -> rx.Component:
    return auth_card(
        _auth_form(
            field("Email", "email", type_="email", placeholder="you@example.co.za", auto_complete="email", required=True),
            field("Password", "password", type_="password", auto_complete="current-password", required=True),
            submit="Sign in", submit_id="signin-submit", on_submit=AuthState.sign_in,
        ),
        rx.text("New here? ", rx.link("Create an organiser account", href="/signup"), size="2", align="center", width="100%"),
        heading="Sign in", sub="Manage your events, orders and gates.",
    )


def signup() -> rx.Component:
    return auth_card(
        _auth_form(
            field("Your name", "full_name", placeholder="Thandi Mokoena", auto_complete="name"),
            field("Work email", "email", type_="email", placeholder="you@example.co.za", auto_complete="email",
                  required=True),
            field("Password", "password", type_="password", placeholder="At least 10 characters",
                  auto_complete="new-password", required=True),
            field("Organisation name", "organization_name", placeholder="Jozi Live Productions", required=True),
            submit="Create account", submit_id="signup-submit", on_submit=AuthState.sign_up,
        ),
        rx.text("Already have an account? ", rx.link("Sign in", href="/signin"), size="2", align="center", width="100%"),
        heading="Start selling tickets", sub="Create your organiser account and organisation in one step.",
    )


def invite() -> rx.Component:
    valid = rx.vstack(
        form_error(InviteState),
        rx.cond(
            InviteState.signed_in,
            rx.vstack(
                rx.text("Signed in as ", rx.text.strong(InviteState.user_email), size="2"),
                rx.button("Accept and join", on_click=InviteState.accept, size="3", width="100%", id="accept-invite",
                          disabled=~rx.State.is_hydrated),
                spacing="3", width="100%",
            ),
            rx.vstack(
                rx.form(
                    rx.vstack(
                        rx.text("Create your account for ", rx.text.strong(InviteState.invite_email), size="2"),
                        field("Your name", "full_name", state=InviteState, auto_complete="name"),
                        field("Password", "password", state=InviteState, type_="password",
                              placeholder="At least 10 characters", auto_complete="new-password"),
                        rx.button("Create account and join", type="submit", size="3", width="100%", id="invite-signup",
                          disabled=~rx.State.is_hydrated),
                        spacing="3", width="100%",
                    ),
                    on_submit=InviteState.sign_up_and_accept, reset_on_submit=False, width="100%",
                ),
                rx.text("Already have an account? ",
                        rx.link("Sign in first", href="/signin?next=" + InviteState.router.url.path), size="2"),
                spacing="3", width="100%",
            ),
        ),
        spacing="3", width="100%",
    )
    return auth_card(
        rx.cond(
            ~InviteState.loaded, rx.center(rx.spinner(size="3"), width="100%", padding="20px"),
            rx.cond(InviteState.invite_valid, valid, rx.vstack(
                rx.callout("This invitation is not valid any more. Ask the person who invited you for a new one.",
                           icon="circle-alert", color_scheme="amber", width="100%"),
                rx.link(rx.button("Go to sign in", variant="soft", width="100%"), href="/signin", width="100%"),
                width="100%")),
        ),
        heading="You're invited",
        sub=rx.cond(InviteState.invite_valid,
                    "Join " + InviteState.org_invite_name + " as " + InviteState.invite_role + ".",
                    "Team invitation"),
    )


def register(app: rx.App) -> None:
    app.add_page(signin, route="/signin", title="Sign in · VoelgoedEvents", on_load=AuthState.load_public)
    app.add_page(signup, route="/signup", title="Sign up · VoelgoedEvents", on_load=AuthState.load_public)
    app.add_page(invite, route="/invite/[invite_token]", title="Invitation · VoelgoedEvents",
                 on_load=InviteState.load_invite)
