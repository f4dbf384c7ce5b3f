"""Capacity edits racing holds on PostgreSQL (issue 9, item 6): never oversold, counters always right.

1. A deterministic interleaving of the dangerous case: a hold on an event *without* a capacity reads
   "no capacity", then waits on the ticket type lock held by an edit that sets a capacity. When the
   edit commits, the hold must honour the new capacity (it re-reads it under lock), not the stale read.
2. Holds from 12 threads while the main thread keeps changing the event's capacity (NULL, numbers
   above and below what is committed): afterwards the event counters equal the ticket types' sums and
   sold + held never exceeds the capacity.
"""

from __future__ import annotations

import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import text
from sqlmodel import Session

from tests.conftest import TEST_DATABASE_URL
from tests.factories import make_event, make_org, make_ticket_type
from tests.scan_factories import owner_ctx
from voelgoed.models import Event, TicketType
from voelgoed.services.catalog import events
from voelgoed.services.platform import VoelgoedError, clock
from voelgoed.services.platform import db as dbmod
from voelgoed.services.sales import capacity, inventory

THREADS = 12


@pytest.fixture
def race_engine(engine):
    eng = dbmod.make_engine(TEST_DATABASE_URL, pool_size=THREADS + 4, max_overflow=4)
    yield eng
    eng.dispose()


def _wait_for_lock_waiter(eng, n=1):
    """Block until ``n`` backends wait on a lock (the interleaving is forced, not timed)."""
    with eng.connect() as conn:
        for _ in range(2000):
            waiting = conn.execute(text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                                        " AND wait_event_type = 'Lock'")).scalar()
            if waiting >= n:
                return
            time.sleep(0.01)
    raise AssertionError("the hold never waited on the capacity edit's lock")


def _sums(session, event_id):
    session.expire_all()
    ev = session.get(Event, event_id)
    types = session.query(TicketType).filter(TicketType.event_id == event_id).all()
    return ev, sum(t.sold_count for t in types), sum(t.held_count for t in types)


def test_hold_that_read_no_capacity_honours_a_capacity_set_while_it_waited(committed_db, race_engine, redis_client):
    org = make_org(committed_db)
    event = make_event(committed_db, org, capacity=None)
    tt = make_ticket_type(committed_db, event, quantity=10, max_per_order=10)
    committed_db.commit()
    edit = Session(race_engine, expire_on_commit=False)
    locked = capacity.lock_event_for_capacity_change(edit, edit.get(Event, event.id), clock.utcnow())  # ticket types + event
    outcome: dict = {}

    def buyer():
        with Session(race_engine, expire_on_commit=False) as s:
            try:
                outcome["hold"] = inventory.create_hold(s, event_slug=event.slug, items=[(tt.id, 3)])
            except VoelgoedError as exc:
                outcome["error"] = exc.code

    t = threading.Thread(target=buyer)
    t.start()
    _wait_for_lock_waiter(race_engine)  # the buyer read "no capacity" and now waits on the ticket type row
    capacity.apply_event_capacity(edit, locked, 2)
    edit.commit()
    edit.close()
    t.join(timeout=60)
    assert outcome.get("error") in ("sold_out", "insufficient_inventory"), outcome
    ev, sold, held = _sums(committed_db, event.id)
    assert (ev.capacity, ev.sold_count, ev.held_count) == (2, sold, held) == (2, 0, 0)


def test_holds_racing_capacity_changes_never_oversell(committed_db, race_engine, redis_client):
    org = make_org(committed_db)
    event = make_event(committed_db, org, capacity=None)
    a = make_ticket_type(committed_db, event, name="A", quantity=60, max_per_order=5)
    b = make_ticket_type(committed_db, event, name="B", quantity=60, max_per_order=5)
    committed_db.commit()
    stop = threading.Event()
    barrier = threading.Barrier(THREADS + 1)
    rng = random.Random(9)
    plans = [[(rng.choice((a.id, b.id)), rng.randint(1, 3)) for _ in range(40)] for _ in range(THREADS)]

    def worker(plan):
        barrier.wait()
        with Session(race_engine, expire_on_commit=False) as s:
            for line in plan:
                items = [line] if line[1] != 2 else [(a.id, 1), (b.id, 1)]  # some multi-type holds (the locked path)
                try:
                    inventory.create_hold(s, event_slug=event.slug, items=items)
                except VoelgoedError:
                    s.rollback()
                if stop.is_set():
                    return

    refused = applied = 0
    with ThreadPoolExecutor(THREADS) as pool:
        futures = [pool.submit(worker, p) for p in plans]
        barrier.wait()
        with Session(race_engine, expire_on_commit=False) as s:
            for value in [None, 40, 200, None, 30, 90, None, 70, 55, 120, 80, 100] * 3:
                try:
                    events.update_event(s, owner_ctx(org), event.id, capacity=value)
                    applied += 1
                except VoelgoedError as exc:
                    assert exc.code in ("capacity_below_sold", "busy"), exc.code
                    s.rollback()
                    refused += 1
                ev, sold, held = _sums(s, event.id)
                if ev.capacity is not None:
                    assert sold + held <= ev.capacity
        stop.set()
        for f in futures:
            f.result()
    ev, sold, held = _sums(committed_db, event.id)
    assert applied > 0
    if ev.capacity is not None:
        assert (ev.sold_count, ev.held_count) == (sold, held)
        assert sold + held <= ev.capacity
    # and setting a capacity now (from whatever state) recomputes exactly
    with Session(race_engine, expire_on_commit=False) as s:
        events.update_event(s, owner_ctx(org), event.id, capacity=None)
        events.update_event(s, owner_ctx(org), event.id, capacity=500)
    ev, sold, held = _sums(committed_db, event.id)
    assert (ev.sold_count, ev.held_count) == (sold, held)
