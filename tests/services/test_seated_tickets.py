"""Tickets carry the seat (issue 12, item 4): the PDF (text read back with pypdfium2, the VG2 QR decoded from
the page), the buyer order page, the public order API's tickets, the confirmation e-mail, one seat reference
(the event seat id) after a late-payment re-seat, a relabelled sold seat re-issuing its ticket, and
general-admission tickets unchanged."""

from __future__ import annotations

import email
from datetime import UTC, datetime, timedelta
from email import policy

import pypdfium2 as pdfium
import pytest
import zxingcpp
from sqlmodel import select

from tests.seated_factories import seated_event
from tests.seating_factories import block_layout
from tests.ticket_factories import make_paid_order_setup
from voelgoed.config import get_settings
from voelgoed.models import AuditLog, Event, EventSeat, OrderItem, OutboxEntry, SeatingPlanVersion, Ticket
from voelgoed.services import seating
from voelgoed.services.insights import exports
from voelgoed.services.sales import checkout, orders
from voelgoed.services.tickets import documents, ticket_identity, ticket_jobs, ticket_views, tickets


@pytest.fixture
def media(tmp_path, monkeypatch):
    monkeypatch.setenv("MEDIA_DIR", str(tmp_path / "media"))
    monkeypatch.setenv("MAIL_DIR", str(tmp_path / "mail"))
    monkeypatch.delenv("SMTP_HOST", raising=False)
    get_settings.cache_clear()
    yield tmp_path
    monkeypatch.undo()
    get_settings.cache_clear()


def buy(db, event, keys, *, now=None):
    """Hold ``keys``, check out and pay (sandbox reference) → the paid order."""
    hold = seating.hold_seats(db, event_slug=event.slug, seat_keys=keys, now=now)
    order = checkout.start_checkout(db, hold_id=hold["hold_token"], buyer_name="Sipho Dube", buyer_email="sipho@example.co.za",
                                    now=now)
    pay = checkout.payment_for_order(db, order)
    orders.mark_paid(db, reference=pay.reference, amount_cents=order.total_cents, currency="ZAR", provider="sandbox")
    db.refresh(order)
    assert order.status == "paid"
    return order


def pdf_text(pdf_bytes: bytes) -> str:
    return pdfium.PdfDocument(pdf_bytes)[0].get_textpage().get_text_range()


def test_pdf_shows_section_row_and_seat_and_its_qr_is_the_signed_seat(db, media):
    event, _, _ = seated_event(db, rows=(("A", 6), ("B", 6)))
    order = buy(db, event, ["B-3"])
    docs = documents.ticket_documents(db, order)
    assert [(d.seat.section, d.seat.row, d.seat.seat) for d in docs] == [("Stalls", "B", "3")]
    assert docs[0].seat_label == "Section Stalls · Row B · Seat 3"
    pdf = documents.render_pdf(docs)
    text = pdf_text(pdf)
    for expected in ("SECTION", "Stalls", "ROW", "SEAT", "B", "3", docs[0].ticket_code):
        assert expected in text
    (found,) = zxingcpp.read_barcodes(pdfium.PdfDocument(pdf)[0].render(scale=2).to_pil())
    verified = ticket_identity.verify(found.text, ticket_identity.public_key_map(db, event.id))
    assert found.text.startswith("VG2:") and verified.seat.label == "Section Stalls · Row B · Seat 3"


def test_buyer_order_page_and_public_order_api_carry_the_seat(db):
    event, _, _ = seated_event(db, rows=(("A", 6),))
    order = buy(db, event, ["A-2", "A-3"])
    page = ticket_views.buyer_order_page(db, order_code=order.order_code, access_token=order.access_token)
    assert sorted((t["seat_section"], t["seat_row"], t["seat_number"]) for t in page["tickets"]) == [
        ("Stalls", "A", "2"), ("Stalls", "A", "3")]
    assert {t["seat_label"] for t in page["tickets"]} == {"Section Stalls · Row A · Seat 2", "Section Stalls · Row A · Seat 3"}
    listed = ticket_views.public_ticket_list(db, order)
    assert sorted(t["seat"]["seat"] for t in listed) == ["2", "3"]
    assert listed[0]["seat"] == {"section": "Stalls", "row": "A", "seat": listed[0]["seat"]["seat"],
                                 "label": f"Section Stalls · Row A · Seat {listed[0]['seat']['seat']}"}
    assert all(t["qr_payload"].startswith("VG2:") for t in listed)


def test_confirmation_email_lists_each_tickets_seat(db, media):
    event, _, _ = seated_event(db, rows=(("A", 6),))
    order = buy(db, event, ["A-5"])
    context = ticket_jobs.confirmation_context(db, order)
    assert [t["seat"] for t in context["tickets"]] == ["Section Stalls · Row A · Seat 5"]
    db.commit()
    assert ticket_jobs.send_order_confirmation(order.id) is True
    (path,) = (media / "mail").glob("*.eml")
    msg = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    assert "Section Stalls · Row A · Seat 5" in msg.get_body(("plain",)).get_content()
    assert "Section Stalls · Row A · Seat 5" in msg.get_body(("html",)).get_content()
    (pdf,) = [p for p in msg.iter_attachments() if p.get_content_type() == "application/pdf"]
    assert "Stalls" in pdf_text(pdf.get_content())


def test_a_re_seated_late_payment_shows_and_signs_the_new_seat(db):
    event, _, _ = seated_event(db, rows=(("A", 3),))
    past = datetime.now(UTC) - timedelta(seconds=get_settings().hold_ttl_seconds + 60)
    hold = seating.hold_seats(db, event_slug=event.slug, seat_keys=["A-2"], now=past)
    late = checkout.start_checkout(db, hold_id=hold["hold_token"], buyer_name="Late", buyer_email="late@example.co.za", now=past)
    late_pay = checkout.payment_for_order(db, late)
    buy(db, event, ["A-2"])  # someone else takes the lapsed seat
    orders.mark_paid(db, reference=late_pay.reference, amount_cents=20000, currency="ZAR", provider="sandbox")
    item = db.exec(select(OrderItem).where(OrderItem.order_id == late.id)).one()
    ticket = db.exec(select(Ticket).where(Ticket.order_id == late.id)).one()
    seat = db.get(EventSeat, item.seat_id)
    assert ticket.seat_id == seat.id and seat.seat_key != "A-2"
    (doc,) = documents.ticket_documents(db, late)
    assert doc.seat.seat == seat.seat_label
    assert ticket_identity.verify(ticket.qr_payload, ticket_identity.public_key_map(db, event.id)).seat.seat == seat.seat_label


def test_general_admission_tickets_have_no_seat_anywhere(db):
    _org, _event, _tt, order = make_paid_order_setup(db, quantity=1)
    (ticket,) = tickets.issue_for_order(db, order)
    assert ticket.seat_id is None and ticket.qr_payload.startswith("VG1:")
    (doc,) = documents.ticket_documents(db, order)
    assert doc.seat is None and doc.seat_label == ""
    assert "SECTION" not in pdf_text(documents.render_pdf([doc]))
    page = ticket_views.buyer_order_page(db, order_code=order.order_code, access_token=order.access_token)
    assert page["tickets"][0]["seat_label"] == "" and page["tickets"][0]["seat_section"] == ""
    assert ticket_views.public_ticket_list(db, order)[0]["seat"] is None
    assert ticket_jobs.confirmation_context(db, order)["tickets"][0]["seat"] == ""


def test_a_version_that_relabels_a_sold_seat_reissues_its_ticket(db):
    event, ctx, _ = seated_event(db, rows=(("A", 4),))
    order = buy(db, event, ["A-2"])
    ticket = db.exec(select(Ticket).where(Ticket.order_id == order.id)).one()
    old_qr, old_version = ticket.qr_payload, ticket.version
    doc = block_layout((("A", 4),), section="Balcony")  # same seat keys, new section label
    plan_id = db.get(SeatingPlanVersion, db.get(Event, event.id).seating_plan_version_id).plan_id
    seating.save_draft(db, ctx, plan_id, doc)
    v2 = seating.publish(db, ctx, plan_id)["version"]
    seating.attach_version(db, ctx, event.id, v2["id"])
    db.expire_all()
    ticket = db.get(Ticket, ticket.id)
    keys = ticket_identity.public_key_map(db, event.id)
    assert ticket.version == old_version + 1 and ticket.qr_payload != old_qr
    assert ticket_identity.verify(ticket.qr_payload, keys).seat.label == "Section Balcony · Row A · Seat 2"
    assert ticket_identity.verify(old_qr, keys).seat.section == "Stalls"  # the old code still verifies
    assert db.exec(select(OutboxEntry).where(OutboxEntry.topic == "ticket.reissued")).first().payload["ticket_id"] == str(ticket.id)
    assert db.exec(select(AuditLog).where(AuditLog.action == "ticket.seat_relabelled")).one().target_id == str(ticket.id)
    (doc_view,) = documents.ticket_documents(db, order)
    assert doc_view.seat_label == "Section Balcony · Row A · Seat 2"


def test_the_ticket_export_has_section_row_and_seat_columns(db):
    event, _ctx, _ = seated_event(db, rows=(("A", 4),))
    order = buy(db, event, ["A-3"])
    header, *rows = list(exports.iter_rows(db, "tickets", event))
    assert header[-3:] == ("section", "row", "seat")
    (row,) = rows
    assert row[0] == db.exec(select(Ticket).where(Ticket.order_id == order.id)).one().ticket_code
    assert row[-3:] == ("Stalls", "A", "3")
