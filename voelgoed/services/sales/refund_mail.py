"""Buyer e-mails of refunds and event cancellations (outbox handlers' work: ids in, own session, once).

- ``send_refund_email(refund_id) -> bool``: "we refunded R…" for a ``processed`` refund
  (``templates/email/refund_processed.{txt,html}``), once per refund (marker ``refund:<id>``).
- ``send_event_cancelled_email(order_id, refund_cents=0) -> bool``: "the event is cancelled, your refund
  follows" (``templates/email/event_cancelled.{txt,html}``), once per order (marker
  ``event-cancelled:<order id>``).

SMTP failures raise, so the outbox retries; the marker is committed right after SMTP accepted the
message (at-least-once, as for the order confirmation).
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlmodel import select

from voelgoed.models import Event, Order, Organization, Refund, RefundStatus, Ticket, Venue
from voelgoed.services.accounts import absolute_logo_url, brand_of
from voelgoed.services.platform import as_uuid, audit, format_money, mail, order_page_url, session_scope
from voelgoed.services.platform.email_templates import render


def _names(session, order: Order) -> tuple[str, Event | None, str]:
    org = session.get(Organization, order.organization_id)
    event = session.get(Event, order.event_id)
    return (org.name if org else ""), event, (event.name if event else "")


def _brand(session, order: Order) -> dict:
    """The organisation's branding for the e-mail (colours, absolute logo URL, sender name)."""
    org = session.get(Organization, order.organization_id)
    return {**brand_of(org), "logo_url": absolute_logo_url(org) if org else ""}


def send_refund_email(refund_id) -> bool:
    """See the module docstring. Returns True when a message went out."""
    rid = as_uuid(refund_id)
    if rid is None:
        return False
    key = f"refund:{rid}"
    with session_scope() as session:
        refund = session.get(Refund, rid)
        if refund is None or refund.status != RefundStatus.processed.value or mail.already_sent(session, key):
            return False
        order = session.get(Order, refund.order_id)
        organiser, _event, event_name = _names(session, order)
        codes = dict(session.exec(select(Ticket.id, Ticket.ticket_code).where(Ticket.order_id == order.id)).all())
        context = {"buyer_name": order.buyer_name, "organiser": organiser or "The organiser", "event_name": event_name,
                   "order_code": order.order_code, "amount": format_money(refund.amount_cents, refund.currency),
                   "tickets": [codes.get(as_uuid(t), "") for t in refund.ticket_ids or []], "reason": refund.reason,
                   "order_url": order_page_url(order), "brand": _brand(session, order)}
        subject = f"Refund of {context['amount']} · {order.order_code}"
        message_id = mail.send_email(order.buyer_email, subject, render("email/refund_processed.txt", **context),
                                     render("email/refund_processed.html", **context),
                                     sender_name=context["brand"]["sender_name"])
        mail.mark_sent(session, key=key, organization_id=order.organization_id, to=order.buyer_email, message_id=message_id)
        audit.record(session, None, "refund.email_sent", order, {"refund_id": str(rid), "message_id": message_id})
        session.commit()
        return True


def send_event_cancelled_email(order_id, refund_cents: int = 0) -> bool:
    """See the module docstring. Returns True when a message went out."""
    oid = as_uuid(order_id)
    if oid is None:
        return False
    key = f"event-cancelled:{oid}"
    with session_scope() as session:
        order = session.get(Order, oid)
        if order is None or mail.already_sent(session, key):
            return False
        organiser, event, event_name = _names(session, order)
        venue = session.get(Venue, event.venue_id) if event else None
        starts = ""
        if event is not None:
            tz = ZoneInfo(venue.timezone if venue and venue.timezone else "Africa/Johannesburg")
            starts = event.starts_at.astimezone(tz).strftime("%d %b %Y, %H:%M")
        balance = int(refund_cents or 0)  # what was on the ledger when the event was cancelled
        context = {"buyer_name": order.buyer_name, "organiser": organiser or "The organiser", "event_name": event_name,
                   "starts_local": starts, "order_code": order.order_code, "refund": balance > 0,
                   "amount": format_money(balance, order.currency), "order_url": order_page_url(order),
                   "brand": _brand(session, order)}
        message_id = mail.send_email(order.buyer_email, f"Cancelled: {event_name} · {order.order_code}",
                                     render("email/event_cancelled.txt", **context),
                                     render("email/event_cancelled.html", **context),
                                     sender_name=context["brand"]["sender_name"])
        mail.mark_sent(session, key=key, organization_id=order.organization_id, to=order.buyer_email, message_id=message_id)
        audit.record(session, None, "event.cancellation_email_sent", order, {"message_id": message_id})
        session.commit()
        return True
