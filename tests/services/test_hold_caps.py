"""Holds cannot be hoarded (issue 9, item 5): caps on live holds and tickets per client address and per
waiting-room pass. Real PostgreSQL (session path, advisory transaction locks) and the SQLite variant."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update
from sqlmodel import Session, select

from tests.factories import make_event, make_org, make_ticket_type
from voelgoed.config import get_settings
from voelgoed.models import AuditLog, Hold
from voelgoed.services.platform import VoelgoedError
from voelgoed.services.sales import hold_caps, inventory
from voelgoed.services.sales import waiting_room as wr

NOW = datetime.now(UTC).replace(microsecond=0)
BOT, OTHER = "198.51.100.66", "203.0.113.5"


@pytest.fixture
def shop(db, redis_client):
    event = make_event(db, make_org(db))
    tt = make_ticket_type(db, event, quantity=500, max_per_order=10)
    db.commit()
    return event, tt


def _hold(db, event, tt, qty=1, address=BOT, now=NOW, **kw):
    return inventory.create_hold(db, event_slug=event.slug, items=[(tt.id, qty)], client_address=address, now=now, **kw)


def _refused(fn) -> VoelgoedError:
    with pytest.raises(VoelgoedError) as exc:
        fn()
    assert exc.value.code == "too_many_holds" and exc.value.status == 429
    return exc.value


def _live(db, address) -> int:
    h = hold_caps.client_hash(address)
    return len(db.exec(select(Hold).where(Hold.client_hash == h, Hold.status == "active")).all())


def test_a_hold_flood_from_one_address_stops_at_the_cap_while_another_address_still_buys(db, shop):
    event, tt = shop
    cap = get_settings().hold_max_live_per_client
    for _ in range(cap):
        _hold(db, event, tt)
    for _ in range(10):
        err = _refused(lambda: _hold(db, event, tt))
    assert _live(db, BOT) == cap
    d = err.details
    assert d["scope"] == "client" and d["live_holds"] == cap and d["max_live_holds"] == cap
    assert 1 <= d["retry_after"] <= get_settings().hold_ttl_seconds
    assert f"at most {cap} reservations" in err.message and "release" in err.message and "expire" in err.message
    assert _hold(db, event, tt, address=OTHER).status == "active"
    # the address is kept only as a keyed hash, in the row and in the audit log
    hold = db.exec(select(Hold).where(Hold.client_hash == hold_caps.client_hash(OTHER))).one()
    assert hold.client_address == "" and BOT not in hold.client_hash and len(hold.client_hash) == 32
    assert hold.client_hash != hold_caps.client_hash(BOT)
    audit = db.exec(select(AuditLog).where(AuditLog.target_id == str(hold.id))).one()
    assert OTHER not in str(audit.data) and audit.data["client_hash"] == hold.client_hash


def test_the_ticket_cap_counts_tickets_not_holds(db, shop):
    event, tt = shop
    _hold(db, event, tt, qty=10)
    _hold(db, event, tt, qty=10)
    err = _refused(lambda: _hold(db, event, tt, qty=1))
    assert err.details["live_tickets"] == 20 and err.details["max_tickets"] == 20


def test_expired_and_released_holds_free_the_cap_but_a_checkout_does_not(db, shop):
    event, tt = shop
    ttl = get_settings().hold_ttl_seconds
    holds = [_hold(db, event, tt) for _ in range(5)]
    _refused(lambda: _hold(db, event, tt))
    inventory.release_hold(db, hold_id=holds[0].id)
    fresh = _hold(db, event, tt)
    # a started checkout (converted) still ties the tickets up: it still counts; a paid one does not
    db.execute(update(Hold).where(Hold.id == fresh.id).values(status="converted"))
    db.commit()
    _refused(lambda: _hold(db, event, tt))
    db.execute(update(Hold).where(Hold.id == fresh.id).values(status="completed"))
    db.commit()
    _hold(db, event, tt)
    _refused(lambda: _hold(db, event, tt))
    # read-time expiry: no expiry job has run, the holds are simply past their time
    later = NOW + timedelta(seconds=ttl + 1)
    assert all(_hold(db, event, tt, now=later) for _ in range(5))
    _refused(lambda: _hold(db, event, tt, now=later))


def test_caps_are_per_event(db, shop):
    event, tt = shop
    for _ in range(5):
        _hold(db, event, tt)
    other = make_event(db, make_org(db))
    ott = make_ticket_type(db, other, quantity=10)
    db.commit()
    assert _hold(db, other, ott).status == "active"


def test_multi_type_holds_are_capped_too(db, shop):
    event, tt = shop
    vip = make_ticket_type(db, event, name="VIP", quantity=50)
    db.commit()
    for _ in range(2):
        inventory.create_hold(db, event_slug=event.slug, items=[(tt.id, 5), (vip.id, 5)], client_address=BOT, now=NOW)
    err = _refused(lambda: inventory.create_hold(db, event_slug=event.slug, items=[(tt.id, 1), (vip.id, 1)],
                                                 client_address=BOT, now=NOW))
    assert err.details["live_tickets"] == 20 and err.details["live_holds"] == 2
    db.expire_all()
    assert sum(t.held_count for t in (db.get(type(tt), tt.id), db.get(type(vip), vip.id))) == 20  # nothing leaked


def test_the_pass_cap_applies_across_addresses(db, shop):
    event, tt = shop
    event.waiting_room_enabled, event.waiting_room_opens_at = True, NOW - timedelta(minutes=10)
    event.waiting_room_rate_per_minute = 100
    db.add(event)
    db.commit()
    token = wr.join(event, now=NOW - timedelta(minutes=11))["visitor_token"]
    pass_token = wr.status(event, token, now=NOW)["pass"]
    first = _hold(db, event, tt, qty=2, pass_token=pass_token)
    assert first.pass_id == pass_token.split(".")[2]
    # HOLD_MAX_LIVE_PER_PASS = 1: the same pass from another address gets no second live hold
    err = _refused(lambda: _hold(db, event, tt, address=OTHER, pass_token=pass_token))
    assert err.details["scope"] == "pass" and "waiting-room pass" in err.message
    inventory.release_hold(db, hold_id=first.id)
    assert _hold(db, event, tt, address=OTHER, pass_token=pass_token).status == "active"


def test_the_pass_ticket_cap(db, shop, monkeypatch):
    event, tt = shop
    monkeypatch.setattr(get_settings(), "hold_max_live_per_pass", 5)
    event.waiting_room_enabled, event.waiting_room_opens_at = True, NOW - timedelta(minutes=10)
    db.add(event)
    db.commit()
    token = wr.join(event, now=NOW - timedelta(minutes=11))["visitor_token"]
    pass_token = wr.status(event, token, now=NOW)["pass"]
    _hold(db, event, tt, qty=6, pass_token=pass_token)
    err = _refused(lambda: _hold(db, event, tt, qty=5, address=OTHER, pass_token=pass_token))
    assert err.details == err.details | {"scope": "pass", "live_tickets": 6, "max_tickets": 10}


def test_the_cap_on_sqlite(tmp_path, engine, redis_client):
    from voelgoed.cli import db_upgrade
    from voelgoed.services.platform import make_engine

    url = f"sqlite:///{tmp_path / 'embedded.db'}"
    db_upgrade(url)
    eng = make_engine(url)
    try:
        with Session(eng, expire_on_commit=False) as s:
            event = make_event(s, make_org(s), capacity=100)
            tt = make_ticket_type(s, event, quantity=50)
            s.commit()
            for _ in range(5):
                _hold(s, event, tt)
            _refused(lambda: _hold(s, event, tt))
            assert _hold(s, event, tt, address=OTHER).status == "active"
            assert _hold(s, event, tt, now=NOW + timedelta(seconds=get_settings().hold_ttl_seconds + 1))
    finally:
        eng.dispose()
