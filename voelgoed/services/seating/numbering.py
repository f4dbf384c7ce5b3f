"""Numbering schemes for rows and seats: pure functions (the builder's ``assets/seating/numbering.js`` is a
line-by-line port; ``tests/services/test_seating_numbering.py`` checks the two agree).

A *spec* is ``{"scheme", "start", "reverse", "prefix", "skip_io"}``:

- ``scheme``: ``numeric`` (1, 2, 3 …), ``odd`` (1, 3, 5 …), ``even`` (2, 4, 6 …) or ``alpha``
  (A … Z, then AA, AB … AZ, BA … — bijective base 26, as spreadsheet columns);
- ``start``: the first label: a number (``numeric``/``odd``/``even``; ``odd``/``even`` round up to the next
  odd/even number) or a number or letters for ``alpha`` (``1`` = ``"A"``, ``"C"`` = 3);
- ``reverse``: number right-to-left (the first label goes to the last seat);
- ``prefix``: put in front of every label (``"B-"`` → ``B-1``), at most 10 characters;
- ``skip_io``: ``alpha`` only: leave out I and O (easily read as 1 and 0), so Z follows H … and AA follows Z.

Errors: 422 ``validation_failed`` with ``details.fields`` naming the bad spec field.
"""

from __future__ import annotations

import copy
import string
from typing import Any

from voelgoed.services.platform import ValidationFailed

SCHEMES = ("numeric", "odd", "even", "alpha")
ALPHABET = string.ascii_uppercase
ALPHABET_NO_IO = "".join(c for c in ALPHABET if c not in "IO")
MAX_START = 100_000
MAX_COUNT = 10_000


def letters(index: int, *, skip_io: bool = False) -> str:
    """1 → ``A``, 26 → ``Z``, 27 → ``AA``, 52 → ``AZ``, 53 → ``BA`` (24 letters when ``skip_io``)."""
    alphabet = ALPHABET_NO_IO if skip_io else ALPHABET
    base, out = len(alphabet), ""
    while index > 0:
        index, rem = divmod(index - 1, base)
        out = alphabet[rem] + out
    return out


def letters_index(text: str, *, skip_io: bool = False) -> int | None:
    """Inverse of :func:`letters` (``"AA"`` → 27); None if ``text`` is not made of the alphabet's letters."""
    alphabet = ALPHABET_NO_IO if skip_io else ALPHABET
    text = text.strip().upper()
    if not text or any(c not in alphabet for c in text):
        return None
    value = 0
    for c in text:
        value = value * len(alphabet) + alphabet.index(c) + 1
    return value


def clean_spec(spec: dict[str, Any] | None, *, default_scheme: str = "numeric") -> dict[str, Any]:
    """A complete, checked spec (defaults filled in); 422 ``validation_failed`` otherwise."""
    spec = dict(spec or {})
    scheme = spec.get("scheme") or default_scheme
    skip_io = bool(spec.get("skip_io", False))
    prefix = spec.get("prefix") or ""
    fields: dict[str, str] = {}
    if scheme not in SCHEMES:
        fields["scheme"] = f"Choose one of {', '.join(SCHEMES)}"
    if not isinstance(prefix, str) or len(prefix) > 10:
        fields["prefix"] = "A prefix has at most 10 characters"
    start = spec.get("start", 1)
    if scheme == "alpha" and isinstance(start, str) and not start.strip().isdigit():
        start = letters_index(start, skip_io=skip_io)
        if start is None:
            fields["start"] = "Start at a letter such as A or AA" + (" (without I and O)" if skip_io else "")
    else:
        try:
            start = int(str(start).strip()) if not isinstance(start, bool) else None
        except (TypeError, ValueError):
            start = None
        if start is None or not 0 <= start <= MAX_START:
            fields["start"] = f"Start at a whole number from 0 to {MAX_START}"
    if fields:
        raise ValidationFailed(fields)
    if scheme == "alpha":
        start = max(start, 1)
    return {"scheme": scheme, "start": start, "reverse": bool(spec.get("reverse", False)), "prefix": prefix,
            "skip_io": skip_io}


def sequence(count: int, spec: dict[str, Any] | None = None) -> list[str]:
    """``count`` labels in seat order (left to right) for ``spec``, e.g. ``sequence(3, {"scheme": "odd"})`` →
    ``["1", "3", "5"]``; with ``reverse`` → ``["5", "3", "1"]``."""
    spec = clean_spec(spec)
    if not 0 <= count <= MAX_COUNT:
        raise ValidationFailed({"count": f"Number at most {MAX_COUNT} items at once"})
    start, scheme = spec["start"], spec["scheme"]
    if scheme == "alpha":
        labels = [letters(start + i, skip_io=spec["skip_io"]) for i in range(count)]
    elif scheme in ("odd", "even"):
        first = start + (1 if (start % 2 == 0) == (scheme == "odd") else 0)
        labels = [str(first + 2 * i) for i in range(count)]
    else:
        labels = [str(start + i) for i in range(count)]
    if spec["reverse"]:
        labels.reverse()
    return [spec["prefix"] + label for label in labels]


def _containers(doc: dict[str, Any]):
    """(row-like object, its seats, is_table) for every row and table of ``doc``."""
    for section in doc.get("sections") or ():
        for row in section.get("rows") or ():
            yield row, row.get("seats") or [], False
    for table in doc.get("tables") or ():
        yield table, table.get("seats") or [], True


def renumber(doc: dict[str, Any], seat_keys: list[str] | set[str], *, seats: dict[str, Any] | None = None,
             rows: dict[str, Any] | None = None) -> dict[str, Any]:
    """A copy of ``doc`` with the selected seats renumbered.

    In every row (or table) holding selected seats, the selected seats are ordered left to right (by x, then y)
    and labelled with ``sequence(n, seats)``. With ``rows`` given, the rows holding selected seats are ordered
    front to back (by their mean y, top of the canvas first) and relabelled with ``sequence(m, rows)``.
    Seat keys never change. Unknown keys are ignored."""
    seat_spec = clean_spec(seats)
    row_spec = clean_spec(rows, default_scheme="alpha") if rows is not None else None
    wanted = set(seat_keys)
    out = copy.deepcopy(doc)
    touched: list[tuple[dict[str, Any], float]] = []
    for row, row_seats, is_table in _containers(out):
        chosen = [s for s in row_seats if s.get("key") in wanted]
        if not chosen:
            continue
        chosen.sort(key=lambda s: (s["x"], s["y"]))
        for seat, label in zip(chosen, sequence(len(chosen), seat_spec), strict=True):
            seat["label"] = label
        if not is_table:
            touched.append((row, sum(s["y"] for s in chosen) / len(chosen)))
    if row_spec is not None and touched:
        touched.sort(key=lambda pair: pair[1])
        for (row, _y), label in zip(touched, sequence(len(touched), row_spec), strict=True):
            row["label"] = label
    return out
