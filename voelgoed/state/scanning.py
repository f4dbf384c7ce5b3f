"""State of `/scanning`: register scanner devices per event, pairing codes/QR, list and revoke devices."""

from __future__ import annotations

import base64
import io

import qrcode
import qrcode.image.svg
import reflex as rx

from voelgoed.config import get_settings
from voelgoed.services.gate import devices
from voelgoed.services.platform import VoelgoedError, session_scope
from voelgoed.state.formatting import when
from voelgoed.state.session import SessionState


def _qr_data_uri(text: str) -> str:
    buf = io.BytesIO()
    qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=12, border=2).save(buf)
    return "data:image/svg+xml;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


class ScanningState(SessionState):
    event_options: list[dict[str, str]] = []
    selected_event: str = ""
    gate_options: list[str] = []
    device_rows: list[dict[str, str]] = []
    may_manage: bool = False
    loading: bool = True
    new_name: str = ""
    new_gate: str = "any"
    pairing_open: bool = False
    pairing_code: str = ""
    pairing_qr: str = ""
    pairing_url: str = ""
    pairing_device: str = ""
    revoke_open: bool = False
    revoke_id: str = ""
    revoke_name: str = ""

    def _reload(self) -> None:
        ctx = self._tenant_context()
        if ctx is None:
            return
        with session_scope() as session:
            view = devices.scanning_overview(session, ctx, event_id=self.selected_event)
        self.event_options = [{"id": e["id"], "name": e["name"], "when": when(e["starts_at"].isoformat(), "%d %b %Y")}
                              for e in view["events"]]
        self.selected_event = view["event_id"]
        self.gate_options = view["gates"]
        self.device_rows = [{"id": d.id, "name": d.name, "gate": d.gate_code or "Any gate",
                             "status": d.status.replace("_", " "),
                             "last_seen": when(d.last_seen_at.isoformat(), "%d %b, %H:%M") if d.last_seen_at else "never",
                             "created": when(d.created_at.isoformat(), "%d %b, %H:%M")} for d in view["devices"]]
        self.may_manage = view["may_manage"]
        self.loading = False

    def _show_pairing(self, name: str, code: str) -> None:
        pretty = f"{code[:4]} {code[4:]}"
        self.pairing_url = f"{get_settings().effective_base_url}/scan#pair={code}"
        self.pairing_code, self.pairing_device = pretty, name
        self.pairing_qr = _qr_data_uri(self.pairing_url)
        self.pairing_open = True

    @rx.event
    def load(self):
        self.pairing_open = self.revoke_open = False
        self._reload()

    @rx.event
    def select_event(self, event_id: str):
        self.selected_event = str(event_id)[:64]
        self._reload()

    @rx.event
    def set_new_name(self, value: str):
        self.new_name = (value or "")[:120]

    @rx.event
    def set_new_gate(self, value: str):
        self.new_gate = (value or "any")[:32]

    @rx.event
    def create_device(self):
        ctx = self._tenant_context()
        if ctx is None:
            return rx.redirect("/signin")
        try:
            with session_scope() as session:
                device, _token, code = devices.create_device(
                    session, ctx, event_id=self.selected_event, name=self.new_name,
                    gate_code=None if self.new_gate == "any" else self.new_gate)
                name = device.name
        except VoelgoedError as exc:
            return rx.toast.error(exc.message)
        self.new_name = ""
        self._reload()
        self._show_pairing(name, code)
        return rx.toast.success(f"Device “{name}” registered — pair a phone with the code")

    @rx.event
    def show_pairing(self, device_id: str, name: str):
        ctx = self._tenant_context()
        if ctx is None:
            return rx.redirect("/signin")
        try:
            with session_scope() as session:
                code = devices.new_pairing_code(session, ctx, device_id)
        except VoelgoedError as exc:
            return rx.toast.error(exc.message)
        self._show_pairing(name, code)

    @rx.event
    def set_pairing_open(self, value: bool):
        self.pairing_open = bool(value)
        if not value:
            self.pairing_code = self.pairing_qr = ""

    @rx.event
    def ask_revoke(self, device_id: str, name: str):
        self.revoke_id, self.revoke_name, self.revoke_open = str(device_id)[:64], str(name)[:120], True

    @rx.event
    def set_revoke_open(self, value: bool):
        self.revoke_open = bool(value)

    @rx.event
    def confirm_revoke(self):
        ctx = self._tenant_context()
        if ctx is None:
            return rx.redirect("/signin")
        try:
            with session_scope() as session:
                devices.revoke_device(session, ctx, self.revoke_id)
        except VoelgoedError as exc:
            return rx.toast.error(exc.message)
        self.revoke_open = False
        self._reload()
        return rx.toast.success(f"“{self.revoke_name}” can no longer scan")
