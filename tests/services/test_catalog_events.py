import uuid
from datetime import UTC, datetime, timedelta

import pytest

from tests.factories import make_event, make_org, make_ticket_type, make_venue
from voelgoed.models import AuditLog, Event
from voelgoed.services.catalog import events
from voelgoed.services.platform import Actor, TenantContext, VoelgoedError

NOW = datetime(2026, 11, 1, 10, 0, tzinfo=UTC)


def ctx_for(org, role="owner"):
    return TenantContext(organization_id=org.id, actor=Actor("user", str(uuid.uuid4())), role=role)


def draft(db, org, **kw):
    venue = make_venue(db, org)
    args = dict(venue_id=venue.id, name="Jazz on the Lake", starts_at=NOW + timedelta(days=20),
                ends_at=NOW + timedelta(days=20, hours=5), sale_starts_at=NOW - timedelta(hours=1),
                sale_ends_at=NOW + timedelta(days=20))
    args.update(kw)
    return events.create_event(db, ctx_for(org), **args)


def raises(code, fn):
    with pytest.raises(VoelgoedError) as exc:
        fn()
    assert exc.value.code == code, exc.value
    return exc.value


def test_create_makes_unique_slug_from_name(db):
    org = make_org(db)
    name = f"Summer Jöl {uuid.uuid4().hex[:6]}!"
    a = draft(db, org, name=name)
    b = draft(db, org, name=name)
    assert a.status == "draft" and a.slug == events.slugify(name) and b.slug == a.slug + "-2"
    assert events.slugify("  Jozi — Summer Sounds!! ") == "jozi-summer-sounds"


def test_explicit_slug_taken_and_invalid(db):
    org, other = make_org(db), make_org(db)
    slug = f"taken-{uuid.uuid4().hex[:6]}"
    draft(db, org, slug=slug)
    err = raises("slug_taken", lambda: draft(db, other, slug=slug))
    assert err.status == 409
    raises("validation_failed", lambda: draft(db, org, slug="Bad Slug!"))
    raises("validation_failed", lambda: draft(db, org, slug="a"))


def test_time_rules_on_create(db):
    org = make_org(db)
    raises("validation_failed", lambda: draft(db, org, ends_at=NOW + timedelta(days=19)))
    raises("validation_failed", lambda: draft(db, org, sale_starts_at=NOW + timedelta(days=3), sale_ends_at=NOW))
    raises("validation_failed", lambda: draft(db, org, sale_ends_at=NOW + timedelta(days=30)))
    raises("validation_failed", lambda: draft(db, org, starts_at=datetime(2026, 12, 1)))  # naive
    raises("validation_failed", lambda: draft(db, org, currency="rand"))
    raises("validation_failed", lambda: draft(db, org, name="  "))


def test_publish_requires_active_ticket_type_and_lists_reasons(db):
    org = make_org(db)
    e = draft(db, org)
    err = raises("not_publishable", lambda: events.publish(db, ctx_for(org), e.id, now=NOW))
    assert err.status == 409 and any("ticket type" in r for r in err.details["reasons"])
    make_ticket_type(db, e, is_active=False)
    raises("not_publishable", lambda: events.publish(db, ctx_for(org), e.id, now=NOW))
    make_ticket_type(db, e, name="General")
    events.publish(db, ctx_for(org), e.id, now=NOW)
    assert e.status == "published" and e.published_at == NOW
    assert db.query(AuditLog).filter(AuditLog.target_id == str(e.id), AuditLog.action == "event.published").count() == 1
    raises("invalid_state", lambda: events.publish(db, ctx_for(org), e.id, now=NOW))


def test_publish_refuses_closed_or_past_sale_window(db):
    org = make_org(db)
    e = draft(db, org)
    make_ticket_type(db, e)
    late = NOW + timedelta(days=21)
    err = raises("not_publishable", lambda: events.publish(db, ctx_for(org), e.id, now=late))
    assert "The event is already over" in err.details["reasons"]
    assert "Sales have already closed" in err.details["reasons"]


def test_only_owner_admin_publish_staff_edits_viewer_cannot(db):
    org = make_org(db)
    e = draft(db, org)
    make_ticket_type(db, e)
    raises("forbidden", lambda: events.publish(db, ctx_for(org, "staff"), e.id, now=NOW))
    raises("forbidden", lambda: events.cancel(db, ctx_for(org, "staff"), e.id, now=NOW))
    raises("forbidden", lambda: events.update_event(db, ctx_for(org, "viewer"), e.id, name="x", now=NOW))
    raises("forbidden", lambda: events.create_event(db, ctx_for(org, "viewer"), venue_id=e.venue_id, name="x",
                                                    starts_at=NOW, ends_at=NOW + timedelta(hours=1)))
    events.update_event(db, ctx_for(org, "staff"), e.id, name="Renamed", now=NOW)
    assert e.name == "Renamed"
    events.publish(db, ctx_for(org, "admin"), e.id, now=NOW)
    assert e.status == "published"


def test_cross_tenant_not_found(db):
    org, other = make_org(db), make_org(db)
    e = draft(db, org)
    for fn in (events.get_event, events.publish, events.cancel, events.archive):
        raises("not_found", lambda fn=fn: fn(db, ctx_for(other), e.id))
    raises("not_found", lambda: events.update_event(db, ctx_for(other), e.id, name="x"))
    raises("not_found", lambda: draft(db, other, venue_id=e.venue_id))
    assert e not in events.list_events(db, ctx_for(other))


def test_clock_drives_live_and_ended_and_sync_persists(db):
    org = make_org(db)
    e = draft(db, org)
    make_ticket_type(db, e)
    events.publish(db, ctx_for(org), e.id, now=NOW)
    during = e.starts_at + timedelta(minutes=1)
    after = e.ends_at + timedelta(seconds=1)
    assert events.effective_status(e, NOW) == "published"
    assert events.effective_status(e, during) == "live"
    assert events.effective_status(e, after) == "ended"
    assert [x.id for x in events.list_events(db, ctx_for(org), status="live", now=during)] == [e.id]
    assert events.sync_statuses(db, event_id=e.id, now=during) == 1
    assert db.get(Event, e.id).status == "live"
    assert events.sync_statuses(db, event_id=e.id, now=during) == 0
    assert events.sync_statuses(db, event_id=e.id, now=after) == 1 and e.status == "ended"
    actions = [a.action for a in db.query(AuditLog).filter(AuditLog.target_id == str(e.id)).order_by(AuditLog.created_at)]
    assert actions[-2:] == ["event.went_live", "event.ended"]
    raises("invalid_state", lambda: events.update_event(db, ctx_for(org), e.id, name="late", now=after))
    raises("invalid_state", lambda: events.cancel(db, ctx_for(org), e.id, now=after))
    events.archive(db, ctx_for(org), e.id, now=after)
    assert e.status == "archived" and events.effective_status(e, after) == "archived"


def test_archive_needs_ended_draft_or_cancelled_and_cancel_rules(db):
    org = make_org(db)
    e = draft(db, org)
    make_ticket_type(db, e)
    events.publish(db, ctx_for(org), e.id, now=NOW)
    raises("invalid_state", lambda: events.archive(db, ctx_for(org), e.id, now=NOW))
    events.cancel(db, ctx_for(org), e.id, reason="Weather", now=NOW)
    assert e.status == "cancelled"
    raises("invalid_state", lambda: events.cancel(db, ctx_for(org), e.id, now=NOW))
    raises("invalid_state", lambda: events.publish(db, ctx_for(org), e.id, now=NOW))
    raises("invalid_state", lambda: events.update_event(db, ctx_for(org), e.id, name="x", now=NOW))
    events.archive(db, ctx_for(org), e.id, now=NOW)
    assert e.status == "archived"
    d = draft(db, org)
    events.archive(db, ctx_for(org), d.id, now=NOW)
    assert d.status == "archived"


def test_update_validates_and_currency_locked_after_ticket_types(db):
    org = make_org(db)
    e = draft(db, org)
    raises("validation_failed", lambda: events.update_event(db, ctx_for(org), e.id, ends_at=e.starts_at, now=NOW))
    events.update_event(db, ctx_for(org), e.id, currency="usd", now=NOW)
    assert e.currency == "USD"
    make_ticket_type(db, e)
    raises("invalid_state", lambda: events.update_event(db, ctx_for(org), e.id, currency="ZAR", now=NOW))
    other = make_event(db, org, status="draft")
    raises("slug_taken", lambda: events.update_event(db, ctx_for(org), e.id, slug=other.slug, now=NOW))
