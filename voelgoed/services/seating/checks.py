"""Problems that block publishing a (schema-valid) layout. Pure functions, no database.

:func:`problems` → ``[{"code", "message", "ids": [...]}]``, each naming the ids of what it concerns
(seat keys, row/section/table/area/category ids) so the builder can select them. Codes:

| code | ids |
| --- | --- |
| ``no_seats`` | — (the plan has no seats; standing areas alone are general admission, not a seating plan) |
| ``no_focal_point`` | — |
| ``duplicate_seat_key`` | the seat keys used more than once |
| ``duplicate_id`` | section/row/table/area/shape/text ids used more than once |
| ``duplicate_category`` | category keys defined more than once |
| ``seat_without_label`` | seat keys |
| ``row_without_label`` | row/table ids whose seats have no row label |
| ``seat_without_category`` | seat keys (no category, or a key no category defines) |
| ``area_without_category`` | standing-area ids |
| ``duplicate_label`` | seat keys printing the same section + row + seat label |
| ``overlapping_seats`` | seat keys whose centres are closer than 1.8 seat radii (grid hash, O(n)) |
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from voelgoed.services.seating.layout import DEFAULT_SEAT_RADIUS, iter_seats

MAX_IDS = 500  # ids listed per problem (the count is in the message)


def _problem(code: str, message: str, ids: list[str] | None = None) -> dict[str, Any]:
    ids = ids or []
    return {"code": code, "message": message, "ids": ids[:MAX_IDS], "count": len(ids)}


def _dupes(values: list[str]) -> list[str]:
    counts = Counter(values)
    return [v for v in dict.fromkeys(values) if counts[v] > 1]


def _element_ids(doc: dict[str, Any]) -> list[str]:
    ids = []
    for section in doc.get("sections") or ():
        ids.append(section.get("id"))
        ids += [row.get("id") for row in section.get("rows") or ()]
    for kind in ("tables", "standing_areas", "shapes", "texts"):
        ids += [item.get("id") for item in doc.get(kind) or ()]
    return [i for i in ids if i]


def overlapping(seats: list[dict[str, Any]], radius: float) -> list[str]:
    """Keys of seats whose centres are closer than ``1.8 × radius`` to another seat (uniform grid, cell = min distance)."""
    min_d = 1.8 * radius
    cell = max(min_d, 1e-6)
    grid: dict[tuple[int, int], list[int]] = defaultdict(list)
    for i, seat in enumerate(seats):
        grid[(int(seat["x"] // cell), int(seat["y"] // cell))].append(i)
    hit: set[int] = set()
    for (cx, cy), members in grid.items():
        for i in members:
            a = seats[i]
            for dx in (-1, 0, 1):
                for dy in (-1, 0, 1):
                    for j in grid.get((cx + dx, cy + dy), ()):
                        if j <= i:
                            continue
                        b = seats[j]
                        if (a["x"] - b["x"]) ** 2 + (a["y"] - b["y"]) ** 2 < min_d * min_d:
                            hit.update((i, j))
    return [seats[i]["key"] for i in sorted(hit)]


def problems(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """Everything that blocks publishing ``doc`` (a schema-valid layout), in a stable order; [] = publishable."""
    out: list[dict[str, Any]] = []
    seats = list(iter_seats(doc))
    if not seats:
        out.append(_problem("no_seats", "The plan has no seats yet: draw a row or a block"))
    if not doc.get("focal_point"):
        out.append(_problem("no_focal_point", "Place the focal point (the stage) so best available can rank seats"))
    if dup := _dupes([s["key"] for s in seats]):
        out.append(_problem("duplicate_seat_key", f"{len(dup)} seat keys are used twice", dup))
    if dup := _dupes(_element_ids(doc)):
        out.append(_problem("duplicate_id", f"{len(dup)} element ids are used twice", dup))
    category_keys = [c["key"] for c in doc.get("categories") or ()]
    if dup := _dupes(category_keys):
        out.append(_problem("duplicate_category", f"Category keys defined twice: {', '.join(dup)}", dup))
    if missing := [s["key"] for s in seats if not str(s["label"]).strip()]:
        out.append(_problem("seat_without_label", f"{len(missing)} seats have no seat number", missing))
    unlabelled_rows = list(dict.fromkeys(s["row_id"] for s in seats if not str(s["row"]).strip()))
    if unlabelled_rows:
        out.append(_problem("row_without_label", f"{len(unlabelled_rows)} rows or tables have no label", unlabelled_rows))
    known = set(category_keys)
    if nocat := [s["key"] for s in seats if s["category"] not in known]:
        out.append(_problem("seat_without_category", f"{len(nocat)} seats have no price category", nocat))
    if areas := [a["id"] for a in doc.get("standing_areas") or () if a.get("category", "") not in known]:
        out.append(_problem("area_without_category", f"{len(areas)} standing areas have no price category", areas))
    by_label: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for s in seats:
        if str(s["label"]).strip():
            by_label[(str(s["section"]).strip(), str(s["row"]).strip(), str(s["label"]).strip())].append(s["key"])
    dup_labels = [(label, keys) for label, keys in by_label.items() if len(keys) > 1]
    if dup_labels:
        names = ", ".join(" ".join(p for p in label if p) for label, _ in dup_labels[:5])
        out.append(_problem("duplicate_label", f"{len(dup_labels)} printed labels are used twice ({names})",
                            [k for _, keys in dup_labels for k in keys]))
    if over := overlapping(seats, float(doc.get("seat_radius") or DEFAULT_SEAT_RADIUS)):
        out.append(_problem("overlapping_seats", f"{len(over)} seats overlap another seat", over))
    return out
