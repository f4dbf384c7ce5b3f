"""Two organisers press "refund" on the same order at the same moment, and a double click sends the same
request twice at once: one refund, one provider call, never more than was paid.

Real PostgreSQL, one connection per click; the stand-in's refund endpoint is slowed down so the second
click arrives while the first is still with the provider. ``create_refund`` locks the order row before it
reads the balance, so the second transaction waits and then sees the pending refund reserved.
"""

from __future__ import annotations

import threading

import pytest
from sqlmodel import Session, select

from tests import refund_helpers
from tests.refund_helpers import buy, ctx, new_event
from voelgoed.models import Refund
from voelgoed.services.platform import VoelgoedError
from voelgoed.services.sales import ledger, refunds

standin, paystack_env = refund_helpers.standin, refund_helpers.paystack_env  # fixtures


def _race(engine, org, order, keys):
    barrier = threading.Barrier(len(keys))
    outcomes: list[str] = []

    def press(key):
        with Session(engine, expire_on_commit=False) as session:
            barrier.wait()
            try:
                refund = refunds.request_refund(session, ctx(org, "admin"), order_id=order.id, request_key=key,
                                                reason="race")
                outcomes.append(f"ok:{refund.id}")
            except VoelgoedError as exc:
                session.rollback()
                outcomes.append(exc.code)

    threads = [threading.Thread(target=press, args=(k,)) for k in keys]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcomes


@pytest.mark.parametrize("keys", [("organiser-a", "organiser-b"), ("same-dialog", "same-dialog")])
def test_concurrent_refunds_make_one_provider_call(live_client, committed_db, engine, paystack_env, keys):
    org, event, tt = new_event(committed_db)
    order = buy(live_client, committed_db, paystack_env, event, tt, quantity=2)
    paystack_env.refund_delay = 0.3
    calls = paystack_env.refund_calls
    outcomes = _race(engine, org, order, keys)
    committed_db.expire_all()
    made = committed_db.exec(select(Refund).where(Refund.order_id == order.id)).all()
    assert len(made) == 1 and made[0].amount_cents == 70000
    assert paystack_env.refund_calls == calls + 1
    if keys[0] != keys[1]:
        assert sorted(o.split(":")[0] for o in outcomes) == ["nothing_to_refund", "ok"]
    else:
        assert outcomes == [f"ok:{made[0].id}"] * 2
    assert ledger.order_balance(committed_db, order.id) == 70000  # processed only when Paystack says so
