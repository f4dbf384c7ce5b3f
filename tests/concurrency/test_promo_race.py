"""A promo code's last use under a real race on PostgreSQL (issue 15): 12 buyers, each with their own hold
priced with the code (the code had one use left when they held), check out at the same moment on their own
connections → exactly one order gets the code's use; the others answer 409 ``promo_code_exhausted`` and leave
no order behind. Control: ``test_control_check_then_write_oversubscribes`` does the naive read-check-write on
the same rows and takes the use more than once, so the race is real and the conditional UPDATE is what stops it."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlmodel import Session, select

from tests.conftest import TEST_DATABASE_URL
from tests.factories import make_event, make_org, make_ticket_type
from tests.marketing_helpers import owner_ctx
from voelgoed.models import Order, PromoCode, PromoRedemption
from voelgoed.services.marketing import create_promo_code
from voelgoed.services.platform import VoelgoedError
from voelgoed.services.platform import db as dbmod
from voelgoed.services.sales import checkout, inventory

BUYERS = 12


@pytest.fixture
def race_engine(engine):
    eng = dbmod.make_engine(TEST_DATABASE_URL, pool_size=BUYERS + 2, max_overflow=2)
    yield eng
    eng.dispose()


@pytest.fixture
def last_use(committed_db):
    org = make_org(committed_db)
    event = make_event(committed_db, org)
    tt = make_ticket_type(committed_db, event, quantity=100, price_cents=10000)
    ctx = owner_ctx(committed_db, org)
    committed_db.commit()
    promo = create_promo_code(committed_db, ctx, event_id=event.id, code="LASTONE", percent_off=50, max_uses=5)
    committed_db.exec(select(PromoCode).where(PromoCode.id == promo.id)).one().used_count = 4  # one use left
    committed_db.commit()
    holds = [inventory.create_hold(committed_db, event_slug=event.slug, items=[(tt.id, 1)], promo_code="LASTONE",
                                   client_address=f"198.51.100.{i}") for i in range(BUYERS)]
    return promo, holds


def _race(race_engine, fn):
    barrier = threading.Barrier(BUYERS)

    def run(i):
        barrier.wait()
        with Session(race_engine, expire_on_commit=False) as session:
            try:
                return fn(session, i)
            except VoelgoedError as exc:
                session.rollback()
                return exc.code

    with ThreadPoolExecutor(BUYERS) as pool:
        return list(pool.map(run, range(BUYERS)))


def test_many_buyers_racing_for_the_last_use_get_exactly_one(committed_db, race_engine, last_use, redis_client):
    promo, holds = last_use

    def buy(session, i):
        checkout.start_checkout(session, hold_id=holds[i].id, buyer_name=f"Buyer {i}", buyer_email=f"b{i}@example.co.za")
        return "ordered"

    results = _race(race_engine, buy)
    assert results.count("ordered") == 1 and results.count("promo_code_exhausted") == BUYERS - 1
    committed_db.expire_all()
    assert committed_db.get(PromoCode, promo.id).used_count == 5
    assert len(committed_db.exec(select(Order)).all()) == 1
    assert len(committed_db.exec(select(PromoRedemption).where(PromoRedemption.status == "redeemed")).all()) == 1


def test_control_check_then_write_oversubscribes(committed_db, race_engine, last_use):
    """The naive version (read used_count, check, write used_count + 1) on the same rows: more than one wins."""
    promo, _ = last_use
    gate = threading.Barrier(BUYERS)

    def naive(session, i):
        row = session.get(PromoCode, promo.id)
        seen = row.used_count
        gate.wait()  # everyone has read before anyone writes: the interleaving the real path must survive
        if seen >= row.max_uses:
            return "promo_code_exhausted"
        row.used_count = seen + 1
        session.add(row)
        session.commit()
        return "ordered"

    results = _race(race_engine, naive)
    assert results.count("ordered") > 1
