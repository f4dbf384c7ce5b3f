"""Row-by-row exports of one event: orders, tickets/attendees, check-ins and refunds (issue 13, item 5).

Rows are read with a server-side cursor (``yield_per``) and written as they come, so an event with
100,000 tickets never sits in memory as a list. Formats:

- CSV (RFC 4180, ``\\r\\n`` line ends, UTF-8 with a byte-order mark so Excel reads accents): :func:`stream_csv`
  yields ``bytes`` chunks; text cells that start with ``=``, ``+``, ``-``, ``@``, tab or CR get a leading
  ``'`` (OWASP "CSV injection"), numbers are written as they are.
- XLSX (Office Open XML through ``openpyxl`` in write-only mode, which streams rows to the file): :func:`write_xlsx`.

Columns (:data:`COLUMNS`), money in integer cents plus the currency, times RFC 3339 UTC:

- ``orders``: order_code, status, buyer_name, buyer_email, tickets, total_cents, currency, provider, created_at, paid_at
- ``tickets``: ticket_code, status, ticket_type, holder_name, holder_email, order_code, buyer_name, buyer_email,
  checked_in_at, checked_in_gate, section, row, seat (the event seat's labels; empty for general admission)
- ``checkins``: scanned_at, result, ticket_code, ticket_type, holder_name, gate_code, device, offline
- ``refunds``: created_at, order_code, status, amount_cents, currency, reason, origin, provider_reference,
  processed_at, requested_by

Who may export: roles with ``can_view_financials`` (owner, admin, staff, viewer); others 403 ``forbidden``.
An unknown kind or format is 422 ``validation_failed``; another organisation's event 404 ``not_found``.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from openpyxl import Workbook
from sqlalchemy import func, select
from sqlmodel import Session

from voelgoed.models import Device, Event, EventSeat, Order, OrderItem, Refund, Scan, Ticket, TicketType
from voelgoed.services.platform import TenantContext, ValidationFailed, get_owned, iso, rbac, session_scope

KINDS = ("orders", "tickets", "checkins", "refunds")
FORMATS = ("csv", "xlsx")
# the API-key scope each kind needs (voelgoed/api/exports.py)
SCOPE_OF = {"orders": "orders:read", "tickets": "attendees:read", "checkins": "scans:read", "refunds": "refunds:read"}
COLUMNS = {
    "orders": ("order_code", "status", "buyer_name", "buyer_email", "tickets", "total_cents", "currency",
               "provider", "created_at", "paid_at"),
    "tickets": ("ticket_code", "status", "ticket_type", "holder_name", "holder_email", "order_code", "buyer_name",
                "buyer_email", "checked_in_at", "checked_in_gate", "section", "row", "seat"),
    "checkins": ("scanned_at", "result", "ticket_code", "ticket_type", "holder_name", "gate_code", "device", "offline"),
    "refunds": ("created_at", "order_code", "status", "amount_cents", "currency", "reason", "origin",
                "provider_reference", "processed_at", "requested_by"),
}
BATCH = 1000
_RISKY = ("=", "+", "-", "@", "\t", "\r")


def check_kind(kind: str, fmt: str = "csv") -> None:
    """422 ``validation_failed`` (``kind`` / ``format``) unless both are known."""
    if kind not in KINDS:
        raise ValidationFailed({"kind": f"Choose one of {', '.join(KINDS)}"})
    if fmt not in FORMATS:
        raise ValidationFailed({"format": f"Choose one of {', '.join(FORMATS)}"})


def export_event(session: Session, ctx: TenantContext, event_id) -> Event:
    """The event ``ctx`` may export (403 ``forbidden`` without ``can_view_financials``, 404 ``not_found``)."""
    rbac.require(ctx, rbac.can_view_financials, "export event data")
    return get_owned(session, ctx, Event, event_id, "event")


def _statement(kind: str, event: Event):
    org, eid = event.organization_id, event.id
    if kind == "orders":
        tickets = (select(func.coalesce(func.sum(OrderItem.quantity), 0)).where(OrderItem.order_id == Order.id)
                   .scalar_subquery())
        return (select(Order.order_code, Order.status, Order.buyer_name, Order.buyer_email, tickets, Order.total_cents,
                       Order.currency, Order.provider, Order.created_at, Order.paid_at)
                .where(Order.organization_id == org, Order.event_id == eid).order_by(Order.created_at, Order.id))
    if kind == "tickets":
        return (select(Ticket.ticket_code, Ticket.status, TicketType.name, Ticket.holder_name, Ticket.holder_email,
                       Order.order_code, Order.buyer_name, Order.buyer_email, Ticket.checked_in_at,
                       Ticket.checked_in_gate_code, EventSeat.section_label, EventSeat.row_label, EventSeat.seat_label)
                .join(Order, Order.id == Ticket.order_id).join(TicketType, TicketType.id == Ticket.ticket_type_id)
                .outerjoin(EventSeat, EventSeat.id == Ticket.seat_id)
                .where(Ticket.organization_id == org, Ticket.event_id == eid)
                .order_by(Order.created_at, Ticket.issued_at, Ticket.ticket_code))
    if kind == "checkins":
        return (select(Scan.scanned_at, Scan.result, Ticket.ticket_code, TicketType.name, Ticket.holder_name,
                       Scan.gate_code, Device.name, Scan.offline)
                .join(Device, Device.id == Scan.device_id)
                .outerjoin(Ticket, Ticket.id == Scan.ticket_id)
                .outerjoin(TicketType, TicketType.id == Ticket.ticket_type_id)
                .where(Scan.organization_id == org, Scan.event_id == eid).order_by(Scan.scanned_at, Scan.id))
    return (select(Refund.created_at, Order.order_code, Refund.status, Refund.amount_cents, Refund.currency,
                   Refund.reason, Refund.origin, Refund.provider_reference, Refund.processed_at, Refund.requested_by)
            .join(Order, Order.id == Refund.order_id)
            .where(Refund.organization_id == org, Refund.event_id == eid).order_by(Refund.created_at, Refund.id))


def count_rows(session: Session, kind: str, event: Event) -> int:
    """How many data rows :func:`iter_rows` will yield (the progress denominator)."""
    return int(session.execute(select(func.count()).select_from(_statement(kind, event).order_by(None).subquery()))
               .scalar_one())


def iter_rows(session: Session, kind: str, event: Event) -> Iterator[tuple]:
    """The header, then one tuple per row (times as RFC 3339 strings, ``None`` as ``""``), streamed."""
    yield COLUMNS[kind]
    result = session.execute(_statement(kind, event).execution_options(yield_per=BATCH))
    for row in result:
        yield tuple(_cell(v) for v in row)


def _cell(value):
    if value is None:
        return ""
    if hasattr(value, "tzinfo"):
        return iso(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value


def _safe(value):
    if isinstance(value, str) and value.startswith(_RISKY):
        return "'" + value
    return value


def stream_csv(rows: Iterable[tuple], *, chunk_rows: int = 500) -> Iterator[bytes]:
    """CSV bytes of ``rows`` (first row the header) in chunks of ``chunk_rows`` rows; UTF-8 with BOM."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    yield "\ufeff".encode()
    pending = 0
    for row in rows:
        writer.writerow([_safe(v) for v in row])
        pending += 1
        if pending >= chunk_rows:
            yield buf.getvalue().encode("utf-8")
            buf.seek(0)
            buf.truncate()
            pending = 0
    if pending:
        yield buf.getvalue().encode("utf-8")


def write_xlsx(rows: Iterable[tuple], path: Path, *, title: str = "Export", progress=None) -> int:
    """Write ``rows`` to an ``.xlsx`` at ``path`` with openpyxl's write-only workbook; returns data rows written.
    ``progress(n)`` is called every :data:`BATCH` rows."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=title[:31] or "Export")
    n = -1
    for n, row in enumerate(rows):
        ws.append([_safe(v) for v in row])
        if progress and n and n % BATCH == 0:
            progress(n)
    wb.save(str(path))
    return max(n, 0)


def write_csv(rows: Iterable[tuple], path: Path, *, progress=None) -> int:
    """Write ``rows`` as CSV to ``path`` (chunks as :func:`stream_csv`); returns data rows written."""
    counted = _Counter(rows, progress)
    with open(path, "wb") as fh:
        for chunk in stream_csv(counted):
            fh.write(chunk)
    return max(counted.n - 1, 0)


class _Counter:
    def __init__(self, rows: Iterable[tuple], progress):
        self.rows, self.progress, self.n = rows, progress, 0

    def __iter__(self):
        for row in self.rows:
            self.n += 1
            if self.progress and self.n > 1 and (self.n - 1) % BATCH == 0:
                self.progress(self.n - 1)
            yield row


def open_csv_stream(ctx: TenantContext, event_id, kind: str) -> tuple[str, Iterator[bytes]]:
    """``(filename, chunks)`` for an HTTP streaming response: permissions and the event are checked now
    (403/404/422 raised before a byte is sent); the chunks read with their own session while streamed."""
    check_kind(kind)
    with session_scope() as session:
        event = export_event(session, ctx, event_id)
        filename, eid = f"{event.slug}-{kind}.csv", event.id

    def chunks() -> Iterator[bytes]:
        with session_scope() as session:
            yield from stream_csv(iter_rows(session, kind, session.get(Event, eid)))

    return filename, chunks()


def build_xlsx(ctx: TenantContext, event_id, kind: str) -> tuple[str, Path]:
    """``(filename, temporary path)`` of an XLSX export written now (the caller deletes the file)."""
    check_kind(kind, "xlsx")
    with session_scope() as session:
        event = export_event(session, ctx, event_id)
        fd, name = tempfile.mkstemp(suffix=".xlsx", prefix="vg-export-")
        os.close(fd)
        write_xlsx(iter_rows(session, kind, event), Path(name), title=kind)
        return f"{event.slug}-{kind}.xlsx", Path(name)
