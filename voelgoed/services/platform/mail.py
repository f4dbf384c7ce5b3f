"""Outgoing e-mail: stdlib ``email`` + ``smtplib``.

``send_email(to, subject, text, html=None, attachments=()) -> str`` builds a MIME message
(RFC 5322; ``multipart/alternative`` text + HTML, attachments as ``multipart/mixed``) and:

- with ``SMTP_HOST`` set: delivers it over SMTP (``SMTP_PORT``, optional ``SMTP_STARTTLS`` and
  ``SMTP_USER``/``SMTP_PASSWORD`` login), 30 s timeout; network errors propagate so the RQ job retries;
- with ``SMTP_HOST`` empty (the embedded default): writes ``<MAIL_DIR>/<timestamp>-<id>.eml`` and logs it.

Returns the ``Message-ID``. ``attachments`` is an iterable of ``(filename, bytes, mime_type)``.
"""

from __future__ import annotations

import logging
import smtplib
import uuid
from collections.abc import Iterable
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from voelgoed.config import get_settings
from voelgoed.services.platform import clock

log = logging.getLogger(__name__)

Attachment = tuple[str, bytes, str]


def build_message(to: str, subject: str, text: str, html: str | None = None,
                  attachments: Iterable[Attachment] = ()) -> EmailMessage:
    """The MIME message (From = ``MAIL_FROM``); header injection is impossible (EmailMessage rejects CR/LF)."""
    settings = get_settings()
    msg = EmailMessage()
    msg["From"] = settings.mail_from
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain="voelgoed.local")
    msg.set_content(text)
    if html:
        msg.add_alternative(html, subtype="html")
    for filename, data, mime in attachments:
        maintype, _, subtype = (mime or "application/octet-stream").partition("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype or "octet-stream", filename=filename)
    return msg


def send_email(to: str, subject: str, text: str, html: str | None = None,
               attachments: Iterable[Attachment] = ()) -> str:
    """Send (or, without SMTP_HOST, file) one message; returns its Message-ID."""
    settings = get_settings()
    msg = build_message(to, subject, text, html, attachments)
    if not settings.smtp_host:
        folder = settings.effective_mail_dir
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{clock.utcnow():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}.eml"
        path.write_bytes(msg.as_bytes())
        log.info("mail to %s (%s) written to %s", to, subject, path)
        return msg["Message-ID"]
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password)
        smtp.send_message(msg)
    log.info("mail to %s (%s) sent via %s:%s", to, subject, settings.smtp_host, settings.smtp_port)
    return msg["Message-ID"]
