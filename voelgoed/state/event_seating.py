"""The "Seating plan" card of `/events/[event_id]` and the seat map page `/events/[event_id]/seats`.

Options are the published versions of the venue's plans (``seating.event_seating``); choosing one calls
``seating.attach_version``, which refuses (and lists) sold or held seats that would disappear. Then seated
sales are set up (``seating.configure_seated_sales``: every category of the version → a ticket type of the
event, the isolated-seat rule, the caps) or, once set up, changed (``seating.update_seated_sales``). The seat
map itself (statuses, who holds what, block/allocate, box office) is one React component that talks HTTP:
this state only holds the event id and what the role may do — never a seat."""

from __future__ import annotations

from urllib.parse import urlsplit

import reflex as rx

from voelgoed.services.platform import VoelgoedError, can_manage_events, can_manage_orders, session_scope
from voelgoed.services.seating import (
    attach_version,
    configure_seated_sales,
    event_seating,
    seated_sales_view,
    update_seated_sales,
)
from voelgoed.state.session import SessionState

NONE = "none"   # the select's value for "no seating plan" (general admission)
CAT_FIELD = "cat__"  # form field name prefix: cat__<category key> → ticket type id
RULE_TEXT = {"strict": "Strict: never leave a single free seat in a row",
             "lenient": "Lenient: no single seat between two taken ones (row ends allowed)",
             "off": "Off: buyers may leave single seats"}


class EventSeatingState(SessionState):
    options: list[dict[str, str]] = []
    current: str = NONE
    current_label: str = "No seating plan (general admission)"
    protected: int = 0
    may_edit: bool = False
    may_sell: bool = False
    error: str = ""
    blocked_seats: list[str] = []
    # seated sales (set up / change)
    event_id: str = ""
    has_version: bool = False
    configured: bool = False
    categories: list[dict[str, str]] = []
    ticket_types: list[dict[str, str]] = []
    isolated_rule: str = "lenient"
    max_per_order: str = "10"
    max_per_buyer: str = "10"
    sales_error: str = ""
    sales_problems: list[str] = []
    seat_count: str = ""
    not_found: bool = False

    def _event_id(self) -> str:
        parts = urlsplit(str(self.router.url)).path.strip("/").split("/")
        return parts[1] if len(parts) >= 2 and parts[0] == "events" else ""

    def _reload(self, ctx) -> None:
        eid = self._event_id()
        with session_scope() as session:
            view = event_seating(session, ctx, eid)
            sales = seated_sales_view(session, ctx, eid)
        self.event_id = eid
        self.options = [{"id": o["id"], "label": o["label"]} for o in view["options"]]
        cur = view["current"]
        if cur and all(o["id"] != cur["id"] for o in self.options):
            self.options.insert(0, {"id": cur["id"], "label": cur["label"]})
        self.current = cur["id"] if cur else NONE
        self.current_label = cur["label"] if cur else "No seating plan (general admission)"
        self.protected = view["protected"]
        self.may_edit = can_manage_events(ctx)
        self.may_sell = can_manage_orders(ctx)
        self.has_version = sales["version"] is not None
        self.configured = sales["configured"]
        self.seat_count = str(sales["version"]["seat_count"]) if sales["version"] else ""
        self.categories = [{"key": c["key"], "label": c["label"], "color": c["color"], "field": CAT_FIELD + c["key"],
                            "seats": "" if c["seats"] is None else str(c["seats"]),
                            "ticket_type_id": c["ticket_type_id"] or ""} for c in sales["categories"]]
        self.ticket_types = [{"id": t["id"], "label": t["label"]} for t in sales["ticket_types"]]
        self.isolated_rule = sales["isolated_rule"]
        self.max_per_order, self.max_per_buyer = str(sales["max_per_order"]), str(sales["max_per_buyer"])

    @rx.event
    def load(self):
        ctx = self._tenant_context()
        if ctx is None:
            return
        self.error, self.blocked_seats, self.sales_error, self.sales_problems = "", [], "", []
        self.not_found = False
        try:
            self._reload(ctx)
        except VoelgoedError:
            self.options, self.current, self.not_found = [], NONE, True

    @rx.event
    def attach(self, form: dict):
        ctx = self._tenant_context()
        if ctx is None:
            return rx.redirect("/signin")
        choice = str(form.get("seating_plan_version_id") or NONE)
        try:
            with session_scope() as session:
                attach_version(session, ctx, self._event_id(), None if choice == NONE else choice)
        except VoelgoedError as exc:
            self.error = exc.message
            fields = (exc.details or {}).get("fields", {})
            self.blocked_seats = ([f"{s['label']} ({s['status']})" for s in (exc.details or {}).get("seats", [])[:50]]
                                  + [f"{k.removeprefix('category_types.')}: {v}" for k, v in fields.items()])
            return rx.toast.error(exc.message)
        self.error, self.blocked_seats = "", []
        self._reload(ctx)
        return rx.toast.success("Seating plan saved")

    def _problems(self, exc: VoelgoedError) -> list[str]:
        names = {c["key"]: c["label"] for c in self.categories}
        labels = {"isolated_rule": "Isolated seats", "max_per_order": "Seats per order",
                  "max_per_buyer": "Seats per buyer", "version_id": "Seating plan"}
        out = []
        for field, message in ((exc.details or {}).get("fields") or {}).items():
            key = field.removeprefix("category_types.")
            out.append(f"{names.get(key, labels.get(field, key))}: {message}")
        return out

    @rx.event
    def save_sales(self, form: dict):
        """Set up seated sales (first time) or change them; see the module docstring."""
        ctx = self._tenant_context()
        if ctx is None:
            return rx.redirect("/signin")
        mapping = {c["key"]: str(form.get(c["field"]) or "") for c in self.categories}
        rule = str(form.get("isolated_rule") or "")
        caps = {}
        self.sales_problems = []
        for name, label in (("max_per_order", "Seats per order"), ("max_per_buyer", "Seats per buyer")):
            raw = str(form.get(name) or "").strip()
            caps[name] = int(raw) if raw.isdigit() and len(raw) < 4 else -1
            if caps[name] < 0:
                self.sales_problems.append(f"{label}: A whole number from 1 to 100")
        if self.sales_problems:
            self.sales_error = "Please correct the highlighted settings"
            return rx.toast.error(self.sales_error)
        try:
            with session_scope() as session:
                if self.configured:
                    update_seated_sales(session, ctx, event_id=self._event_id(), category_types=mapping,
                                        isolated_rule=rule, **caps)
                else:
                    configure_seated_sales(session, ctx, event_id=self._event_id(), category_types=mapping,
                                           isolated_rule=rule, **caps)
        except VoelgoedError as exc:
            self.sales_error, self.sales_problems = exc.message, self._problems(exc)
            return rx.toast.error("Seated sales were not saved" if self.sales_problems else exc.message)
        first = not self.configured
        self.sales_error, self.sales_problems = "", []
        self._reload(ctx)
        return rx.toast.success("Seated sales are on: the seats are ready to sell" if first else "Seated sales saved")
