"""E-mail addresses never reach the logs in full.

- ``mask_email(address) -> str``: ``"thandi@example.com"`` → ``"t***@example.com"`` (first character
  of the local part, the domain kept for support); ``""`` → ``""``; text without ``@`` → ``"***"``.
- ``mask_emails(text) -> str``: every address-looking substring of ``text`` masked the same way.
- ``install_log_masking()``: wraps the logging record factory (once per process) so that any record
  whose message contains an address, ours or a library's (RQ job descriptions, SMTP errors), is
  stored with the addresses masked. The web app factory, the CLI and the worker call it.

Use ``mask_email`` wherever code logs an address on purpose; the record factory is the safety net.
"""

from __future__ import annotations

import logging
import re

_EMAIL_RE = re.compile(r"([A-Za-z0-9._%+\-']+)@([A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9\-]+)+)")
_installed = False


def mask_email(address: str | None) -> str:
    """``t***@example.com`` for ``thandi@example.com`` (see module doc)."""
    if not address:
        return ""
    local, at, domain = str(address).strip().rpartition("@")
    if not at:
        return "***"
    return f"{local[:1]}***@{domain}"


def mask_emails(text: str) -> str:
    """``text`` with every e-mail address in it masked."""
    return _EMAIL_RE.sub(lambda m: f"{m.group(1)[:1]}***@{m.group(2)}", text)


def install_log_masking() -> None:
    """Mask addresses in every log record created from now on in this process (idempotent)."""
    global _installed
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args, **kwargs):
        record = previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a bad format string stays the logging module's problem
            return record
        if "@" in message:
            masked = mask_emails(message)
            if masked != message:
                record.msg, record.args = masked, None
        return record

    logging.setLogRecordFactory(factory)
    _installed = True
