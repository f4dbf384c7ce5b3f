"""Read models for tickets: buyer links, the public ticket list, the buyer order page, PDF download.

- ``order_page_url(order)`` → ``<BASE_URL>/orders/<order_code>?token=<access_token>``
- ``ticket_pdf_url(order, ticket)`` → ``<BASE_URL>/api/v1/public/orders/<code>/tickets/<id>.pdf?access_token=…``
- ``public_ticket_list(session, order)`` → ``[{id, ticket_code, ticket_type, qr_payload, status, pdf_url, seat}]``
  (the ``tickets`` field of ``GET /api/v1/public/orders/{order_code}``, api-v1.md; ``seat`` — an added field —
  is ``{section, row, seat, label}`` for a seated ticket, ``null`` otherwise)
- ``buyer_order_page(session, *, order_code, access_token)`` → plain dict for the Reflex page
  (404 ``not_found`` for an unknown code or a wrong token — indistinguishable)
- ``buyer_ticket_pdf(session, *, order_code, access_token, ticket_id)`` → ``(filename, pdf bytes)``;
  renders the PDF on the spot if the job has not run yet (404 ``not_found`` otherwise).
"""

from __future__ import annotations

import uuid
from urllib.parse import quote

from sqlmodel import Session, select

from voelgoed.config import get_settings
from voelgoed.models import Event, Order, Organization, Ticket, TicketType, Venue
from voelgoed.services.accounts import public_brand
from voelgoed.services.platform import NotFound, format_money
from voelgoed.services.tickets import documents, qr_render
from voelgoed.services.tickets.seat_labels import labels_for, seat_dict
from voelgoed.services.tickets.tickets import find_buyer_order


def _pdf_path(order: Order, ticket_id: uuid.UUID) -> str:
    return (f"/api/v1/public/orders/{quote(order.order_code)}/tickets/{ticket_id}.pdf"
            f"?access_token={quote(order.access_token)}")


def ticket_pdf_path(order: Order, ticket: Ticket) -> str:
    return _pdf_path(order, ticket.id)


def ticket_pdf_url(order: Order, ticket: Ticket) -> str:
    return get_settings().effective_base_url + ticket_pdf_path(order, ticket)


def _tickets(session: Session, order: Order) -> list[Ticket]:
    return list(session.exec(select(Ticket).where(Ticket.order_id == order.id)
                             .order_by(Ticket.order_item_id, Ticket.position)))


def _type_names(session: Session, order: Order) -> dict[uuid.UUID, str]:
    return {t.id: t.name for t in session.exec(select(TicketType).where(TicketType.event_id == order.event_id))}


def public_ticket_list(session: Session, order: Order) -> list[dict]:
    """The API's ticket entries for a (buyer-authorised) order; ids as strings."""
    names = _type_names(session, order)
    tickets = _tickets(session, order)
    seats = labels_for(session, [t.seat_id for t in tickets])
    return [{"id": str(t.id), "ticket_code": t.ticket_code, "ticket_type": names.get(t.ticket_type_id, ""),
             "qr_payload": t.qr_payload, "status": t.status, "pdf_url": ticket_pdf_url(order, t),
             "seat": seat_dict(seats.get(t.seat_id))}
            for t in tickets]


def qr_svg_data_uri(payload: str) -> str:
    """A ``data:image/svg+xml;base64,…`` QR (error correction M, 4-module quiet zone) of ``payload`` for
    on-screen display: :func:`qr_render.svg_data_uri` — built once per payload (≈ 1.5 ms) and cached, so
    an order-page view re-reading the same tickets renders no QR."""
    return qr_render.svg_data_uri(payload)


def buyer_order_page(session: Session, *, order_code: str, access_token: str) -> dict:
    """Everything the buyer's order page shows, as plain JSON-able values (money formatted).

    Per ticket also ``seat_label`` / ``seat_section`` / ``seat_row`` / ``seat_number`` ("" when unseated).

    Five queries (order; event + venue + organisation; gates; tickets; type names) and no QR rendering
    once a ticket's QR was built in this process (:func:`qr_svg_data_uri` is cached per payload).
    ``branding``: the organisation's public branding (``accounts.public_brand``)."""
    order = find_buyer_order(session, order_code=order_code, access_token=access_token)
    docs = documents.ticket_documents(session, order)
    first = docs[0] if docs else None
    if first is None:
        event, venue = session.exec(select(Event, Venue).join(Venue, Venue.id == Event.venue_id)
                                    .where(Event.id == order.event_id)).one()
        event_name, starts, venue_name = event.name, documents.format_local(event.starts_at, venue.timezone), venue.name
    else:
        event_name, starts, venue_name = first.event_name, first.starts_local, first.venue_name
    return {
        "branding": public_brand(session.get(Organization, order.organization_id)),
        "order_code": order.order_code, "status": order.status, "buyer_name": order.buyer_name,
        "buyer_email": order.buyer_email, "total": format_money(order.total_cents, order.currency),
        "event_name": event_name, "starts_local": starts, "venue_name": venue_name,
        "venue_address": first.venue_address if first else "", "gates": first.gates if first else "",
        "tickets": [{
            "id": str(d.ticket_id), "ticket_code": d.ticket_code, "ticket_type": d.ticket_type, "status": d.status,
            "holder_name": d.holder_name, "qr_svg": qr_svg_data_uri(d.qr_payload) if d.qr_payload else "",
            "pdf_url": _pdf_path(order, d.ticket_id),
            # seated tickets (issue 12): "" for general admission
            "seat_label": d.seat_label, "seat_section": d.seat.section if d.seat else "",
            "seat_row": d.seat.row if d.seat else "", "seat_number": d.seat.seat if d.seat else "",
        } for d in docs],
    }


def buyer_ticket_pdf(session: Session, *, order_code: str, access_token: str, ticket_id) -> tuple[str, bytes]:
    """The ticket's current PDF (rendered now and committed if missing or outdated)."""
    order = find_buyer_order(session, order_code=order_code, access_token=access_token)
    try:
        tid = uuid.UUID(str(ticket_id))
    except (ValueError, TypeError):
        raise NotFound("not_found", "Ticket not found") from None
    ticket = session.exec(select(Ticket).where(Ticket.id == tid, Ticket.order_id == order.id)).first()
    if ticket is None:
        raise NotFound("not_found", "Ticket not found")
    if not documents.is_current(ticket):
        doc = documents.ticket_documents(session, order, [ticket])[0]
        documents.store_ticket_pdf(session, ticket, doc)
        session.commit()
    return f"ticket-{order.order_code}-{ticket.ticket_code}.pdf", documents.media_path(ticket.pdf_path).read_bytes()
