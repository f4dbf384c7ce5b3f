"""The layout document: parsing, JSON Schema validation, canonical form, and the seat/area rows it implies.

A layout is the JSON object described by ``docs/seating-layout.schema.json`` (JSON Schema 2020-12,
validated with the ``jsonschema`` library). Structural errors are 422 ``layout_invalid`` with
``details.errors = [{"path": "sections/0/rows/2/seats/5/x", "message": "..."}]`` (at most 20);
a document over :data:`MAX_LAYOUT_BYTES` is 413 ``layout_too_large``; over :data:`MAX_SEATS` seats is
422 ``layout_invalid``. Nothing here touches the database.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from voelgoed.services.platform import VoelgoedError

SCHEMA_PATH = Path(__file__).resolve().parents[3] / "docs" / "seating-layout.schema.json"
MAX_LAYOUT_BYTES = 5_000_000  # an 18 000-seat arena is ~2 MB
MAX_SEATS = 60_000
MAX_ERRORS = 20
SEAT_FLAGS = ("wheelchair", "companion", "restricted_view", "entrance")
DEFAULT_SEAT_RADIUS = 10.0


@lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    """The layout JSON Schema (``docs/seating-layout.schema.json``) as a dict."""
    return json.loads(SCHEMA_PATH.read_text())


@lru_cache(maxsize=1)
def _validator() -> Draft202012Validator:
    Draft202012Validator.check_schema(schema())
    return Draft202012Validator(schema())


def empty_layout(name: str = "") -> dict[str, Any]:
    """A new plan's draft: no seats, one default category, no focal point."""
    return {"schema_version": 1, "name": name[:120], "width": 2000, "height": 1400, "seat_radius": DEFAULT_SEAT_RADIUS,
            "focal_point": None, "floors": [], "categories": [{"key": "standard", "label": "Standard", "color": "#2f9e44",
                                                               "accessible": False}],
            "sections": [], "tables": [], "standing_areas": [], "shapes": [], "texts": []}


def parse_layout(raw: bytes | str) -> dict[str, Any]:
    """Bytes/text of an import → the validated document. 413 ``layout_too_large``, 400 ``malformed`` (not
    JSON), 422 ``layout_invalid`` (schema)."""
    size = len(raw.encode() if isinstance(raw, str) else raw)
    if size > MAX_LAYOUT_BYTES:
        raise VoelgoedError("layout_too_large", f"A layout may be at most {MAX_LAYOUT_BYTES // 1_000_000} MB "
                            f"(this one is {size / 1_000_000:.1f} MB)", {"max_bytes": MAX_LAYOUT_BYTES, "bytes": size},
                            status=413)
    try:
        doc = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise VoelgoedError("malformed", "The layout is not valid JSON", status=400) from None
    return validate_layout(doc)


def validate_layout(doc: Any) -> dict[str, Any]:
    """``doc`` if it satisfies the schema (and the seat limit), else 422 ``layout_invalid`` listing the errors."""
    errors = []
    for err in sorted(_validator().iter_errors(doc), key=lambda e: list(map(str, e.absolute_path))):
        errors.append({"path": "/".join(str(p) for p in err.absolute_path), "message": err.message[:300]})
        if len(errors) >= MAX_ERRORS:
            break
    if errors:
        raise VoelgoedError("layout_invalid", f"The layout does not match the seating schema: {errors[0]['path'] or 'document'}"
                            f" — {errors[0]['message']}", {"errors": errors}, status=422)
    count = sum(1 for _ in iter_seats(doc))
    if count > MAX_SEATS:
        raise VoelgoedError("layout_invalid", f"A plan may have at most {MAX_SEATS} seats (this one has {count})",
                            {"errors": [{"path": "", "message": "too many seats"}]}, status=422)
    size = len(canonical_json(doc))
    if size > MAX_LAYOUT_BYTES:
        raise VoelgoedError("layout_too_large", "The layout is too large", {"max_bytes": MAX_LAYOUT_BYTES, "bytes": size},
                            status=413)
    return doc


def canonical_json(doc: dict[str, Any]) -> bytes:
    """Sorted keys, no spaces, UTF-8: the form that is hashed and exported."""
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def layout_hash(doc: dict[str, Any]) -> str:
    """Hex SHA-256 of :func:`canonical_json` (a version's ETag)."""
    return hashlib.sha256(canonical_json(doc)).hexdigest()


def iter_seats(doc: dict[str, Any]):
    """Every seat as a flat dict: ``{key, section, row, label, category, flags, x, y, table, row_id, section_id}``
    (section/row labels from the enclosing section and row; a table's seats have its label as row)."""
    for section in doc.get("sections") or ():
        for row in section.get("rows") or ():
            for seat in row.get("seats") or ():
                yield {"key": seat.get("key"), "section": section.get("label", ""), "row": row.get("label", ""),
                       "label": seat.get("label", ""), "category": seat.get("category", ""),
                       "flags": list(seat.get("flags") or ()), "x": seat.get("x"), "y": seat.get("y"), "table": None,
                       "row_id": row.get("id"), "section_id": section.get("id")}
    for table in doc.get("tables") or ():
        for seat in table.get("seats") or ():
            yield {"key": seat.get("key"), "section": table.get("section", ""), "row": table.get("label", ""),
                   "label": seat.get("label", ""), "category": seat.get("category") or table.get("category", ""),
                   "flags": list(seat.get("flags") or ()), "x": seat.get("x"), "y": seat.get("y"), "table": table.get("id"),
                   "row_id": table.get("id"), "section_id": None}


def seat_rows(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """Column values for :class:`~voelgoed.models.SeatingSeat` (without ids) in document order."""
    out = []
    for seat in iter_seats(doc):
        flags = set(seat["flags"])
        out.append({"seat_key": seat["key"], "section_label": seat["section"], "row_label": seat["row"],
                    "seat_label": seat["label"], "category_key": seat["category"], "table_key": seat["table"],
                    "x": float(seat["x"]), "y": float(seat["y"]), **{flag: flag in flags for flag in SEAT_FLAGS}})
    return out


def area_rows(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """Column values for :class:`~voelgoed.models.SeatingArea`: standing areas, and tables booked whole."""
    out = [{"area_key": a["id"], "kind": "standing", "label": a.get("label", ""), "category_key": a.get("category", ""),
            "capacity": int(a["capacity"])} for a in doc.get("standing_areas") or ()]
    out += [{"area_key": t["id"], "kind": "table", "label": t.get("label", ""), "category_key": t.get("category", ""),
             "capacity": len(t.get("seats") or ())} for t in doc.get("tables") or () if t.get("book_whole")]
    return out


def summary(doc: dict[str, Any]) -> dict[str, int]:
    """``{seats, sections, rows, tables, standing_areas, standing_capacity, categories}``."""
    sections = doc.get("sections") or ()
    return {"seats": sum(1 for _ in iter_seats(doc)), "sections": len(sections),
            "rows": sum(len(s.get("rows") or ()) for s in sections), "tables": len(doc.get("tables") or ()),
            "standing_areas": len(doc.get("standing_areas") or ()),
            "standing_capacity": sum(int(a.get("capacity") or 0) for a in doc.get("standing_areas") or ()),
            "categories": len(doc.get("categories") or ())}
