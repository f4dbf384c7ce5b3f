"""Hold expiry: with a real RQ worker + scheduler subprocess, and with no worker at all (read-time)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.conftest import TEST_DATABASE_URL, TEST_REDIS_URL
from tests.factories import make_event, make_org, make_ticket_type
from voelgoed.config import get_settings
from voelgoed.models import AuditLog, Hold, Order, TicketType
from voelgoed.services.platform import VoelgoedError
from voelgoed.services.sales import checkout, inventory, storefront

ROOT = Path(__file__).resolve().parents[2]
TTL = 2


@pytest.fixture
def short_ttl(monkeypatch):
    monkeypatch.setattr(get_settings(), "hold_ttl_seconds", TTL)


def _arrange(db):
    org = make_org(db)
    event = make_event(db, org)
    tt = make_ticket_type(db, event, quantity=5, max_per_order=5)
    db.commit()
    return event, tt


def _wait_for(predicate, deadline_s=90):
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.25)
    return False


def test_worker_and_scheduler_expire_holds_and_pending_orders(committed_db, redis_client, short_ttl, tmp_path):
    event, tt = _arrange(committed_db)
    env = dict(os.environ, DATABASE_URL=TEST_DATABASE_URL, REDIS_URL=TEST_REDIS_URL, PYTHONPATH=str(ROOT))
    log = open(tmp_path / "worker.log", "w")
    worker = subprocess.Popen([sys.executable, "-m", "voelgoed", "worker"], cwd=ROOT, env=env, stdout=log,
                              stderr=subprocess.STDOUT, start_new_session=True)
    try:
        plain = inventory.create_hold(committed_db, event_slug=event.slug, items=[(tt.id, 2)])
        converted = inventory.create_hold(committed_db, event_slug=event.slug, items=[(tt.id, 3)])
        order = checkout.start_checkout(committed_db, hold_id=converted.id, buyer_name="Lerato", buyer_email="lerato@example.com")
        committed_db.expire_all()
        assert committed_db.get(TicketType, tt.id).held_count == 5

        def both_expired():
            committed_db.expire_all()
            return all(committed_db.get(Hold, h.id).status == "expired" for h in (plain, converted))

        assert _wait_for(both_expired), (tmp_path / "worker.log").read_text()[-3000:]
        assert committed_db.get(TicketType, tt.id).held_count == 0
        assert committed_db.get(Order, order.id).status == "expired"
        actions = {a.action for a in committed_db.query(AuditLog).filter(AuditLog.target_id.in_([str(plain.id), str(order.id)]))}
        assert {"hold.expired", "order.expired"} <= actions
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        log.close()


def test_expired_holds_never_count_with_the_worker_stopped(committed_db, redis_client, short_ttl):
    event, tt = _arrange(committed_db)
    first = inventory.create_hold(committed_db, event_slug=event.slug, items=[(tt.id, 5)])
    with pytest.raises(VoelgoedError) as exc:
        inventory.create_hold(committed_db, event_slug=event.slug, items=[(tt.id, 1)])
    assert exc.value.code == "sold_out"
    time.sleep(TTL + 0.5)  # no worker is running: nothing reclaims the hold in the background
    committed_db.expire_all()
    assert committed_db.get(Hold, first.id).status == "active"  # the job did not run…
    assert storefront.public_event_view(committed_db, event.slug)["ticket_types"][0]["available"] == 5  # …yet it doesn't count
    second = inventory.create_hold(committed_db, event_slug=event.slug, items=[(tt.id, 5)])
    committed_db.expire_all()
    assert committed_db.get(Hold, first.id).status == "expired"
    assert committed_db.get(Hold, second.id).status == "active"
    assert committed_db.get(TicketType, tt.id).held_count == 5
    with pytest.raises(VoelgoedError) as exc:
        checkout.start_checkout(committed_db, hold_id=first.id, buyer_name="Late", buyer_email="late@example.com")
    assert exc.value.code == "hold_expired"


def test_short_answers_without_lapsed_holds_and_reclaims_when_some_lapsed(committed_db):
    """The one-statement hold path answers sold_out / insufficient_inventory at once only when no hold of the
    event has lapsed; a lapsed hold is still reclaimed before the answer (it never keeps inventory locked)."""
    event, tt = _arrange(committed_db)  # 5 tickets
    past = datetime.now(UTC) - timedelta(hours=1)
    lapsed = inventory.create_hold(committed_db, event_slug=event.slug, items=[(tt.id, 3)], now=past)
    hold = inventory.create_hold(committed_db, event_slug=event.slug, items=[(tt.id, 4)])  # needs the lapsed 3 back
    with pytest.raises(VoelgoedError) as exc:
        inventory.create_hold(committed_db, event_slug=event.slug, items=[(tt.id, 2)])
    assert exc.value.code == "insufficient_inventory" and exc.value.details == {"available": 1, "ticket_type_id": str(tt.id)}
    inventory.create_hold(committed_db, event_slug=event.slug, items=[(tt.id, 1)])
    with pytest.raises(VoelgoedError) as exc:
        inventory.create_hold(committed_db, event_slug=event.slug, items=[(tt.id, 1)])
    assert exc.value.code == "sold_out" and exc.value.details == {"available": 0, "ticket_type_id": str(tt.id)}
    committed_db.expire_all()
    assert committed_db.get(Hold, lapsed.id).status == "expired" and committed_db.get(Hold, hold.id).status == "active"
    assert committed_db.get(TicketType, tt.id).held_count == 5
