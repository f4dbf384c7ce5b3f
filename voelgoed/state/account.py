"""`/settings` → Account (password) and API keys tabs."""

from __future__ import annotations

import uuid

import reflex as rx

from voelgoed.services.accounts import accounts, apikeys
from voelgoed.services.platform import NotFound, VoelgoedError, rbac, session_scope
from voelgoed.state.formatting import field_errors, when
from voelgoed.state.session import SessionState


class AccountState(SessionState):
    password_error: str = ""
    password_fields: dict[str, str] = {}

    @rx.event
    def change_password(self, form: dict):
        self.password_error, self.password_fields = "", {}
        if str(form.get("new_password", "")) != str(form.get("confirm_password", "")):
            self.password_fields = {"confirm_password": "The new passwords do not match"}
            return
        try:
            with session_scope() as session:
                user_session = accounts.resolve_session(session, self.session_token)
                revoked = accounts.change_password(
                    session, user_id=user_session.user_id, current_password=str(form.get("current_password", "")),
                    new_password=str(form.get("new_password", "")), keep_session_id=user_session.id)
        except VoelgoedError as exc:
            self.password_error = exc.message
            self.password_fields = field_errors(exc)
            return
        note = f" and signed out {revoked} other session(s)" if revoked else ""
        return [rx.toast.success("Password changed" + note),
                *[rx.set_value(n, "") for n in ("current_password", "new_password", "confirm_password")]]


class ApiKeysState(SessionState):
    keys: list[dict[str, str]] = []
    can_manage_keys: bool = False
    key_error: str = ""
    new_key_secret: str = ""  # shown once, right after creation, to the person who created it
    secret_open: bool = False

    def _ctx(self):
        ctx = self._tenant_context()
        if ctx is None:
            raise NotFound("not_found", "Please sign in again")
        return ctx

    @rx.event
    def load(self):
        self.new_key_secret, self.secret_open = "", False
        ctx = self._tenant_context()
        self.can_manage_keys = bool(ctx and rbac.can_manage_members(ctx))
        if not self.can_manage_keys:
            self.keys = []
            return
        with session_scope() as session:
            rows = apikeys.key_rows(session, ctx)
        self.keys = [{"id": k["id"], "name": k["name"], "prefix": k["prefix"] + "…", "status": k["status"],
                      "created": when(k["created_at"], "%d %b %Y"),
                      "last_used": when(k["last_used_at"], "%d %b %Y %H:%M") if k["last_used_at"] else "never",
                      "scopes": "all scopes" if k["all_scopes"] else ", ".join(k["scopes"]),
                      "limits": (f"{len(k['event_ids'])} event(s) · " if k["event_ids"] else "all events · ") + k["rate_limit"]}
                     for k in rows]

    @rx.event
    def create_key(self, form: dict):
        self.key_error = ""
        try:
            with session_scope() as session:
                scopes = [s for s in apikeys.SCOPES if form.get(f"scope:{s}") in ("on", True, "true")]
                if not scopes:
                    raise VoelgoedError("validation_failed", "Choose at least one scope")
                _key, secret = apikeys.create_for_context(session, self._ctx(), name=str(form.get("name", "")),
                                                          scopes=scopes)
        except VoelgoedError as exc:
            self.key_error = exc.message
            return
        self.load()
        self.new_key_secret, self.secret_open = secret, True
        return rx.set_value("key-name", "")

    @rx.event
    def close_secret(self):
        self.new_key_secret, self.secret_open = "", False

    @rx.event
    def revoke_key(self, key_id: str):
        try:
            with session_scope() as session:
                apikeys.revoke(session, self._ctx(), uuid.UUID(key_id))
        except (VoelgoedError, ValueError):
            return rx.toast.error("That key could not be revoked")
        self.load()
        return rx.toast.success("API key revoked")
