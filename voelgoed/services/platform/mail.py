"""Outgoing e-mail: stdlib ``email`` + ``smtplib``.

``send_email(to, subject, text, html=None, attachments=()) -> str`` builds a MIME message
(RFC 5322; ``multipart/alternative`` text + HTML, attachments as ``multipart/mixed``) and:

- with ``SMTP_HOST`` set: delivers it over SMTP (``SMTP_PORT``, optional ``SMTP_STARTTLS`` and
  ``SMTP_USER``/``SMTP_PASSWORD`` login), 30 s timeout; network errors propagate so the RQ job retries;
- with ``SMTP_HOST`` empty (the embedded default): writes ``<MAIL_DIR>/<timestamp>-<id>.eml`` and logs it.

Returns the ``Message-ID``. ``attachments`` is an iterable of ``(filename, bytes, mime_type)``.
``sender_name`` (an organisation's e-mail sender name, issue 15 branding) replaces the display name of
``MAIL_FROM``; the address stays ``MAIL_FROM``'s (SPF/DKIM stay the deployment's): ``Jozi Live <tickets@…>``.

``already_sent(session, key)`` / ``mark_sent(session, *, key, organization_id, to, message_id)``: the
sent-e-mail markers (table ``sentemail``, unique ``dedupe_key``) that jobs check before and write right
after sending, so a retried job does not send the same message twice.
"""

from __future__ import annotations

import hashlib
import logging
import smtplib
import uuid
from collections.abc import Iterable
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

from voelgoed.config import get_settings
from voelgoed.services.platform import clock
from voelgoed.services.platform.logmask import mask_email

log = logging.getLogger(__name__)

Attachment = tuple[str, bytes, str]


def stable_message_id(key: str) -> str:
    """A Message-ID derived from a sent-e-mail marker key (``order:<id>:confirmation`` …): a message sent
    again after a crash between SMTP's answer and the marker's commit carries the same Message-ID, so the
    receiving side can recognise the copy (RFC 5322 §3.6.4: one Message-ID per message)."""
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@voelgoed.local>"


def from_header(sender_name: str | None = None) -> str | Address:
    """``MAIL_FROM``, or its address under ``sender_name`` (quoted/encoded by :class:`~email.headerregistry.Address`;
    CR/LF are collapsed to spaces)."""
    mail_from = get_settings().mail_from
    name = " ".join(str(sender_name or "").split())
    if not name:
        return mail_from
    _old_name, address = parseaddr(mail_from)
    username, _, domain = address.partition("@")
    return Address(display_name=name, username=username, domain=domain) if username and domain else mail_from


def build_message(to: str, subject: str, text: str, html: str | None = None,
                  attachments: Iterable[Attachment] = (), message_id: str | None = None,
                  sender_name: str | None = None) -> EmailMessage:
    """The MIME message (From = ``MAIL_FROM``, under ``sender_name`` when given); header injection is impossible
    (EmailMessage rejects CR/LF). ``message_id``: a fixed Message-ID (see :func:`stable_message_id`); default a fresh one."""
    msg = EmailMessage()
    msg["From"] = from_header(sender_name)
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = message_id or make_msgid(domain="voelgoed.local")
    msg.set_content(text)
    if html:
        msg.add_alternative(html, subtype="html")
    for filename, data, mime in attachments:
        maintype, _, subtype = (mime or "application/octet-stream").partition("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype or "octet-stream", filename=filename)
    return msg


def send_email(to: str, subject: str, text: str, html: str | None = None,
               attachments: Iterable[Attachment] = (), message_id: str | None = None,
               sender_name: str | None = None) -> str:
    """Send (or, without SMTP_HOST, file) one message; returns its Message-ID."""
    settings = get_settings()
    msg = build_message(to, subject, text, html, attachments, message_id=message_id, sender_name=sender_name)
    if not settings.smtp_host:
        folder = settings.effective_mail_dir
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{clock.utcnow():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}.eml"
        path.write_bytes(msg.as_bytes())
        log.info("mail to %s (%s) written to %s", mask_email(to), subject, path)
        return msg["Message-ID"]
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password)
        smtp.send_message(msg)
    log.info("mail to %s (%s) sent via %s:%s", mask_email(to), subject, settings.smtp_host, settings.smtp_port)
    return msg["Message-ID"]


# --- sent-e-mail markers (so a retried job does not send twice) ---------------------------------

def already_sent(session, key: str) -> bool:
    """True when a :class:`~voelgoed.models.SentEmail` marker with ``dedupe_key == key`` exists."""
    from sqlmodel import select

    from voelgoed.models import SentEmail

    return session.exec(select(SentEmail.id).where(SentEmail.dedupe_key == key)).first() is not None


def mark_sent(session, *, key: str, organization_id, to: str, message_id: str) -> None:
    """Add the marker for ``key`` to the caller's transaction (write it right after SMTP accepted the
    message and commit at once). The remaining window is honest at-least-once: if the process dies
    between SMTP's ``250`` and this commit, the retry sends the message a second time."""
    from voelgoed.models import SentEmail

    session.add(SentEmail(organization_id=organization_id, dedupe_key=key[:160], to=to[:320],
                          message_id=(message_id or "")[:200], sent_at=clock.utcnow()))
