"""Redis goes away and comes back: nothing is lost, and Redis is used again once it answers."""

from __future__ import annotations

import email
import time
from email import policy

import pytest
from sqlmodel import select

from tests.outbox_helpers import free_paid_order, free_port, set_env
from voelgoed.config import get_settings
from voelgoed.models import OutboxEntry, SentEmail, Ticket
from voelgoed.services.platform import outbox, queue, redis_conn
from voelgoed.services.tickets import documents


@pytest.fixture
def mail_dir(tmp_path):
    old = set_env({"MAIL_DIR": str(tmp_path / "mail"), "MEDIA_DIR": str(tmp_path / "media"), "SMTP_HOST": ""})
    yield tmp_path / "mail"
    set_env(old)


def test_redis_conn_recovers_after_redis_comes_back(private_redis):
    assert redis_conn.get_redis() is not None
    private_redis.stop()
    ran = []
    queue.enqueue(ran.append, "inline")  # the cached client fails: reported down, the job runs in-process
    assert ran == ["inline"]
    assert redis_conn.get_redis() is None  # not a permanent "available"
    private_redis.start()
    end = time.monotonic() + 10
    while redis_conn.get_redis() is None and time.monotonic() < end:  # not a permanent "unavailable"
        time.sleep(0.05)
    client = redis_conn.get_redis()
    assert client is not None and client.ping()
    job = queue.enqueue(ran.append, "queued")
    assert job is not None and ran == ["inline"]  # back on the real queue


def _assert_delivered(db, order, mail_dir):
    tix = db.exec(select(Ticket).where(Ticket.order_id == order.id).execution_options(populate_existing=True)).all()
    assert tix and all(documents.is_current(t) for t in tix)
    mails = [email.message_from_bytes(p.read_bytes(), policy=policy.default) for p in mail_dir.glob("*.eml")]
    assert [m["To"] for m in mails] == [order.buyer_email]
    assert db.exec(select(SentEmail).where(SentEmail.dedupe_key == f"order:{order.id}:confirmation")).one()
    assert {e.status for e in db.exec(select(OutboxEntry).execution_options(populate_existing=True))} == {"done"}


def test_paid_order_still_gets_pdfs_and_one_email_when_redis_dies_before_the_enqueue(db, private_redis, mail_dir):
    assert redis_conn.get_redis() is not None  # the web process believes Redis is up…
    private_redis.stop()  # …and it dies just before the after-commit nudge
    event, tt, order = free_paid_order(db, quantity=2)  # must not raise: the order is paid either way
    assert order.status == "paid"
    outbox.drain_outbox()  # the next drain (here: already done in-process by the failed nudge)
    _assert_delivered(db, order, mail_dir)
    assert outbox.drain_outbox() == {"done": 0, "retried": 0, "dead": 0}
    assert len(list(mail_dir.glob("*.eml"))) == 1


def test_paid_order_with_redis_url_on_a_closed_port_is_drained_by_the_web_process(db, monkeypatch, mail_dir):
    monkeypatch.setattr(get_settings(), "redis_url", f"redis://127.0.0.1:{free_port()}/0")
    redis_conn.reset()
    try:
        event, tt, order = free_paid_order(db, quantity=1)
        _assert_delivered(db, order, mail_dir)  # no worker can exist: the web process drained after commit
    finally:
        redis_conn.reset()
