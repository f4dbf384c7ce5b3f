"""Attribution across an expired hold and a second visit, and the funnel counters against scripted visits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from tests.factories import make_event, make_org, make_ticket_type
from tests.marketing_helpers import owner_ctx
from voelgoed.config import get_settings
from voelgoed.models import FunnelCount, Hold, OrderAttribution
from voelgoed.services.marketing import (
    create_campaign,
    create_link,
    funnel,
    is_bot,
    last_code,
    parse_touch,
    rollup,
    should_track,
    touch_cookie,
)
from voelgoed.services.sales import checkout, inventory


@pytest.fixture
def links(db):
    org = make_org(db)
    event = make_event(db, org)
    tt = make_ticket_type(db, event, quantity=20)
    ctx = owner_ctx(db, org)
    db.commit()
    camp = create_campaign(db, ctx, name="Spring", channel="email", event_id=event.id)
    a = create_link(db, ctx, campaign_id=camp.id, label="newsletter")
    b = create_link(db, ctx, campaign_id=camp.id, label="reminder")
    return event, tt, a, b


def test_attribution_across_a_hold_that_expires_and_a_second_visit(db, links):
    event, tt, a, b = links
    t0 = datetime.now(UTC)
    cookie = touch_cookie(None, a.short_code, t0)
    first = inventory.create_hold(db, event_slug=event.slug, items=[(tt.id, 1)], touch=cookie, now=t0)
    lapsed = t0 + timedelta(seconds=get_settings().hold_ttl_seconds + 1)
    inventory.expire_hold(db, hold_id=first.id, now=lapsed)
    assert db.get(Hold, first.id).status == "expired"
    t1 = t0 + timedelta(days=2)
    cookie = touch_cookie(cookie, b.short_code, t1)  # the second visit, through the other link
    second = inventory.create_hold(db, event_slug=event.slug, items=[(tt.id, 1)], touch=cookie, now=t1)
    order = checkout.start_checkout(db, hold_id=second.id, buyer_name="Lwazi", buyer_email="l@example.co.za", now=t1)
    att = db.exec(select(OrderAttribution).where(OrderAttribution.order_id == order.id)).one()
    assert (att.first_link_id, att.last_link_id) == (a.id, b.id)
    assert abs(att.first_touch_at - t0) < timedelta(seconds=1) and abs(att.last_touch_at - t1) < timedelta(seconds=1)
    expired = db.exec(select(OrderAttribution).where(OrderAttribution.hold_id == first.id)).one()
    assert expired.order_id is None and expired.last_link_id == a.id  # the expired hold attributes nothing


def test_touches_outside_the_window_or_forged_or_for_another_event_are_ignored(db, links):
    event, _, a, b = links
    t0 = datetime.now(UTC)
    window = timedelta(days=get_settings().attribution_window_days)
    old = touch_cookie(None, a.short_code, t0 - window - timedelta(hours=1))
    fresh = touch_cookie(old, b.short_code, t0)  # the first touch was outside the window: b is first and last
    assert {k: v[0] for k, v in parse_touch(db, fresh, event.id, t0).items()} == {"first": b.id, "last": b.id}
    assert parse_touch(db, old, event.id, t0) == {}
    body, _, sig = fresh.rpartition(".")
    forged = body.replace(b.short_code, a.short_code) + "." + sig
    assert parse_touch(db, forged, event.id, t0) == {} and last_code(forged, t0) == ""
    assert parse_touch(db, fresh, make_event(db, make_org(db)).id, t0) == {}
    assert parse_touch(db, "garbage", event.id, t0) == {} and parse_touch(db, "x" * 5000, event.id, t0) == {}


def test_do_not_track_gpc_and_bots_are_not_counted():
    ua = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 Safari/604.1"
    assert should_track({"user-agent": ua})
    assert not should_track({"user-agent": ua, "dnt": "1"}) and not should_track({"user-agent": ua, "sec-gpc": "1"})
    for bot in ("Googlebot/2.1", "curl/8.5.0", "python-requests/2.32", "facebookexternalhit/1.1", "", "Mozilla"):
        assert is_bot(bot), bot
    assert not is_bot(ua)


def test_funnel_counts_against_a_scripted_set_of_visits(db, links, redis_client):
    event, _, a, b = links
    now = datetime.now(UTC)
    script = [("visit", a.short_code, "198.51.100.1")] * 3 + [("visit", b.short_code, "198.51.100.2")] * 2 + \
             [("page_view", a.short_code, "198.51.100.1")] * 2 + [("page_view", "", "198.51.100.3")] * 4 + \
             [("hold", a.short_code, "198.51.100.1"), ("checkout_started", a.short_code, "198.51.100.1"),
              ("nonsense_step", "", "198.51.100.3"), ("page_view", "bad|code", "198.51.100.3")]
    counted = [funnel.record(event_id=event.id, step=s, link_code=c, client_key=ip, now=now) for s, c, ip in script]
    assert counted.count(True) == len(script) - 1  # the unknown step is refused; the bad code counts as direct
    assert rollup(db) == len(script) - 1
    assert rollup(db) == 0  # nothing twice
    got = {(fc.link_key, fc.step): fc.count for fc in db.exec(select(FunnelCount).where(FunnelCount.event_id == event.id))}
    assert got == {(a.short_code, "visit"): 3, (b.short_code, "visit"): 2, (a.short_code, "page_view"): 2,
                   ("", "page_view"): 5, (a.short_code, "hold"): 1, (a.short_code, "checkout_started"): 1}
    funnel.record(event_id=event.id, step="page_view", now=now)
    rollup(db)
    row = db.exec(select(FunnelCount).where(FunnelCount.event_id == event.id, FunnelCount.link_key == "",
                                            FunnelCount.step == "page_view")).one()
    assert row.count == 6 and row.organization_id == event.organization_id


def test_a_tracking_flood_from_one_address_is_capped(db, links, redis_client):
    event, _, _, _ = links
    now = datetime.now(UTC)
    results = [funnel.record(event_id=event.id, step="page_view", client_key="203.0.113.66", now=now) for _ in range(100)]
    assert results.count(True) == get_settings().funnel_flood_per_minute == 60
    assert funnel.record(event_id=event.id, step="page_view", client_key="203.0.113.67", now=now)


def test_the_worker_cron_runs_the_marketing_job(db, links, redis_client):
    from voelgoed.services.runtime.worker import cron_scheduler

    cron = cron_scheduler(redis_client)
    assert "voelgoed.services.marketing.jobs.marketing_job" in {j.func_name for j in cron.get_jobs()}
