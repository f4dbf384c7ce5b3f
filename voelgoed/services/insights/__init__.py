"""Dashboards and reports over sales and scans.

The public face of the package: code outside it imports only the names in ``__all__``."""

from __future__ import annotations

from . import reports, stats
from .reports import PAID, dashboard_overview, event_sales_summary
from .stats import RECENT, compute, event_stats

__all__ = [
    "stats",
    "reports",
    "RECENT",
    "event_stats",
    "compute",
    "PAID",
    "dashboard_overview",
    "event_sales_summary",
]
