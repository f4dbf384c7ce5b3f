"""Branded buyer e-mails through a real SMTP server (aiosmtpd): the organisation's sender name in ``From`` (the
deployment's address kept), its colours and logo in the HTML part; the platform look without branding."""

from __future__ import annotations

import email
from email import policy

from tests.branding_helpers import brand_org
from tests.services.test_ticket_delivery import media, smtp_inbox  # noqa: F401 - the real SMTP inbox fixtures
from tests.ticket_factories import make_paid_order_setup
from voelgoed.config import get_settings
from voelgoed.models import Organization
from voelgoed.services.platform import mail
from voelgoed.services.sales import refund_mail
from voelgoed.services.tickets import ticket_jobs, tickets


def _message(inbox, index: int = 0):
    return email.message_from_bytes(inbox.messages[index][1], policy=policy.default)


def test_the_confirmation_comes_from_the_sender_name_with_colours_and_logo(db, redis_client, smtp_inbox):  # noqa: F811
    org, event, tt, order = make_paid_order_setup(db, quantity=1)
    brand_org(db, org, primary="#0B6E4F", accent="#7A1FA2", sender="Jozi Live Tickets")
    tickets.issue_for_order(db, order)
    db.commit()
    assert ticket_jobs.send_order_confirmation(str(order.id)) is True

    msg = _message(smtp_inbox)
    sender = msg["From"].addresses[0]
    assert (sender.display_name, sender.addr_spec) == ("Jozi Live Tickets", "tickets@voelgoed.local")
    html = msg.get_body(("html",)).get_content()
    logo_sha = db.get(Organization, org.id).logo_sha
    assert "background:#0B6E4F;color:#FFFFFF" in html  # the header band, white text on it
    assert "background:#7A1FA2;color:#FFFFFF" in html  # the "View my tickets" button
    assert f'src="{get_settings().effective_base_url}/brand/{org.id}/logo.png?v={logo_sha[:12]}"' in html  # absolute


def test_the_cancellation_mail_carries_the_branding_too(db, redis_client, smtp_inbox):  # noqa: F811
    org, event, tt, order = make_paid_order_setup(db, quantity=1)
    brand_org(db, org, primary="#FFD60A", accent="#0B6E4F", sender="Jozi Live")
    db.commit()
    assert refund_mail.send_event_cancelled_email(str(order.id)) is True
    msg = _message(smtp_inbox)
    assert msg["From"].addresses[0].display_name == "Jozi Live"
    html = msg.get_body(("html",)).get_content()
    assert "background:#FFD60A;color:#1C2024" in html and 'class="brand-bar"' in html  # dark text on yellow


def test_without_a_sender_name_the_organisation_name_is_used_and_the_platform_colours(db, redis_client, smtp_inbox):  # noqa: F811
    org, event, tt, order = make_paid_order_setup(db, quantity=1)
    tickets.issue_for_order(db, order)
    db.commit()
    assert ticket_jobs.send_order_confirmation(str(order.id)) is True
    msg = _message(smtp_inbox)
    assert msg["From"].addresses[0].display_name == org.name
    html = msg.get_body(("html",)).get_content()
    assert "background:#1C2024;color:#FFFFFF" in html and "/brand/" not in html


def test_the_from_header_cannot_be_injected():
    header = mail.from_header('Evil\r\nBcc: victim@example.com "x"')
    msg = mail.build_message("a@example.com", "s", "t", sender_name='Evil\r\nBcc: victim@example.com "x"')
    assert "\n" not in str(header) and msg["Bcc"] is None
    assert msg["From"].addresses[0].addr_spec == "tickets@voelgoed.local"
