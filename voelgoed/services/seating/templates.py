"""Starter seating plans (issue 11 "Templates"): a new user sees a real plan at once.

:func:`starter_layout` → a schema-valid layout with no publishing problems (``checks.problems == []``):

| key | what |
| --- | --- |
| ``theatre`` | stalls (14 curved rows, 22–35 seats) and a balcony (6 rows), three categories, wheelchair places, stage |
| ``arena`` | a bowl of 8 stands × 12 rows around the floor, a standing floor (capacity 2 000), two categories |
| ``cabaret`` | 12 round tables of 8 seats (4 sold whole), a stage, a bar |
| ``stadium`` | 18 504 seats: a bowl of 24 stands × 34 rows (lower tier rows 1–17, upper 18–34) around a standing floor (capacity 2 000) with a stage; wheelchair places at the row-1 ends |

Seat keys are derived from ``seed`` (SHA-256, 16 hex characters): the same seed gives the same keys, so a
seeded plan is reproducible; different plans use different seeds. Pure functions, no database.
"""

from __future__ import annotations

import hashlib
import math
from typing import Any

from voelgoed.services.platform import ValidationFailed

TEMPLATES = {"theatre": "Theatre: stalls and balcony", "arena": "Arena bowl", "cabaret": "Cabaret tables",
             "stadium": "Stadium bowl (18 504 seats)"}


class _Keys:
    def __init__(self, seed: str):
        self.seed, self.n = seed, 0

    def __call__(self, prefix: str = "s") -> str:
        self.n += 1
        return prefix + hashlib.sha256(f"{self.seed}:{self.n}".encode()).hexdigest()[:16]


def _arc_row(key: _Keys, label: str, cx: float, cy: float, radius: float, count: int, spacing: float,
             category: str, *, start_angle: float = 90.0) -> dict[str, Any]:
    """``count`` seats on a circle about (cx, cy), ``spacing`` apart along it, centred on ``start_angle``
    (degrees, 90 = straight below the centre on a y-down canvas), numbered 1… left to right as seen from the centre."""
    step = spacing / radius
    seats = []
    for i in range(count):
        a = math.radians(start_angle) + (i - (count - 1) / 2) * step
        seats.append({"key": key(), "label": "", "x": round(cx + radius * math.cos(a), 1),
                      "y": round(cy + radius * math.sin(a), 1), "category": category})
    seats.reverse()   # left to right for someone facing the centre (stage)
    for i, seat in enumerate(seats):
        seat["label"] = str(i + 1)
    return {"id": key("row"), "label": label, "curve": 0, "seats": seats}


def _theatre(key: _Keys, name: str) -> dict[str, Any]:
    cx, cy = 1000.0, 120.0
    stalls = []
    for r in range(14):
        label = "ABCDEFGHJKLMNP"[r]
        cat = "premium" if r < 5 else "standard"
        row = _arc_row(key, label, cx, cy, 260 + r * 32, 22 + r, 26, cat)
        if r == 13:   # wheelchair places at both ends of the back row
            for seat in (row["seats"][0], row["seats"][-1]):
                seat["flags"] = ["wheelchair"]
        stalls.append(row)
    balcony = [_arc_row(key, chr(65 + r), cx, cy, 820 + r * 32, 40 + r * 2, 26, "balcony")
               for r in range(6)]
    return {"schema_version": 1, "name": name, "width": 2000, "height": 1300, "seat_radius": 10,
            "focal_point": {"x": cx, "y": cy},
            "categories": [{"key": "premium", "label": "Premium", "color": "#c92a2a"},
                           {"key": "standard", "label": "Standard", "color": "#1c7ed6"},
                           {"key": "balcony", "label": "Balcony", "color": "#2f9e44"}],
            "sections": [{"id": key("sec"), "label": "Stalls", "rows": stalls},
                         {"id": key("sec"), "label": "Balcony", "rows": balcony}],
            "tables": [], "standing_areas": [],
            "shapes": [{"id": key("shp"), "kind": "rect", "x": cx - 220, "y": 20, "width": 440, "height": 90,
                        "fill": "#343a40", "stroke": "#212529"}],
            "texts": [{"id": key("txt"), "text": "STAGE", "x": cx - 40, "y": 50, "size": 28, "color": "#ffffff"}]}


def _arena(key: _Keys, name: str) -> dict[str, Any]:
    cx, cy = 1200.0, 900.0
    sections = []
    for s in range(8):
        centre = s * 45.0
        rows = [_arc_row(key, str(r + 1), cx, cy, 520 + r * 30, 14 + r, 26, "lower" if r < 6 else "upper",
                         start_angle=centre) for r in range(12)]
        sections.append({"id": key("sec"), "label": f"Stand {101 + s}", "rows": rows})
    floor = [{"x": cx - 300, "y": cy - 200}, {"x": cx + 300, "y": cy - 200},
             {"x": cx + 300, "y": cy + 200}, {"x": cx - 300, "y": cy + 200}]
    return {"schema_version": 1, "name": name, "width": 2400, "height": 1800, "seat_radius": 10,
            "focal_point": {"x": cx, "y": cy},
            "categories": [{"key": "lower", "label": "Lower tier", "color": "#e8590c"},
                           {"key": "upper", "label": "Upper tier", "color": "#5f3dc4"},
                           {"key": "floor", "label": "Floor (standing)", "color": "#0ca678"}],
            "sections": sections, "tables": [],
            "standing_areas": [{"id": key("area"), "label": "Floor", "category": "floor", "capacity": 2000, "points": floor}],
            "shapes": [], "texts": [{"id": key("txt"), "text": "FLOOR", "x": cx - 45, "y": cy - 14, "size": 28, "color": "#343a40"}]}


def _stadium(key: _Keys, name: str) -> dict[str, Any]:
    """24 stands of 15° (1.5° aisles) × 34 rows 30 apart from radius 2 000 (a 120 concourse between the tiers):
    18 to 28 seats a row, 18 504 seats; the stage at the top of the floor is the focal point."""
    cx, cy, stands, rows, r0 = 3300.0, 3300.0, 24, 34, 2000.0
    span = math.radians(360 / stands - 1.5)
    sections = []
    for s in range(stands):
        centre = 90.0 + s * 360 / stands
        stand_rows = []
        for r in range(rows):
            radius = r0 + r * 30 + (120 if r >= rows // 2 else 0)
            stand_rows.append(_arc_row(key, str(r + 1), cx, cy, radius, int(radius * span / 26), 26,
                                       "lower" if r < rows // 2 else "upper", start_angle=centre))
        for seat in (stand_rows[0]["seats"][0], stand_rows[0]["seats"][-1]):
            seat["flags"] = ["wheelchair"]
        sections.append({"id": key("sec"), "label": f"Stand {101 + s}", "rows": stand_rows})
    floor = [{"x": cx - 700, "y": cy - 1000}, {"x": cx + 700, "y": cy - 1000},
             {"x": cx + 700, "y": cy + 1100}, {"x": cx - 700, "y": cy + 1100}]
    stage_y = cy - 1300
    return {"schema_version": 1, "name": name, "width": 6600, "height": 6600, "seat_radius": 10,
            "focal_point": {"x": cx, "y": stage_y + 120},
            "categories": [{"key": "lower", "label": "Lower tier", "color": "#e8590c"},
                           {"key": "upper", "label": "Upper tier", "color": "#5f3dc4"},
                           {"key": "floor", "label": "Floor (standing)", "color": "#0ca678"}],
            "sections": sections, "tables": [],
            "standing_areas": [{"id": key("area"), "label": "Floor", "category": "floor", "capacity": 2000,
                                "points": floor}],
            "shapes": [{"id": key("shp"), "kind": "rect", "x": cx - 500, "y": stage_y, "width": 1000, "height": 240,
                        "fill": "#343a40", "stroke": "#212529"}],
            "texts": [{"id": key("txt"), "text": "STAGE", "x": cx - 80, "y": stage_y + 90, "size": 56, "color": "#ffffff"},
                      {"id": key("txt"), "text": "FLOOR", "x": cx - 90, "y": cy, "size": 56, "color": "#343a40"}]}


def _cabaret(key: _Keys, name: str) -> dict[str, Any]:
    tables = []
    for i in range(12):
        x, y = 300.0 + (i % 4) * 220, 360.0 + (i // 4) * 220
        whole = i < 4
        seats = []
        for j in range(8):
            a = -math.pi / 2 + 2 * math.pi * j / 8
            seats.append({"key": key(), "label": str(j + 1), "x": round(x + 54 * math.cos(a), 1),
                          "y": round(y + 54 * math.sin(a), 1)})
        tables.append({"id": key("tbl"), "label": f"T{i + 1}", "shape": "round", "x": x, "y": y, "width": 72,
                       "book_whole": whole, "category": "vip" if whole else "table", "seats": seats})
    return {"schema_version": 1, "name": name, "width": 1300, "height": 1100, "seat_radius": 10,
            "focal_point": {"x": 630, "y": 120},
            "categories": [{"key": "vip", "label": "VIP table (whole)", "color": "#f08c00"},
                           {"key": "table", "label": "Table seat", "color": "#1971c2"}],
            "sections": [], "tables": tables, "standing_areas": [],
            "shapes": [{"id": key("shp"), "kind": "rect", "x": 430, "y": 60, "width": 400, "height": 110,
                        "fill": "#343a40", "stroke": "#212529"},
                       {"id": key("shp"), "kind": "rect", "x": 1080, "y": 360, "width": 90, "height": 480,
                        "fill": "#e9ecef", "stroke": "#868e96"}],
            "texts": [{"id": key("txt"), "text": "STAGE", "x": 590, "y": 100, "size": 28, "color": "#ffffff"},
                      {"id": key("txt"), "text": "BAR", "x": 1100, "y": 580, "size": 22, "color": "#343a40"}]}


_BUILDERS = {"theatre": _theatre, "arena": _arena, "cabaret": _cabaret, "stadium": _stadium}


def starter_layout(kind: str, *, name: str | None = None, seed: str = "") -> dict[str, Any]:
    """The starter layout ``kind`` (a key of :data:`TEMPLATES`); 422 ``validation_failed`` (field
    ``template``) for another value."""
    builder = _BUILDERS.get(str(kind))
    if builder is None:
        raise ValidationFailed({"template": f"Choose one of: {', '.join(TEMPLATES)}"})
    return builder(_Keys(f"{kind}:{seed}"), (name or TEMPLATES[kind])[:120])
