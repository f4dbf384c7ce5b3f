"""Waiting room: fairness, rate-based admission, passes, Redis loss (real Redis, real PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.factories import make_event, make_org, make_user
from voelgoed.models import AuditLog
from voelgoed.services.platform import Actor, Forbidden, NotFound, TenantContext, ValidationFailed, VoelgoedError
from voelgoed.services.sales import waiting_room as wr

OPENS = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def room_event(db, redis_client):
    org = make_org(db)
    event = make_event(db, org)
    event.waiting_room_enabled = True
    event.waiting_room_opens_at = OPENS
    event.waiting_room_rate_per_minute = 60  # one per second
    db.add(event)
    db.flush()
    return event


def _ranks(room, tokens, now):
    return [wr.status(room, t, now=now)["queue_rank"] for t in tokens]


def test_pre_opening_visitors_get_a_random_order_then_fifo(room_event):
    before = OPENS - timedelta(minutes=30)
    early = [wr.join(room_event, now=before + timedelta(seconds=i))["visitor_token"] for i in range(40)]
    # before opening the draw is not shown
    st = wr.status(room_event, early[0], now=before + timedelta(minutes=1))
    assert st["position"] is None and st["queue_rank"] is None and not st["opened"] and not st["admitted"]
    after = OPENS + timedelta(seconds=1)
    late = [wr.join(room_event, now=after + timedelta(milliseconds=i))["visitor_token"] for i in range(10)]
    at = OPENS + timedelta(seconds=2)
    early_ranks = _ranks(room_event, early, at)
    late_ranks = _ranks(room_event, late, at)
    assert sorted(early_ranks) == list(range(1, 41))
    assert early_ranks != list(range(1, 41)), "arrival order must not decide the pre-opening draw"
    assert late_ranks == list(range(41, 51)), "later arrivals are served in order, after all early ones"


def test_late_arrivals_in_same_instant_stay_in_order(room_event):
    now = OPENS + timedelta(minutes=5)
    tokens = [wr.join(room_event, now=now)["visitor_token"] for _ in range(20)]
    assert _ranks(room_event, tokens, now) == list(range(1, 21))


def test_admission_by_rate(room_event):
    tokens = [wr.join(room_event, now=OPENS + timedelta(seconds=1, milliseconds=i))["visitor_token"] for i in range(10)]
    st = wr.status(room_event, tokens[4], now=OPENS + timedelta(seconds=3))
    assert st["admitted_count"] == 3 and not st["admitted"] and st["position"] == 2
    assert st["estimated_wait_seconds"] == 2 and st["pass"] is None
    st = wr.status(room_event, tokens[4], now=OPENS + timedelta(seconds=5))
    assert st["admitted"] and st["position"] == 0 and st["pass"].startswith("VGP1.")
    # 10 per minute → 1 every 6 s
    room = wr.Room.of(room_event)
    slow = wr.Room(room.event_id, room.slug, True, OPENS, 10)
    assert wr.admitted_count(slow, OPENS + timedelta(seconds=59)) == 9
    assert wr.admitted_count(slow, OPENS - timedelta(seconds=59)) == 0


def test_returning_with_token_keeps_place_and_new_join_goes_to_back(room_event):
    now = OPENS + timedelta(minutes=1)
    first = wr.join(room_event, now=now)
    second = wr.join(room_event, now=now)
    again = wr.join(room_event, first["visitor_token"], now=now + timedelta(seconds=5))
    assert again["queue_rank"] == first["queue_rank"] == 1 and second["queue_rank"] == 2


def test_redis_flush_mid_sale_keeps_everyones_place(room_event, redis_client):
    before = OPENS - timedelta(minutes=5)
    tokens = [wr.join(room_event, now=before)["visitor_token"] for _ in range(15)]
    tokens += [wr.join(room_event, now=OPENS + timedelta(seconds=i + 1))["visitor_token"] for i in range(15)]
    now = OPENS + timedelta(seconds=20)
    ranks = _ranks(room_event, tokens, now)
    redis_client.flushdb()
    # a newcomer after the flush must still be behind everyone who was already in line
    newcomer = wr.join(room_event, now=now)
    # everyone returns in reverse order of place
    order = sorted(range(len(tokens)), key=lambda i: -ranks[i])
    for i in order:
        wr.status(room_event, tokens[i], now=now)
    assert _ranks(room_event, tokens, now) == ranks
    assert wr.status(room_event, newcomer["visitor_token"], now=now)["queue_rank"] == 31


def test_forged_or_foreign_visitor_tokens_are_refused(db, room_event):
    token = wr.join(room_event, now=OPENS)["visitor_token"]
    parts = token.split(".")
    forged = ".".join([parts[0], parts[1], "0", "000001", parts[4]])
    with pytest.raises(NotFound) as exc:
        wr.status(room_event, forged, now=OPENS)
    assert exc.value.code == "visitor_token_invalid"
    other = make_event(db, make_org(db))
    other.waiting_room_enabled = True
    with pytest.raises(NotFound):
        wr.status(other, token, now=OPENS)
    # a forged token on join is ignored: the visitor gets a fresh place at the back
    assert wr.join(room_event, forged, now=OPENS + timedelta(seconds=1))["queue_rank"] == 2


def _admitted_pass(event, now):
    token = wr.join(event, now=OPENS - timedelta(minutes=1))["visitor_token"]
    st = wr.status(event, token, now=now)
    assert st["admitted"]
    return st["pass"]


def test_pass_checks(db, room_event):
    now = OPENS + timedelta(minutes=1)
    p = _admitted_pass(room_event, now)
    wr.require_pass_for_hold(room_event, p, now=now)

    def refused(token, at=now):
        with pytest.raises(VoelgoedError) as exc:
            wr.require_pass_for_hold(room_event, token, now=at)
        assert exc.value.code == "waiting_room_pass_required" and exc.value.status == 403
        return exc.value.details["reason"]

    assert refused(None) == "missing"
    assert refused("garbage") == "invalid"
    head, sig = p.rsplit(".", 1)
    assert refused(head + "." + ("0" * len(sig))) == "invalid"
    parts = p.split(".")
    later_exp = ".".join(parts[:3] + [str(int(parts[3]) + 3600), parts[4]])
    assert refused(later_exp) == "invalid"  # cannot extend a pass by editing it
    assert refused(p, at=now + timedelta(seconds=wr.PASS_TTL_SECONDS)) == "expired"
    other = make_event(db, make_org(db))
    other.waiting_room_enabled = True
    with pytest.raises(VoelgoedError) as exc:
        wr.require_pass_for_hold(other, p, now=now)
    assert exc.value.code == "waiting_room_pass_required"
    # reuse: MAX_HOLDS_PER_PASS attempts in total (one used above)
    for _ in range(wr.MAX_HOLDS_PER_PASS - 1):
        wr.require_pass_for_hold(room_event, p, now=now)
    assert refused(p) == "used_up"


def test_pass_expiry_is_fixed_at_first_issue(room_event):
    token = wr.join(room_event, now=OPENS - timedelta(minutes=1))["visitor_token"]
    first = wr.status(room_event, token, now=OPENS + timedelta(minutes=1))
    later = wr.status(room_event, token, now=OPENS + timedelta(minutes=8))
    assert first["pass_expires_at"] == later["pass_expires_at"]
    with pytest.raises(VoelgoedError):
        wr.require_pass_for_hold(room_event, later["pass"], now=OPENS + timedelta(minutes=11))


def test_room_off_needs_no_pass(db, redis_client):
    event = make_event(db, make_org(db))
    wr.require_pass_for_hold(event, None)
    st = wr.join(event)
    assert st["admitted"] and st["pass"] is None and not st["waiting_room_enabled"]


def test_configure_waiting_room(db, redis_client):
    org = make_org(db)
    user = make_user(db, org=org, role="staff")
    event = make_event(db, org)
    ctx = TenantContext(org.id, Actor("user", str(user.id)), "staff")
    wr.configure_waiting_room(db, ctx, event_id=event.id, enabled=True, opens_at=OPENS, rate_per_minute=500)
    db.refresh(event)
    assert event.waiting_room_enabled and event.waiting_room_rate_per_minute == 500
    assert event.waiting_room_opens_at == OPENS
    log = db.query(AuditLog).filter(AuditLog.action == "event.waiting_room_configured").all()
    assert len(log) == 1 and log[0].target_id == str(event.id)
    with pytest.raises(ValidationFailed):
        wr.configure_waiting_room(db, ctx, event_id=event.id, enabled=True, rate_per_minute=0)
    viewer = TenantContext(org.id, Actor("user", str(user.id)), "viewer")
    with pytest.raises(Forbidden):
        wr.configure_waiting_room(db, viewer, event_id=event.id, enabled=False)
    stranger = TenantContext(make_org(db).id, Actor("user", str(user.id)), "owner")
    with pytest.raises(NotFound):
        wr.configure_waiting_room(db, stranger, event_id=event.id, enabled=False)
