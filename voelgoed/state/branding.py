"""`/settings` → Organisation tab, "Branding": colours, e-mail sender name and logo, with a live preview before saving.

Thin: the upload is checked and re-encoded by ``accounts.process_logo`` as soon as it is chosen (a bad file shows its
error and changes nothing); the re-encoded PNG waits in a private var (base64) and is shown as a ``data:`` URI in the
preview; "Save branding" calls ``accounts.save_branding`` once with the colours, the name and the pending logo.
"""

from __future__ import annotations

import base64

import reflex as rx

from voelgoed.services.accounts import (
    LOGO_MAX_BYTES,
    ProcessedLogo,
    preview,
    process_logo,
    save_branding,
    settings_view,
)
from voelgoed.services.platform import VoelgoedError, mail, session_scope
from voelgoed.state.session import SessionState

REJECTED = {"file-too-large": f"The logo is larger than {LOGO_MAX_BYTES // 1_000_000} MB",
            "file-invalid-type": "The logo must be a PNG or JPEG image (SVG is not accepted)"}


class BrandingState(SessionState):
    can_edit: bool = False
    primary: str = ""
    accent: str = ""
    sender_name: str = ""
    logo_src: str = ""  # what the preview shows: the pending upload (data URI) or the saved logo
    logo_pending: bool = False
    remove_logo: bool = False
    upload_error: str = ""
    save_error: str = ""
    dirty: bool = False
    _saved_logo: str = ""
    _pending: dict = {}  # {png_b64, width, height, sha256} of the checked, re-encoded upload

    def _reload(self) -> None:
        ctx = self._tenant_context()
        if ctx is None:
            return
        with session_scope() as session:
            view = settings_view(session, ctx)
        self.can_edit = view["can_edit"]
        self.primary, self.accent, self.sender_name = view["primary"], view["accent"], view["sender_name"]
        self._saved_logo = self.logo_src = view["brand"]["logo_url"]
        self._pending, self.logo_pending, self.remove_logo, self.dirty = {}, False, False, False
        self.upload_error = self.save_error = ""

    @rx.event
    def load(self):
        self._reload()

    @rx.event
    def set_primary(self, value: str):
        self.primary, self.dirty = str(value or "")[:20], True

    @rx.event
    def set_accent(self, value: str):
        self.accent, self.dirty = str(value or "")[:20], True

    @rx.event
    def set_sender_name(self, value: str):
        self.sender_name, self.dirty = str(value or "")[:120], True

    @rx.event
    async def upload_logo(self, files: list[rx.UploadFile]):
        """Check and re-encode the chosen file now (nothing is saved until "Save branding")."""
        if not files:  # the browser refused the file: logo_rejected says why
            return
        self.upload_error = ""
        data = await files[0].read(LOGO_MAX_BYTES + 1)
        try:
            logo = process_logo(data)
        except VoelgoedError as exc:
            self.upload_error = exc.message
            return
        b64 = base64.b64encode(logo.png).decode("ascii")
        self._pending = {"png_b64": b64, "width": logo.width, "height": logo.height, "sha256": logo.sha256}
        self.logo_src, self.logo_pending, self.remove_logo, self.dirty = "data:image/png;base64," + b64, True, False, True

    @rx.event
    def logo_rejected(self, rejected: list[dict]):
        """The browser refused the file (over 1 MB, not PNG/JPEG): say why."""
        codes = [e.get("code", "") for r in rejected or [] for e in (r.get("errors") or [])]
        self.upload_error = next((REJECTED[c] for c in codes if c in REJECTED), "That file cannot be used as a logo")

    @rx.event
    def drop_logo(self):
        """Forget a pending upload; with none pending, mark the saved logo for removal."""
        if self.logo_pending:
            self._pending, self.logo_pending, self.logo_src = {}, False, self._saved_logo
        else:
            self.remove_logo, self.logo_src = True, ""
        self.dirty, self.upload_error = True, ""

    @rx.event
    def revert(self):
        self._reload()

    @rx.event
    def save(self):
        ctx = self._tenant_context()
        if ctx is None:
            return rx.redirect("/signin")
        pending = self._pending
        logo = ProcessedLogo(png=base64.b64decode(pending["png_b64"]), width=pending["width"], height=pending["height"],
                             sha256=pending["sha256"]) if pending else None
        try:
            with session_scope() as session:
                save_branding(session, ctx, primary=self.primary, accent=self.accent, sender_name=self.sender_name,
                              logo=logo, remove_logo=self.remove_logo)
        except VoelgoedError as exc:
            self.save_error = exc.message
            return rx.toast.error(exc.message)
        self._reload()
        return rx.toast.success("Branding saved: your event pages, tickets and e-mails use it now")

    @rx.var
    def look(self) -> dict[str, str]:
        """The preview's colours (invalid input falls back to the default) and the problems found."""
        p = preview(self.primary, self.accent)
        return {"primary": p["primary"], "accent": p["accent"], "on_primary": p["on_primary"],
                "on_accent": p["on_accent"], "primary_ratio": f"{p['primary_ratio']}:1", "accent_ratio": f"{p['accent_ratio']}:1",
                "primary_error": p["errors"].get("primary", ""), "accent_error": p["errors"].get("accent", "")}

    @rx.var
    def from_line(self) -> str:
        return str(mail.from_header(self.sender_name or self.org_name))
