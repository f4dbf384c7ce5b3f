"""The outbox: rows written in the change's transaction, backoff then dead-letter, the ops view, markers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from tests.factories import make_org, make_user
from tests.outbox_helpers import set_env
from tests.services.test_tenancy import ctx_of
from tests.ticket_factories import make_paid_order_setup
from voelgoed.config import get_settings
from voelgoed.models import AuditLog, OutboxEntry, SentEmail, Ticket
from voelgoed.services.accounts import members
from voelgoed.services.platform import NotFound, VoelgoedError, clock, outbox
from voelgoed.services.tickets import tickets


@pytest.fixture
def mail_dir(tmp_path):
    old = set_env({"MAIL_DIR": str(tmp_path / "mail"), "MEDIA_DIR": str(tmp_path / "media"), "SMTP_HOST": ""})
    yield tmp_path / "mail"
    set_env(old)


def _entries(db, topic=None):
    q = select(OutboxEntry)
    if topic:
        q = q.where(OutboxEntry.topic == topic)
    return db.exec(q.execution_options(populate_existing=True)).all()


def test_outbox_row_is_part_of_the_change_transaction(db, mail_dir):
    org, event, tt, order = make_paid_order_setup(db, quantity=2)
    db.commit()
    tickets.issue_for_order(db, order)
    db.rollback()  # the change is rolled back: no tickets, and no side effect left behind
    assert db.exec(select(Ticket).where(Ticket.order_id == order.id)).all() == []
    assert _entries(db, "order.paid") == []
    tickets.issue_for_order(db, order)
    db.commit()
    (entry,) = _entries(db, "order.paid")
    assert entry.payload == {"order_id": str(order.id), "event_id": str(event.id)}
    assert entry.organization_id == org.id and entry.status == "pending"
    tickets.issue_for_order(db, order)  # idempotent re-issue adds no second entry
    db.commit()
    assert len(_entries(db, "order.paid")) == 1
    # a void that fails (already void) writes nothing either
    ticket = db.exec(select(Ticket).where(Ticket.order_id == order.id)).first()
    ctx = ctx_of(db, make_user(db, org=org), org)
    tickets.void_ticket(db, ctx, ticket_id=ticket.id)
    with pytest.raises(VoelgoedError):
        tickets.void_ticket(db, ctx, ticket_id=ticket.id)
    assert len(_entries(db, "ticket.voided")) == 1


def test_failing_handler_backs_off_then_is_dead_lettered_and_can_be_retried(db, monkeypatch):
    calls = []

    def flaky(entry):
        calls.append(entry.attempt)
        raise ConnectionRefusedError("smtp down\nsecond line never stored")

    monkeypatch.setitem(outbox._handlers, "test.flaky", flaky)
    monkeypatch.setattr(get_settings(), "outbox_max_attempts", 3)
    org = make_org(db)
    other = make_org(db)
    entry = outbox.add_entry(db, topic="test.flaky", payload={"x": 1}, organization_id=org.id)
    db.commit()
    now = clock.utcnow()

    assert outbox.drain_outbox(now=now) == {"done": 0, "retried": 1, "dead": 0}
    db.refresh(entry)
    delay = (clock.aware(entry.next_attempt_at) - now).total_seconds()
    assert 5 <= delay <= 10 and entry.attempts == 1 and entry.status == "pending"
    assert entry.last_error == "ConnectionRefusedError: smtp down"
    assert outbox.drain_outbox(now=now + timedelta(seconds=4)) == {"done": 0, "retried": 0, "dead": 0}  # not due yet

    later = now + timedelta(seconds=11)
    assert outbox.drain_outbox(now=later)["retried"] == 1
    db.refresh(entry)
    assert 10 <= (clock.aware(entry.next_attempt_at) - later).total_seconds() <= 20  # doubled

    assert outbox.drain_outbox(now=later + timedelta(seconds=21)) == {"done": 0, "retried": 0, "dead": 1}
    db.refresh(entry)
    assert entry.status == "dead" and entry.attempts == 3 and calls == [1, 2, 3]
    assert outbox.drain_outbox(now=later + timedelta(days=1)) == {"done": 0, "retried": 0, "dead": 0}  # stays dead
    assert db.exec(select(AuditLog).where(AuditLog.action == "outbox.dead_lettered",
                                          AuditLog.target_id == str(entry.id))).first() is not None

    owner = make_user(db, org=org)
    ctx = ctx_of(db, owner, org)
    assert outbox.dead_count(db, ctx) == 1
    view = outbox.ops_overview(db, ctx)
    assert view["dead_count"] == 1 and view["can_retry"] and view["entries"][0]["topic"] == "test.flaky"
    assert [e["id"] for e in outbox.dead_entries(db, ctx)] == [str(entry.id)]
    other_ctx = ctx_of(db, make_user(db, org=other), other)
    assert outbox.dead_count(db, other_ctx) == 0 and outbox.dead_entries(db, other_ctx) == []
    with pytest.raises(NotFound):
        outbox.retry_entry(db, other_ctx, entry_id=entry.id)
    with pytest.raises(NotFound):
        outbox.retry_entry(db, ctx, entry_id="garbage")

    monkeypatch.setitem(outbox._handlers, "test.flaky", lambda e: calls.append("ok"))
    outbox.retry_entry(db, ctx, entry_id=entry.id)
    with pytest.raises(VoelgoedError) as exc:
        outbox.retry_entry(db, ctx, entry_id=entry.id)
    assert exc.value.code == "invalid_state"
    assert outbox.drain_outbox()["done"] >= 1
    db.refresh(entry)
    assert entry.status == "done" and calls[-1] == "ok" and outbox.dead_count(db, ctx) == 0


def test_claim_pushes_the_lease_so_a_second_drainer_skips_the_entry(db, monkeypatch):
    seen = []

    def nested(entry):  # while this entry runs, another drain finds nothing due
        seen.append(outbox.drain_outbox())

    monkeypatch.setitem(outbox._handlers, "test.nested", nested)
    org = make_org(db)
    outbox.add_entry(db, topic="test.nested", payload={}, organization_id=org.id)
    db.commit()
    assert outbox.drain_outbox()["done"] == 1
    assert seen == [{"done": 0, "retried": 0, "dead": 0}]


def test_unknown_topic_fails_and_is_not_lost(db):
    org = make_org(db)
    entry = outbox.add_entry(db, topic="nobody.listens", payload={}, organization_id=org.id)
    db.commit()
    assert outbox.drain_outbox()["retried"] == 1
    db.refresh(entry)
    assert entry.status == "pending" and "no handler" in entry.last_error


def test_invitation_email_is_not_sent_twice_when_the_entry_runs_again(db, mail_dir):
    org = make_org(db, name="Marker Org")
    owner = make_user(db, org=org)
    invitation, token = members.invite_member(db, ctx_of(db, owner, org), email="twice@example.com", role="staff")
    (entry,) = _entries(db, "invitation.created")
    assert entry.payload == {"invitation_id": str(invitation.id)}  # ids only: the token is not stored
    assert token not in str(entry.payload)
    outbox.drain_outbox()
    assert len(list(mail_dir.glob("*.eml"))) == 1
    assert token in list(mail_dir.glob("*.eml"))[0].read_text()
    # the drainer died after SMTP but before "done": the entry is due again and runs a second time
    db.refresh(entry)
    assert entry.status == "done"
    entry.status, entry.next_attempt_at = "pending", clock.utcnow()
    db.add(entry)
    db.commit()
    assert outbox.drain_outbox()["done"] == 1
    assert len(list(mail_dir.glob("*.eml"))) == 1
    assert db.exec(select(SentEmail).where(SentEmail.dedupe_key == f"invitation:{invitation.id}")).one()
    assert members.invitation_preview(db, token=token)["organization_name"] == "Marker Org"


def test_resend_sends_once_per_request(db, mail_dir):
    org, event, tt, order = make_paid_order_setup(db, quantity=1)
    tickets.issue_for_order(db, order)
    db.commit()
    outbox.drain_outbox()
    assert len(list(mail_dir.glob("*.eml"))) == 1
    ctx = ctx_of(db, make_user(db, org=org), org)
    tickets.resend_order_email(db, ctx, order_id=order.id)
    tickets.resend_order_email(db, ctx, order_id=order.id)
    assert outbox.drain_outbox()["done"] == 2
    assert len(list(mail_dir.glob("*.eml"))) == 3
    for e in _entries(db, "tickets.resend"):  # both requests run again (lost "done"): nothing more is sent
        e.status, e.next_attempt_at = "pending", clock.utcnow()
        db.add(e)
    db.commit()
    assert outbox.drain_outbox()["done"] == 2
    assert len(list(mail_dir.glob("*.eml"))) == 3
