"""The hold page ``/hold/[hold_id]``: summary, countdown, buyer details, attendees per ticket, checkout, cancel.

The URL's last segment is the buyer's handle on the reservation: a GA hold's id (a random UUID), or a seat
hold's ``hold_token`` (``<id>.<HMAC>``, 101 characters; :mod:`voelgoed.services.sales.hold_tokens`) — a seat hold
opened by its bare id shows "Reservation not found" (the services answer 403 ``hold_token_required``). The countdown
ticks in the browser; a background task re-reads the hold when it lapses so the page flips to
"expired" on its own.
"""

from __future__ import annotations

import asyncio
from urllib.parse import unquote

import reflex as rx

from voelgoed.services.platform import VoelgoedError, session_scope
from voelgoed.services.sales import checkout, hold_tokens, inventory, storefront
from voelgoed.state.formatting import field_errors, money, when
from voelgoed.state.tracking import track


class HoldState(rx.State):
    loading: bool = True
    found: bool = False
    busy: bool = False
    status: str = ""
    expires_at: str = ""
    seconds_left: int = 0
    event_name: str = ""
    event_slug: str = ""
    event_when: str = ""
    venue: str = ""
    items: list[dict[str, str]] = []
    attendee_slots: list[dict[str, str]] = []
    total: str = ""
    error: str = ""
    field_errors: dict[str, str] = {}
    watching: bool = False
    _hold_id: str = ""
    _event_id: str = ""

    def _read(self) -> None:
        try:
            with session_scope() as session:
                view = storefront.hold_view(session, self._hold_id)
        except VoelgoedError:
            self.found = False
            return
        self.found, self.status = True, view["status"]
        self.expires_at, self.seconds_left = view["expires_at"], view["seconds_left"]
        ev = view["event"]
        self._event_id = ev["id"]
        self.event_name, self.event_slug, self.venue = ev["name"], ev["slug"], ", ".join(p for p in (ev["venue"], ev["city"]) if p)
        self.event_when = when(ev["starts_at"])
        self.items = [{"name": f"{i['ticket_type']} · {i['area']}" if i.get("area") else i["ticket_type"], "qty": str(i["quantity"]), "unit": money(i["unit_price_cents"], view["currency"]),
                       "line": money(i["line_total_cents"], view["currency"])} for i in view["items"]]
        self.total = money(view["total_cents"], view["currency"])
        self.attendee_slots = [{"number": str(t["number"]), "ticket_type_id": t["ticket_type_id"],
                                "label": f"Ticket {t['number']} · {t['ticket_type']}", "mode": t["mode"],
                                "name_field": f"attendee_{t['number']}_name", "email_field": f"attendee_{t['number']}_email"}
                               for t in view.get("tickets", []) if t["mode"] in ("optional", "required")]

    def _attendees(self, form_data: dict) -> list[dict[str, str]]:
        """The attendee fields of the form as the checkout's ``attendees`` list (ticket order)."""
        return [{"ticket_type_id": s["ticket_type_id"], "name": str(form_data.get(s["name_field"], "")),
                 "email": str(form_data.get(s["email_field"], ""))} for s in self.attendee_slots]

    @rx.event
    def load(self):
        self.loading, self.error, self.field_errors = True, "", {}
        # one character past the limit, so an over-long reference stays over it (404), never cut to a valid one
        ref = unquote(str(self.router.url.path or "").rstrip("/").rsplit("/", 1)[-1])
        self._hold_id = ref[: hold_tokens.MAX_REF_LENGTH + 1]
        self._read()
        self.loading = False
        if self.found and self.status == "active" and not self.watching:
            return HoldState.watch_expiry

    @rx.event(background=True)
    async def watch_expiry(self):
        async with self:
            self.watching = True
        while True:
            async with self:
                left = self.seconds_left if self.status == "active" else -1
            if left < 0:
                break
            await asyncio.sleep(min(max(left, 0) + 0.5, 5))
            async with self:
                self._read()
                if self.status == "expired":
                    self.watching = False
                    return rx.toast.warning("Your reservation has expired. The tickets have been released.")
        async with self:
            self.watching = False

    @rx.event
    def submit(self, form_data: dict):
        if self.busy:
            return
        self.busy, self.error, self.field_errors = True, "", {}
        try:
            with session_scope() as session:
                target = checkout.checkout_redirect(session, hold_id=self._hold_id,
                                                    buyer_name=str(form_data.get("buyer_name", "")),
                                                    buyer_email=str(form_data.get("buyer_email", "")),
                                                    attendees=self._attendees(form_data))
        except VoelgoedError as exc:
            self.busy = False
            self.field_errors = field_errors(exc)
            self.error = "" if self.field_errors else exc.message
            self._read()
            return rx.toast.error(exc.message)
        track(self.router, self._event_id, "checkout_started")
        return rx.redirect(target)

    @rx.event
    def cancel(self):
        try:
            with session_scope() as session:
                inventory.release_hold(session, hold_id=self._hold_id)
        except VoelgoedError as exc:
            return rx.toast.error(exc.message)
        return [rx.toast.info("Reservation cancelled — the tickets are back on sale."), rx.redirect(f"/e/{self.event_slug}")]
