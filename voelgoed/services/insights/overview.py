"""The live overview `/dashboard` (issue 13, item 7): one shared snapshot per organisation and date range.

``live_overview(session, ctx, *, days=30, now=None) -> dict``: the figures of
:func:`voelgoed.services.insights.overview_data.compute_overview` (shape there) plus ``version`` and
``financials_visible``; money fields (``today.revenue_cents``, ``range.revenue_cents``,
``sales_by_day[].revenue``) are ``None`` and ``recent_orders`` empty for roles without ``can_view_financials``.

Shared, never per viewer (like the event live dashboard, :mod:`voelgoed.services.insights.stats`): the
snapshot lives in Redis (:func:`stats_feed.get_org_snapshot`) and is recomputed only when the
organisation's version moved (a sale, a refund, a scan: :func:`stats_feed.touch`) or it aged out, and then
by one caller per second across every viewer and web process (:func:`stats_feed.claim_org_compute`); the
others serve the snapshot they have. Without Redis (the embedded default) a process-local copy is reused
for :data:`LOCAL_TTL_SECONDS`.

``days`` must be one of :data:`RANGES` (7, 30, 90): 422 ``validation_failed`` otherwise. 403 ``forbidden``
without ``can_view_events``.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime

from sqlmodel import Session

from voelgoed.services.insights.overview_data import compute_overview
from voelgoed.services.platform import TenantContext, ValidationFailed, rbac, stats_feed

RANGES = (7, 30, 90)
LOCAL_TTL_SECONDS = 2.0
_local: dict[tuple[str, int], tuple[float, dict]] = {}
_lock = threading.Lock()


def _shared(session: Session, ctx: TenantContext, days: int, now: datetime | None) -> dict:
    org, key = ctx.organization_id, f"overview:{days}"
    if not stats_feed.available():  # the embedded default: a process-local copy
        with _lock:
            hit = _local.get((str(org), days))
        if hit is not None and time.monotonic() - hit[0] < LOCAL_TTL_SECONDS:
            return hit[1]
        snap = {**compute_overview(session, org, days=days, now=now), "version": 0}
        with _lock:
            _local[(str(org), days)] = (time.monotonic(), snap)
        return snap
    snap, fresh = stats_feed.get_org_snapshot(org, key)
    if snap is not None and (fresh or not stats_feed.claim_org_compute(org, key)):
        return snap
    seen = stats_feed.org_version(org)
    snap = {**compute_overview(session, org, days=days, now=now), "version": seen}
    stats_feed.put_org_snapshot(org, key, snap, seen_version=seen)
    return snap


def live_overview(session: Session, ctx: TenantContext, *, days: int = 30, now: datetime | None = None) -> dict:
    """The organisation's overview (module docstring). Raises 403, 422 (``days``)."""
    rbac.require(ctx, rbac.can_view_events, "view the overview")
    if days not in RANGES:
        raise ValidationFailed({"days": f"Choose one of {', '.join(map(str, RANGES))} days"})
    snap = _shared(session, ctx, days, now)
    visible = rbac.can_view_financials(ctx)
    out = {**snap, "financials_visible": visible}
    if not visible:
        out["today"] = {**snap["today"], "revenue_cents": None}
        out["range"] = {**snap["range"], "revenue_cents": None}
        out["sales_by_day"] = [{**row, "revenue": None} for row in snap["sales_by_day"]]
        out["recent_orders"] = []
    return out
