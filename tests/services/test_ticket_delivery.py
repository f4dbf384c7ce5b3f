"""Ticket PDFs and the confirmation e-mail, end to end through a real SMTP server (aiosmtpd).

The message the job sends is parsed, its PDF attachment rendered with pypdfium2, the QR decoded with
zxing-cpp and the decoded string verified against the event's public key.
"""

from __future__ import annotations

import email
import os
import socket
from email import policy

import pypdfium2 as pdfium
import pytest
import zxingcpp
from aiosmtpd.controller import Controller
from sqlmodel import select

from tests.ticket_factories import make_paid_order_setup
from voelgoed.config import get_settings
from voelgoed.models import AuditLog
from voelgoed.services.platform import Actor, TenantContext
from voelgoed.services.tickets import documents, ticket_identity, ticket_jobs, tickets


class _Inbox:
    def __init__(self):
        self.messages: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd hook name
        self.messages.append((list(envelope.rcpt_tos), envelope.original_content or envelope.content))
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _set_env(values: dict[str, str | None]) -> dict[str, str | None]:
    old = {k: os.environ.get(k) for k in values}
    for k, v in values.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v
    get_settings.cache_clear()
    return old


@pytest.fixture
def media(tmp_path):
    old = _set_env({"MEDIA_DIR": str(tmp_path / "media"), "MAIL_DIR": str(tmp_path / "mail")})
    yield tmp_path
    _set_env(old)


@pytest.fixture
def smtp_inbox(media):
    inbox = _Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    old = _set_env({"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(port)})
    try:
        yield inbox
    finally:
        _set_env(old)
        controller.stop()


def decode_qr_texts(pdf_bytes: bytes) -> list[str]:
    pdf = pdfium.PdfDocument(pdf_bytes)
    texts = []
    for page in pdf:
        image = page.render(scale=2).to_pil()
        texts.extend(r.text for r in zxingcpp.read_barcodes(image))
    return texts


def test_confirmation_email_carries_scannable_signed_pdfs(db, redis_client, smtp_inbox):
    org, event, tt, order = make_paid_order_setup(db, quantity=2)
    issued = tickets.issue_for_order(db, order)
    db.commit()

    assert ticket_jobs.send_order_confirmation(str(order.id)) is True
    assert ticket_jobs.send_order_confirmation(str(order.id)) is False  # idempotent: sent once

    assert len(smtp_inbox.messages) == 1
    rcpts, raw = smtp_inbox.messages[0]
    assert rcpts == [order.buyer_email]
    msg = email.message_from_bytes(raw, policy=policy.default)
    assert order.order_code in msg["Subject"] and event.name in msg["Subject"]
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    assert f"/orders/{order.order_code}?token={order.access_token}" in text
    assert all(t.ticket_code in html for t in issued)
    pdfs = [part for part in msg.iter_attachments() if part.get_content_type() == "application/pdf"]
    assert len(pdfs) == 2

    keys = ticket_identity.public_key_map(db, event.id)
    decoded_ids = set()
    for part in pdfs:
        texts = decode_qr_texts(part.get_content())
        assert len(texts) == 1
        verified = ticket_identity.verify(texts[0], keys)
        assert verified is not None and verified.event_id == event.id
        decoded_ids.add(verified.ticket_id)
    assert decoded_ids == {t.id for t in issued}
    assert db.exec(select(AuditLog).where(AuditLog.action == "order.confirmation_sent",
                                          AuditLog.target_id == str(order.id))).first() is not None


def test_resend_sends_again_and_buyer_resend_checks_token(db, redis_client, smtp_inbox):
    org, event, tt, order = make_paid_order_setup(db, quantity=1)
    tickets.issue_for_order(db, order)
    db.commit()
    ticket_jobs.send_order_confirmation(order.id)
    ctx = TenantContext(org.id, Actor("user", ""), "owner")
    tickets.resend_order_email(db, ctx, order_id=order.id)  # enqueued on RQ (no worker here): run the job
    assert ticket_jobs.send_order_confirmation(order.id, force=True) is True
    assert len(smtp_inbox.messages) == 2
    from voelgoed.services.platform import NotFound
    with pytest.raises(NotFound):
        tickets.resend_order_email_for_buyer(db, order_code=order.order_code, access_token="wrong")
    tickets.resend_order_email_for_buyer(db, order_code=order.order_code, access_token=order.access_token)


def test_without_smtp_host_the_mail_is_written_as_eml(db, redis_client, media):
    assert get_settings().smtp_host == ""
    org, event, tt, order = make_paid_order_setup(db, quantity=1)
    tickets.issue_for_order(db, order)
    db.commit()
    assert ticket_jobs.send_order_confirmation(order.id) is True
    files = list((media / "mail").glob("*.eml"))
    assert len(files) == 1
    msg = email.message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert msg["To"] == order.buyer_email
    assert len([p for p in msg.iter_attachments() if p.get_content_type() == "application/pdf"]) == 1


def test_pdf_is_regenerated_when_the_ticket_version_changes(db, redis_client, media):
    org, event, tt, order = make_paid_order_setup(db, quantity=1)
    (ticket,) = tickets.issue_for_order(db, order)
    db.commit()
    assert ticket_jobs.render_ticket_pdfs(order.id) == 1
    assert ticket_jobs.render_ticket_pdfs(order.id) == 0  # idempotent
    first_path = ticket.pdf_path
    assert documents.media_path(first_path).is_file()
    ctx = TenantContext(org.id, Actor("user", ""), "owner")
    tickets.void_ticket(db, ctx, ticket_id=ticket.id, reason="Duplicate purchase")
    assert ticket_jobs.render_ticket_pdfs(order.id) == 1
    assert ticket.pdf_path != first_path and ticket.pdf_path.endswith("-v2.pdf")
    # the voided ticket is not attached to a resend
    text = pdfium.PdfDocument(documents.media_path(ticket.pdf_path).read_bytes())[0].get_textpage().get_text_range()
    assert "VOID" in text


def test_jobs_ignore_unknown_or_garbage_ids(db, media):
    assert ticket_jobs.render_ticket_pdfs("not-a-uuid") == 0
    assert ticket_jobs.render_ticket_pdfs("00000000-0000-0000-0000-000000000000") == 0
    assert ticket_jobs.send_order_confirmation("nope") is False


def test_each_ticket_pdf_says_which_ticket_of_the_order_it_is(db, redis_client, media):
    org, event, tt, order = make_paid_order_setup(db, quantity=3)
    issued = tickets.issue_for_order(db, order)
    db.commit()
    assert ticket_jobs.render_ticket_pdfs(order.id) == 3
    labels = set()
    for ticket in issued:
        page = pdfium.PdfDocument(documents.media_path(ticket.pdf_path).read_bytes())[0]
        text = page.get_textpage().get_text_range()
        labels |= {label for label in ("TICKET 1 OF 3", "TICKET 2 OF 3", "TICKET 3 OF 3") if label in text}
    assert labels == {"TICKET 1 OF 3", "TICKET 2 OF 3", "TICKET 3 OF 3"}
