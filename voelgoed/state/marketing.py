"""State of ``/events/[event_id]/marketing``: campaigns, tracked links with QR codes, promo codes, and the
campaign dashboard (visits, funnel, orders, revenue per link) with CSV export. Thin: each handler calls one service."""

from __future__ import annotations

import base64
from urllib.parse import urlsplit

import reflex as rx

from voelgoed.services.marketing import (
    create_campaign,
    create_link,
    create_promo_code,
    dashboard_csv,
    event_dashboard,
    link_view,
    list_campaigns,
    list_links,
    list_promo_codes,
    qr_svg,
    update_link,
    update_promo_code,
)
from voelgoed.services.platform import VoelgoedError
from voelgoed.state.formatting import money
from voelgoed.state.session import SessionState

TREND_METRICS = ("visits", "orders", "revenue_cents")
PALETTE = ("#3E63DD", "#30A46C", "#E5484D", "#F76B15", "#8E4EC6", "#12A594", "#D6409F", "#8D8D8D")


def _ints(form: dict, name: str) -> int | None:
    raw = str(form.get(name, "") or "").strip().replace(" ", "")
    return int(raw) if raw.isdigit() and len(raw) < 12 else None


class MarketingState(SessionState):
    loading: bool = True
    not_found: bool = False
    event_id: str = ""
    event_name: str = ""
    campaigns: list[dict[str, str]] = []
    links: list[dict[str, str]] = []
    promos: list[dict[str, str]] = []
    rows: list[dict[str, str]] = []
    chart: list[dict] = []
    totals: dict[str, str] = {}
    # campaigns over time (the dashboard's by_campaign_day): one series per campaign, one row per day
    trend_metric: str = "orders"
    trend_series: list[dict[str, str]] = []
    trend: list[dict] = []
    _campaign_days: list[dict] = []
    error: str = ""

    def _reload(self) -> None:
        parts = urlsplit(str(self.router.url)).path.rstrip("/").split("/")
        self.event_id = parts[-2][:64] if len(parts) >= 2 else ""
        try:
            d = self._for_tenant(event_dashboard, event_id=self.event_id)
            camps = self._for_tenant(list_campaigns, event_id=self.event_id)
            links = self._for_tenant(lambda s, c: [link_view(s, lk) for lk in list_links(s, c, event_id=self.event_id)])
            promos = self._for_tenant(list_promo_codes, event_id=self.event_id)
        except VoelgoedError:
            self.not_found, self.loading = True, False
            return
        if d is None:
            return
        cur = d["currency"]
        self.event_name = d["event_name"]
        self.campaigns = [{"id": str(c.id), "name": c.name, "channel": c.channel,
                           "budget": money(c.budget_cents, c.currency) if c.budget_cents is not None else "—"} for c in camps]
        self.links = [{"id": lk["id"], "active": "yes" if lk["is_active"] else "", "name": lk["label"],
                       "short_code": lk["short_code"], "label": lk["label"] or lk["short_code"], "short_url": lk["short_url"],
                       "partner": lk["partner_name"], "visits": str(lk["visit_count"]),
                       "qr": "data:image/svg+xml;base64," + base64.b64encode(qr_svg(lk["short_url"])).decode()}
                      for lk in links]
        self.promos = [{"id": str(p.id), "active": "yes" if p.is_active else "", "percent": str(p.percent_off or ""),
                        "amount": str(p.amount_off_cents // 100) if p.amount_off_cents else "",
                        "max_uses": "" if p.max_uses is None else str(p.max_uses), "code": p.code, "discount": f"{p.percent_off}%" if p.percent_off else money(p.amount_off_cents, cur),
                        "uses": f"{p.used_count} / {p.max_uses if p.max_uses is not None else '∞'}",
                        "kind": "group (automatic)" if p.automatic else ("access" if p.unlocks_hidden else "discount")}
                       for p in promos]
        shown = [*d["links"], d["direct"]]
        self.rows = [{"label": r["label"], "campaign": r["campaign"], "channel": r["channel"], "visits": str(r["visits"]),
                      "page_views": str(r["page_views"]), "holds": str(r["holds"]), "checkouts": str(r["checkouts_started"]),
                      "orders": str(r["orders"]), "tickets": str(r["tickets"]), "abandoned": str(r["abandoned"]),
                      "revenue": money(r["revenue_cents"], cur), "conversion": f"{100 * r['conversion']:.1f}%"}
                     for r in shown]
        self.chart = [{"name": r["label"], "orders": r["orders"], "visits": r["visits"],
                       "revenue": r["revenue_cents"] / 100} for r in shown]
        self._campaign_days = d["by_campaign_day"]
        self._trend()
        t = d["totals"]
        self.totals = {"orders": str(t["orders"]), "tickets": str(t["tickets"]), "revenue": money(t["revenue_cents"], cur),
                       "visits": str(sum(r["visits"] for r in d["links"]))}
        self.not_found, self.loading = False, False

    def _trend(self) -> None:
        """``trend``: ``[{day, s0, s1, …}]`` of ``trend_metric`` (revenue in rand); ``trend_series``: ``[{key, name, color}]``."""
        metric = self.trend_metric if self.trend_metric in TREND_METRICS else "orders"
        keys: dict[str, dict[str, str]] = {}
        days: dict[str, dict] = {}
        for r in self._campaign_days:
            sr = keys.setdefault(r["campaign_key"], {"key": f"s{len(keys)}", "name": r["campaign"],
                                                     "color": PALETTE[len(keys) % len(PALETTE)]})
            value = r[metric] / 100 if metric == "revenue_cents" else r[metric]
            days.setdefault(r["day"], {"day": r["day"]})[sr["key"]] = value
        self.trend_series = list(keys.values())
        self.trend = [{**{sr["key"]: 0 for sr in self.trend_series}, **row} for _, row in sorted(days.items())]

    @rx.event
    def set_trend_metric(self, value: str | list[str]):
        value = value[0] if isinstance(value, list) and value else value
        self.trend_metric = value if isinstance(value, str) and value in TREND_METRICS else "orders"
        self._trend()

    @rx.event
    def load(self):
        self.loading, self.error = True, ""
        self._reload()

    def _do(self, fn, **kwargs):
        try:
            self._for_tenant(fn, **kwargs)
        except VoelgoedError as exc:
            fields = (exc.details or {}).get("fields") or {}
            self.error = exc.message + ("" if not fields else ": " + "; ".join(f"{k}: {v}" for k, v in fields.items()))
            return rx.toast.error(self.error)
        self.error = ""
        self._reload()
        return rx.toast.success("Saved")

    @rx.event
    def add_campaign(self, form: dict):
        return self._do(create_campaign, event_id=self.event_id, name=str(form.get("name", "")),
                        channel=str(form.get("channel", "other") or "other"), budget_cents=_ints(form, "budget_cents"))

    @rx.event
    def add_link(self, form: dict):
        return self._do(create_link, campaign_id=str(form.get("campaign_id", "")), event_id=self.event_id,
                        label=str(form.get("label", "")), partner_name=str(form.get("partner_name", "")),
                        utm_source=str(form.get("utm_source", "")))

    @rx.event
    def add_promo(self, form: dict):
        kind = str(form.get("kind", "percent"))
        value = _ints(form, "value") or 0
        return self._do(create_promo_code, event_id=self.event_id, code=str(form.get("code", "")),
                        percent_off=value if kind == "percent" else 0,
                        amount_off_cents=value * 100 if kind == "amount" else 0, max_uses=_ints(form, "max_uses"))

    @rx.event
    def set_promo_active(self, promo_id: str, active: bool):
        return self._do(update_promo_code, event_id=self.event_id, promo_id=promo_id, changes={"is_active": bool(active)})

    @rx.event
    def edit_promo(self, form: dict):
        """The edit dialog: ``value`` is a percentage or whole rand (by ``kind``); an empty ``max_uses`` = unlimited."""
        kind, raw_max = str(form.get("kind", "percent")), str(form.get("max_uses", "") or "").strip()
        value = _ints(form, "value")
        changes = {"percent_off": value if kind == "percent" else 0,
                   "amount_off_cents": (value * 100 if value is not None else None) if kind == "amount" else 0,
                   "max_uses": _ints(form, "max_uses") if raw_max else None}
        if raw_max and changes["max_uses"] is None:
            changes["max_uses"] = raw_max  # refused with a clear message by the service
        return self._do(update_promo_code, event_id=self.event_id, promo_id=str(form.get("promo_id", "")), changes=changes)

    @rx.event
    def set_link_active(self, link_id: str, active: bool):
        return self._do(update_link, event_id=self.event_id, link_id=link_id, changes={"is_active": bool(active)})

    @rx.event
    def rename_link(self, form: dict):
        return self._do(update_link, event_id=self.event_id, link_id=str(form.get("link_id", "")),
                        changes={"label": str(form.get("label", "")), "partner_name": str(form.get("partner_name", ""))})

    @rx.event
    def export_csv(self):
        try:
            d = self._for_tenant(event_dashboard, event_id=self.event_id)
        except VoelgoedError as exc:
            return rx.toast.error(exc.message)
        if d is not None:
            return rx.download(data=dashboard_csv(d), filename=f"marketing-{self.event_id}.csv")
