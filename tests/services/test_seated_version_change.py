"""Changing the seating-plan version of an event that already sells seats (issues 11 and 12 together):
the guard reads the event seats' statuses, and a change that passes re-syncs the event seats."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from tests.seated_factories import seated_event
from tests.seating_factories import block_layout, clone
from voelgoed.models import EventSeat, EventSeating, SeatingPlanVersion
from voelgoed.services import seating
from voelgoed.services.platform import VoelgoedError

T0 = datetime.now(UTC).replace(microsecond=0)


def _seats(db, event) -> dict[str, EventSeat]:
    db.expire_all()
    return {s.seat_key: s for s in db.exec(select(EventSeat).where(EventSeat.event_id == event.id))}


def _publish_variant(db, ctx, event, change) -> str:
    """Publish a new version of the event's plan with ``change(doc)`` applied; its version id."""
    plan_id = db.get(SeatingPlanVersion, event.seating_plan_version_id).plan_id
    doc = clone(block_layout((("A", 10),)))
    change(doc)
    seating.save_draft(db, ctx, plan_id, doc)
    return seating.publish(db, ctx, plan_id)["version"]["id"]


def _drop_a10_add_a11_relabel_a1(doc) -> None:
    row = doc["sections"][0]["rows"][0]
    row["seats"] = [s for s in row["seats"] if s["key"] != "A-10"]
    row["seats"].append({"key": "A-11", "label": "11", "x": 100 + 10 * 30, "y": 200, "category": "vip"})
    row["seats"][0]["label"] = "1a"


def test_a_held_seat_that_would_disappear_blocks_the_change_and_nothing_moves(db):
    event, ctx, _ = seated_event(db)
    v1 = event.seating_plan_version_id
    seating.hold_seats(db, event_slug=event.slug, seat_keys=["A-10"], client_address="1.1.1.1", now=T0)
    assert seating.protected_seats(db, event, now=T0) == [{"key": "A-10", "label": "Stalls A-10", "status": "held"}]
    v2 = _publish_variant(db, ctx, event, _drop_a10_add_a11_relabel_a1)
    before = {k: (s.status, s.seat_label) for k, s in _seats(db, event).items()}
    with pytest.raises(VoelgoedError) as exc:
        seating.attach_version(db, ctx, event.id, v2, now=T0)
    assert exc.value.code == "seats_protected"
    assert [s["key"] for s in exc.value.details["seats"]] == ["A-10"]
    db.rollback()
    db.expire_all()
    assert db.get(type(event), event.id).seating_plan_version_id == v1
    assert {k: (s.status, s.seat_label) for k, s in _seats(db, event).items()} == before


def test_a_change_that_keeps_every_held_seat_resyncs_the_event_seats(db):
    event, ctx, _ = seated_event(db)
    hold = seating.hold_seats(db, event_slug=event.slug, seat_keys=["A-1"], client_address="1.1.1.1", now=T0)
    seating.set_blocked(db, ctx, event_id=event.id, seat_keys=["A-10"], blocked=True, now=T0)
    v2 = _publish_variant(db, ctx, event, _drop_a10_add_a11_relabel_a1)
    seating.attach_version(db, ctx, event.id, v2, now=T0)
    seats = _seats(db, event)
    assert set(seats) == {f"A-{i}" for i in range(1, 10)} | {"A-11"}   # A-10 (only blocked) left, A-11 came
    assert seats["A-1"].status == "held" and seats["A-1"].seat_label == "1a"   # the hold stays, the label follows
    assert str(seats["A-1"].hold_id) == hold["hold_id"]
    assert seats["A-11"].status == "free" and seats["A-11"].category_key == "vip"
    settings = db.get(EventSeating, event.id)
    assert str(settings.version_id) == str(v2)


def test_a_version_with_an_unmapped_category_is_refused(db):
    event, ctx, _ = seated_event(db)

    def new_category(doc):
        doc["categories"].append({"key": "box", "label": "Box", "color": "#1c7ed6", "accessible": False})
        doc["sections"][0]["rows"][0]["seats"][0]["category"] = "box"

    v2 = _publish_variant(db, ctx, event, new_category)
    with pytest.raises(VoelgoedError) as exc:
        seating.attach_version(db, ctx, event.id, v2, now=T0)
    assert exc.value.code == "validation_failed" and "category_types.box" in exc.value.details["fields"]
    db.rollback()
    assert len(_seats(db, event)) == 10


def test_detaching_a_seated_event_with_no_sold_or_held_seat_removes_its_seats(db):
    event, ctx, _ = seated_event(db)
    seating.attach_version(db, ctx, event.id, None, now=T0)
    assert _seats(db, event) == {}
    assert db.get(EventSeating, event.id) is None
    db.refresh(event)
    assert event.seating_plan_version_id is None


def test_configure_without_a_version_asks_for_one_and_uses_the_attached_one(db):
    event, ctx, types = seated_event(db)
    version_id = event.seating_plan_version_id
    seating.attach_version(db, ctx, event.id, None)          # back to general admission
    with pytest.raises(VoelgoedError) as exc:
        seating.configure_seated_sales(db, ctx, event_id=event.id, category_types={})
    assert exc.value.code == "validation_failed" and "version_id" in exc.value.details["fields"]
    db.rollback()
    seating.attach_version(db, ctx, event.id, version_id)     # chosen in the event editor first
    seating.configure_seated_sales(db, ctx, event_id=event.id,
                                   category_types={"std": str(types["std"].id), "vip": str(types["vip"].id)})
    assert len(_seats(db, event)) == 10
    assert str(db.get(EventSeating, event.id).version_id) == str(version_id)
