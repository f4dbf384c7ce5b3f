"""Attaching a published seating-plan version to an event and the plan-change guard (sold and held seats
never disappear), retired seat keys, duplicating plans and the starter templates (real PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from tests.factories import make_event, make_org, make_ticket_type, make_venue
from tests.seating_factories import block_layout, clone, ctx_for, org_venue
from voelgoed.models import AuditLog, Event, EventSeat, Hold, SeatingSeat
from voelgoed.services import seating
from voelgoed.services.platform import VoelgoedError


def publish(db, ctx, plan, doc):
    seating.save_draft(db, ctx, plan.id, doc)
    return seating.publish(db, ctx, plan.id)["version"]


def seat_row(db, version_id, key):
    return db.exec(select(SeatingSeat).where(SeatingSeat.version_id == version_id, SeatingSeat.seat_key == key)).one()


def seated_sales(db, ctx, event):
    """Seated sales on the event (its attached version): one ticket type per category, free event seats."""
    std = make_ticket_type(db, event, name="Standard", quantity=0)
    vip = make_ticket_type(db, event, name="VIP", quantity=0)
    seating.configure_seated_sales(db, ctx, event_id=event.id, category_types={"std": str(std.id), "vip": str(vip.id)})


def mark(db, event, key, status, *, expires_in=timedelta(minutes=10)):
    """Arrange one event seat's status (a sold seat, or held by a hold until now + ``expires_in``)."""
    seat = db.exec(select(EventSeat).where(EventSeat.event_id == event.id, EventSeat.seat_key == key)).one()
    seat.status = status
    if status == "held":
        h = Hold(organization_id=event.organization_id, event_id=event.id, expires_at=datetime.now(UTC) + expires_in)
        db.add(h)
        db.flush()
        seat.hold_id, seat.hold_expires_at = h.id, h.expires_at
    db.add(seat)
    db.flush()
    return seat


@pytest.fixture
def seated(db):
    """(org, venue, ctx, plan, v1, event) with v1 = rows A (4) and B (4) attached to the event."""
    org, venue, ctx = org_venue(db)
    plan = seating.create_plan(db, ctx, venue_id=venue.id, name="Hall")
    v1 = publish(db, ctx, plan, block_layout((("A", 4), ("B", 4))))
    event = make_event(db, org, venue=venue)
    seating.attach_version(db, ctx, event.id, v1["id"])
    return org, venue, ctx, plan, v1, event


def test_attach_sets_the_version_audits_and_the_editor_lists_the_venues_versions(db, seated):
    org, venue, ctx, plan, v1, event = seated
    db.refresh(event)
    assert str(event.seating_plan_version_id) == v1["id"]
    log = db.exec(select(AuditLog).where(AuditLog.action == "event.seating_plan_attached")).one()
    assert log.data["version"] == 1 and log.data["from"] is None and log.data["to"] == v1["id"]
    view = seating.event_seating(db, ctx, event.id)
    assert view["current"]["id"] == v1["id"] and view["current"]["label"] == "Hall · v1 (8 seats)"
    assert [o["number"] for o in view["options"]] == [1] and view["protected"] == 0
    # the same version again writes nothing
    seating.attach_version(db, ctx, event.id, v1["id"])
    assert len(db.exec(select(AuditLog).where(AuditLog.action == "event.seating_plan_attached")).all()) == 1


def test_a_plan_of_another_venue_or_organisation_is_refused(db, seated):
    org, venue, ctx, plan, v1, event = seated
    other_venue = make_venue(db, org)
    elsewhere = seating.create_plan(db, ctx, venue_id=other_venue.id, name="Elsewhere")
    v_else = publish(db, ctx, elsewhere, block_layout())
    with pytest.raises(VoelgoedError) as exc:
        seating.attach_version(db, ctx, event.id, v_else["id"])
    assert exc.value.status == 422 and "seating_plan_version_id" in exc.value.details["fields"]
    stranger_org, stranger_venue, stranger = org_venue(db)
    with pytest.raises(VoelgoedError) as exc:
        seating.attach_version(db, stranger, event.id, None)
    assert exc.value.status == 404
    foreign = make_event(db, stranger_org, venue=stranger_venue)
    with pytest.raises(VoelgoedError) as exc:
        seating.attach_version(db, stranger, foreign.id, v1["id"])
    assert exc.value.status == 404
    with pytest.raises(VoelgoedError) as exc:
        seating.attach_version(db, ctx_for(org, role="door"), event.id, None)
    assert exc.value.status == 403
    db.refresh(event)
    assert str(event.seating_plan_version_id) == v1["id"]


def test_without_seated_sales_nothing_is_protected(db, seated):
    """Seat references are event seat ids, which exist only with seated sales: a plan alone protects nothing."""
    org, venue, ctx, plan, v1, event = seated
    assert seating.protected_seats(db, event) == []
    seating.attach_version(db, ctx, event.id, None)
    assert db.get(Event, event.id).seating_plan_version_id is None


def test_the_guard_lists_sold_and_held_seats_that_would_disappear(db, seated):
    org, venue, ctx, plan, v1, event = seated
    seated_sales(db, ctx, event)
    mark(db, event, "A-1", "sold")
    mark(db, event, "B-4", "blocked")                                        # blocked: not protected
    mark(db, event, "B-1", "held")
    mark(db, event, "B-2", "held", expires_in=timedelta(minutes=-1))         # lapsed hold: not protected
    assert [(s["key"], s["label"], s["status"]) for s in seating.protected_seats(db, event)] == \
        [("A-1", "Stalls A-1", "sold"), ("B-1", "Stalls B-1", "held")]

    # v2 drops row B (the held seat) and relabels A-1 (same key): refused, listing only B-1
    doc = block_layout((("A", 4),))
    doc["sections"][0]["rows"][0]["seats"][0]["label"] = "101"
    doc["sections"][0]["rows"][0]["seats"][0]["x"] = 0
    v2 = publish(db, ctx, plan, doc)
    with pytest.raises(VoelgoedError) as exc:
        seating.attach_version(db, ctx, event.id, v2["id"])
    assert exc.value.code == "seats_protected" and exc.value.status == 409
    assert exc.value.details == {"seats": [{"key": "B-1", "label": "Stalls B-1", "status": "held"}], "count": 1}
    with pytest.raises(VoelgoedError) as exc:                                # detaching drops both
        seating.attach_version(db, ctx, event.id, None)
    assert [s["key"] for s in exc.value.details["seats"]] == ["A-1", "B-1"]
    db.refresh(event)
    assert str(event.seating_plan_version_id) == v1["id"], "nothing changed"

    # v3 keeps every protected key (A-1 relabelled, B-1 kept): allowed
    doc3 = block_layout((("A", 4), ("B", 1)))
    doc3["sections"][0]["rows"][0]["seats"][0]["label"] = "101"
    with pytest.raises(VoelgoedError) as exc:   # … but B-1 came back after v2 removed it: a retired key
        publish(db, ctx, plan, doc3)
    assert exc.value.code == "plan_invalid"
    assert {p["code"]: p["ids"] for p in exc.value.details["problems"]}["retired_seat_key"] == ["B-1"]


def test_a_relabelling_version_with_the_protected_keys_can_be_attached(db, seated):
    org, venue, ctx, plan, v1, event = seated
    seated_sales(db, ctx, event)
    sold = mark(db, event, "A-2", "sold")
    doc = block_layout((("A", 4), ("B", 4)))
    for seat in doc["sections"][0]["rows"][0]["seats"]:
        seat["label"] = str(int(seat["label"]) + 100)
    v2 = publish(db, ctx, plan, doc)
    seating.attach_version(db, ctx, event.id, v2["id"])
    assert str(db.get(Event, event.id).seating_plan_version_id) == v2["id"]
    # the sold seat keeps its event seat row (the id tickets refer to) and takes the new label
    db.expire_all()
    kept = db.get(EventSeat, sold.id)
    assert (kept.seat_key, kept.status, kept.seat_label) == ("A-2", "sold", "102")


def test_removed_seat_keys_are_never_reused_in_a_later_version(db):
    _org, venue, ctx = org_venue(db)
    plan = seating.create_plan(db, ctx, venue_id=venue.id, name="Hall")
    full = block_layout((("A", 5),))
    publish(db, ctx, plan, full)
    smaller = clone(full)
    smaller["sections"][0]["rows"][0]["seats"] = smaller["sections"][0]["rows"][0]["seats"][:3]
    publish(db, ctx, plan, smaller)
    seating.save_draft(db, ctx, plan.id, full)                   # come back with their old keys
    preview = seating.validate_draft(db, ctx, plan.id)
    assert not preview["publishable"]
    retired = {p["code"]: p for p in preview["problems"]}["retired_seat_key"]
    assert retired["ids"] == ["A-4", "A-5"] and retired["count"] == 2
    with pytest.raises(VoelgoedError) as exc:
        seating.publish(db, ctx, plan.id)
    assert exc.value.code == "plan_invalid"
    fresh = clone(full)
    for seat in fresh["sections"][0]["rows"][0]["seats"][3:]:
        seat["key"] += "-new"
    assert publish(db, ctx, plan, fresh)["number"] == 3


def test_duplicate_plan_copies_the_draft_or_a_version_to_another_venue(db):
    org, venue, ctx = org_venue(db)
    plan = seating.create_plan(db, ctx, venue_id=venue.id, name="Main hall", layout_doc=block_layout((("A", 3),)))
    publish(db, ctx, plan, block_layout((("A", 6),)))
    seating.save_draft(db, ctx, plan.id, block_layout((("A", 9),)))
    variant = seating.duplicate_plan(db, ctx, plan.id)
    assert variant.name == "Main hall (copy)" and variant.venue_id == venue.id and variant.latest_version == 0
    assert seating.layout.summary(variant.draft_layout)["seats"] == 9
    other = make_venue(db, org)
    moved = seating.duplicate_plan(db, ctx, plan.id, name="Touring", venue_id=other.id, version=1)
    assert moved.venue_id == other.id and seating.layout.summary(moved.draft_layout)["seats"] == 6
    stranger_org = make_org(db)
    with pytest.raises(VoelgoedError) as exc:
        seating.duplicate_plan(db, ctx, plan.id, venue_id=make_venue(db, stranger_org).id)
    assert exc.value.status == 404
    actions = [a.action for a in db.exec(select(AuditLog).where(AuditLog.action == "seating_plan.duplicated"))]
    assert actions == ["seating_plan.duplicated"] * 2


@pytest.mark.parametrize("kind", sorted(seating.TEMPLATES))
def test_starter_templates_are_valid_publishable_and_reproducible(db, kind):
    doc = seating.starter_layout(kind, seed="x")
    assert seating.validate_layout(doc) == doc and seating.problems(doc) == []
    assert seating.starter_layout(kind, seed="x") == doc
    assert seating.starter_layout(kind, seed="y") != doc
    _org, venue, ctx = org_venue(db)
    plan = seating.create_plan(db, ctx, venue_id=venue.id, name=seating.TEMPLATES[kind], layout_doc=doc)
    version = seating.publish(db, ctx, plan.id)["version"]
    assert version["seat_count"] == seating.layout.summary(doc)["seats"] > 50


def test_an_unknown_template_is_a_field_error():
    with pytest.raises(VoelgoedError) as exc:
        seating.starter_layout("colosseum")
    assert exc.value.status == 422 and "template" in exc.value.details["fields"]
