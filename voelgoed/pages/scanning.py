"""`/scanning` (organiser): scanner devices per event — register, pairing code + QR, revoke (with confirmation)."""

from __future__ import annotations

import reflex as rx

from voelgoed.pages.components.shell import empty_state, organiser_page
from voelgoed.state.scanning import ScanningState
from voelgoed.state.session import SessionState

_STATUS = {"active": "grass", "not paired": "amber", "revoked": "red"}


def _status(status) -> rx.Component:
    return rx.match(status, *[(k, rx.badge(k, color_scheme=v, variant="soft")) for k, v in _STATUS.items()], rx.badge(status))


def _register_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Register a scanner", size="4"),
            rx.text("Each phone at the door is a device. Give it a name, optionally tie it to a gate, then pair it "
                    "by opening /scan on the phone and typing the code (or scanning the QR).", size="2", color_scheme="gray"),
            rx.flex(
                rx.input(placeholder="e.g. North gate — phone 1", value=ScanningState.new_name,
                         on_change=ScanningState.set_new_name, id="device-name", size="3", flex="1", min_width="200px"),
                rx.select.root(
                    rx.select.trigger(placeholder="Any gate", id="device-gate"),
                    rx.select.content(rx.select.item("Any gate", value="any"),
                                      rx.foreach(ScanningState.gate_options, lambda g: rx.select.item("Gate " + g, value=g))),
                    value=ScanningState.new_gate, on_change=ScanningState.set_new_gate, size="3",
                ),
                rx.button(rx.icon("plus", size=16), "Register device", on_click=ScanningState.create_device, size="3",
                          id="device-create", disabled=~ScanningState.may_manage | (ScanningState.new_name.length() == 0)),
                spacing="3", wrap="wrap", width="100%",
            ),
            spacing="3", width="100%",
        ),
        width="100%",
    )


def _device_row(d) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(d["name"], weight="medium")),
        rx.table.cell(d["gate"]),
        rx.table.cell(_status(d["status"])),
        rx.table.cell(d["last_seen"], display=["none", "none", "table-cell"]),
        rx.table.cell(
            rx.cond(
                (d["status"] != "revoked") & ScanningState.may_manage,
                rx.hstack(
                    rx.button(rx.icon("qr-code", size=14), "Pair", size="1", variant="soft",
                              on_click=ScanningState.show_pairing(d["id"], d["name"])),
                    rx.button(rx.icon("ban", size=14), "Revoke", size="1", variant="soft", color_scheme="red",
                              on_click=ScanningState.ask_revoke(d["id"], d["name"])),
                    spacing="2",
                ),
            ),
            justify="end",
        ),
        align="center",
    )


def _devices_card() -> rx.Component:
    return rx.card(
        rx.hstack(rx.heading("Devices", size="4"), rx.spacer(),
                  rx.link(rx.button(rx.icon("activity", size=16), "Live dashboard", variant="surface"),
                          href="/events/" + ScanningState.selected_event + "/live"),
                  align="center", margin_bottom="12px", width="100%"),
        rx.cond(
            ScanningState.device_rows.length() > 0,
            rx.table.root(
                rx.table.header(rx.table.row(rx.table.column_header_cell("Name"), rx.table.column_header_cell("Gate"),
                                             rx.table.column_header_cell("Status"),
                                             rx.table.column_header_cell("Last seen", display=["none", "none", "table-cell"]),
                                             rx.table.column_header_cell(""))),
                rx.table.body(rx.foreach(ScanningState.device_rows, _device_row)),
                width="100%", variant="surface", id="devices-table",
            ),
            empty_state("smartphone", "No scanners yet", "Register the phones your door staff will use; each gets a one-time pairing code."),
        ),
        width="100%",
    )


def _pairing_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Pair “" + ScanningState.pairing_device + "”"),
            rx.dialog.description("On the phone, open /scan and enter this code — or point the phone's camera at the QR. "
                                  "The code works once and expires in 10 minutes.", size="2"),
            rx.center(rx.image(src=ScanningState.pairing_qr, width="220px", height="220px", alt="Pairing QR"), padding_y="16px"),
            rx.center(rx.code(ScanningState.pairing_code, size="8", id="pairing-code", letter_spacing="0.15em")),
            rx.center(rx.text(ScanningState.pairing_url, size="1", color_scheme="gray"), padding_top="8px"),
            rx.flex(rx.dialog.close(rx.button("Done", size="3")), justify="end", margin_top="16px"),
            max_width="420px",
        ),
        open=ScanningState.pairing_open, on_open_change=ScanningState.set_pairing_open,
    )


def _revoke_dialog() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("Revoke “" + ScanningState.revoke_name + "”?"),
            rx.alert_dialog.description("The phone stops scanning at once and cannot sync queued scans any more. "
                                        "This cannot be undone; register a new device to replace it.", size="2"),
            rx.flex(rx.alert_dialog.cancel(rx.button("Cancel", variant="soft", color_scheme="gray")),
                    rx.alert_dialog.action(rx.button("Revoke device", color_scheme="red", on_click=ScanningState.confirm_revoke,
                                                     id="revoke-confirm")),
                    spacing="3", justify="end", margin_top="16px"),
        ),
        open=ScanningState.revoke_open, on_open_change=ScanningState.set_revoke_open,
    )


def scanning_page() -> rx.Component:
    return organiser_page(
        "Scanning", "scanning",
        rx.cond(
            ScanningState.event_options.length() > 0,
            rx.vstack(
                rx.hstack(
                    rx.text("Event", size="2", color_scheme="gray"),
                    rx.select.root(
                        rx.select.trigger(id="scanning-event"),
                        rx.select.content(rx.foreach(ScanningState.event_options,
                                                     lambda e: rx.select.item(e["name"] + " · " + e["when"], value=e["id"]))),
                        value=ScanningState.selected_event, on_change=ScanningState.select_event, size="3",
                    ),
                    align="center", spacing="3", wrap="wrap",
                ),
                _register_card(), _devices_card(), spacing="4", width="100%",
            ),
            rx.cond(ScanningState.loading, rx.center(rx.spinner(size="3"), padding="40px"),
                    empty_state("calendar-days", "No events yet", "Create an event first; scanners belong to one event.",
                                rx.link(rx.button("Go to events"), href="/events"))),
        ),
        _pairing_dialog(), _revoke_dialog(),
    )


def register(app: rx.App) -> None:
    app.add_page(scanning_page, route="/scanning", title="Scanning · VoelgoedEvents",
                 on_load=[SessionState.require_signed_in, ScanningState.load])
