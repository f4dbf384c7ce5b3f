"""State of `/settings/audit` (the audit log viewer, owners/admins) and the history panel on the order page."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import reflex as rx

from voelgoed.services.insights import object_history, search_audit
from voelgoed.services.platform import VoelgoedError
from voelgoed.state.session import SessionState


def _row(e: dict) -> dict[str, str]:
    data = json.dumps(e["data"], ensure_ascii=False, sort_keys=True) if e["data"] else ""
    return {"id": e["id"], "when": e["created_at"][:19].replace("T", " "), "actor": e["actor"], "action": e["action"],
            "target_type": e["target_type"], "target": e["target"] or e["target_id"][:8], "link": e["link"],
            "data": data[:300]}


def _day(value: str, *, end: bool = False) -> datetime | None:
    try:
        day = datetime.strptime(value.strip(), "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        return None
    return day + timedelta(days=1) if end else day


class AuditState(SessionState):
    loading: bool = True
    forbidden: bool = False
    who: str = ""
    what: str = ""
    target: str = ""
    since: str = ""
    until: str = ""
    entries: list[dict[str, str]] = []
    next_before: str = ""

    def _search(self, before: str | None = None) -> None:
        try:
            page = self._for_tenant(search_audit, who=self.who, what=self.what, target=self.target,
                                    since=_day(self.since), until=_day(self.until, end=True), before=before)
        except VoelgoedError as exc:
            self.forbidden, self.loading = exc.code == "forbidden", False
            return
        if page is None:
            return
        rows = [_row(e) for e in page["entries"]]
        self.entries = (self.entries + rows) if before else rows
        self.next_before = page["next_before"] or ""
        self.forbidden, self.loading = False, False

    @rx.event
    def load(self):
        self.loading = True
        target = self.router.url.query_parameters.get("object")
        if target:  # a link like /settings/audit?object=VG-7K3Q9M
            self.target = str(target)[:100]
        self._search()

    @rx.event
    def apply(self, form: dict):
        self.who, self.what = str(form.get("who", ""))[:200], str(form.get("what", ""))[:80]
        self.target = str(form.get("target", ""))[:100]
        self.since, self.until = str(form.get("since", ""))[:10], str(form.get("until", ""))[:10]
        self._search()

    @rx.event
    def clear(self):
        self.who = self.what = self.target = self.since = self.until = ""
        self._search()

    @rx.event
    def older(self):
        if self.next_before:
            self._search(self.next_before)


class HistoryState(SessionState):
    """The order page's history (the order, its tickets and payments), oldest first."""

    history: list[dict[str, str]] = []
    history_hidden: bool = False

    @rx.event
    def load(self):
        order_id = urlsplit(str(self.router.url)).path.rstrip("/").rsplit("/", 1)[-1]
        try:
            rows = self._for_tenant(object_history, "order", order_id)
        except VoelgoedError:
            self.history, self.history_hidden = [], True
            return
        self.history = [_row(e) for e in rows or []]
        self.history_hidden = False
