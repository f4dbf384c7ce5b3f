"""The signed-in organiser (shared UI contract; organiser page states subclass :class:`SessionState`).

The browser holds only an opaque session token in the ``vg_session`` cookie. Every use resolves it
server-side (``tenancy.session_overview`` / ``accounts.resolve_session``): expiry, revocation and
membership changes take effect at once, and nothing the browser sends about itself is trusted.

For subclasses:
- ``self._tenant_context()`` → ``TenantContext | None`` (the active organisation and role);
- ``self._for_tenant(fn, *args)`` → ``fn(session, ctx, *args)``'s result, or None when signed out;
- ``self._user_session_id()`` → the current session's id (str) or "";
- ``on_load=SessionState.require_signed_in`` redirects to ``/signin`` when not signed in.
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit

import reflex as rx

from voelgoed.config import get_settings
from voelgoed.services.accounts import accounts, tenancy
from voelgoed.services.platform import TenantContext, VoelgoedError, session_scope

COOKIE_NAME = "vg_session"


class SessionState(rx.State):
    """Public vars are display-only; authorisation always goes through the services."""

    session_token: str = rx.Cookie("", name=COOKIE_NAME, path="/", same_site="lax",
                                   max_age=get_settings().session_ttl_seconds,
                                   secure=get_settings().effective_base_url.startswith("https://"))
    user_email: str = ""
    user_name: str = ""
    org_name: str = ""
    org_id: str = ""
    role: str = ""
    signed_in: bool = False
    organizations: list[dict[str, str]] = []
    nav_open: bool = False

    # -- for subclasses -------------------------------------------------------------------------
    def _tenant_context(self) -> TenantContext | None:
        """The active organisation's context, resolved from the cookie on every call (None if signed out)."""
        with session_scope() as session:
            try:
                user_session = accounts.resolve_session(session, self.session_token)
                return tenancy.tenant_context_for(session, user_id=user_session.user_id,
                                                  organization_id=user_session.active_organization_id)
            except VoelgoedError:
                return None

    def _for_tenant(self, fn, *args, **kwargs):
        """``fn(session, ctx, *args, **kwargs)`` for the signed-in organisation in one session → its result,
        or None when signed out. The service's errors (:class:`VoelgoedError`) propagate."""
        ctx = self._tenant_context()
        if ctx is None:
            return None
        with session_scope() as session:
            return fn(session, ctx, *args, **kwargs)

    def _user_session_id(self) -> str:
        with session_scope() as session:
            try:
                return str(accounts.resolve_session(session, self.session_token).id)
            except VoelgoedError:
                return ""

    def _refresh(self) -> bool:
        with session_scope() as session:
            info = tenancy.session_overview(session, token=self.session_token)
        if info is None:
            self.signed_in = False
            self.user_email = self.user_name = self.org_name = self.org_id = self.role = ""
            self.organizations = []
            return False
        self.signed_in = True
        self.user_email, self.user_name = info["user_email"], info["user_name"]
        self.org_name, self.org_id, self.role = info["org_name"], info["org_id"], info["role"]
        self.organizations = info["organizations"]
        return True

    def _set_token(self, token: str) -> None:
        self.session_token = token

    def _current_path(self) -> str:
        try:
            parts = urlsplit(str(self.router.url))
            return parts.path + (f"?{parts.query}" if parts.query else "")
        except Exception:
            return "/dashboard"

    # -- handlers ---------------------------------------------------------------------------------
    @rx.event
    def require_signed_in(self):
        """``on_load`` guard: refresh the identity, or go to ``/signin?next=<this page>``."""
        self.nav_open = False
        if not self._refresh():
            return rx.redirect(f"/signin?next={quote(self._current_path(), safe='')}")

    @rx.event
    def sign_out(self):
        with session_scope() as session:
            accounts.sign_out(session, token=self.session_token)
        self.session_token = ""
        self._refresh()
        return [rx.remove_cookie(COOKIE_NAME), rx.redirect("/signin")]

    @rx.event
    def switch_organization(self, organization_id: str):
        try:
            with session_scope() as session:
                tenancy.switch_organization_for_token(session, token=self.session_token, organization_id=organization_id)
        except VoelgoedError:
            return rx.toast.error("That organisation is not available")
        self._refresh()
        return [rx.toast.success(f"Switched to {self.org_name}"), rx.redirect("/dashboard")]

    @rx.event
    def set_nav_open(self, value: bool):
        self.nav_open = bool(value)
