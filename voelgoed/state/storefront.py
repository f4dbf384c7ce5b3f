"""Public event page ``/e/[slug]`` (thin: parse, call one service, present).

Public vars hold display strings only; the waiting-room pass stays in a private var. The pass is
taken from ``?pass=`` or ``sessionStorage["vg_pass_<slug>"]`` (set by the waiting room) and sent
to ``inventory.create_hold`` as ``pass_token``. A promo / access code typed by the buyer and the first-party
``vg_touch`` cookie (set by ``/go/<code>``) go with the hold (issue 15); the page view and the hold are
counted as funnel steps (Redis only; not under Do Not Track / GPC, not for bots). "Apply" checks the code
(``storefront.view_with_code``: the hold path's rules and rate limit); an access code lists the hidden ticket types
it unlocks (kept in ``_unlocked`` until the buyer changes the code), which the hold then accepts with that code.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import unquote
from zoneinfo import ZoneInfo

import reflex as rx

from voelgoed.config import get_settings
from voelgoed.services.platform import VoelgoedError, ratelimit, session_scope
from voelgoed.services.sales import inventory, storefront
from voelgoed.state.formatting import money
from voelgoed.state.tracking import touch_of, track


def _local(iso: str | None, tz: str, fmt: str) -> str:
    if not iso:
        return ""
    try:
        return datetime.fromisoformat(iso).astimezone(ZoneInfo(tz)).strftime(fmt)
    except (ValueError, KeyError):
        return datetime.fromisoformat(iso).strftime(fmt)


class EventPageState(rx.State):
    loading: bool = True
    found: bool = False
    busy: bool = False
    slug: str = ""
    name: str = ""
    description: str = ""
    date_label: str = ""
    time_label: str = ""
    venue_label: str = ""
    tz_label: str = ""
    on_sale: bool = False
    cancelled: bool = False
    status_note: str = ""
    error: str = ""
    types: list[dict[str, str]] = []
    promo_code: str = ""
    applied_code: str = ""
    code_note: str = ""
    code_error: str = ""
    # the organisation's branding (issue 15): display values from the view's ``branding``
    brand_name: str = ""
    brand_primary: str = "#1C2024"
    brand_on_primary: str = "#FFFFFF"
    brand_accent: str = "#3E63DD"
    brand_on_accent: str = "#FFFFFF"
    brand_logo: str = ""
    _pass: str = ""
    _event_id: str = ""
    _prices: dict[str, int] = {}
    _unlocked: list[str] = []
    _currency: str = "ZAR"

    def _read(self, view: dict | None = None) -> None:
        if view is None:
            try:
                with session_scope() as session:
                    view = storefront.public_event_view(session, self.slug, unlocked=self._unlocked)
            except VoelgoedError:
                self.found, self.types = False, []
                return
        tz = view["venue"]["timezone"] or "Africa/Johannesburg"
        self.found, self.name, self.description, self._event_id = True, view["name"], view["description"], view["id"]
        self.date_label = _local(view["starts_at"], tz, "%A %d %B %Y")
        self.time_label = _local(view["starts_at"], tz, "%H:%M") + " – " + _local(view["ends_at"], tz, "%H:%M")
        self.venue_label = ", ".join(p for p in (view["venue"]["name"], view["venue"]["city"]) if p)
        self.tz_label = tz
        self.on_sale, self.cancelled = view["on_sale"], view["cancelled"]
        brand = view["branding"]
        self.brand_name, self.brand_primary, self.brand_on_primary = brand["name"], brand["primary"], brand["on_primary"]
        self.brand_accent, self.brand_on_accent, self.brand_logo = brand["accent"], brand["on_accent"], brand["logo_url"]
        self.status_note = "" if view["on_sale"] or view["cancelled"] else (
            "This event has ended." if view["status"] == "ended" else "Tickets are not on sale right now.")
        self._currency = view["currency"]
        old = {t["id"]: int(t["qty"]) for t in self.types}
        self._prices = {t["id"]: t["price_cents"] for t in view["ticket_types"]}
        types = []
        for t in view["ticket_types"]:
            cap = t["max_selectable"]
            types.append({
                "id": t["id"], "name": t["name"], "description": t["description"],
                "price": "Free" if t["price_cents"] == 0 else money(t["price_cents"], t["currency"]),
                "cap": str(cap), "qty": str(min(old.get(t["id"], 0), cap)), "unlocked": "yes" if t.get("unlocked") else "",
                "state": "seated" if t.get("seated") else (
                    "sold_out" if t["sold_out"] else ("on_sale" if t["on_sale"] else "closed")),
                "left": "Choose your seats on the map" if t.get("seated") else (
                    "Sold out" if t["sold_out"] else (f"Only {t['available']} left" if t["low_stock"] else "Available")),
            })
        self.types = types

    @rx.event
    def load(self):
        self.loading, self.error, self.types = True, "", []
        path = str(self.router.url.path or "").rstrip("/")
        slug = unquote(path.rsplit("/", 1)[-1])[:120]
        if slug != self.slug:  # another event: its code box starts empty
            self._unlocked, self.applied_code, self.code_note, self.code_error, self.promo_code = [], "", "", "", ""
        self.slug = slug
        self._pass = str(self.router.url.query_parameters.get("pass", ""))[:512]
        self._read()
        self.loading = False
        if self.found:
            self._track("page_view")
        if not self._pass:
            key = "vg_pass_" + self.slug
            return rx.call_script(f"window.sessionStorage.getItem({key!r}) || ''", callback=EventPageState.set_pass)

    @rx.event
    def set_pass(self, value):
        if isinstance(value, str):
            self._pass = value[:512]

    @rx.event
    def set_promo_code(self, value: str):
        self.promo_code = value[:40] if isinstance(value, str) else ""
        self.code_error = ""
        if self.applied_code and self.promo_code.strip().upper() != self.applied_code:
            self.applied_code, self.code_note = "", ""
            if self._unlocked:
                self._unlocked = []
                self._read()

    @rx.event
    def apply_code(self):
        """Check the typed code; an access code shows the hidden ticket types it unlocks."""
        code = self.promo_code.strip()
        if not code or self.busy:
            self.code_error = "Type a code first."
            return
        try:
            with session_scope() as session:
                view = storefront.view_with_code(session, self.slug, code,
                                                 client_address=self.router.session.client_ip or "unknown")
        except VoelgoedError as exc:
            self.applied_code, self.code_note, self.code_error = "", "", exc.message
            if self._unlocked:
                self._unlocked = []
                self._read()
            return
        info = view["code"]
        self._unlocked = list(info["unlocks"])
        self._read(view)
        self.applied_code, self.promo_code, self.code_error = info["code"], info["code"], ""
        names = [t["name"] for t in self.types if t["unlocked"]]
        if info["access"]:
            self.code_note = (f"Code {info['code']} unlocked: " + ", ".join(names)) if names else (
                f"Code {info['code']} is valid, but the tickets it unlocks are not available right now.")
        else:
            off = f"{info['percent_off']}%" if info["percent_off"] else money(info["amount_off_cents"], self._currency)
            self.code_note = f"Code {info['code']} ({off} off) is applied when you reserve."

    def _track(self, step: str) -> None:
        track(self.router, self._event_id, step)

    @rx.event
    def change_qty(self, index: int, delta: int):
        if 0 <= index < len(self.types) and delta in (-1, 1):
            row = dict(self.types[index])
            row["qty"] = str(max(0, min(int(row["cap"]), int(row["qty"]) + delta)))
            self.types = [row if i == index else t for i, t in enumerate(self.types)]
            self.error = ""

    @rx.var
    def ticket_count(self) -> int:
        return sum(int(t["qty"]) for t in self.types)

    @rx.var
    def total_label(self) -> str:
        return money(sum(self._prices.get(t["id"], 0) * int(t["qty"]) for t in self.types), self._currency)

    @rx.event
    def reserve(self):
        items = [(t["id"], int(t["qty"])) for t in self.types if int(t["qty"]) > 0]
        if not items or self.busy:
            self.error = "Choose at least one ticket."
            return
        self.busy, self.error = True, ""
        address = self.router.session.client_ip or "unknown"
        try:
            ratelimit.hit("hold", address, get_settings().hold_rate_limit)
            with session_scope() as session:
                hold = inventory.create_hold(session, event_slug=self.slug, items=items, client_address=address,
                                             pass_token=self._pass or None, promo_code=self.promo_code or None,
                                             touch=touch_of(self.router))
        except VoelgoedError as exc:
            self.busy = False
            if exc.code == "waiting_room_pass_required":
                return rx.redirect(f"/e/{self.slug}/queue")
            self.error = exc.message
            self._read()
            return rx.toast.error(exc.message)
        self.busy = False
        self._track("hold")
        return rx.redirect(f"/hold/{hold.id}")
