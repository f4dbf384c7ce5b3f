"""HTML e-mails go through the autoescaping template environment (issue 9 item 9f)."""

from __future__ import annotations

from email import message_from_bytes

from rq import SimpleWorker

from tests.factories import make_org, make_user
from voelgoed.config import get_settings
from voelgoed.services.accounts import members
from voelgoed.services.platform import Actor, TenantContext, email_templates, queue

EVIL = '<script>alert("x")</script>'


def _html_part(path) -> str:
    msg = message_from_bytes(path.read_bytes())
    html = [p for p in msg.walk() if p.get_content_type() == "text/html"]
    assert len(html) == 1
    return html[0].get_payload(decode=True).decode()


def test_invitation_email_escapes_names(db, redis_client, tmp_path, monkeypatch):
    monkeypatch.setattr(get_settings(), "mail_dir", tmp_path)
    monkeypatch.setattr(get_settings(), "smtp_host", "")
    org = make_org(db, name=f"Org {EVIL}")
    owner = make_user(db, org=org)
    owner.full_name = f"Mallory {EVIL}"
    db.flush()
    ctx = TenantContext(organization_id=org.id, actor=Actor("user", str(owner.id)), role="owner")
    members.invite_member(db, ctx, email="new@example.com", role="staff")
    q = queue.get_queue()
    SimpleWorker([q], connection=q.connection).work(burst=True)
    [mail] = list(tmp_path.rglob("*.eml"))
    html = _html_part(mail)
    assert "<script>" not in html
    assert "&lt;script&gt;" in html and "Mallory" in html


def test_every_html_template_autoescapes():
    html_names = email_templates.environment.list_templates(filter_func=lambda n: n.endswith(".html"))
    assert "email/invitation.html" in html_names
    assert all(email_templates.environment.autoescape(name) for name in html_names)
    rendered = email_templates.render("email/invitation.html", who=EVIL, org_name=EVIL, role=EVIL, link="https://x/?a=1&b=2")
    assert "<script>" not in rendered and rendered.count("&lt;script&gt;") == 4 and "a=1&amp;b=2" in rendered
    plain = email_templates.render("email/invitation.txt", who=EVIL, org_name="O", role="staff", link="l")
    assert EVIL in plain  # text/plain bodies are not HTML and stay verbatim
    html = email_templates.render("email/order_confirmation.html", buyer_name=EVIL, order_code="VG-1", event_name=EVIL,
                                  starts_local="", timezone="", venue_name="", venue_address="", organiser=EVIL,
                                  tickets=[], total="R0", order_url="/o")
    assert "<script>" not in html and "&lt;script&gt;" in html
