"""Response models of the read API (``voelgoed.api.read_api``): the OpenAPI document's schemas and examples.

Shapes are the services' (:mod:`voelgoed.services.insights.read_api`, ``read_tickets``); the models only
describe them. Times are RFC 3339 (UTC), ids strings, money integer cents with an ISO currency.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

_ID = "5f0c3c3e-8d1b-4d5e-9a4b-2f7e1c9d0a11"
_EVENT = "0b7e3f4c-1a2d-4c5e-8f90-123456789abc"
_T = "2026-12-05T16:00:00+00:00"
_CURSOR = "eyJ2IjoxLCJ0IjoiMjAyNi0xMi0wNVQxNjowMDowMCswMDowMCIsImkiOiI1ZjBjIiwiZiI6ImFiY2QifQ.3f1c…"


def _example(**values) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": [values]})


class EventOut(BaseModel):
    model_config = _example(id=_EVENT, slug="summer-sounds", name="Summer Sounds", description="", status="published",
                            venue_id=_ID, venue_name="Kirstenbosch", timezone="Africa/Johannesburg",
                            starts_at="2026-12-12T16:00:00+00:00", ends_at="2026-12-12T21:00:00+00:00",
                            sale_starts_at=None, sale_ends_at=None, capacity=2000, currency="ZAR", tickets_sold=120,
                            tickets_held=4, published_at=_T, created_at=_T, updated_at=_T)
    id: str
    slug: str
    name: str
    description: str
    status: Literal["draft", "published", "live", "ended", "archived", "cancelled"] = Field(
        description="effective status: published/live/ended follow the clock")
    venue_id: str
    venue_name: str
    timezone: str = Field(description="the venue's IANA timezone")
    starts_at: datetime
    ends_at: datetime
    sale_starts_at: datetime | None
    sale_ends_at: datetime | None
    capacity: int | None
    currency: str
    tickets_sold: int
    tickets_held: int
    published_at: datetime | None
    created_at: datetime
    updated_at: datetime


class OrderOut(BaseModel):
    model_config = _example(id=_ID, order_code="VG-7K3Q9M", status="paid", event_id=_EVENT, buyer_name="Naledi Dlamini",
                            buyer_email="naledi@example.com", total_cents=50000, currency="ZAR", provider="paystack",
                            tickets=2, needs_attention=False, created_at=_T, updated_at=_T, paid_at=_T, expires_at=None)
    id: str
    order_code: str
    status: str = Field(description="pending, paid, cancelled, expired, refund_required, refunded")
    event_id: str
    buyer_name: str
    buyer_email: str
    total_cents: int
    currency: str
    provider: str
    tickets: int = Field(description="number of tickets issued for the order")
    needs_attention: bool
    created_at: datetime
    updated_at: datetime
    paid_at: datetime | None
    expires_at: datetime | None


class TicketOut(BaseModel):
    model_config = _example(id=_ID, ticket_code="7KQ9MX3PAB", status="checked_in", event_id=_EVENT, order_id=_ID,
                            order_code="VG-7K3Q9M", ticket_type_id=_ID, ticket_type="General", holder_name="Naledi Dlamini",
                            seat_id=None, valid_from=None, valid_until=None, checked_in_at=_T, checked_in_gate_code="A",
                            void_reason="", version=1, issued_at=_T, updated_at=_T)
    id: str
    ticket_code: str
    status: Literal["valid", "checked_in", "voided", "refunded"]
    event_id: str
    order_id: str
    order_code: str
    ticket_type_id: str
    ticket_type: str
    holder_name: str
    seat_id: str | None
    valid_from: datetime | None
    valid_until: datetime | None
    checked_in_at: datetime | None
    checked_in_gate_code: str | None
    void_reason: str
    version: int
    issued_at: datetime
    updated_at: datetime


class AttendeeOut(BaseModel):
    model_config = _example(ticket_id=_ID, ticket_code="7KQ9MX3PAB", ticket_status="valid", event_id=_EVENT, order_id=_ID,
                            order_code="VG-7K3Q9M", ticket_type_id=_ID, ticket_type="General", name="Sipho Nkosi",
                            email="naledi@example.com", name_source="holder", email_source="buyer", checked_in_at=None,
                            issued_at=_T, updated_at=_T)
    ticket_id: str
    ticket_code: str
    ticket_status: Literal["valid", "checked_in", "voided", "refunded"]
    event_id: str
    order_id: str
    order_code: str
    ticket_type_id: str
    ticket_type: str
    name: str = Field(description="the ticket holder's name where set, else the buyer's")
    email: str = Field(description="the buyer's e-mail (tickets carry no holder e-mail yet)")
    name_source: Literal["holder", "buyer"]
    email_source: Literal["holder", "buyer"]
    checked_in_at: datetime | None
    issued_at: datetime
    updated_at: datetime


class ScanOut(BaseModel):
    model_config = _example(id=_ID, event_id=_EVENT, device_id=_ID, device_name="Gate A phone", ticket_id=_ID,
                            ticket_code="7KQ9MX3PAB", gate_code="A", result="accepted", local_result=None, offline=False,
                            scanned_at=_T, received_at=_T, updated_at=_T)
    id: str
    event_id: str
    device_id: str
    device_name: str | None
    ticket_id: str | None = Field(description="null when the QR named no ticket of this organisation")
    ticket_code: str | None
    gate_code: str | None
    result: Literal["accepted", "already_scanned", "invalid", "wrong_event", "revoked", "not_valid_now",
                    "duplicate_offline", "event_cancelled"]
    local_result: str | None = Field(description="what the device decided offline (sync uploads)")
    offline: bool
    scanned_at: datetime
    received_at: datetime
    updated_at: datetime


def _page_example(item: type[BaseModel]) -> ConfigDict:
    example = item.model_config["json_schema_extra"]["examples"][0]
    return ConfigDict(json_schema_extra={"examples": [{"data": [example], "next_cursor": _CURSOR, "has_more": False}]})


_NEXT = Field(description="opaque; pass it back as ?cursor= with the same filters for the rows after this page "
                          "(null only on an empty first page)")
_MORE = Field(description="true when more rows were already waiting after this page")


class EventPage(BaseModel):
    model_config = _page_example(EventOut)
    data: list[EventOut]
    next_cursor: str | None = _NEXT
    has_more: bool = _MORE


class OrderPage(BaseModel):
    model_config = _page_example(OrderOut)
    data: list[OrderOut]
    next_cursor: str | None = _NEXT
    has_more: bool = _MORE


class TicketPage(BaseModel):
    model_config = _page_example(TicketOut)
    data: list[TicketOut]
    next_cursor: str | None = _NEXT
    has_more: bool = _MORE


class AttendeePage(BaseModel):
    model_config = _page_example(AttendeeOut)
    data: list[AttendeeOut]
    next_cursor: str | None = _NEXT
    has_more: bool = _MORE


class ScanPage(BaseModel):
    model_config = _page_example(ScanOut)
    data: list[ScanOut]
    next_cursor: str | None = _NEXT
    has_more: bool = _MORE
