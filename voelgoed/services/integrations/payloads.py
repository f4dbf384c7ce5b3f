"""Webhook message bodies and their JSON Schemas (docs/webhooks.md "Event catalogue").

Every body is ``{"type": "<event type>", "timestamp": "<ISO 8601 UTC, when it happened>", "data": {...}}``
(the Standard Webhooks payload structure). ``data`` is read at fan-out time from the ids in the outbox
row: the state of the object then, plus the fields of the change itself (``checked_in_at``, the refund).

- ``messages(event_type, payload, occurred_at, organization_id) -> [(object_key, body_dict)]``: one per
  object (``ticket.issued`` gives one message per ticket). Objects that are gone give nothing.
- ``SCHEMAS[event_type]``: JSON Schema (draft 2020-12) of the whole body; tests validate built bodies.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlmodel import select

from voelgoed.models import Event, Order, OrderItem, Ticket, TicketType
from voelgoed.services.platform import iso, session_scope


def _uuid(value) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def order_data(session, order: Order) -> dict:
    items = session.exec(select(OrderItem, TicketType.name).join(TicketType, TicketType.id == OrderItem.ticket_type_id)
                         .where(OrderItem.order_id == order.id).order_by(OrderItem.id)).all()
    return {"id": str(order.id), "order_code": order.order_code, "event_id": str(order.event_id), "status": order.status,
            "buyer": {"name": order.buyer_name, "email": order.buyer_email},
            "total_cents": order.total_cents, "currency": order.currency, "created_at": iso(order.created_at),
            "paid_at": iso(order.paid_at),
            "items": [{"ticket_type_id": str(i.ticket_type_id), "ticket_type": name, "quantity": i.quantity,
                       "unit_price_cents": i.unit_price_cents} for i, name in items]}


def ticket_data(session, ticket: Ticket) -> dict:
    type_name = session.exec(select(TicketType.name).where(TicketType.id == ticket.ticket_type_id)).first() or ""
    return {"id": str(ticket.id), "ticket_code": ticket.ticket_code, "order_id": str(ticket.order_id),
            "event_id": str(ticket.event_id), "ticket_type_id": str(ticket.ticket_type_id), "ticket_type": type_name,
            "holder_name": ticket.holder_name, "status": ticket.status, "issued_at": iso(ticket.issued_at),
            "checked_in_at": iso(ticket.checked_in_at), "checked_in_gate_code": ticket.checked_in_gate_code}


def event_data(event: Event) -> dict:
    return {"id": str(event.id), "name": event.name, "slug": event.slug, "status": event.status,
            "starts_at": iso(event.starts_at), "ends_at": iso(event.ends_at), "venue_id": str(event.venue_id),
            "currency": event.currency}


def _body(event_type: str, occurred_at: datetime, data: dict) -> dict:
    return {"type": event_type, "timestamp": iso(occurred_at), "data": data}


def messages(event_type: str, payload: dict, occurred_at: datetime, organization_id) -> list[tuple[str, dict]]:
    org = _uuid(organization_id)
    out: list[tuple[str, dict]] = []
    with session_scope() as session:
        if event_type.startswith("order."):
            order = session.get(Order, _uuid(payload["order_id"]))
            if order is not None and order.organization_id == org:
                data = order_data(session, order)
                if event_type == "order.refunded":
                    data["refund"] = {"id": payload.get("refund_id"), "amount_cents": int(payload.get("amount_cents") or 0),
                                      "currency": payload.get("currency") or order.currency}
                out.append((f"order:{order.id}", _body(event_type, occurred_at, data)))
        elif event_type.startswith("ticket."):
            ids = payload.get("ticket_ids") or [payload["ticket_id"]]
            for tid in ids:
                ticket = session.get(Ticket, _uuid(tid))
                if ticket is None or ticket.organization_id != org:
                    continue
                data = ticket_data(session, ticket)
                if event_type == "ticket.checked_in":
                    data["scan"] = {"id": str(payload["scan_id"]) if payload.get("scan_id") else None,
                                    "gate_code": payload.get("gate_code"), "checked_in_at": payload.get("checked_in_at")}
                out.append((f"ticket:{ticket.id}", _body(event_type, occurred_at, data)))
        elif event_type.startswith("event."):
            event = session.get(Event, _uuid(payload["event_id"]))
            if event is not None and event.organization_id == org:
                out.append((f"event:{event.id}", _body(event_type, occurred_at, event_data(event))))
        elif event_type == "webhook.test":
            out.append((f"test:{payload.get('test_id')}", _body(event_type, occurred_at,
                                                                    {"message": "A test event from VoelgoedEvents"})))
    return out


# ------------------------------------------------------------------ JSON Schemas

_TS = {"type": "string", "format": "date-time"}
_TS_NULL = {"type": ["string", "null"], "format": "date-time"}
_ID = {"type": "string", "format": "uuid"}
_ORDER = {
    "type": "object",
    "required": ["id", "order_code", "event_id", "status", "buyer", "total_cents", "currency", "created_at", "paid_at", "items"],
    "properties": {
        "id": _ID, "order_code": {"type": "string"}, "event_id": _ID,
        "status": {"enum": ["pending", "paid", "cancelled", "expired", "refunded", "partially_refunded", "refund_required"]},
        "buyer": {"type": "object", "required": ["name", "email"],
                  "properties": {"name": {"type": "string"}, "email": {"type": "string"}}},
        "total_cents": {"type": "integer", "minimum": 0}, "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
        "created_at": _TS, "paid_at": _TS_NULL,
        "items": {"type": "array", "items": {"type": "object",
                                             "required": ["ticket_type_id", "ticket_type", "quantity", "unit_price_cents"],
                                             "properties": {"ticket_type_id": _ID, "ticket_type": {"type": "string"},
                                                            "quantity": {"type": "integer", "minimum": 1},
                                                            "unit_price_cents": {"type": "integer", "minimum": 0}}}},
        "refund": {"type": "object", "required": ["id", "amount_cents", "currency"],
                   "properties": {"id": {"type": ["string", "null"]}, "amount_cents": {"type": "integer", "minimum": 0},
                                  "currency": {"type": "string"}}},
    },
}
_TICKET = {
    "type": "object",
    "required": ["id", "ticket_code", "order_id", "event_id", "ticket_type_id", "ticket_type", "holder_name", "status",
                 "issued_at", "checked_in_at", "checked_in_gate_code"],
    "properties": {
        "id": _ID, "ticket_code": {"type": "string"}, "order_id": _ID, "event_id": _ID, "ticket_type_id": _ID,
        "ticket_type": {"type": "string"}, "holder_name": {"type": "string"},
        "status": {"enum": ["valid", "checked_in", "voided", "refunded"]}, "issued_at": _TS, "checked_in_at": _TS_NULL,
        "checked_in_gate_code": {"type": ["string", "null"]},
        "scan": {"type": "object", "required": ["id", "gate_code", "checked_in_at"],
                 "properties": {"id": {"type": ["string", "null"]}, "gate_code": {"type": ["string", "null"]},
                                "checked_in_at": _TS_NULL}},
    },
}
_EVENT = {
    "type": "object", "required": ["id", "name", "slug", "status", "starts_at", "ends_at", "venue_id", "currency"],
    "properties": {"id": _ID, "name": {"type": "string"}, "slug": {"type": "string"},
                   "status": {"enum": ["draft", "published", "live", "ended", "archived", "cancelled"]},
                   "starts_at": _TS, "ends_at": _TS, "venue_id": _ID, "currency": {"type": "string"}},
}


def _envelope(event_type: str, data: dict, *, require: tuple[str, ...] = ()) -> dict:
    data = {**data, "required": [*data["required"], *require]} if require else data
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": event_type, "type": "object",
            "required": ["type", "timestamp", "data"],
            "properties": {"type": {"const": event_type}, "timestamp": _TS, "data": data}}


SCHEMAS: dict[str, dict] = {
    "order.created": _envelope("order.created", _ORDER),
    "order.paid": _envelope("order.paid", _ORDER),
    "order.cancelled": _envelope("order.cancelled", _ORDER),
    "order.refunded": _envelope("order.refunded", _ORDER, require=("refund",)),
    "ticket.issued": _envelope("ticket.issued", _TICKET),
    "ticket.voided": _envelope("ticket.voided", _TICKET),
    "ticket.checked_in": _envelope("ticket.checked_in", _TICKET, require=("scan",)),
    "event.published": _envelope("event.published", _EVENT),
    "event.cancelled": _envelope("event.cancelled", _EVENT),
    "webhook.test": _envelope("webhook.test", {"type": "object", "required": ["message"],
                                               "properties": {"message": {"type": "string"}}}),
}
