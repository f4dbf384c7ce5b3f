"""General-admission ticket types of an event (organiser side).

Rules (422 ``validation_failed`` with ``details.fields`` unless noted):
``name`` 1–120 chars; ``price_cents`` integer ≥ 0 (0 = free ticket); ``quantity`` integer ≥ 0 and
never below ``sold_count + held_count`` of live holds (409 ``quantity_below_sold`` with
``details {sold, held, requested}``; lapsed holds are reclaimed first, then the check runs under the
row lock so a concurrent hold can't slip in between — :mod:`voelgoed.services.sales.capacity`); ``max_per_order`` 1..100; optional sale window with
``sale_starts_at < sale_ends_at ≤ event.ends_at``; currency is always the event's currency (a
different one is refused); ``is_active`` (on sale) and ``is_hidden`` (not listed publicly) flags; ``attendee_mode`` ``off`` | ``optional`` | ``required`` (each
ticket's attendee name and e-mail asked at checkout, :mod:`voelgoed.services.sales.attendee_checkout`).
Changes need ``rbac.can_manage_events`` and an editable event (draft/published/live, else 409
``invalid_state``), are audited (``ticket_type.created|updated``) and committed here.

``availability(tt)``: what the counters leave, from :mod:`voelgoed.services.sales.stock`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from voelgoed.models import Event, TicketType
from voelgoed.services.catalog.catalog_common import clean_text, raise_if
from voelgoed.services.catalog.events import EDITABLE_STATES, effective_status
from voelgoed.services.platform import TenantContext, VoelgoedError, audit, clock, get_owned, iso, rbac
from voelgoed.services.sales import capacity, stock
from voelgoed.services.tickets import ATTENDEE_MODES

_FIELDS = ("name", "description", "price_cents", "quantity", "max_per_order", "sale_starts_at", "sale_ends_at",
           "is_active", "is_hidden", "sort_order", "currency", "attendee_mode")
MAX_QUANTITY = 1_000_000
MAX_PRICE_CENTS = 100_000_000  # R1 000 000


def availability(tt: TicketType) -> int:
    """Tickets still for sale by the counters (:func:`voelgoed.services.sales.stock.counter_available`)."""
    return stock.counter_available(tt)


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _values(event: Event, data: dict[str, Any], current: TicketType | None) -> dict[str, Any]:
    fields: dict[str, str] = {}
    out: dict[str, Any] = {}
    if "name" in data or current is None:
        out["name"] = clean_text(fields, "name", data.get("name"), max_len=120, required=True)
    if "description" in data:
        out["description"] = clean_text(fields, "description", data.get("description"), max_len=2000)
    if "price_cents" in data or current is None:
        v = data.get("price_cents")
        if not _is_int(v) or not 0 <= v <= MAX_PRICE_CENTS:
            fields["price_cents"] = "Price must be a whole number of cents, 0 or more"
        out["price_cents"] = v
    if "quantity" in data or current is None:
        v = data.get("quantity")
        if not _is_int(v) or not 0 <= v <= MAX_QUANTITY:
            fields["quantity"] = f"Quantity must be a whole number from 0 to {MAX_QUANTITY}"
        out["quantity"] = v
    if "max_per_order" in data or current is None:
        v = data.get("max_per_order", 10)
        v = 10 if v is None else v
        if not _is_int(v) or not 1 <= v <= 100:
            fields["max_per_order"] = "Between 1 and 100 tickets per order"
        out["max_per_order"] = v
    for key in ("is_active", "is_hidden"):
        if key in data:
            if not isinstance(data[key], bool):
                fields[key] = "true or false"
            out[key] = data[key]
    if "sort_order" in data:
        if not _is_int(data["sort_order"]) or abs(data["sort_order"]) > 10_000:
            fields["sort_order"] = "A whole number"
        out["sort_order"] = data["sort_order"]
    if "attendee_mode" in data or current is None:
        v = data.get("attendee_mode") or "off"
        if v not in ATTENDEE_MODES:
            fields["attendee_mode"] = "Attendee details are off, optional or required"
        out["attendee_mode"] = v
    if data.get("currency") not in (None, "") and str(data["currency"]).strip().upper() != event.currency:
        fields["currency"] = f"Ticket types use the event's currency ({event.currency})"
    for key in ("sale_starts_at", "sale_ends_at"):
        if key in data:
            v = data[key]
            if v is not None and (not isinstance(v, datetime) or v.tzinfo is None):
                fields[key] = "Give a date and time with a timezone offset"
            out[key] = v
    raise_if(fields)
    ss = out.get("sale_starts_at", clock.aware(current.sale_starts_at) if current else None)
    se = out.get("sale_ends_at", clock.aware(current.sale_ends_at) if current else None)
    if ss is not None and se is not None and ss >= se:
        fields["sale_ends_at"] = "Sales must close after they open"
    if se is not None and se > clock.aware(event.ends_at):
        fields["sale_ends_at"] = "Sales can't close after the event ends"
    if ss is not None and ss >= clock.aware(event.ends_at):
        fields["sale_starts_at"] = "Sales must open before the event ends"
    raise_if(fields)
    return out


def _editable_event(session: Session, ctx: TenantContext, event_id: Any, now: datetime) -> Event:
    event = get_owned(session, ctx, Event, event_id, "event")
    status = effective_status(event, now)
    if status not in EDITABLE_STATES:
        raise VoelgoedError("invalid_state", f"Ticket types of a {status} event can't be changed")
    return event


def create_ticket_type(session: Session, ctx: TenantContext, event_id: Any, *, name: str, price_cents: int,
                       quantity: int, max_per_order: int | None = 10, description: str = "",
                       sale_starts_at: datetime | None = None, sale_ends_at: datetime | None = None,
                       is_active: bool = True, is_hidden: bool = False, currency: str | None = None,
                       sort_order: int | None = None, attendee_mode: str = "off", now: datetime | None = None) -> TicketType:
    """Add a ticket type (currency = the event's). Raises 403, 404 (event), 409 ``invalid_state``, 422."""
    rbac.require(ctx, rbac.can_manage_events, "create ticket types")
    now = clock.resolve(now)
    event = _editable_event(session, ctx, event_id, now)
    data = dict(name=name, description=description, price_cents=price_cents, quantity=quantity,
                max_per_order=max_per_order, sale_starts_at=sale_starts_at, sale_ends_at=sale_ends_at,
                is_active=is_active, is_hidden=is_hidden, currency=currency, attendee_mode=attendee_mode)
    if sort_order is not None:
        data["sort_order"] = sort_order
    values = _values(event, data, None)
    if "sort_order" not in values:
        existing = session.exec(select(TicketType.sort_order).where(TicketType.event_id == event.id)).all()
        values["sort_order"] = max(existing, default=-1) + 1
    tt = TicketType(organization_id=ctx.organization_id, event_id=event.id, currency=event.currency,
                    created_at=now, updated_at=now, **values, **stock.new_type_flags(session, event.id))
    session.add(tt)
    session.flush()
    audit.record(session, ctx.actor, "ticket_type.created", tt, {"event_id": event.id, **values})
    session.commit()
    return tt


def update_ticket_type(session: Session, ctx: TenantContext, ticket_type_id: Any, *, now: datetime | None = None,
                       **changes: Any) -> TicketType:
    """Change any of name/description/price_cents/quantity/max_per_order/sale window/is_active/
    is_hidden/sort_order. A price change applies to new holds only (holds capture their price).
    Raises 403, 404, 409 ``invalid_state``, 409 ``quantity_below_sold``, 422."""
    rbac.require(ctx, rbac.can_manage_events, "edit ticket types")
    now = clock.resolve(now)
    tt = get_owned(session, ctx, TicketType, ticket_type_id, "ticket type")
    event = _editable_event(session, ctx, tt.event_id, now)
    values = _values(event, {k: v for k, v in changes.items() if k in _FIELDS}, tt)
    if "quantity" in values:
        # lapsed holds reclaimed first (they never count), then the row locked as the hold path locks it
        tt = capacity.lock_ticket_type_for_quantity_change(session, tt, event, now)
        capacity.check_quantity(tt, values["quantity"])  # 409 quantity_below_sold {sold, held, requested}
    else:
        tt = get_owned(session, ctx, TicketType, ticket_type_id, "ticket type", lock=True)
    changed = {k: v for k, v in values.items() if (clock.aware(getattr(tt, k)) if k.endswith("_at") else getattr(tt, k)) != v}
    if changed:
        for key, value in changed.items():
            setattr(tt, key, value)
        tt.updated_at = now
        audit.record(session, ctx.actor, "ticket_type.updated", tt, changed)
    session.commit()
    return tt


def list_ticket_types(session: Session, ctx: TenantContext, event_id: Any) -> list[TicketType]:
    """An event's ticket types in display order (404 for another organisation's event)."""
    rbac.require(ctx, rbac.can_view_events, "view ticket types")
    event = get_owned(session, ctx, Event, event_id, "event")
    stmt = select(TicketType).where(TicketType.event_id == event.id).order_by(TicketType.sort_order, TicketType.created_at)
    return list(session.exec(stmt))


def ticket_type_dict(tt: TicketType) -> dict[str, Any]:
    """API shape: ``{id, event_id, name, description, price_cents, currency, quantity, sold, held,
    available, max_per_order, sale_starts_at, sale_ends_at, is_active, is_hidden, sort_order, attendee_mode}``."""
    return {
        "id": str(tt.id), "event_id": str(tt.event_id), "name": tt.name, "description": tt.description,
        "price_cents": tt.price_cents, "currency": tt.currency, "quantity": tt.quantity,
        "sold": tt.sold_count, "held": tt.held_count, "available": availability(tt),
        "max_per_order": tt.max_per_order, "sale_starts_at": iso(tt.sale_starts_at), "sale_ends_at": iso(tt.sale_ends_at),
        "is_active": tt.is_active, "is_hidden": tt.is_hidden, "sort_order": tt.sort_order,
        "attendee_mode": tt.attendee_mode,
    }
