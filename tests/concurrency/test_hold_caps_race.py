"""The hold caps under a real race on PostgreSQL: a concurrent flood from one address never exceeds
the cap, on the autocommit single-statement fast path (session advisory locks) and on the session
path (event capacity: transaction advisory locks). 16 threads × 4 attempts, own connections, real commits.
Control: with the advisory locks switched off (``Who.lock_keys`` returning ``[]``) these tests fail with
12-18 live holds against a cap of 5 — the count-then-insert race they guard against."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlmodel import Session, func, select

from tests.conftest import TEST_DATABASE_URL
from tests.factories import make_event, make_org, make_ticket_type
from voelgoed.config import get_settings
from voelgoed.models import Hold, HoldItem
from voelgoed.services.platform import VoelgoedError
from voelgoed.services.platform import db as dbmod
from voelgoed.services.sales import hold_caps, inventory

THREADS, PER_THREAD = 16, 4
BOT, OTHER = "198.51.100.23", "203.0.113.77"


@pytest.fixture
def race_engine(engine):
    eng = dbmod.make_engine(TEST_DATABASE_URL, pool_size=THREADS + 2, max_overflow=2)
    yield eng
    eng.dispose()


def _flood(race_engine, event, tt, qty):
    barrier = threading.Barrier(THREADS)
    results: list[str] = []
    lock = threading.Lock()

    def worker(_):
        barrier.wait()
        with Session(race_engine, expire_on_commit=False) as session:
            for _ in range(PER_THREAD):
                try:
                    inventory.create_hold(session, event_slug=event.slug, items=[(tt.id, qty)], client_address=BOT)
                    out = "held"
                except VoelgoedError as exc:
                    session.rollback()
                    out = exc.code
                with lock:
                    results.append(out)

    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(worker, range(THREADS)))
    return results


def _live(session, address):
    session.expire_all()
    h = hold_caps.client_hash(address)
    holds = session.exec(select(func.count()).select_from(Hold).where(Hold.client_hash == h)).one()
    tickets = session.exec(select(func.coalesce(func.sum(HoldItem.quantity), 0)).select_from(Hold)
                           .join(HoldItem, HoldItem.hold_id == Hold.id).where(Hold.client_hash == h)).one()
    return holds, tickets


@pytest.mark.parametrize("capacity", [None, 1000], ids=["fast-path", "session-path"])
def test_concurrent_flood_from_one_address_never_exceeds_the_live_hold_cap(committed_db, race_engine, redis_client,
                                                                           capacity):
    event = make_event(committed_db, make_org(committed_db), capacity=capacity)
    tt = make_ticket_type(committed_db, event, quantity=1000)
    committed_db.commit()
    cap = get_settings().hold_max_live_per_client
    results = _flood(race_engine, event, tt, 1)
    assert results.count("held") == cap and results.count("too_many_holds") == THREADS * PER_THREAD - cap
    assert _live(committed_db, BOT) == (cap, cap)
    inventory.create_hold(committed_db, event_slug=event.slug, items=[(tt.id, 1)], client_address=OTHER)
    assert _live(committed_db, OTHER) == (1, 1)


@pytest.mark.parametrize("capacity", [None, 1000], ids=["fast-path", "session-path"])
def test_concurrent_flood_never_exceeds_the_ticket_cap(committed_db, race_engine, redis_client, monkeypatch, capacity):
    monkeypatch.setattr(get_settings(), "hold_max_live_per_client", 1000)
    event = make_event(committed_db, make_org(committed_db), capacity=capacity)
    tt = make_ticket_type(committed_db, event, quantity=1000)
    committed_db.commit()
    results = _flood(race_engine, event, tt, 3)
    max_tickets = get_settings().hold_max_tickets_per_client
    assert results.count("held") == max_tickets // 3
    assert set(results) == {"held", "too_many_holds"}
    assert _live(committed_db, BOT) == (max_tickets // 3, max_tickets // 3 * 3)
