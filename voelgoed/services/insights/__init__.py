"""Dashboards and reports over sales and scans.

The public face of the package: code outside it imports only the names in ``__all__``."""

from __future__ import annotations

from . import (
    audit_views,
    export_jobs,
    exports,
    overview,
    overview_data,
    read_api,
    read_cursor,
    read_tickets,
    reports,
    stats,
)
from .audit_views import object_history, search_audit
from .export_jobs import export_view, get_export, list_exports, request_export, run_export, verify_download
from .exports import COLUMNS, KINDS, SCOPE_OF
from .overview import RANGES, live_overview
from .overview_data import compute_overview
from .read_api import EVENT_STATUSES, ORDER_STATUSES, list_events, list_orders, order_dict
from .read_cursor import DEFAULT_LIMIT, MAX_LIMIT, Window
from .read_tickets import (
    SCAN_RESULTS,
    TICKET_STATUSES,
    get_scan,
    get_ticket,
    list_attendees,
    list_scans,
    list_tickets,
)
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
    "read_api",
    "read_cursor",
    "read_tickets",
    "EVENT_STATUSES",
    "ORDER_STATUSES",
    "TICKET_STATUSES",
    "SCAN_RESULTS",
    "DEFAULT_LIMIT",
    "MAX_LIMIT",
    "Window",
    "list_events",
    "list_orders",
    "order_dict",
    "list_tickets",
    "get_ticket",
    "list_attendees",
    "list_scans",
    "get_scan",
    "exports", "export_jobs", "COLUMNS", "KINDS", "SCOPE_OF", "request_export", "run_export", "get_export",
    "list_exports", "export_view", "verify_download",
    "audit_views", "search_audit", "object_history",
    "overview", "overview_data", "RANGES", "live_overview", "compute_overview",
]
