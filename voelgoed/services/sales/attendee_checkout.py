"""Attendees at checkout (issue 13, item 4): each ticket's attendee name and e-mail, per ticket type.

``TicketType.attendee_mode`` (``off`` | ``optional`` | ``required``, set by the organiser) decides what the
buyer is asked per ticket. Tickets of a hold are numbered 1..n in the order of :func:`ordered_items`
(ticket type ``sort_order``, name, then hold item), the order the hold page and ``GET /holds/{id}`` list them.

- ``attendees`` (what checkout receives, the API body's ``attendees``): ``[{ticket_type_id, name, email}]``;
  entries of one ticket type go to that type's tickets in order. Entries for ``off`` types are ignored.
- ``required``: every ticket of the type needs a name **and** an e-mail. ``optional``: either may be
  left out (the ticket then carries the buyer's name), but a given e-mail must be an address and an e-mail
  needs a name.
- Errors (422 ``validation_failed``, nothing written): ``details.fields`` keyed ``attendee_<n>_name`` /
  ``attendee_<n>_email`` (``n`` = the ticket's number) or ``attendees``, each message naming the ticket
  (``"Ticket 2 (Weekend pass): enter the attendee's name"``), and ``details.tickets`` =
  ``[{number, ticket_type_id, ticket_type, field, message}]``.

:func:`assign` → ``{hold_item_id: [{"name", "email"}] * quantity | None}`` stored on the order items
(``OrderItem.attendees``), from which :func:`voelgoed.services.tickets.issue_for_order` sets each
ticket's holder.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from voelgoed.models import HoldItem, TicketType
from voelgoed.services.platform import VoelgoedError
from voelgoed.services.tickets import ATTENDEE_MODES as MODES

EMAIL_RE = re.compile(r"^[^@\s<>\"']{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)+$")
MAX_ENTRIES = 500


def email_ok(email: str) -> bool:
    """True for a plausible address (≤ 254 characters, no control characters)."""
    return len(email) <= 254 and bool(EMAIL_RE.match(email)) and not any(ord(c) < 32 for c in email)


def ordered_items(lines: list[tuple[HoldItem, TicketType]]) -> list[tuple[HoldItem, TicketType]]:
    """Hold lines in ticket-number order (type ``sort_order``, type name, hold item id)."""
    return sorted(lines, key=lambda it: (it[1].sort_order, it[1].name, str(it[0].id)))


def slots(lines: list[tuple[HoldItem, TicketType]]) -> list[dict[str, Any]]:
    """One entry per ticket: ``[{number, ticket_type_id, ticket_type, mode}]`` (the hold page's attendee form)."""
    out = []
    for item, tt in ordered_items(lines):
        for _ in range(item.quantity):
            out.append({"number": len(out) + 1, "ticket_type_id": str(tt.id), "ticket_type": tt.name,
                        "mode": tt.attendee_mode if tt.attendee_mode in MODES else "off"})
    return out


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _parse(attendees: Any, types: dict[str, TicketType], fields: dict[str, str]) -> dict[str, list[dict[str, str]]]:
    """Entries per ticket type id (str), in the order given; errors into ``fields["attendees"]``."""
    per: dict[str, list[dict[str, str]]] = {}
    if attendees is None:
        return per
    if not isinstance(attendees, list) or len(attendees) > MAX_ENTRIES:
        fields["attendees"] = f"attendees must be a list of at most {MAX_ENTRIES} entries"
        return per
    for entry in attendees:
        if not isinstance(entry, dict):
            fields["attendees"] = "Each attendee is an object {ticket_type_id, name, email}"
            return per
        raw = entry.get("ticket_type_id")
        try:
            key = str(uuid.UUID(str(raw)))
        except ValueError:
            key = None
        if key is None or key not in types:
            fields["attendees"] = f"Ticket type {str(raw)[:64]} is not in this reservation"
            return per
        per.setdefault(key, []).append({"name": _text(entry.get("name")), "email": _text(entry.get("email"))})
    return per


def assign(lines: list[tuple[HoldItem, TicketType]], attendees: Any) -> dict[uuid.UUID, list[dict[str, str]] | None]:
    """Validate ``attendees`` against the hold (module docstring) → attendees per hold item id.
    Raises 422 ``validation_failed`` naming the ticket; nothing is written here."""
    types = {str(tt.id): tt for _, tt in lines}
    fields: dict[str, str] = {}
    tickets: list[dict[str, Any]] = []
    given = _parse(attendees, types, fields)
    quantity: dict[str, int] = {}
    for item, tt in lines:
        quantity[str(tt.id)] = quantity.get(str(tt.id), 0) + item.quantity
    for key, entries in given.items():
        if types[key].attendee_mode in ("optional", "required") and len(entries) > quantity[key]:
            fields.setdefault("attendees", f"{len(entries)} attendees given for {quantity[key]} "
                                           f"ticket{'s' if quantity[key] != 1 else ''} of {types[key].name}")
    out: dict[uuid.UUID, list[dict[str, str]] | None] = {}
    used: dict[str, int] = {}
    number = 0

    def fail(n: int, tt: TicketType, field: str, what: str) -> None:
        message = f"Ticket {n} ({tt.name}): {what}"
        fields[f"attendee_{n}_{field}"] = message
        tickets.append({"number": n, "ticket_type_id": str(tt.id), "ticket_type": tt.name, "field": field, "message": message})

    for item, tt in ordered_items(lines):
        mode = tt.attendee_mode if tt.attendee_mode in MODES else "off"
        people: list[dict[str, str]] = []
        for _ in range(item.quantity):
            number += 1
            key = str(tt.id)
            i = used.get(key, 0)
            used[key] = i + 1
            person = given.get(key, [])[i] if i < len(given.get(key, [])) else {"name": "", "email": ""}
            name, email = person["name"], person["email"]
            if mode == "off":
                continue
            if len(name) > 200 or any(ord(c) < 32 for c in name):
                fail(number, tt, "name", "the attendee's name can have at most 200 characters")
            elif not name and (mode == "required" or email):
                fail(number, tt, "name", "enter the attendee's name")
            if email and not email_ok(email):
                fail(number, tt, "email", "this is not a valid e-mail address")
            elif not email and mode == "required":
                fail(number, tt, "email", "enter the attendee's e-mail")
            people.append({"name": name, "email": email.lower()})
        out[item.id] = people if mode != "off" else None
    if fields:
        first = fields.get("attendees") or next(iter(fields.values()))
        raise VoelgoedError("validation_failed", first, {"fields": fields, "tickets": tickets}, status=422)
    return out
