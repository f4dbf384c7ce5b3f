"""`/settings/webhooks`: outbound webhook endpoints, recent deliveries, dead letters (docs/webhooks.md)."""

from __future__ import annotations

import reflex as rx

from voelgoed.pages.components.shell import empty_state, organiser_page
from voelgoed.state.session import SessionState
from voelgoed.state.webhooks import EVENT_TYPES, REPLAY_HOURS, WebhooksState

STATUS_COLOURS = {"delivered": "green", "pending": "amber", "dead": "red", "cancelled": "gray"}


def _card(title: str, text: str, *children) -> rx.Component:
    return rx.card(rx.vstack(rx.heading(title, size="4"), rx.text(text, size="2", color_scheme="gray"), *children,
                             spacing="3", width="100%"), width="100%")


def _type_boxes(checked=None) -> rx.Component:
    return rx.flex(*[rx.checkbox(t, name=f"type:{t}", id=f"type-{t}",
                                 default_checked=(t in ("order.paid", "ticket.issued", "ticket.checked_in")) if checked is None
                                 else checked.contains(t)) for t in EVENT_TYPES], wrap="wrap", spacing="3")


def _confirm(label: str, title: str, text: str, action, colour="red") -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(rx.button(label, size="1", variant="soft", color_scheme=colour)),
        rx.alert_dialog.content(
            rx.alert_dialog.title(title), rx.alert_dialog.description(text),
            rx.flex(rx.alert_dialog.cancel(rx.button("Cancel", variant="soft", color_scheme="gray")),
                    rx.alert_dialog.action(rx.button(label, color_scheme=colour, on_click=action)),
                    spacing="3", justify="end", margin_top="16px")))


def _endpoint_row(e) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(rx.vstack(rx.code(e["url"], word_break="break-all"),
                                           rx.text(e["types"], size="1", color_scheme="gray"),
                                           rx.cond(e["reason"] != "", rx.text(e["reason"], size="1", color_scheme="red")),
                                           rx.cond(e["rotating"] != "", rx.text("Old secret valid until " + e["rotating"], size="1")),
                                           spacing="1")),
        rx.table.cell(rx.badge(e["status"], color_scheme=rx.cond(e["status"] == "enabled", "green", "gray"))),
        rx.table.cell(rx.flex(
            rx.button("Send test", size="1", variant="soft", on_click=WebhooksState.send_test(e["id"])),
            rx.button("Edit", size="1", variant="soft", on_click=WebhooksState.start_edit(e["id"])),
            rx.cond(e["status"] == "enabled",
                    rx.button("Disable", size="1", variant="soft", color_scheme="gray", on_click=WebhooksState.toggle(e["id"], False)),
                    rx.button("Enable", size="1", variant="soft", color_scheme="green", on_click=WebhooksState.toggle(e["id"], True))),
            rx.menu.root(rx.menu.trigger(rx.button("Replay", size="1", variant="soft")),
                         rx.menu.content(*[rx.menu.item(label, on_click=WebhooksState.replay(e["id"], label)) for label in REPLAY_HOURS])),
            _confirm("Rotate secret", "Rotate the signing secret?",
                     "A new secret is shown once. The old one keeps signing for the overlap window, so update your receiver soon.",
                     WebhooksState.rotate(e["id"]), colour="amber"),
            _confirm("Delete", "Delete this endpoint?", "It stops receiving events and its pending deliveries are cancelled.",
                     WebhooksState.delete(e["id"])),
            spacing="2", wrap="wrap")),
        align="center")


def _delivery_row(d) -> rx.Component:
    return rx.table.row(
        rx.table.cell(d["when"]), rx.table.cell(rx.code(d["type"])),
        rx.table.cell(rx.badge(d["status"], color_scheme=rx.match(d["status"], *STATUS_COLOURS.items(), "gray"))),
        rx.table.cell(d["attempts"]), rx.table.cell(d["code"]),
        rx.table.cell(rx.text(d["error"], size="1", color_scheme="gray"), display=["none", "table-cell"]),
        rx.table.cell(rx.button("Redeliver", size="1", variant="soft", on_click=WebhooksState.redeliver(d["id"]))),
        align="center")


def _deliveries_table(rows, table_id: str) -> rx.Component:
    head = ("When", "Event", "Status", "Attempts", "HTTP", "Error", "")
    return rx.box(rx.table.root(
        rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in head])),
        rx.table.body(rx.foreach(rows, _delivery_row)), variant="ghost", width="100%"), overflow_x="auto", width="100%",
        id=table_id)


def webhooks_page() -> rx.Component:
    create = rx.form(rx.vstack(
        rx.input(name="url", id="webhook-url", placeholder="https://your-system.example.com/voelgoed", required=True, width="100%"),
        rx.cond(WebhooksState.form_fields.contains("url"), rx.text(WebhooksState.form_fields["url"], color_scheme="red", size="2")),
        _type_boxes(),
        rx.cond(WebhooksState.form_error != "", rx.text(WebhooksState.form_error, color_scheme="red", size="2")),
        rx.button(rx.icon("webhook", size=14), "Add endpoint", type="submit", id="create-webhook"),
        spacing="3", width="100%"), on_submit=WebhooksState.create, reset_on_submit=False, width="100%")
    body = rx.vstack(
        _card("Webhook endpoints", "We POST signed JSON (Standard Webhooks) to these URLs when orders, tickets, scans and "
              "events change. Verify the signature with your endpoint's secret — see the developer docs.", create,
              rx.cond(WebhooksState.endpoints.length() > 0,
                      rx.box(rx.table.root(rx.table.body(rx.foreach(WebhooksState.endpoints, _endpoint_row)),
                                           variant="ghost", width="100%"), overflow_x="auto", width="100%"),
                      empty_state("webhook", "No endpoints yet", "Add one to hear about sales and scans as they happen."))),
        _card("Recent deliveries", "The last 30 messages to your endpoints. Failed ones are retried for about 24 hours.",
              rx.cond(WebhooksState.deliveries.length() > 0, _deliveries_table(WebhooksState.deliveries, "webhook-deliveries"),
                      rx.text("Nothing sent yet.", size="2"))),
        rx.cond(WebhooksState.dead.length() > 0, _card(
            "Failed deliveries", "These gave up after every retry. Fix the receiver, then retry them.",
            rx.flex(_confirm("Retry all", "Retry every failed delivery?", "They are sent again, oldest first.",
                             WebhooksState.retry_all, colour="blue"), justify="end"),
            _deliveries_table(WebhooksState.dead, "webhook-dead-letters"))),
        rx.dialog.root(rx.dialog.content(
            rx.dialog.title("Your signing secret"),
            rx.dialog.description("Copy it now: it will not be shown again."),
            rx.hstack(rx.code(WebhooksState.new_secret, id="webhook-secret", word_break="break-all"),
                      rx.icon_button(rx.icon("copy", size=14), variant="soft",
                                     on_click=[rx.set_clipboard(WebhooksState.new_secret), rx.toast("Copied")]),
                      align="center", margin_y="12px"),
            rx.flex(rx.button("Done", on_click=WebhooksState.close_secret), justify="end")), open=WebhooksState.secret_open),
        rx.dialog.root(rx.dialog.content(
            rx.dialog.title("Edit endpoint"),
            rx.form(rx.vstack(rx.input(name="url", default_value=WebhooksState.edit_url, width="100%", required=True),
                              _type_boxes(WebhooksState.edit_types),
                              rx.cond(WebhooksState.edit_error != "", rx.text(WebhooksState.edit_error, color_scheme="red", size="2")),
                              rx.flex(rx.button("Cancel", variant="soft", color_scheme="gray", type="button",
                                                on_click=WebhooksState.cancel_edit),
                                      rx.button("Save", type="submit"), spacing="3", justify="end", width="100%"),
                              spacing="3", width="100%"), on_submit=WebhooksState.save_edit)),
            open=WebhooksState.edit_open),
        spacing="4", width="100%")
    return organiser_page("Webhooks", "settings", rx.cond(
        WebhooksState.can_manage, body,
        empty_state("shield", "Owners and admins only", "Ask an owner or admin of this organisation to set up webhooks.")))


def register(app: rx.App) -> None:
    app.add_page(webhooks_page, route="/settings/webhooks", title="Webhooks · VoelgoedEvents",
                 on_load=[SessionState.require_signed_in, WebhooksState.load])
