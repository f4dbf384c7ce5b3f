"""PostgreSQL restarted (``pg_ctl restart -m fast``) and every app connection terminated
(``pg_terminate_backend``) in the middle of a sale and in the middle of scanning — on a PRIVATE server,
against the real API process and a real worker, with clients that retry 503s as real clients do.

Afterwards: every paid order has its tickets and exactly one e-mail, nothing was sold twice and the
counters equal the rows; every scan a client got a 200 for is stored, every ``client_scan_id`` retried
after errors is stored exactly once, and each ticket was admitted once.
"""

from __future__ import annotations

import threading
import time

import pytest
from sqlmodel import select

from tests.factories import make_event, make_org, make_ticket_type
from tests.faults.clients import Record, buyer, offline_scanner, online_scanner
from tests.faults.proofs import assert_sale_consistent, assert_scans_kept, wait_until_delivered
from tests.faults.servers import AppStack
from tests.scan_factories import make_device, make_order_with_tickets
from voelgoed.models import Order

pytestmark = pytest.mark.faults


def _wait_progress(rec: Record, at: int, threads: list[threading.Thread], deadline_s: float = 60) -> None:
    end = time.monotonic() + deadline_s
    while rec.progress < at and any(t.is_alive() for t in threads) and time.monotonic() < end:
        time.sleep(0.05)


def _run(threads: list[threading.Thread]) -> None:
    for t in threads:
        t.start()


def _join(threads: list[threading.Thread]) -> None:
    for t in threads:
        t.join(timeout=150)
    assert not any(t.is_alive() for t in threads), "a client never finished"


@pytest.fixture
def stack(private_pg, private_redis, tmp_path):
    app = AppStack(tmp_path, database_url=private_pg.url, redis_url=private_redis.url)
    app.start()
    try:
        yield app
    finally:
        app.stop()


def test_postgres_restart_and_terminated_connections_during_a_sale(private_pg, private_pg_session, stack):
    s = private_pg_session
    org = make_org(s)
    event = make_event(s, org)
    tt = make_ticket_type(s, event, quantity=60, price_cents=15000, max_per_order=10)
    s.commit()
    rec, stop = Record(), threading.Event()
    threads = [threading.Thread(target=buyer, args=(stack.base, rec),
                                kwargs={"slug": event.slug, "tt_id": str(tt.id), "journeys": 10, "stop": stop, "seed": n})
               for n in range(6)]
    _run(threads)
    try:
        _wait_progress(rec, 6, threads)
        at_restart = rec.progress
        private_pg.restart()
        _wait_progress(rec, at_restart + 6, threads)
        at_terminate = rec.progress
        assert private_pg.terminate_app_connections() > 0
    finally:
        _join(threads)
    assert 0 < at_restart < at_terminate < rec.progress  # both faults hit the sale while buyers were buying
    assert rec.retries > 0  # the clients did see the outage (503 / broken connections) and retried
    wait_until_delivered(s, stack)
    sold = assert_sale_consistent(s, tt, rec, stack.mail_dir)
    assert sold > 0 and rec.sold_out > 0  # sold out under the faults, not one ticket more
    # the only way to pay is a buyer's Pay, retried until answered: paid in the database = told "paid"
    assert len(s.exec(select(Order).where(Order.status == "paid")).all()) == len(rec.paid)


def test_postgres_restart_and_terminated_connections_during_scanning(private_pg, private_pg_session, stack):
    s = private_pg_session
    org = make_org(s)
    from datetime import timedelta

    event = make_event(s, org, starts_in=timedelta(hours=-1))
    tt = make_ticket_type(s, event, name="General Admission", quantity=200)
    _order, tickets = make_order_with_tickets(s, tt, quantity=120)
    devices = [make_device(s, event, name=f"door {i}") for i in range(5)]
    s.commit()
    qrs = [t.qr_payload for t in tickets]
    online = {0: qrs[0:30], 1: qrs[25:55], 2: qrs[55:80]}  # devices 0 and 1 both scan tickets 25–29
    offline = {3: qrs[80:105], 4: qrs[100:120]}  # both saw tickets 100–104 offline
    rec, stop = Record(), threading.Event()
    threads = [threading.Thread(target=online_scanner, args=(stack.base, rec),
                                kwargs={"token": devices[d][1], "qrs": q, "stop": stop}) for d, q in online.items()]
    threads += [threading.Thread(target=offline_scanner, args=(stack.base, rec),
                                 kwargs={"token": devices[d][1], "qrs": q, "batch": 3, "stop": stop}) for d, q in offline.items()]
    _run(threads)
    try:
        _wait_progress(rec, 20, threads)
        at_restart = rec.progress
        private_pg.restart()
        _wait_progress(rec, at_restart + 20, threads)
        at_terminate = rec.progress
        assert private_pg.terminate_app_connections() > 0
    finally:
        _join(threads)
    total = sum(len(q) for q in online.values()) + sum(len(q) for q in offline.values())
    assert 0 < at_restart < at_terminate < rec.progress == total
    assert rec.retries > 0
    device_ids = {token[-8:]: d.id for d, token in devices}
    assert len(rec.sent) == len(rec.scans_ok) == total  # every scan sent got its 200 in the end
    assert_scans_kept(s, rec, device_ids)
    # online: tickets 25–29 were scanned at two doors: one admission, one "already scanned"
    answers = [a["result"] for a in rec.scans_ok.values() if a.get("_online")]
    assert answers.count("accepted") == 80 and answers.count("already_scanned") == 5
