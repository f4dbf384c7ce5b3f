"""Ticket PDFs with reportlab: one A4 page per ticket with a large vector QR code.

- :func:`ticket_documents` ``(session, order) -> list[TicketDocument]``: the display data (no ORM objects).
- :func:`render_pdf` ``(docs) -> bytes``: one page per ticket (event, local date/time in the venue's
  IANA timezone, venue + gates, ticket type, holder, ticket code, order code, organiser, QR; for a seated
  ticket the section, row and seat in large type above the details).
- :func:`store_ticket_pdf` ``(session, ticket, doc) -> str``: writes
  ``<MEDIA_DIR>/tickets/<order_id>/<ticket_id>-v<version>.pdf`` atomically and sets ``ticket.pdf_path``
  (relative to MEDIA_DIR); a new ticket version gets a new file.

The QR (error correction M, from ``ticket.qr_payload``) is built by :mod:`qr_render` (``qrcode``, version
chosen once, fixed mask, cached per payload) and drawn as one filled path of run rectangles — not
reportlab's ``QrCodeWidget``, which scored all eight masks and drew ~1,250 rectangle widgets (~120 ms a
page; now a few ms, ``bench/tickets.py``).

Branding (issue 15, docs/branding.md): the header band is the organisation's primary colour with the text colour
chosen for contrast, the foot stripe its accent, and its logo sits on a white plate in the band
(:mod:`.brand_pdf`, converted once per logo and cached).
"""

from __future__ import annotations

import io
import os
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas
from sqlmodel import Session, select

from voelgoed.config import get_settings
from voelgoed.models import Event, Gate, Order, Organization, Ticket, TicketType, Venue
from voelgoed.services.accounts import brand_of, logo_png
from voelgoed.services.tickets import brand_pdf, qr_render
from voelgoed.services.tickets.seat_labels import SeatLabels, labels_for

# Binary (Flate-only) content streams: reportlab's default ASCII85 wrapping was a third of a page's CPU
# (pure-Python encoder) and makes the file 25 % bigger; every PDF reader takes binary streams.
rl_config.useA85 = 0

INK = colors.HexColor("#1C2024")
MUTED = colors.HexColor("#60646C")
ACCENT = colors.HexColor("#3E63DD")
LINE = colors.HexColor("#D9D9E0")
VOID_RED = colors.HexColor("#E5484D")


@dataclass(frozen=True)
class TicketDocument:
    ticket_id: uuid.UUID
    version: int
    status: str
    event_name: str
    starts_local: str  # e.g. "Saturday 12 December 2026 · 18:00"
    ends_local: str
    timezone: str
    venue_name: str
    venue_address: str
    gates: str
    ticket_type: str
    holder_name: str
    ticket_code: str
    order_code: str
    organiser: str
    qr_payload: str
    number: int = 1  # this ticket's place in its order (1-based)
    of: int = 1  # how many tickets the order has
    # the organisation's branding (accounts.brand_of): band colour, its text colour, stripe, logo (sha + PNG)
    brand_primary: str = "#1C2024"
    brand_on_primary: str = "#FFFFFF"
    brand_accent: str = "#3E63DD"
    logo_sha: str = ""
    logo_png: bytes | None = field(default=None, repr=False, compare=False)
    seat: SeatLabels | None = None  # the event seat's current labels (seated tickets only)

    @property
    def seat_label(self) -> str:
        """``Section Stalls · Row A · Seat 4``, or "" for general admission."""
        return self.seat.label if self.seat is not None else ""


def _local(dt: datetime, tz: str) -> datetime:
    try:
        zone = ZoneInfo(tz)
    except Exception:
        zone = ZoneInfo("Africa/Johannesburg")
    return dt.astimezone(zone)


def format_local(dt: datetime, tz: str) -> str:
    """``Saturday 12 December 2026 · 18:00`` in the venue's timezone."""
    local = _local(dt, tz)
    return f"{local:%A} {local.day} {local:%B %Y} · {local:%H:%M}"


def ticket_documents(session: Session, order: Order, tickets: list[Ticket] | None = None) -> list[TicketDocument]:
    """Display data for the order's tickets (ordered by ticket type, then code); ``tickets`` defaults to all.

    Four queries: event + venue + organisation, gates, the order's tickets, ticket type names (a fifth, the
    seat labels by primary key, only when a ticket has a seat)."""
    event, venue, org = session.exec(
        select(Event, Venue, Organization).join(Venue, Venue.id == Event.venue_id)
        .join(Organization, Organization.id == Event.organization_id).where(Event.id == order.event_id)).one()
    gates = session.exec(select(Gate).where(Gate.venue_id == venue.id, Gate.archived_at.is_(None))
                         .order_by(Gate.gate_code)).all()
    gate_text = ", ".join(f"{g.name} ({g.gate_code})" for g in gates) or "Any entrance"
    all_tickets = list(session.exec(select(Ticket).where(Ticket.order_id == order.id)
                                    .order_by(Ticket.order_item_id, Ticket.position)))
    numbers = {t.id: i for i, t in enumerate(all_tickets, start=1)}
    if tickets is None:
        tickets = all_tickets
    types = {t.id: t.name for t in session.exec(select(TicketType).where(TicketType.event_id == event.id))}
    address = ", ".join(p for p in (venue.address, venue.city) if p)
    brand, logo = brand_of(org), logo_png(session, org)
    seats = labels_for(session, [t.seat_id for t in tickets])
    return [TicketDocument(
        ticket_id=t.id, version=t.version, status=t.status, event_name=event.name,
        starts_local=format_local(event.starts_at, venue.timezone), ends_local=format_local(event.ends_at, venue.timezone),
        timezone=venue.timezone, venue_name=venue.name, venue_address=address, gates=gate_text,
        ticket_type=types.get(t.ticket_type_id, "Ticket"), holder_name=t.holder_name or order.buyer_name,
        ticket_code=t.ticket_code, order_code=order.order_code, organiser=org.name if org else "",
        qr_payload=t.qr_payload, number=numbers.get(t.id, 1), of=max(len(all_tickets), 1),
        brand_primary=brand["primary"], brand_on_primary=brand["on_primary"], brand_accent=brand["accent"],
        logo_sha=brand["logo_sha"] if logo else "", logo_png=logo,
        seat=seats.get(t.seat_id) if t.seat_id is not None else None,
    ) for t in tickets]


def _fit(c: canvas.Canvas, text: str, font: str, size: float, width: float) -> float:
    while size > 8 and c.stringWidth(text, font, size) > width:
        size -= 0.5
    return size


def _label(c: canvas.Canvas, x: float, y: float, label: str, value: str, width: float, size: float = 13) -> None:
    c.setFillColor(MUTED)
    c.setFont("Helvetica", 8.5)
    c.drawString(x, y, label.upper())
    c.setFillColor(INK)
    font_size = _fit(c, value, "Helvetica-Bold", size, width)
    c.setFont("Helvetica-Bold", font_size)
    c.drawString(x, y - 5.5 * mm, value)


def _draw_seat(c: canvas.Canvas, seat: SeatLabels, x: float, y: float, width: float) -> float:
    """Section / row / seat in large type (what an usher reads first); returns the next line's ``y``."""
    parts = [(name, value) for name, value in (("Section", seat.section), ("Row", seat.row), ("Seat", seat.seat))
             if value]
    weights = [2 if name == "Section" else 1 for name, _ in parts]  # section names are the long ones
    unit = width / max(sum(weights), 1)
    c.setStrokeColor(ACCENT)
    c.setLineWidth(1.2)
    c.roundRect(x - 2 * mm, y - 14 * mm, width + 2 * mm, 19 * mm, 2.5 * mm, stroke=1, fill=0)
    cx = x
    for (name, value), weight in zip(parts, weights, strict=True):
        c.setFillColor(MUTED)
        c.setFont("Helvetica", 8.5)
        c.drawString(cx, y, name.upper())
        c.setFillColor(INK)
        size = _fit(c, value, "Helvetica-Bold", 22, weight * unit - 3 * mm)
        c.setFont("Helvetica-Bold", size)
        c.drawString(cx, y - 9.5 * mm, value)
        cx += weight * unit
    return y - 24 * mm


def _draw_page(c: canvas.Canvas, d: TicketDocument, index: int, count: int) -> None:
    width, height = A4
    margin = 16 * mm
    inner = width - 2 * margin
    # header band (the organisation's primary colour, its logo on the right)
    on_band = colors.HexColor(d.brand_on_primary)
    c.setFillColor(colors.HexColor(d.brand_primary))
    c.rect(0, height - 42 * mm, width, 42 * mm, stroke=0, fill=1)
    logo_w = brand_pdf.draw_logo(c, d.logo_sha, d.logo_png, width - margin, height - 38 * mm, 62 * mm, 21 * mm)
    c.setFillColor(on_band)
    c.setFont("Helvetica", 9)
    c.drawString(margin, height - 12 * mm, f"{d.organiser}  ·  presented with VoelgoedEvents".upper())
    c.drawRightString(width - margin, height - 12 * mm, f"TICKET {index} OF {count}")
    size = _fit(c, d.event_name, "Helvetica-Bold", 26, inner - (logo_w + 5 * mm if logo_w else 0))
    c.setFont("Helvetica-Bold", size)
    c.drawString(margin, height - 25 * mm, d.event_name)
    c.setFont("Helvetica", 12)
    c.setFillColor(on_band)
    c.drawString(margin, height - 34 * mm, f"{d.starts_local}  ({d.timezone})")
    # QR block (right) — large, with a quiet zone
    qr_size = 88 * mm
    qr_x, qr_y = width - margin - qr_size, height - 58 * mm - qr_size
    c.setStrokeColor(LINE)
    c.setFillColor(colors.white)
    c.roundRect(qr_x - 3 * mm, qr_y - 12 * mm, qr_size + 6 * mm, qr_size + 15 * mm, 4 * mm, stroke=1, fill=1)
    if d.qr_payload:
        qr_render.draw_pdf(c, d.qr_payload, qr_x, qr_y, qr_size, border=4)
    c.setFillColor(INK)
    c.setFont("Courier-Bold", 15)
    c.drawCentredString(qr_x + qr_size / 2, qr_y - 7 * mm, d.ticket_code)
    # details (left)
    col = qr_x - margin - 8 * mm
    y = height - 62 * mm
    if d.seat is not None:
        y = _draw_seat(c, d.seat, margin, y, col)
    for label, value in (("Ticket type", d.ticket_type), ("Ticket holder", d.holder_name),
                         ("Venue", d.venue_name), ("Address", d.venue_address or "—"),
                         ("Gates", d.gates), ("Ends", d.ends_local),
                         ("Ticket code", d.ticket_code), ("Order", d.order_code)):
        _label(c, margin, y, label, value, col, size=15 if label in ("Ticket type", "Ticket holder") else 12)
        y -= 15 * mm
    # tear line + instructions
    tear_y = 95 * mm
    c.setStrokeColor(LINE)
    c.setDash(4, 3)
    c.line(margin, tear_y, width - margin, tear_y)
    c.setDash()
    c.setFillColor(INK)
    c.setFont("Helvetica-Bold", 12)
    c.drawString(margin, tear_y - 10 * mm, "At the gate")
    c.setFont("Helvetica", 10)
    c.setFillColor(MUTED)
    lines = (
        "Show this QR code on your phone or on paper. Each ticket admits one person, once.",
        "Keep it private: anyone with a copy of this code can use it before you do.",
        "The code is signed and checked offline, so no signal is needed at the door.",
        f"Questions? Contact {d.organiser or 'the organiser'} and quote order {d.order_code}.",
    )
    for i, line in enumerate(lines):
        c.drawString(margin, tear_y - (18 + 6 * i) * mm, line)
    c.setFillColor(colors.HexColor(d.brand_accent))
    c.rect(0, 0, width, 4 * mm, stroke=0, fill=1)
    c.setFillColor(MUTED)
    c.setFont("Helvetica", 7.5)
    c.drawString(margin, 8 * mm, f"Ticket {d.ticket_id} · version {d.version}")
    c.drawRightString(width - margin, 8 * mm, "VoelgoedEvents")
    if d.status == "voided":
        c.saveState()
        c.setFillColor(VOID_RED)
        c.setFont("Helvetica-Bold", 110)
        c.translate(width / 2, height / 2)
        c.rotate(30)
        c.setFillAlpha(0.35)
        c.drawCentredString(0, 0, "VOID")
        c.restoreState()


def render_pdf(docs: list[TicketDocument]) -> bytes:
    """A PDF with one A4 page per :class:`TicketDocument`."""
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, pageCompression=1)
    title = docs[0].event_name if docs else "Tickets"
    c.setTitle(f"{title} — tickets")
    c.setAuthor("VoelgoedEvents")
    for d in docs:
        _draw_page(c, d, d.number, d.of)
        c.showPage()
    c.save()
    return buf.getvalue()


def media_path(relative: str) -> Path:
    return get_settings().effective_media_dir / relative


def expected_relative_path(ticket: Ticket) -> str:
    return f"tickets/{ticket.order_id}/{ticket.id}-v{ticket.version}.pdf"


def is_current(ticket: Ticket) -> bool:
    """True when the stored PDF matches the ticket's current version and exists on disk."""
    return bool(ticket.pdf_path) and ticket.pdf_path == expected_relative_path(ticket) and media_path(ticket.pdf_path).is_file()


def store_ticket_pdf(session: Session, ticket: Ticket, doc: TicketDocument) -> str:
    """Render and atomically write the ticket's one-page PDF; sets ``ticket.pdf_path`` (flush, no commit)."""
    relative = expected_relative_path(ticket)
    target = media_path(relative)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(f".{uuid.uuid4().hex[:8]}.tmp")
    tmp.write_bytes(render_pdf([doc]))
    os.replace(tmp, target)
    ticket.pdf_path = relative
    session.add(ticket)
    return relative
