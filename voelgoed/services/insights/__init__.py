"""Dashboards and reports over sales and scans.

The public face of the package: code outside it imports only the names in ``__all__``."""

from __future__ import annotations

from . import audit_views, export_jobs, exports, reports, stats
from .audit_views import object_history, search_audit
from .export_jobs import export_view, get_export, list_exports, request_export, run_export, verify_download
from .exports import COLUMNS, KINDS, SCOPE_OF
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
    "exports", "export_jobs", "COLUMNS", "KINDS", "SCOPE_OF", "request_export", "run_export", "get_export",
    "list_exports", "export_view", "verify_download",
    "audit_views", "search_audit", "object_history",
]
