"""The campaign dashboard (issue 15, item 5): per event, per link, per campaign and per channel.

:func:`event_dashboard` ``(session, ctx, *, event_id)`` →
``{event_id, currency, links: [row], campaigns: [row], channels: [row], direct: row, totals: row, by_day: [{day,
visits, page_views, holds, orders, revenue_cents}], by_campaign_day: [{day, campaign_key, campaign, visits, orders,
revenue_cents}]}`` where a row is ``{key, label, campaign, channel, partner_name,
short_code, visits, page_views, ticket_selections, holds, checkouts_started, orders, tickets, revenue_cents,
abandoned, conversion}``:

- ``visits``: the link's ``/go`` visits (bots and Do-Not-Track visitors not counted);
- ``page_views`` … ``checkouts_started``: the rolled-up funnel counts (``FunnelCount``; Redis counts not yet
  rolled up by the worker are not in them);
- ``orders`` / ``tickets`` / ``revenue_cents``: **paid** (or later refunded: the sale happened) orders whose last
  touch is the link — from the orders themselves, so they match the orders exactly; ``abandoned``: orders of the
  link that expired or were cancelled unpaid; ``conversion`` = orders / visits (0 without visits; for the direct
  row orders / page views).

``by_campaign_day`` compares campaigns over time: per UTC day and campaign (``campaign_key`` the campaign id, or
``direct`` for orders without a link), the ``/go`` visits rolled up that day (funnel ``visit`` step) and the paid
orders / revenue by their payment day and last touch; sorted by day, then campaign name; days without any figure
are left out.

:func:`dashboard_csv` → the link rows as CSV text (UTF-8, header row). Errors: 403, 404 ``not_found``.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict

from sqlalchemy import func
from sqlmodel import Session, select

from voelgoed.models import Campaign, Event, FunnelCount, Order, OrderAttribution, OrderItem, TrackedLink
from voelgoed.services.platform import NotFound, parse_id, rbac

SOLD = ("paid", "refunded", "refund_required")
ABANDONED = ("expired", "cancelled")
_STEP_FIELDS = {"page_view": "page_views", "ticket_selection": "ticket_selections", "hold": "holds",
                "checkout_started": "checkouts_started"}
COLUMNS = ("key", "label", "campaign", "channel", "partner_name", "short_code", "visits", "page_views",
           "ticket_selections", "holds", "checkouts_started", "orders", "tickets", "revenue_cents", "abandoned", "conversion")


def _row(**kw) -> dict:
    base = {c: 0 for c in COLUMNS}
    base.update({"label": "", "campaign": "", "channel": "", "partner_name": "", "short_code": ""})
    base.update(kw)
    return base


def _add(into: dict, row: dict) -> None:
    for c in COLUMNS[6:-1]:
        into[c] += row[c]


def _conversion(row: dict, by: str = "visits") -> None:
    row["conversion"] = round(row["orders"] / row[by], 4) if row[by] else 0.0


def event_dashboard(session: Session, ctx: rbac.TenantContext, *, event_id) -> dict:
    rbac.require(ctx, rbac.can_view_financials, "view the campaign dashboard")
    event = session.get(Event, parse_id(event_id, "event"))
    if event is None or event.organization_id != ctx.organization_id:
        raise NotFound("not_found", "Event not found")
    links = session.exec(select(TrackedLink).where(TrackedLink.event_id == event.id).order_by(TrackedLink.created_at)).all()
    camps = {c.id: c for c in session.exec(select(Campaign).where(Campaign.organization_id == ctx.organization_id)).all()}
    by_code = {lk.short_code: lk for lk in links}
    rows = {lk.id: _row(key=str(lk.id), label=lk.label or lk.short_code, campaign=camps[lk.campaign_id].name,
                        channel=camps[lk.campaign_id].channel, partner_name=lk.partner_name, short_code=lk.short_code,
                        visits=lk.visit_count) for lk in links}
    direct = _row(key="direct", label="Direct / other")
    per_camp: dict = defaultdict(lambda: {"visits": 0, "orders": 0, "revenue_cents": 0})  # (day, campaign key)
    link_camp = {lk.id: lk.campaign_id for lk in links}
    by_day: dict = defaultdict(lambda: {"visits": 0, "page_views": 0, "holds": 0, "orders": 0, "revenue_cents": 0})
    for fc in session.exec(select(FunnelCount).where(FunnelCount.event_id == event.id)).all():
        link = by_code.get(fc.link_key)
        target = rows[link.id] if link else direct
        if fc.step in _STEP_FIELDS:
            target[_STEP_FIELDS[fc.step]] += fc.count
        day = by_day[fc.day.isoformat()]
        key = {"visit": "visits", "page_view": "page_views", "hold": "holds"}.get(fc.step)
        if key:
            day[key] += fc.count
        if fc.step == "visit" and link:
            per_camp[(fc.day.isoformat(), str(link.campaign_id))]["visits"] += fc.count
    tickets = dict(session.exec(select(OrderItem.order_id, func.sum(OrderItem.quantity))
                                .join(Order, Order.id == OrderItem.order_id)
                                .where(Order.event_id == event.id).group_by(OrderItem.order_id)).all())
    attrs = dict(session.exec(select(OrderAttribution.order_id, OrderAttribution.last_link_id)
                              .where(OrderAttribution.event_id == event.id, OrderAttribution.order_id.is_not(None))).all())
    for order in session.exec(select(Order).where(Order.event_id == event.id)).all():
        target = rows.get(attrs.get(order.id)) or direct
        if order.status in SOLD:
            target["orders"] += 1
            target["tickets"] += int(tickets.get(order.id, 0))
            target["revenue_cents"] += order.total_cents
            if order.paid_at:
                day = by_day[order.paid_at.date().isoformat()]
                day["orders"] += 1
                day["revenue_cents"] += order.total_cents
                camp_id = link_camp.get(attrs.get(order.id))
                cell = per_camp[(order.paid_at.date().isoformat(), str(camp_id) if camp_id else "direct")]
                cell["orders"] += 1
                cell["revenue_cents"] += order.total_cents
        elif order.status in ABANDONED:
            target["abandoned"] += 1
    campaigns: dict = {}
    channels: dict = {}
    for lk in links:
        row, camp = rows[lk.id], camps[lk.campaign_id]
        _add(campaigns.setdefault(camp.id, _row(key=str(camp.id), label=camp.name, campaign=camp.name, channel=camp.channel)), row)
        _add(channels.setdefault(camp.channel, _row(key=camp.channel, label=camp.channel, channel=camp.channel)), row)
    totals = _row(key="total", label="All")
    for row in [*rows.values(), direct]:
        _add(totals, row)
    for row in [*rows.values(), *campaigns.values(), *channels.values()]:
        _conversion(row)
    _conversion(direct, "page_views")
    _conversion(totals, "page_views")
    return {"event_id": str(event.id), "event_name": event.name, "currency": event.currency,
            "links": list(rows.values()), "campaigns": list(campaigns.values()), "channels": list(channels.values()),
            "direct": direct, "totals": totals,
            "by_day": [{"day": d, **v} for d, v in sorted(by_day.items())],
            "by_campaign_day": _campaign_days(per_camp, camps)}


def _campaign_days(per_camp: dict, camps: dict) -> list[dict]:
    names = {str(cid): c.name for cid, c in camps.items()}
    out = [{"day": day, "campaign_key": key, "campaign": names.get(key, "Direct / other"), **v}
           for (day, key), v in per_camp.items()]
    return sorted(out, key=lambda r: (r["day"], r["campaign_key"] == "direct", r["campaign"]))


def dashboard_csv(data: dict) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for row in [*data["links"], data["direct"]]:
        writer.writerow([_safe(row[c]) for c in COLUMNS])
    return out.getvalue()


def _safe(value):
    """CSV injection guard (OWASP): text starting with = + - @ is prefixed with a quote."""
    return "'" + value if isinstance(value, str) and value[:1] in ("=", "+", "-", "@") else value
