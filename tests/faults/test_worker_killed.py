"""A real worker (`python -m voelgoed worker`) SIGKILLed while it drains the outbox: after a restart every
paid order has its ticket PDFs and exactly one confirmation e-mail (real SMTP server: aiosmtpd)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
from aiosmtpd.controller import Controller
from sqlmodel import select

from tests.conftest import TEST_DATABASE_URL, TEST_REDIS_URL
from tests.factories import make_event, make_org, make_ticket_type
from tests.outbox_helpers import free_paid_order, free_port
from voelgoed.models import OutboxEntry, SentEmail, Ticket

ROOT = Path(__file__).resolve().parents[2]
ORDERS = 5


class _StallingInbox:
    """Accepts messages, except that the 3rd one stalls until released and is then refused (451): the
    worker dies in the middle of that SMTP conversation, so that message was never delivered."""

    def __init__(self):
        self.delivered: list[str] = []
        self.stalled = threading.Event()
        self.release = threading.Event()
        self.seen = 0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd hook name
        import asyncio

        self.seen += 1
        if self.seen == 3:
            self.stalled.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
            return "451 try again later"
        self.delivered.extend(envelope.rcpt_tos)
        return "250 OK"


def _wait_for(predicate, deadline_s=90) -> bool:
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def _kill_tree(pid: int) -> None:
    """SIGKILL a process and every descendant. Not ``killpg`` alone: RQ's work horse (the process in the SMTP
    conversation) leaves the worker's process group (``os.setpgrp`` in ``fork_work_horse``), so it would live on."""
    procs = [psutil.Process(pid)]
    procs += procs[0].children(recursive=True)
    os.killpg(pid, signal.SIGKILL)
    for p in procs:
        try:
            p.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(procs, timeout=30)


def _start_worker(env, log_path):
    log = open(log_path, "a")
    return subprocess.Popen([sys.executable, "-m", "voelgoed", "worker"], cwd=ROOT, env=env, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True), log


def test_worker_killed_mid_drain_loses_nothing_and_sends_each_email_once(committed_db, redis_client, tmp_path):
    org = make_org(committed_db)
    event = make_event(committed_db, org)
    tt = make_ticket_type(committed_db, event, price_cents=0, quantity=50)
    committed_db.commit()
    orders = [free_paid_order(committed_db, event=event, tt=tt, email=f"buyer{i}@example.com")[2] for i in range(ORDERS)]
    # no worker yet: the nudges wait on the queue; every order's side effects are outbox rows
    assert len(committed_db.exec(select(OutboxEntry)).all()) == ORDERS

    inbox = _StallingInbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    env = dict(os.environ, DATABASE_URL=TEST_DATABASE_URL, REDIS_URL=TEST_REDIS_URL, PYTHONPATH=str(ROOT),
               SMTP_HOST="127.0.0.1", SMTP_PORT=str(port), MEDIA_DIR=str(tmp_path / "media"),
               OUTBOX_LEASE_SECONDS="3", HOUSEKEEPING_INTERVAL_SECONDS="1")
    log_path = tmp_path / "worker.log"
    worker, log = _start_worker(env, log_path)
    try:
        assert inbox.stalled.wait(90), log_path.read_text()[-3000:]
        _kill_tree(worker.pid)  # worker, work horse and cron child, mid-SMTP
        worker.wait(timeout=30)
        log.close()
        inbox.release.set()
        assert len(inbox.delivered) == 2

        def all_sent():
            committed_db.expire_all()
            return len(committed_db.exec(select(SentEmail)).all()) == ORDERS and all(
                e.status == "done" for e in committed_db.exec(select(OutboxEntry)).all())

        worker, log = _start_worker(env, log_path)  # the restarted worker's cron drains what was claimed
        assert _wait_for(all_sent), log_path.read_text()[-3000:]
        assert sorted(inbox.delivered) == sorted(o.buyer_email for o in orders)  # exactly one each
        tix = committed_db.exec(select(Ticket)).all()
        assert len(tix) == ORDERS and all(t.pdf_path for t in tix)
        assert max(e.attempts for e in committed_db.exec(select(OutboxEntry)).all()) >= 2  # one was re-run
    finally:
        inbox.release.set()
        try:
            os.killpg(worker.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        worker.wait(timeout=30)
        log.close()
        controller.stop()
