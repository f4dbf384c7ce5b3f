"""Browser journey: the waiting room at /e/<slug>/queue polls with plain fetch, shows the place, and once
admitted stores the pass in sessionStorage and lands on /e/<slug>?pass=… ; a second visitor waits."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from tests.factories import make_event, make_org, make_ticket_type


@pytest.mark.e2e
def test_waiting_room_admits_in_order_and_hands_over_the_pass(browser, live_app, app_db):
    org = make_org(app_db, name="Queue Org")
    event = make_event(app_db, org)
    event.waiting_room_enabled = True
    event.waiting_room_opens_at = datetime.now(UTC) - timedelta(seconds=3)
    event.waiting_room_rate_per_minute = 30  # one every 2 s: the first visitor is let in almost at once
    app_db.add(event)
    make_ticket_type(app_db, event, quantity=20)
    app_db.commit()

    first = browser.new_context(base_url=live_app).new_page()
    first.set_default_timeout(30_000)
    first.goto(f"/e/{event.slug}/queue")
    first.wait_for_url(re.compile(rf"/e/{event.slug}/?\?pass=VGP1\."))
    stored = first.evaluate(f"() => sessionStorage.getItem('vg_pass_{event.slug}')")
    assert stored and stored.startswith("VGP1.") and stored in first.url

    # a second visitor joining far behind sees a place and a wait, and stays on the queue page
    event.waiting_room_rate_per_minute = 1
    app_db.add(event)
    app_db.commit()
    second = browser.new_context(base_url=live_app).new_page()
    second.set_default_timeout(30_000)
    second.wait_for_timeout(2500)  # the server caches room settings for 2 s (waiting_room.EVENT_CACHE_SECONDS)
    second.goto(f"/e/{event.slug}/queue")
    second.wait_for_function("() => /^\\d+$/.test(document.getElementById('wr-position')?.textContent || '')")
    assert int(second.locator("#wr-position").inner_text()) >= 1
    assert "/queue" in second.url
    first.context.close()
    second.context.close()
