"""Redis stopped (killed) and started again in the middle of a sale, with the real API process, a real
worker and buyers that retry 503s: afterwards every paid order has its tickets and exactly one e-mail,
nothing was sold twice and the counters equal the rows (private ``redis-server --save ''`` and a
private PostgreSQL server; the worker is supervised — restarted if Redis took it down — as in production)."""

from __future__ import annotations

import threading
import time

import pytest
from sqlmodel import select

from tests.factories import make_event, make_org, make_ticket_type
from tests.faults.clients import Record, buyer
from tests.faults.proofs import assert_sale_consistent, wait_until_delivered
from tests.faults.servers import AppStack
from voelgoed.models import Order

pytestmark = pytest.mark.faults


def _wait_progress(rec, at, threads, deadline_s=60):
    end = time.monotonic() + deadline_s
    while rec.progress < at and any(t.is_alive() for t in threads) and time.monotonic() < end:
        time.sleep(0.05)


def test_redis_stopped_and_restarted_during_a_sale(private_pg, private_pg_session, private_redis, tmp_path):
    s = private_pg_session
    org = make_org(s)
    event = make_event(s, org)
    tt = make_ticket_type(s, event, quantity=60, price_cents=15000, max_per_order=10)
    s.commit()
    stack = AppStack(tmp_path, database_url=private_pg.url, redis_url=private_redis.url)
    stack.start()
    try:
        rec, stop = Record(), threading.Event()
        threads = [threading.Thread(target=buyer, args=(stack.base, rec),
                                    kwargs={"slug": event.slug, "tt_id": str(tt.id), "journeys": 10, "stop": stop, "seed": n})
                   for n in range(6)]
        for t in threads:
            t.start()
        _wait_progress(rec, 5, threads)
        at_stop = rec.progress
        private_redis.stop()  # Redis dies mid-sale …
        _wait_progress(rec, at_stop + 5, threads)
        during_outage = rec.progress
        private_redis.start()  # … and comes back
        for t in threads:
            t.join(timeout=150)
        assert not any(t.is_alive() for t in threads)
        assert 0 < at_stop < during_outage < rec.progress  # buyers kept buying while Redis was down
        wait_until_delivered(s, stack)
        sold = assert_sale_consistent(s, tt, rec, stack.mail_dir)
        assert sold > 0 and rec.sold_out > 0
        assert len(s.exec(select(Order).where(Order.status == "paid")).all()) == len(rec.paid)
    finally:
        stack.stop()
