"""What changed between two layouts, by permanent seat key (labels and categories may change; keys don't).

:func:`layout_diff(old, new)` → ``{"added": [key…], "removed": [key…], "relabelled": [{"key", "from", "to"}…],
"recategorised": [{"key", "from", "to"}…], "counts": {"added", "removed", "relabelled", "recategorised",
"seats_before", "seats_after"}}``; labels are printed as ``"<section> <row>-<seat>"``. Lists hold at most
:data:`MAX_LISTED` entries each; ``counts`` are complete. ``old`` None = first version (every seat added).
"""

from __future__ import annotations

from typing import Any

from voelgoed.services.seating.layout import iter_seats

MAX_LISTED = 1000


def printed_label(seat: dict[str, Any]) -> str:
    """``"Stalls A-12"`` (empty parts left out)."""
    row_seat = "-".join(p for p in (str(seat["row"]).strip(), str(seat["label"]).strip()) if p)
    return " ".join(p for p in (str(seat["section"]).strip(), row_seat) if p)


def layout_diff(old: dict[str, Any] | None, new: dict[str, Any]) -> dict[str, Any]:
    before = {s["key"]: s for s in iter_seats(old)} if old else {}
    after = {s["key"]: s for s in iter_seats(new)}
    added = [k for k in after if k not in before]
    removed = [k for k in before if k not in after]
    relabelled, recategorised = [], []
    for key, seat in after.items():
        prev = before.get(key)
        if prev is None:
            continue
        if printed_label(prev) != printed_label(seat):
            relabelled.append({"key": key, "from": printed_label(prev), "to": printed_label(seat)})
        if (prev["category"] or "") != (seat["category"] or ""):
            recategorised.append({"key": key, "from": prev["category"] or "", "to": seat["category"] or ""})
    return {"added": added[:MAX_LISTED], "removed": removed[:MAX_LISTED], "relabelled": relabelled[:MAX_LISTED],
            "recategorised": recategorised[:MAX_LISTED],
            "counts": {"added": len(added), "removed": len(removed), "relabelled": len(relabelled),
                       "recategorised": len(recategorised), "seats_before": len(before), "seats_after": len(after)}}
