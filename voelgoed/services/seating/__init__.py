"""Seating plans of venues (issue 11): the layout document and its JSON Schema, numbering schemes, the
problems that block publishing, drafts and immutable published versions with their seat rows, diffs.
Above ``catalog`` (venues own plans); seated sales (issue 12) build on the version's seat rows.

The public face of the package: code outside it imports only the names in ``__all__``."""

from __future__ import annotations

from . import (
    allocations,
    area_holds,
    attach,
    best_available,
    box_office,
    checks,
    diff,
    event_seats,
    layout,
    numbering,
    office_feed,
    plans,
    seat_holds,
    seat_office,
    seat_rows,
    seat_stream,
    templates,
)
from .allocations import SUGGESTED_LABELS, allocate_seats, release_allocation
from .attach import attach_version, change_guard, event_seating, protected_seats
from .best_available import best_available as choose_best_available
from .box_office import PAYMENT_METHODS, box_office_sale
from .checks import problems
from .diff import layout_diff, printed_label
from .event_seats import (
    MAX_SELECTION,
    RULES,
    changes_since,
    configure_seated_sales,
    parse_seat_keys,
    public_layout,
    seated_for_organiser,
    set_blocked,
    status_snapshot,
)
from .layout import (
    MAX_LAYOUT_BYTES,
    MAX_SEATS,
    SEAT_FLAGS,
    canonical_json,
    empty_layout,
    layout_hash,
    parse_layout,
    validate_layout,
)
from .numbering import SCHEMES, letters, renumber, sequence
from .office_feed import office_changes, open_office_stream
from .plans import (
    create_plan,
    duplicate_plan,
    export_layout,
    get_plan,
    get_version,
    list_plans,
    list_versions,
    plan_dict,
    plans_by_venue,
    publish,
    rename_plan,
    save_draft,
    validate_draft,
    version_dict,
    version_seats,
)
from .seat_holds import extend_hold, hold_seats, release_seat_hold
from .seat_office import (
    organiser_layout,
    organiser_status,
    seat_details,
    seated_sales_view,
    update_seated_sales,
)
from .seat_stream import open_stream as open_seat_stream
from .templates import TEMPLATES, starter_layout

__all__ = [
    "attach", "checks", "diff", "layout", "numbering", "plans", "templates",
    "attach_version", "change_guard", "event_seating", "protected_seats", "duplicate_plan", "TEMPLATES", "starter_layout",
    "problems", "layout_diff", "printed_label",
    "MAX_LAYOUT_BYTES", "MAX_SEATS", "SEAT_FLAGS", "canonical_json", "empty_layout", "layout_hash", "parse_layout",
    "validate_layout",
    "SCHEMES", "letters", "renumber", "sequence",
    "create_plan", "export_layout", "get_plan", "get_version", "list_plans", "list_versions", "plan_dict", "plans_by_venue", "publish",
    "rename_plan", "save_draft", "validate_draft", "version_dict", "version_seats",
    # seated sales (issue 12)
    "best_available", "event_seats", "seat_holds", "seat_rows", "choose_best_available", "configure_seated_sales",
    "changes_since", "public_layout", "set_blocked", "status_snapshot", "extend_hold", "hold_seats", "release_seat_hold",
    # the organiser's seated event: settings, seat map, allocations, box office
    "area_holds", "allocations", "box_office", "seat_office", "RULES", "SUGGESTED_LABELS", "PAYMENT_METHODS", "MAX_SELECTION",
    "allocate_seats", "release_allocation", "box_office_sale", "seated_for_organiser", "organiser_layout",
    "organiser_status", "parse_seat_keys", "seat_details", "seated_sales_view", "update_seated_sales",
    # pushed seat changes (Server-Sent Events)
    "seat_stream", "open_seat_stream",
    # the organiser map's feed and stream
    "office_feed", "office_changes", "open_office_stream",
]
