"""Payment races through the real webhook handler, over HTTP, against the API process and a real worker.

- The same signed sandbox webhook delivered by 8 threads at once → one payment succeeded, one set of
  tickets, one confirmation e-mail (the provider retrying a delivery it thinks timed out).
- A late payment (its hold lapsed) raced against the expiry job and against new buyers holding the
  same last tickets → never oversold: either the payment wins (paid, tickets, one e-mail) or the
  tickets went to the new buyers and the order is ``refund_required`` without tickets; counters equal
  the rows either way.

The API and worker run on the test database (``TEST_DATABASE_URL``) with a private Redis server.
"""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlmodel import func, select

from tests.conftest import TEST_DATABASE_URL
from tests.factories import make_event, make_org, make_ticket_type
from tests.faults.servers import AppStack, PrivateRedis
from voelgoed.models import Hold, HoldItem, Order, Payment, SentEmail, Ticket, TicketType
from voelgoed.services.payments import sandbox
from voelgoed.services.sales import checkout, hold_release, inventory

WEBHOOK = "/api/v1/payments/sandbox/webhook"


@pytest.fixture(scope="module")
def stack(engine, tmp_path_factory):
    """One API process + worker for the module (each test's rows are emptied by ``committed_db``)."""
    server = PrivateRedis()
    server.start()
    app = AppStack(tmp_path_factory.mktemp("races"), database_url=TEST_DATABASE_URL, redis_url=server.url)
    try:
        app.start()
        yield app
    finally:
        app.stop()
        server.stop()


def _together(n: int, fn) -> list:
    barrier = threading.Barrier(n)
    out: list = [None] * n

    def run(i):
        barrier.wait()
        try:
            out[i] = fn(i)
        except Exception as exc:  # reported by the asserts on the results
            out[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return out


def _wait_for_mail(session, stack, order_ids: list) -> None:
    import time

    end = time.monotonic() + 60
    while time.monotonic() < end:
        session.expire_all()
        if session.exec(select(func.count()).select_from(SentEmail)).one() >= len(order_ids):
            return
        time.sleep(0.2)
    raise AssertionError("no confirmation e-mail\n" + stack.log("worker.log"))


def _mails_to(stack, address: str) -> int:
    import email
    from email import policy

    return sum(email.message_from_bytes(p.read_bytes(), policy=policy.default)["To"] == address
               for p in stack.mail_dir.glob("*.eml"))


def _counters_match_rows(session, tt) -> TicketType:
    session.expire_all()
    fresh = session.get(TicketType, tt.id)
    tickets = session.exec(select(func.count()).select_from(Ticket).where(Ticket.ticket_type_id == tt.id)).one()
    held = session.exec(select(func.coalesce(func.sum(HoldItem.quantity), 0)).join(Hold, Hold.id == HoldItem.hold_id)
                        .where(HoldItem.ticket_type_id == tt.id, Hold.status.in_(("active", "converted")))).one()
    assert fresh.sold_count == tickets and fresh.held_count == held
    assert fresh.sold_count + fresh.held_count <= fresh.quantity
    return fresh


def test_the_same_signed_webhook_delivered_8_times_at_once(committed_db, stack):
    db = committed_db
    org = make_org(db)
    event = make_event(db, org)
    tt = make_ticket_type(db, event, quantity=10, price_cents=15000)
    db.commit()
    hold = inventory.create_hold(db, event_id=event.id, items=[(tt.id, 3)])
    buyer = f"sipho-{uuid.uuid4().hex[:8]}@example.co.za"
    order = checkout.start_checkout(db, hold_id=hold.id, buyer_name="Sipho", buyer_email=buyer)
    payment = checkout.payment_for_order(db, order)
    headers, raw = sandbox.build_webhook(payment, "success")

    with httpx.Client(base_url=stack.base, timeout=30) as http:
        answers = _together(8, lambda _i: http.post(WEBHOOK, content=raw, headers=headers))
    assert all(isinstance(r, httpx.Response) and r.status_code == 200 for r in answers), answers
    outcomes = sorted(r.json()["outcome"] for r in answers)
    assert outcomes.count("paid") == 1 and set(outcomes) - {"paid"} == {"duplicate"}, outcomes
    _wait_for_mail(db, stack, [order.id])
    db.expire_all()
    assert db.get(Order, order.id).status == "paid"
    assert [p.status for p in db.exec(select(Payment).where(Payment.order_id == order.id))] == ["succeeded"]
    assert db.exec(select(func.count()).select_from(Ticket).where(Ticket.order_id == order.id)).one() == 3
    assert [m.dedupe_key for m in db.exec(select(SentEmail))] == [f"order:{order.id}:confirmation"]
    assert _mails_to(stack, buyer) == 1
    assert _counters_match_rows(db, tt).sold_count == 3


@pytest.mark.parametrize("round_", range(4))
def test_late_payment_raced_against_expiry_and_new_holds(committed_db, stack, round_):
    db = committed_db
    org = make_org(db)
    event = make_event(db, org)
    tt = make_ticket_type(db, event, quantity=3, price_cents=15000)
    db.commit()
    past = datetime.now(UTC) - timedelta(hours=1)  # the buyer started an hour ago: hold and order have lapsed
    hold = inventory.create_hold(db, event_id=event.id, items=[(tt.id, 2)], now=past)
    buyer = f"late-{uuid.uuid4().hex[:8]}@example.co.za"
    order = checkout.start_checkout(db, hold_id=hold.id, buyer_name="Late", buyer_email=buyer, now=past)
    payment = checkout.payment_for_order(db, order)
    headers, raw = sandbox.build_webhook(payment, "success")
    body = {"items": [{"ticket_type_id": str(tt.id), "quantity": 2}]}

    def actor(i):
        if i == 0:  # the expiry job, in its own session
            from sqlmodel import Session

            with Session(db.get_bind(), expire_on_commit=False) as s:
                return ("expiry", hold_release.expire_hold(s, hold_id=hold.id))
        with httpx.Client(base_url=stack.base, timeout=30) as http:
            if i in (1, 2):  # the provider delivering the (late) payment, twice
                r = http.post(WEBHOOK, content=raw, headers=headers)
                return ("webhook", r.status_code, r.json().get("outcome"))
            r = http.post(f"/api/v1/public/events/{event.slug}/holds", json=body)  # new buyers want 2 of the 3
            return ("hold", r.status_code, r.json().get("error", {}).get("code"))

    # vary who is first: the start order rotates with the round
    results = _together(5, lambda i: actor((i + round_) % 5))
    assert not [r for r in results if isinstance(r, Exception)], results
    hooks = [r for r in results if r[0] == "webhook"]
    holds = [r for r in results if r[0] == "hold"]
    assert all(r[1] == 200 for r in hooks) and all(r[1] in (201, 409) for r in holds), results
    assert all(r[2] in (None, "sold_out", "insufficient_inventory") for r in holds), results
    db.expire_all()
    final = db.get(Order, order.id)
    held_by_new = sum(2 for r in holds if r[1] == 201)
    fresh = _counters_match_rows(db, tt)
    assert final.status in ("paid", "refund_required"), final.status
    tickets = db.exec(select(func.count()).select_from(Ticket).where(Ticket.order_id == order.id)).one()
    if final.status == "paid":
        assert tickets == 2 and sorted(r[2] for r in hooks) == ["duplicate", "paid"]
        assert held_by_new == 0 and fresh.sold_count == 2  # only 1 left: no new hold of 2 fitted
        _wait_for_mail(db, stack, [order.id])
        assert _mails_to(stack, buyer) == 1
    else:  # a new buyer got the tickets first; the late payer is refunded, not given tickets
        assert tickets == 0 and held_by_new == 2 and fresh.sold_count == 0
        assert sorted(r[2] for r in hooks) == ["duplicate", "refund_required"]
        assert _mails_to(stack, buyer) == 0
    assert db.exec(select(func.count()).select_from(Payment).where(Payment.status == "succeeded")).one() == 1
