"""Seating layouts for tests: a straight block of rows, keys ``<row>-<n>`` unless given."""

from __future__ import annotations

import copy
from typing import Any

from tests.factories import make_org, make_user, make_venue
from voelgoed.services.platform import Actor, TenantContext


def block_layout(rows: tuple[tuple[str, int], ...] = (("A", 10),), *, category: str = "std", focal: bool = True,
                 spacing: float = 30.0, section: str = "Stalls") -> dict[str, Any]:
    """A schema-valid, publishable layout: one section with ``rows`` (label, seat count), numbered 1…n."""
    doc: dict[str, Any] = {
        "schema_version": 1, "name": "Test hall", "width": 2000, "height": 1400, "seat_radius": 10,
        "focal_point": {"x": 500, "y": 50} if focal else None,
        "categories": [{"key": "std", "label": "Standard", "color": "#2f9e44", "accessible": False},
                       {"key": "vip", "label": "VIP", "color": "#c92a2a", "accessible": False}],
        "sections": [{"id": "sec-1", "label": section, "rows": []}],
        "tables": [], "standing_areas": [], "shapes": [], "texts": [],
    }
    for r, (label, count) in enumerate(rows):
        doc["sections"][0]["rows"].append({
            "id": f"row-{label}", "label": label, "curve": 0,
            "seats": [{"key": f"{label}-{i + 1}", "label": str(i + 1), "x": 100 + i * spacing, "y": 200 + r * spacing,
                       "category": category} for i in range(count)],
        })
    return doc


def seats_of(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for sec in doc["sections"] for row in sec["rows"] for s in row["seats"]]


def clone(doc: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(doc)


def ctx_for(org, user=None, role: str = "owner") -> TenantContext:
    return TenantContext(organization_id=org.id, actor=Actor("user", str(user.id) if user else "test"), role=role)


def org_venue(db, role: str = "owner"):
    """(org, venue, ctx) with a user of ``role``."""
    org = make_org(db)
    user = make_user(db, org=org, role=role)
    return org, make_venue(db, org), ctx_for(org, user, role)
