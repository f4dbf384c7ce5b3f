"""Small helpers shared by the catalog services (venues, events, ticket types, orders admin).

- :func:`clean_text` strips a form text and records what is wrong with it; :func:`raise_if` turns the
  collected field errors into 422 ``validation_failed``.

(``parse_id``, ``get_owned`` and ``iso`` are used below the catalog too: they live in
:mod:`voelgoed.services.platform.helpers`.)
"""

from __future__ import annotations

from typing import Any

from voelgoed.services.platform import ValidationFailed


def clean_text(fields: dict[str, str], name: str, value: Any, *, max_len: int, required: bool = False) -> str:
    """Strip a text input; record a message in ``fields`` when it is missing or too long."""
    text = "" if value is None else str(value).strip()
    if required and not text:
        fields[name] = "This field is required"
    elif len(text) > max_len:
        fields[name] = f"At most {max_len} characters"
    return text


def raise_if(fields: dict[str, str]) -> None:
    """Raise 422 ``validation_failed`` with ``details.fields`` when any field failed."""
    if fields:
        raise ValidationFailed(fields)
