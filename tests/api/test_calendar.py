"""iCalendar feeds: the organisation's public feed, the buyer's per-order file (download and e-mail
attachment through a real SMTP server), parsed back with the icalendar library."""

from __future__ import annotations

import email
from datetime import UTC, datetime, timedelta
from email import policy
from zoneinfo import ZoneInfo

import icalendar
import pytest

from tests.factories import make_event, make_org, make_ticket_type, make_venue
from tests.services.test_ticket_delivery import media, smtp_inbox  # noqa: F401 - fixtures
from tests.ticket_factories import make_order, make_paid_order_setup
from voelgoed.config import get_settings
from voelgoed.services.tickets import ticket_jobs, tickets

JHB = ZoneInfo("Africa/Johannesburg")


@pytest.fixture
def feed_world(db):
    org = make_org(db, name="Jozi Live", slug="jozi-live")
    venue = make_venue(db, org)
    venue.name, venue.address, venue.city = "Bassline", "10 Henry Nxumalo St", "Johannesburg"
    published = make_event(db, org, venue=venue, slug="jozi-jazz")
    published.published_at = datetime.now(UTC)
    draft = make_event(db, org, venue=venue, status="draft", slug="jozi-draft")
    cancelled = make_event(db, org, venue=venue, status="cancelled", slug="jozi-cancelled")
    cancelled.published_at = datetime.now(UTC) - timedelta(days=2)
    other = make_event(db, make_org(db), slug="not-jozi")
    db.flush()
    return {"org": org, "venue": venue, "published": published, "draft": draft, "cancelled": cancelled, "other": other}


def _events(body: bytes) -> dict[str, icalendar.Event]:
    cal = icalendar.Calendar.from_ical(body)
    return {str(e["URL"]).rsplit("/", 1)[-1]: e for e in cal.walk("VEVENT")}


def test_the_feed_lists_published_events_in_the_venue_timezone_with_location_and_url(client, feed_world):
    r = client.get("/api/v1/public/organisations/jozi-live/events.ics")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/calendar")
    assert r.headers["cache-control"] == "public, max-age=300" and r.headers["etag"] and r.headers["last-modified"]
    cal = icalendar.Calendar.from_ical(r.content)
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Africa/Johannesburg"]
    events = _events(r.content)
    assert set(events) == {"jozi-jazz", "jozi-cancelled"}  # no draft, nothing of another organisation
    jazz, ev = events["jozi-jazz"], feed_world["published"]
    assert jazz["DTSTART"].params["TZID"] == "Africa/Johannesburg"
    assert jazz.start == ev.starts_at.astimezone(JHB).replace(microsecond=0)
    assert jazz.end == ev.ends_at.astimezone(JHB).replace(microsecond=0)
    assert jazz.start.utcoffset() == timedelta(hours=2)
    assert str(jazz["LOCATION"]) == "Bassline, 10 Henry Nxumalo St, Johannesburg"
    assert str(jazz["URL"]) == f"{get_settings().effective_base_url}/e/jozi-jazz"
    assert str(jazz["STATUS"]) == "CONFIRMED" and str(events["jozi-cancelled"]["STATUS"]) == "CANCELLED"
    assert str(jazz["UID"]) == f"event-{ev.id}@{get_settings().effective_base_url.split('//')[1].split(':')[0]}"


def test_the_feed_answers_304_for_its_etag_and_changes_when_an_event_changes(client, db, feed_world):
    first = client.get("/api/v1/public/organisations/jozi-live/events.ics")
    again = client.get("/api/v1/public/organisations/jozi-live/events.ics", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    feed_world["published"].name = "Jozi Jazz (moved)"
    feed_world["published"].updated_at = datetime.now(UTC) + timedelta(seconds=5)
    db.flush()
    changed = client.get("/api/v1/public/organisations/jozi-live/events.ics", headers={"If-None-Match": first.headers["etag"]})
    assert changed.status_code == 200 and changed.headers["etag"] != first.headers["etag"]
    moved = _events(changed.content)["jozi-jazz"]
    assert str(moved["SUMMARY"]) == "Jozi Jazz (moved)"
    assert moved["SEQUENCE"] > _events(first.content)["jozi-jazz"]["SEQUENCE"]


@pytest.mark.parametrize("slug", ["nobody", "x" * 81, "%00"])
def test_an_unknown_organisation_is_a_404_envelope(client, slug):
    r = client.get(f"/api/v1/public/organisations/{slug}/events.ics")
    assert r.status_code == (422 if len(slug) > 80 else 404), r.text
    assert r.json()["error"]["code"] == ("validation_failed" if len(slug) > 80 else "not_found")


def test_the_buyer_downloads_the_order_calendar_and_a_wrong_token_is_404(client, db):
    _org, event, _tt, order = make_paid_order_setup(db, quantity=2)
    tickets.issue_for_order(db, order)
    db.commit()
    url = f"/api/v1/public/orders/{order.order_code}/calendar.ics"
    r = client.get(url, params={"access_token": order.access_token})
    assert r.status_code == 200 and r.headers["cache-control"] == "private, no-store"
    assert r.headers["content-disposition"] == f'attachment; filename="{order.order_code}.ics"'
    (vevent,) = icalendar.Calendar.from_ical(r.content).walk("VEVENT")
    assert str(vevent["SUMMARY"]) == event.name and f"Order {order.order_code} · 2 tickets" in str(vevent["DESCRIPTION"])
    assert order.access_token not in r.text  # the secret link never goes into a calendar
    wrong = client.get(url, params={"access_token": "nope"})
    assert wrong.status_code == 404 and wrong.json()["error"]["code"] == "not_found"


def test_the_confirmation_email_carries_the_calendar_file(db, redis_client, smtp_inbox):  # noqa: F811
    org = make_org(db)
    event = make_event(db, org)
    order = make_order(db, make_ticket_type(db, event), quantity=1)
    tickets.issue_for_order(db, order)
    db.commit()
    assert ticket_jobs.send_order_confirmation(str(order.id)) is True
    msg = email.message_from_bytes(smtp_inbox.messages[0][1], policy=policy.default)
    (part,) = [p for p in msg.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert part.get_filename() == f"{order.order_code}.ics"
    (vevent,) = icalendar.Calendar.from_ical(part.get_payload(decode=True)).walk("VEVENT")
    assert vevent.start == event.starts_at.astimezone(JHB).replace(microsecond=0)
    assert [p.get_content_type() for p in msg.iter_attachments()].count("application/pdf") == 1
