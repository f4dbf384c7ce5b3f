"""Sign-in, sign-up and invitation acceptance (thin: parse the form, call one service, present)."""

from __future__ import annotations

import reflex as rx

from voelgoed.services.accounts import accounts, members, tenancy
from voelgoed.services.platform import VoelgoedError, session_scope
from voelgoed.state.formatting import field_errors
from voelgoed.state.session import SessionState


def safe_next(value: str | None, default: str = "/dashboard") -> str:
    """Only same-site absolute paths are followed after sign-in (no open redirects).

    Rejects scheme-relative ``//host``, backslashes and any whitespace/control characters (browsers drop
    tabs and newlines from URLs, so ``/\t/evil.example`` would otherwise become ``//evil.example``).
    """
    if (not value or not value.startswith("/") or value.startswith("//") or "\\" in value or len(value) > 2000
            or any(ord(c) < 33 or ord(c) == 127 for c in value)):
        return default
    return value


class AuthState(SessionState):
    error: str = ""
    field_errors: dict[str, str] = {}
    busy: bool = False

    def _fail(self, exc: VoelgoedError):
        self.busy = False
        self.error = exc.message
        self.field_errors = field_errors(exc)

    def _next(self) -> str:
        try:
            return safe_next(self.router.url.query_parameters.get("next"))
        except Exception:
            return "/dashboard"

    def _address(self) -> str:
        return self.router.session.client_ip or "unknown"

    @rx.event
    def load_public(self):
        """``on_load`` of /signin and /signup: already signed in → go on."""
        self.error, self.field_errors, self.busy = "", {}, False
        if self._refresh():
            return rx.redirect(self._next())

    @rx.event
    def sign_in(self, form: dict):
        self.error, self.field_errors = "", {}
        try:
            with session_scope() as session:
                _row, token = accounts.sign_in(session, email=str(form.get("email", "")),
                                               password=str(form.get("password", "")), client_address=self._address())
        except VoelgoedError as exc:
            self._fail(exc)
            return
        self.session_token = token
        self._refresh()
        return rx.redirect(self._next())

    @rx.event
    def sign_up(self, form: dict):
        self.error, self.field_errors = "", {}
        try:
            with session_scope() as session:
                _u, _o, _row, token = tenancy.sign_up(
                    session, email=str(form.get("email", "")), password=str(form.get("password", "")),
                    full_name=str(form.get("full_name", "")), organization_name=str(form.get("organization_name", "")),
                    client_address=self._address())
        except VoelgoedError as exc:
            self._fail(exc)
            return
        self.session_token = token
        self._refresh()
        return [rx.toast.success("Welcome to VoelgoedEvents!"), rx.redirect("/dashboard")]


class InviteState(AuthState):
    org_invite_name: str = ""
    invite_email: str = ""
    invite_role: str = ""
    invite_valid: bool = False
    loaded: bool = False

    def _invite_token(self) -> str:
        return str(self.router.url.path).rstrip("/").rsplit("/", 1)[-1]

    @rx.event
    def load_invite(self):
        self.error, self.field_errors, self.loaded = "", {}, False
        self._refresh()
        try:
            with session_scope() as session:
                info = members.invitation_preview(session, token=self._invite_token())
        except VoelgoedError:
            self.invite_valid, self.loaded = False, True
            return
        self.org_invite_name, self.invite_email, self.invite_role = (info["organization_name"], info["email"],
                                                                     info["role"])
        self.invite_valid, self.loaded = True, True

    @rx.event
    def accept(self):
        try:
            with session_scope() as session:
                members.accept_invitation_for_token(session, token=self._invite_token(), session_token=self.session_token)
        except VoelgoedError as exc:
            self._fail(exc)
            return
        self._refresh()
        return [rx.toast.success(f"You joined {self.org_name}"), rx.redirect("/dashboard")]

    @rx.event
    def sign_up_and_accept(self, form: dict):
        self.error, self.field_errors = "", {}
        try:
            with session_scope() as session:
                token = members.sign_up_and_accept(session, token=self._invite_token(),
                                                   full_name=str(form.get("full_name", "")),
                                                   password=str(form.get("password", "")), client_address=self._address())
        except VoelgoedError as exc:
            self._fail(exc)
            return
        self.session_token = token
        self._refresh()
        return [rx.toast.success(f"Welcome to {self.org_name}"), rx.redirect("/dashboard")]
