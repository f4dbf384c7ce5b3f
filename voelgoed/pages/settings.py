"""`/settings`: organisation (members, roles, invitations), account (password), API keys."""

from __future__ import annotations

import reflex as rx

from voelgoed.pages.components.branding_settings import branding_section
from voelgoed.pages.components.shell import empty_state, organiser_page
from voelgoed.services.accounts import apikeys
from voelgoed.state.account import AccountState, ApiKeysState
from voelgoed.state.branding import BrandingState
from voelgoed.state.deliveries import DeliveriesState
from voelgoed.state.session import SessionState
from voelgoed.state.settings import MembersState

ROLES = ["owner", "admin", "staff", "viewer", "scanner_only"]
ROLE_HELP = {"owner": "everything, incl. owners", "admin": "members, publishing, keys", "staff": "events, orders, scanners",
             "viewer": "read-only, incl. sales", "scanner_only": "door scanning only"}


def _section(title: str, text: str, *children: rx.Component) -> rx.Component:
    return rx.card(rx.vstack(rx.heading(title, size="4"), rx.text(text, size="2", color_scheme="gray"), *children,
                             spacing="3", width="100%"), width="100%")


def _member_row(m) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(rx.vstack(rx.text(m["name"], weight="medium"),
                                           rx.text(m["email"], size="1", color_scheme="gray"), spacing="0")),
        rx.table.cell(rx.cond(
            MembersState.can_manage & (m["email"] != SessionState.user_email),
            rx.select(ROLES, value=m["role"], size="1",
                      on_change=lambda role: MembersState.ask_role_change(m["membership_id"], m["email"], role)),
            rx.badge(m["role"], variant="soft"),
        )),
        rx.table.cell(m["joined"], display=["none", "table-cell"]),
        rx.table.cell(rx.cond(MembersState.can_manage & (m["email"] != SessionState.user_email), rx.alert_dialog.root(
            rx.alert_dialog.trigger(rx.icon_button(rx.icon("trash-2", size=14), size="1", variant="ghost",
                                                   color_scheme="red", aria_label="Remove member")),
            rx.alert_dialog.content(
                rx.alert_dialog.title("Remove " + m["name"] + "?"),
                rx.alert_dialog.description(m["email"] + " loses access to " + SessionState.org_name +
                                            " immediately. You can invite them again later."),
                rx.flex(rx.alert_dialog.cancel(rx.button("Cancel", variant="soft", color_scheme="gray")),
                        rx.alert_dialog.action(rx.button("Remove", color_scheme="red",
                                                         on_click=MembersState.remove_member(m["membership_id"], m["email"]))),
                        spacing="3", justify="end", margin_top="16px"))))),
        align="center",
    )


def _organisation_tab() -> rx.Component:
    invite_form = rx.form(
        rx.flex(
            rx.input(name="email", id="invite-email", type="email", placeholder="colleague@example.co.za", size="2",
                     flex="1", min_width="200px", required=True),
            rx.select.root(rx.select.trigger(placeholder="Role", id="invite-role"),
                           rx.select.content(*[rx.select.item(f"{r} — {ROLE_HELP[r]}", value=r) for r in ROLES]),
                           name="role", default_value="staff", size="2"),
            rx.button(rx.icon("mail", size=14), "Send invitation", type="submit", id="invite-submit"),
            spacing="2", wrap="wrap", width="100%",
        ),
        rx.cond(MembersState.invite_error != "",
                rx.text(MembersState.invite_error, color_scheme="red", size="2", id="invite-error")),
        on_submit=MembersState.invite, reset_on_submit=False, width="100%",
    )
    return rx.vstack(
        _section("Team", "Everyone with access to " + SessionState.org_name + ".",
                 rx.box(rx.table.root(
                     rx.table.header(rx.table.row(rx.table.column_header_cell("Member"), rx.table.column_header_cell("Role"),
                                                  rx.table.column_header_cell("Joined", display=["none", "table-cell"]),
                                                  rx.table.column_header_cell(""))),
                     rx.table.body(rx.foreach(MembersState.member_rows, _member_row)),
                     variant="ghost", width="100%", id="members-table"), overflow_x="auto", width="100%")),
        rx.cond(MembersState.can_manage, _section(
            "Invite a member", "They get an email with a link that is valid for 7 days.", invite_form,
            rx.cond(MembersState.invitations.length() > 0, rx.vstack(
                rx.text("Pending invitations", weight="medium", size="2"),
                rx.foreach(MembersState.invitations, lambda i: rx.hstack(
                    rx.icon("mail", size=14), rx.text(i["email"], size="2"), rx.badge(i["role"], variant="soft"),
                    rx.text("expires " + i["expires"], size="1", color_scheme="gray"), rx.spacer(),
                    rx.button("Revoke", size="1", variant="ghost", color_scheme="red",
                              on_click=MembersState.revoke_invitation(i["id"])),
                    align="center", width="100%", class_name="pending-invitation")),
                spacing="2", width="100%", id="pending-invitations")),
        )),
        branding_section(),
        rx.cond(DeliveriesState.dead_count > 0, _deliveries_section()),
        _section("Another organisation", "Run events for more than one organisation? Create it here and switch "
                 "between them from the menu at the top left.",
                 rx.button(rx.icon("plus", size=14), "New organisation", variant="soft",
                           on_click=MembersState.set_new_org_open(True), width="fit-content")),
        spacing="4", width="100%",
    )


def _deliveries_section() -> rx.Component:
    return _section(
        "Failed deliveries", "These e-mails and documents failed several times and are no longer retried "
        "automatically. Fix the cause (e.g. the mail server), then retry.",
        rx.foreach(DeliveriesState.dead_rows, lambda d: rx.hstack(
            rx.icon("triangle-alert", size=14, color="var(--red-9)"),
            rx.vstack(rx.text(d["what"], size="2", weight="medium"),
                      rx.text(d["error"] + " · " + d["attempts"] + " attempts · " + d["when"], size="1",
                              color_scheme="gray"), spacing="0"),
            rx.spacer(),
            rx.cond(DeliveriesState.can_retry,
                    rx.button("Retry", size="1", variant="soft", on_click=DeliveriesState.retry(d["id"]))),
            align="center", width="100%", class_name="dead-delivery")),
    )


def _confirm_role_dialog() -> rx.Component:
    return rx.alert_dialog.root(rx.alert_dialog.content(
        rx.alert_dialog.title("Change role?"),
        rx.alert_dialog.description("Make " + MembersState.pending_email + " " + MembersState.pending_role +
                                    "? Their access changes immediately."),
        rx.flex(rx.alert_dialog.cancel(rx.button("Cancel", variant="soft", color_scheme="gray",
                                                 on_click=MembersState.cancel_role_change)),
                rx.alert_dialog.action(rx.button("Change role", on_click=MembersState.confirm_role_change,
                                                 id="confirm-role")),
                spacing="3", justify="end", margin_top="16px"),
    ), open=MembersState.confirm_open)


def _new_org_dialog() -> rx.Component:
    return rx.dialog.root(rx.dialog.content(
        rx.dialog.title("New organisation"),
        rx.form(rx.vstack(
            rx.input(name="name", id="new-org-name", placeholder="Organisation name", size="3", width="100%",
                     required=True),
            rx.cond(MembersState.new_org_error != "", rx.text(MembersState.new_org_error, color_scheme="red", size="2")),
            rx.flex(rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray", type="button")),
                    rx.button("Create", type="submit", id="new-org-submit"), spacing="3", justify="end", width="100%"),
            spacing="3", width="100%"), on_submit=MembersState.create_organization, reset_on_submit=False),
    ), open=MembersState.new_org_open, on_open_change=MembersState.set_new_org_open)


def _account_tab() -> rx.Component:
    def pw(label: str, name: str) -> rx.Component:
        return rx.vstack(rx.text(label, size="2", weight="medium"),
                         rx.input(name=name, id=name, type="password", size="2", width="100%", max_width="360px"),
                         rx.cond(AccountState.password_fields.contains(name),
                                 rx.text(AccountState.password_fields[name], color_scheme="red", size="1")),
                         spacing="1", width="100%")
    return rx.vstack(
        _section("Profile", "", rx.text(SessionState.user_name, weight="medium"),
                 rx.text(SessionState.user_email, size="2", color_scheme="gray")),
        _section("Change password", "At least 10 characters. Your other signed-in devices are signed out.",
                 rx.form(rx.vstack(
                     rx.cond(AccountState.password_error != "", rx.callout(AccountState.password_error, icon="circle-alert",
                                                                           color_scheme="red", size="1")),
                     pw("Current password", "current_password"), pw("New password", "new_password"),
                     pw("Repeat new password", "confirm_password"),
                     rx.button("Change password", type="submit", id="change-password"),
                     spacing="3", width="100%"), on_submit=AccountState.change_password, reset_on_submit=False)),
        spacing="4", width="100%",
    )


def _api_tab() -> rx.Component:
    key_row = lambda k: rx.table.row(  # noqa: E731
        rx.table.row_header_cell(rx.text(k["name"], weight="medium")),
        rx.table.cell(rx.code(k["prefix"])),
        rx.table.cell(rx.vstack(rx.text(k["scopes"], size="1"), rx.text(k["limits"], size="1", color_scheme="gray"),
                                spacing="1"), max_width="280px"),
        rx.table.cell(k["created"], display=["none", "table-cell"]),
        rx.table.cell(k["last_used"], display=["none", "table-cell"]),
        rx.table.cell(rx.cond(k["status"] == "active", rx.alert_dialog.root(
            rx.alert_dialog.trigger(rx.button("Revoke", size="1", variant="soft", color_scheme="red")),
            rx.alert_dialog.content(
                rx.alert_dialog.title("Revoke " + k["name"] + "?"),
                rx.alert_dialog.description("Integrations using this key stop working immediately. This cannot be undone."),
                rx.flex(rx.alert_dialog.cancel(rx.button("Cancel", variant="soft", color_scheme="gray")),
                        rx.alert_dialog.action(rx.button("Revoke key", color_scheme="red",
                                                         on_click=ApiKeysState.revoke_key(k["id"]))),
                        spacing="3", justify="end", margin_top="16px"))),
            rx.badge("revoked", color_scheme="gray"))),
        align="center",
    )
    return rx.cond(ApiKeysState.can_manage_keys, rx.vstack(
        _section("API keys", "Keys let your systems call the VoelgoedEvents API as this organisation, within the key's "
                 "scopes. A key is shown once; store it in a secret manager.",
                 rx.link("Webhooks: get sales and scans pushed to your systems →", href="/settings/webhooks", size="2"),
                 rx.link("Audit log: who did what, and when →", href="/settings/audit", size="2", id="audit-log-link"),
                 rx.form(rx.flex(rx.input(name="name", id="key-name", placeholder="Key name, e.g. Box office", flex="1",
                                          min_width="200px", required=True),
                                 rx.button(rx.icon("key-round", size=14), "Create key", type="submit", id="create-key"),
                                 spacing="2", wrap="wrap", width="100%"),
                         rx.text("Scopes (what the key may do):", size="2", margin_top="8px"),
                         rx.flex(*[rx.tooltip(rx.checkbox(s, name=f"scope:{s}", id=f"scope-{s}", default_checked=True),
                                              content=apikeys.SCOPE_HELP.get(s, s)) for s in apikeys.SCOPES],
                                 wrap="wrap", spacing="3"),
                         rx.cond(ApiKeysState.key_error != "", rx.text(ApiKeysState.key_error, color_scheme="red", size="2")),
                         on_submit=ApiKeysState.create_key, reset_on_submit=False, width="100%"),
                 rx.cond(ApiKeysState.keys.length() > 0,
                         rx.box(rx.table.root(
                             rx.table.header(rx.table.row(*[rx.table.column_header_cell(h, **d) for h, d in (
                                 ("Name", {}), ("Key", {}), ("Scopes and limits", {}), ("Created", {"display": ["none", "table-cell"]}),
                                 ("Last used", {"display": ["none", "table-cell"]}), ("", {}))])),
                             rx.table.body(rx.foreach(ApiKeysState.keys, key_row)), variant="ghost", width="100%"),
                             overflow_x="auto", width="100%"),
                         empty_state("key-round", "No API keys yet", "Create one to connect your systems."))),
        rx.dialog.root(rx.dialog.content(
            rx.dialog.title("Your new API key"),
            rx.dialog.description("Copy it now: it will not be shown again."),
            rx.hstack(rx.code(ApiKeysState.new_key_secret, id="new-key-secret", word_break="break-all"),
                      rx.icon_button(rx.icon("copy", size=14), variant="soft",
                                     on_click=[rx.set_clipboard(ApiKeysState.new_key_secret), rx.toast("Copied")]),
                      align="center", margin_y="12px"),
            rx.flex(rx.button("Done", on_click=ApiKeysState.close_secret), justify="end"),
        ), open=ApiKeysState.secret_open),
        spacing="4", width="100%"),
        empty_state("shield", "Owners and admins only", "Ask an owner or admin of this organisation for an API key."))


def settings() -> rx.Component:
    return rx.fragment(organiser_page(
        "Settings", "settings",
        rx.tabs.root(
            rx.tabs.list(rx.tabs.trigger("Organisation", value="organisation"), rx.tabs.trigger("Account", value="account"),
                         rx.tabs.trigger("API keys", value="api")),
            rx.tabs.content(_organisation_tab(), value="organisation", padding_top="16px"),
            rx.tabs.content(_account_tab(), value="account", padding_top="16px"),
            rx.tabs.content(_api_tab(), value="api", padding_top="16px"),
            value=MembersState.tab, on_change=MembersState.set_tab, width="100%",
        ),
        _confirm_role_dialog(),
    ), _new_org_dialog())  # outside the shell: a user without an organisation can create one here


def register(app: rx.App) -> None:
    app.add_page(settings, route="/settings", title="Settings · VoelgoedEvents",
                 on_load=[SessionState.require_signed_in, MembersState.load, ApiKeysState.load, DeliveriesState.load,
                          BrandingState.load])
