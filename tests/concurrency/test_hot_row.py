"""The hot-row protection of the one-statement hold (``sales/stock/hot_row.py``), on real PostgreSQL.

- the admission gate lets at most ``HOLD_GATE_PER_ROW`` threads of a process into the row at once and
  admits waiters in arrival order;
- a ticket type seen sold out is answered ``sold_out`` without sending the row's statement to PostgreSQL
  (control: with the memo off the same request sends it);
- the memo never makes an expired hold count (a request at the first hold's expiry gets the ticket), and a
  release in the process ends it at once.
"""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event
from sqlmodel import Session, select

from tests.factories import make_event, make_org, make_ticket_type
from voelgoed.config import get_settings
from voelgoed.models import AuditLog
from voelgoed.services.platform import VoelgoedError
from voelgoed.services.sales import inventory, stock

hot_row = stock.hot_row


@pytest.fixture(autouse=True)
def _fresh_memo():
    hot_row.forget()
    yield
    hot_row.forget()


def _one_ticket(committed_db):
    org = make_org(committed_db)
    event = make_event(committed_db, org)
    tt = make_ticket_type(committed_db, event, quantity=1, max_per_order=5)
    committed_db.commit()
    return event, tt


def _hold(engine, event, tt, **kw):
    with Session(engine, expire_on_commit=False) as s:
        return inventory.create_hold(s, event_slug=event.slug, items=[(tt.id, 1)], **kw)


@pytest.mark.parametrize("limit", [1, 2])
def test_gate_bounds_the_row_and_admits_in_arrival_order(monkeypatch, limit):
    monkeypatch.setattr(get_settings(), "hold_gate_per_row", limit)
    key = f"tt:gate-test-{limit}"
    inside, peak, order = [0], [0], []
    lock = threading.Lock()
    release = threading.Event()

    def worker(i):
        with hot_row.admission(key):
            with lock:
                inside[0] += 1
                peak[0] = max(peak[0], inside[0])
                order.append(i)
            release.wait(10)
            time.sleep(0.005)
            with lock:
                inside[0] -= 1

    threads = []
    for i in range(8):  # start one at a time: thread i arrives after i-1 is inside or queued
        t = threading.Thread(target=worker, args=(i,))
        t.start()
        threads.append(t)
        deadline = time.monotonic() + 5
        gate = hot_row._GATES[key]
        while gate.inside + len(gate.waiters) < i + 1 and time.monotonic() < deadline:
            time.sleep(0.001)
    assert hot_row._GATES[key].inside == limit and len(hot_row._GATES[key].waiters) == 8 - limit
    release.set()
    for t in threads:
        t.join(10)
    assert peak[0] == limit
    assert sorted(order[:limit]) == list(range(limit))
    if limit == 1:  # one at a time: admitted exactly in arrival order
        assert order == list(range(8))
    assert hot_row._GATES[key].idle()


@contextmanager
def _hot_row_statements(engine):
    """Every statement sent to PostgreSQL through ``engine`` inside the block."""
    seen = []

    def listen(_conn, _cursor, statement, *_args):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", listen)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", listen)


def _sold_out_twice(committed_db, engine):
    ev, tt = _one_ticket(committed_db)
    _hold(engine, ev, tt)
    with pytest.raises(VoelgoedError) as first:  # the statement decides: sold out, no lapsed hold
        _hold(engine, ev, tt)
    assert first.value.code == "sold_out"
    with _hot_row_statements(engine) as seen, pytest.raises(VoelgoedError) as again:
        _hold(engine, ev, tt)
    assert again.value.code == "sold_out" and again.value.details == {"available": 0, "ticket_type_id": str(tt.id)}
    return seen


def test_sold_out_is_answered_without_touching_the_row(committed_db, engine, redis_client):
    """Seen sold out once: the next request for it is answered before any database work (not even the event read)."""
    assert _sold_out_twice(committed_db, engine) == []


def test_control_without_the_memo_every_sold_out_answer_runs_the_row_statement(committed_db, engine, redis_client,
                                                                               monkeypatch):
    monkeypatch.setattr(get_settings(), "hold_sold_out_memo_ms", 0)
    assert sum("UPDATE tickettype" in st for st in _sold_out_twice(committed_db, engine)) == 1


def test_an_expired_hold_never_counts_and_a_release_ends_the_memo(committed_db, engine, redis_client):
    event, tt = _one_ticket(committed_db)
    first = _hold(engine, event, tt)
    with pytest.raises(VoelgoedError) as sold:
        _hold(engine, event, tt)
    assert sold.value.code == "sold_out"
    # at the first hold's expiry the memo no longer answers: the lapsed hold is reclaimed and the ticket sold again
    second = _hold(engine, event, tt, now=first.expires_at + timedelta(milliseconds=1))
    assert second.id != first.id
    with pytest.raises(VoelgoedError):
        _hold(engine, event, tt, now=first.expires_at + timedelta(milliseconds=2))
    with Session(engine, expire_on_commit=False) as s:  # the buyer lets go: the memo ends in this process at once
        inventory.release_hold(s, hold_id=second.id, now=first.expires_at + timedelta(milliseconds=3))
    third = _hold(engine, event, tt, now=first.expires_at + timedelta(milliseconds=4))
    assert third.id not in (first.id, second.id)


def test_a_fast_hold_is_one_statement_and_one_commit_with_its_audit_row(committed_db, engine, redis_client):
    """The GA fast path writes the hold, its item and its ``hold.created`` audit row in ONE autocommit
    statement (no second transaction per hold); a sold-out answer writes no audit row."""
    ev, tt = _one_ticket(committed_db)
    with _hot_row_statements(engine) as seen:
        hold = _hold(engine, ev, tt, client_address="10.1.2.3")
    writes = [st for st in seen if st.lstrip().upper().startswith(("INSERT", "UPDATE", "WITH", "DELETE"))]
    assert len(writes) == 1 and "INSERT INTO auditlog" in writes[0] and "UPDATE tickettype" in writes[0]
    assert not any(st.strip().upper() == "COMMIT" for st in seen)   # autocommit: the server commits the statement
    with Session(engine) as s:
        rows = s.exec(select(AuditLog).where(AuditLog.target_id == str(hold.id))).all()
        assert [(r.action, r.actor_type, r.target_type, r.organization_id) for r in rows] == [
            ("hold.created", "buyer", "hold", ev.organization_id)]
        assert rows[0].data == {"items": {str(tt.id): 1}, "client_hash": hold.client_hash, "pass_id": None}
        assert hold.client_hash and "10.1.2.3" not in str(rows[0].data)
    with pytest.raises(VoelgoedError):
        _hold(engine, ev, tt)
    with Session(engine) as s:
        assert len(s.exec(select(AuditLog).where(AuditLog.action == "hold.created",
                                                 AuditLog.organization_id == ev.organization_id)).all()) == 1


@pytest.mark.parametrize("caps_on", [True, False])
def test_the_fast_hold_takes_advisory_locks_only_for_capped_scopes(committed_db, engine, redis_client, monkeypatch,
                                                                   caps_on):
    """With the per-client caps on, the fast path locks the client's key around its count and statement; with
    every cap off there is nothing to count, so no lock round trips are sent."""
    settings = get_settings()
    for name in ("hold_max_live_per_client", "hold_max_tickets_per_client", "hold_max_live_per_pass",
                 "hold_max_tickets_per_pass"):
        monkeypatch.setattr(settings, name, 5 if caps_on else 0)
    org = make_org(committed_db)
    ev = make_event(committed_db, org)
    tt = make_ticket_type(committed_db, ev, quantity=10, max_per_order=5)
    committed_db.commit()
    with _hot_row_statements(engine) as seen:
        _hold(engine, ev, tt, client_address="10.9.8.7")
    locks = [st for st in seen if "pg_advisory_lock" in st or "pg_advisory_unlock" in st]
    assert len(locks) == (2 if caps_on else 0)
