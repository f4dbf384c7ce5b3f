"""RQ jobs for tickets (architecture decision 6): ids in, own session, idempotent, retried.

- ``render_ticket_pdfs(order_id) -> int``: renders the PDF of every ticket whose stored file is
  missing or older than the ticket's ``version``; returns how many were rendered.
- ``send_order_confirmation(order_id, force=False, request_key=None) -> bool``: renders missing PDFs,
  then sends the confirmation (``email_templates``: ``templates/email/order_confirmation.{txt,html}``, HTML autoescaped) with
  one PDF per non-void ticket and the order's ``.ics`` ("add to calendar", :mod:`.calendar_ics`) attached. Only paid orders get it. Sent once per order — the marker
  ``order:<id>:confirmation`` (:func:`voelgoed.services.platform.mail.mark_sent`, committed right after SMTP
  accepted the message, together with the audit ``order.confirmation_sent``) — or, with ``force``
  (resend), once per ``request_key`` (marker ``order:<id>:resend:<key>``; the outbox passes its entry id).
  SMTP failures raise, so the outbox retries. At-least-once: a crash between SMTP's answer and the
  marker's commit sends the message again on the retry.
"""

from __future__ import annotations

import logging
import uuid

from sqlmodel import select

from voelgoed.models import Order, OrderStatus, Organization, Ticket, TicketStatus
from voelgoed.services.accounts import absolute_logo_url, brand_of
from voelgoed.services.platform import as_uuid, audit, format_money, mail, order_page_url, session_scope
from voelgoed.services.platform.email_templates import render
from voelgoed.services.tickets import calendar_ics, documents

log = logging.getLogger(__name__)


def _tickets(session, order_id: uuid.UUID) -> list[Ticket]:
    return list(session.exec(select(Ticket).where(Ticket.order_id == order_id)
                             .order_by(Ticket.order_item_id, Ticket.position)))


def render_ticket_pdfs(order_id) -> int:
    """Render missing/outdated ticket PDFs of the order; commits ``pdf_path``. Returns the count."""
    oid = as_uuid(order_id)
    if oid is None:
        return 0
    with session_scope() as session:
        order = session.get(Order, oid)
        if order is None:
            return 0
        stale = [t for t in _tickets(session, oid) if not documents.is_current(t)]
        if not stale:
            return 0
        for ticket, doc in zip(stale, documents.ticket_documents(session, order, stale), strict=True):
            documents.store_ticket_pdf(session, ticket, doc)
        session.commit()
        log.info("rendered %d ticket PDF(s) for order %s", len(stale), order.order_code)
        return len(stale)


def confirmation_context(session, order: Order) -> dict:
    """Template variables for the confirmation e-mail: per ticket ``{ticket_type, ticket_code, status, seat}``
    (``seat``: ``Section Stalls · Row A · Seat 4``, "" for general admission); ``brand``: the organisation's
    colours, logo URL and sender name (:func:`voelgoed.services.accounts.brand_of`)."""
    docs = documents.ticket_documents(session, order)
    first = docs[0] if docs else None
    org = session.get(Organization, order.organization_id)
    return {
        "brand": {**brand_of(org), "logo_url": absolute_logo_url(org) if org else ""},
        "buyer_name": order.buyer_name, "order_code": order.order_code,
        "event_name": first.event_name if first else "", "starts_local": first.starts_local if first else "",
        "timezone": first.timezone if first else "", "venue_name": first.venue_name if first else "",
        "venue_address": first.venue_address if first else "", "organiser": first.organiser if first else "",
        "tickets": [{"ticket_type": d.ticket_type, "ticket_code": d.ticket_code, "status": d.status,
                     "seat": d.seat_label} for d in docs],
        "total": format_money(order.total_cents, order.currency), "order_url": order_page_url(order),
    }


def confirmation_key(order_id, *, force: bool = False, request_key: str | None = None) -> str | None:
    """The sent-marker key of a confirmation: per order, or per resend request (None: a forced send
    without a request key is not de-duplicated)."""
    if not force:
        return f"order:{order_id}:confirmation"
    return f"order:{order_id}:resend:{request_key}" if request_key else None


def send_order_confirmation(order_id, force: bool = False, request_key: str | None = None) -> bool:
    """Send the order confirmation with the ticket PDFs; returns True when a message went out."""
    oid = as_uuid(order_id)
    if oid is None:
        return False
    render_ticket_pdfs(oid)
    key = confirmation_key(oid, force=force, request_key=request_key)
    with session_scope() as session:
        order = session.get(Order, oid)
        if order is None or order.status != OrderStatus.paid.value:
            return False
        if key is not None and mail.already_sent(session, key):
            return False
        tickets = _tickets(session, oid)
        if not tickets:
            return False
        context = confirmation_context(session, order)
        attachments = []
        for t in tickets:
            if t.status == TicketStatus.voided.value or not documents.is_current(t):
                continue
            attachments.append((f"ticket-{order.order_code}-{t.ticket_code}.pdf",
                                documents.media_path(t.pdf_path).read_bytes(), "application/pdf"))
        attachments.append((*calendar_ics.order_calendar(session, order), calendar_ics.MIME))  # "add to calendar"
        subject = f"Your tickets for {context['event_name']} · {order.order_code}"
        message_id = mail.send_email(order.buyer_email, subject,
                                     render("email/order_confirmation.txt", **context),
                                     render("email/order_confirmation.html", **context),
                                     attachments, message_id=mail.stable_message_id(key) if key else None,
                                     sender_name=context["brand"]["sender_name"])
        if key is not None:
            mail.mark_sent(session, key=key, organization_id=order.organization_id, to=order.buyer_email,
                           message_id=message_id)
        audit.record(session, None, "order.confirmation_sent", order,
                     {"to": order.buyer_email, "attachments": len(attachments), "message_id": message_id,
                      "resend": force})
        session.commit()
        return True
