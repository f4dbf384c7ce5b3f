"""`/settings/webhooks`: endpoints (create — secret shown once —, edit, enable/disable, delete, rotate, test),
recent deliveries (redeliver), replay a time range, dead letters ("Retry all"). Owners and admins only."""

from __future__ import annotations

from datetime import timedelta

import reflex as rx

from voelgoed.services import integrations
from voelgoed.services.platform import VoelgoedError, clock, rbac, session_scope, webhook_events
from voelgoed.state.formatting import field_errors, when
from voelgoed.state.session import SessionState

EVENT_TYPES = list(webhook_events.EVENT_TYPES)
REPLAY_HOURS = {"Last hour": 1, "Last 24 hours": 24, "Last 7 days": 24 * 7}


def _types_from(form: dict) -> list[str]:
    return [t for t in EVENT_TYPES if form.get(f"type:{t}") in ("on", True, "true")]


class WebhooksState(SessionState):
    can_manage: bool = False
    endpoints: list[dict[str, str]] = []
    deliveries: list[dict[str, str]] = []
    dead: list[dict[str, str]] = []
    form_error: str = ""
    form_fields: dict[str, str] = {}
    new_secret: str = ""
    secret_open: bool = False
    edit_id: str = ""
    edit_url: str = ""
    edit_types: list[str] = []
    edit_open: bool = False
    edit_error: str = ""

    def _reload(self) -> None:
        ctx = self._tenant_context()
        self.can_manage = bool(ctx and rbac.can_manage_members(ctx))
        if not self.can_manage:
            self.endpoints, self.deliveries, self.dead = [], [], []
            return
        with session_scope() as s:
            eps = [integrations.endpoint_dict(e) for e in integrations.list_endpoints(s, ctx)]
            recent = integrations.recent_deliveries(s, ctx, limit=30)
            dead = integrations.dead_letters(s, ctx)
        urls = {e["id"]: e["url"] for e in eps}
        self.endpoints = [{"id": e["id"], "url": e["url"], "types": ", ".join(e["event_types"]),
                           "status": "enabled" if e["enabled"] else "disabled", "reason": e["disabled_reason"],
                           "rotating": when(e["secret_rotating_until"], "%d %b %H:%M") if e["secret_rotating_until"] else ""}
                          for e in eps]
        row = lambda d: {"id": d["id"], "type": d["event_type"], "status": d["status"], "attempts": str(d["attempts"]),  # noqa: E731
                         "code": str(d["last_status_code"] or ""), "error": d["last_error"], "url": urls.get(d["endpoint_id"], ""),
                         "when": when(d["created_at"], "%d %b %H:%M:%S")}
        self.deliveries, self.dead = [row(d) for d in recent], [row(d) for d in dead]

    @rx.event
    def load(self):
        self.new_secret, self.secret_open, self.edit_open = "", False, False
        self._reload()

    @rx.event
    def create(self, form: dict):
        self.form_error, self.form_fields = "", {}
        try:
            with session_scope() as s:
                _ep, secret = integrations.create_endpoint(s, self._tenant_context(), url=str(form.get("url", "")),
                                                           event_types=_types_from(form))
        except VoelgoedError as exc:
            self.form_error, self.form_fields = exc.message, field_errors(exc)
            return
        self._reload()
        self.new_secret, self.secret_open = secret, True
        return rx.set_value("webhook-url", "")

    @rx.event
    def close_secret(self):
        self.new_secret, self.secret_open = "", False

    def _act(self, fn, ok: str):
        try:
            with session_scope() as s:
                result = fn(s, self._tenant_context())
        except VoelgoedError as exc:
            return rx.toast.error(exc.message)
        self._reload()
        return result if isinstance(result, list) else rx.toast.success(ok)

    @rx.event
    def start_edit(self, endpoint_id: str):
        ep = next((e for e in self.endpoints if e["id"] == endpoint_id), None)
        if ep is not None:
            self.edit_id, self.edit_url, self.edit_types = ep["id"], ep["url"], ep["types"].split(", ")
            self.edit_error, self.edit_open = "", True

    @rx.event
    def cancel_edit(self):
        self.edit_open = False

    @rx.event
    def save_edit(self, form: dict):
        try:
            with session_scope() as s:
                integrations.update_endpoint(s, self._tenant_context(), self.edit_id, url=str(form.get("url", "")),
                                             event_types=_types_from(form))
        except VoelgoedError as exc:
            self.edit_error = exc.message
            return
        self.edit_open = False
        self._reload()
        return rx.toast.success("Endpoint saved")

    @rx.event
    def toggle(self, endpoint_id: str, enable: bool):
        return self._act(lambda s, c: integrations.update_endpoint(s, c, endpoint_id, enabled=enable) and None,
                         "Endpoint enabled" if enable else "Endpoint disabled")

    @rx.event
    def delete(self, endpoint_id: str):
        return self._act(lambda s, c: integrations.delete_endpoint(s, c, endpoint_id), "Endpoint deleted")

    @rx.event
    def rotate(self, endpoint_id: str):
        def go(s, c):
            _ep, secret = integrations.rotate_secret(s, c, endpoint_id)
            self.new_secret, self.secret_open = secret, True
            return []
        return self._act(go, "")

    @rx.event
    def send_test(self, endpoint_id: str):
        return self._act(lambda s, c: integrations.send_test(s, c, endpoint_id) and None, "Test event queued")

    @rx.event
    def redeliver(self, delivery_id: str):
        return self._act(lambda s, c: integrations.redeliver(s, c, delivery_id) and None, "Delivery queued again")

    @rx.event
    def replay(self, endpoint_id: str, label: str):
        hours = REPLAY_HOURS.get(label, 1)
        now = clock.utcnow()
        def go(s, c):
            n = integrations.replay(s, c, endpoint_id, since=now - timedelta(hours=hours), until=now + timedelta(seconds=1))
            return [rx.toast.success(f"{n} deliver{'y' if n == 1 else 'ies'} queued again")]
        return self._act(go, "")

    @rx.event
    def retry_all(self):
        def go(s, c):
            n = integrations.retry_all_dead(s, c)
            return [rx.toast.success(f"{n} failed deliver{'y' if n == 1 else 'ies'} queued again")]
        return self._act(go, "")
