"""Seating plans: schema rejections, publish-blocking problems, publish/diff/immutability, import/export,
tenant isolation, roles and audit entries (real PostgreSQL)."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from tests.factories import make_org, make_venue
from tests.seating_factories import block_layout, clone, ctx_for, org_venue, seats_of
from voelgoed.models import AuditLog, SeatingArea, SeatingCategory, SeatingPlanVersion, SeatingSeat
from voelgoed.services import seating
from voelgoed.services.platform import VoelgoedError


def codes(found):
    return {p["code"]: p for p in found}


# ---------------------------------------------------------------- schema


@pytest.mark.parametrize("mutate, path", [
    (lambda d: d.pop("sections"), ""),
    (lambda d: d.update(schema_version=2), "schema_version"),
    (lambda d: d["sections"][0]["rows"][0]["seats"][0].update(x="left"), "sections/0/rows/0/seats/0/x"),
    (lambda d: d["sections"][0]["rows"][0]["seats"][0].update(flags=["vip_lounge"]), "sections/0/rows/0/seats/0/flags/0"),
    (lambda d: d["sections"][0]["rows"][0]["seats"][0].update(key="has space"), "sections/0/rows/0/seats/0/key"),
    (lambda d: d["categories"][0].update(color="green"), "categories/0/color"),
    (lambda d: d.update(surprise=1), ""),
    (lambda d: d.update(standing_areas=[{"id": "pit", "capacity": 0, "points": [{"x": 0, "y": 0}]}]), "standing_areas/0/capacity"),
])
def test_schema_rejects_malformed_layouts_with_the_path(mutate, path):
    doc = block_layout()
    mutate(doc)
    with pytest.raises(VoelgoedError) as exc:
        seating.validate_layout(doc)
    assert exc.value.code == "layout_invalid" and exc.value.status == 422
    assert path in [e["path"] for e in exc.value.details["errors"]]


def test_parse_layout_rejects_non_json_and_oversized_imports():
    with pytest.raises(VoelgoedError) as exc:
        seating.parse_layout(b"{not json")
    assert exc.value.code == "malformed" and exc.value.status == 400
    with pytest.raises(VoelgoedError) as exc:
        seating.parse_layout(b" " * (10 * 1024 * 1024))
    assert exc.value.code == "layout_too_large" and exc.value.status == 413
    assert seating.parse_layout(json.dumps(block_layout())) == block_layout()


def test_the_published_schema_file_is_a_valid_json_schema_and_the_empty_layout_fits_it():
    from jsonschema import Draft202012Validator

    Draft202012Validator.check_schema(seating.layout.schema())
    assert seating.validate_layout(seating.empty_layout("Hall"))


# ---------------------------------------------------------------- problems


def test_a_good_block_has_no_problems():
    assert seating.problems(block_layout((("A", 10), ("B", 10)))) == []


def test_problems_name_what_they_concern():
    doc = block_layout((("A", 4), ("B", 3)), focal=False)
    seats = doc["sections"][0]["rows"]
    seats[0]["seats"][1]["label"] = ""                       # A-2 unlabelled
    seats[0]["seats"][2]["label"] = "4"                      # A-3 prints as A4, like A-4
    seats[1]["seats"][0]["category"] = "nope"                # unknown category
    seats[1]["seats"][1]["category"] = ""                    # no category
    seats[1]["seats"][2].update(x=seats[1]["seats"][1]["x"] + 5)   # B-3 on top of B-2
    seats[1]["label"] = ""
    found = codes(seating.problems(doc))
    assert set(found) == {"no_focal_point", "seat_without_label", "duplicate_label", "seat_without_category",
                          "overlapping_seats", "row_without_label"}
    assert found["seat_without_label"]["ids"] == ["A-2"]
    assert found["duplicate_label"]["ids"] == ["A-3", "A-4"]
    assert found["seat_without_category"]["ids"] == ["B-1", "B-2"]
    assert found["overlapping_seats"]["ids"] == ["B-2", "B-3"]
    assert found["row_without_label"]["ids"] == ["row-B"]


def test_empty_plan_and_duplicate_keys_ids_and_categories():
    assert {p["code"] for p in seating.problems(seating.empty_layout())} == {"no_seats", "no_focal_point"}
    doc = block_layout((("A", 3), ("B", 3)))
    doc["sections"][0]["rows"][1]["seats"][0]["key"] = "A-1"
    doc["sections"][0]["rows"][1]["id"] = "row-A"
    doc["categories"].append(dict(doc["categories"][0]))
    found = codes(seating.problems(doc))
    assert found["duplicate_seat_key"]["ids"] == ["A-1"]
    assert found["duplicate_id"]["ids"] == ["row-A"]
    assert found["duplicate_category"]["ids"] == ["std"]


def test_overlap_check_is_linear_at_arena_scale():
    doc = block_layout(tuple((f"R{i}", 180) for i in range(100)))   # 18 000 seats, none overlapping
    assert seating.problems(doc) == []
    doc["sections"][0]["rows"][50]["seats"][90]["x"] += 15
    assert codes(seating.problems(doc))["overlapping_seats"]["count"] == 2


# ---------------------------------------------------------------- drafts, publish, versions


def test_create_save_publish_and_versions_are_immutable(db):
    org, venue, ctx = org_venue(db)
    plan = seating.create_plan(db, ctx, venue_id=venue.id, name="Main hall")
    assert plan.draft_revision == 0 and plan.latest_version == 0
    with pytest.raises(VoelgoedError) as exc:
        seating.publish(db, ctx, plan.id)
    assert exc.value.code == "plan_invalid"
    assert {p["code"] for p in exc.value.details["problems"]} == {"no_seats", "no_focal_point"}
    assert db.exec(select(SeatingPlanVersion)).all() == []

    doc = block_layout((("A", 10), ("B", 10)))
    doc["tables"] = [{"id": "t1", "label": "T1", "x": 900, "y": 900, "book_whole": True, "category": "vip",
                      "seats": [{"key": "t1-1", "label": "1", "x": 880, "y": 900}, {"key": "t1-2", "label": "2", "x": 920, "y": 900}]}]
    doc["standing_areas"] = [{"id": "pit", "label": "Pit", "category": "std", "capacity": 300,
                              "points": [{"x": 1200, "y": 100}, {"x": 1500, "y": 100}, {"x": 1500, "y": 400}]}]
    seating.save_draft(db, ctx, plan.id, doc, base_revision=0)
    result = seating.publish(db, ctx, plan.id, base_revision=1)
    v1 = result["version"]
    assert v1["number"] == 1 and v1["seat_count"] == 22 and v1["standing_capacity"] == 300
    assert result["diff"]["counts"] == {"added": 22, "removed": 0, "relabelled": 0, "recategorised": 0,
                                        "seats_before": 0, "seats_after": 22}
    rows = db.exec(select(SeatingSeat).where(SeatingSeat.version_id == v1["id"]).order_by(SeatingSeat.seat_key)).all()
    assert len(rows) == 22 and all(r.organization_id == org.id for r in rows)
    a1 = next(r for r in rows if r.seat_key == "A-1")
    assert (a1.section_label, a1.row_label, a1.seat_label, a1.category_key) == ("Stalls", "A", "1", "std")
    t1 = next(r for r in rows if r.seat_key == "t1-1")
    assert (t1.row_label, t1.table_key, t1.category_key) == ("T1", "t1", "vip")
    cats = db.exec(select(SeatingCategory).where(SeatingCategory.version_id == v1["id"])).all()
    assert {c.key for c in cats} == {"std", "vip"}
    areas = {a.area_key: (a.kind, a.capacity) for a in db.exec(select(SeatingArea).where(SeatingArea.version_id == v1["id"]))}
    assert areas == {"pit": ("standing", 300), "t1": ("table", 2)}

    with pytest.raises(VoelgoedError) as exc:
        seating.publish(db, ctx, plan.id)
    assert exc.value.code == "unchanged"

    # v2: remove B-10, relabel A-1 → A-101, recategorise A-2, add C-1
    doc2 = clone(doc)
    rows2 = doc2["sections"][0]["rows"]
    rows2[1]["seats"].pop()
    rows2[0]["seats"][0]["label"] = "101"
    rows2[0]["seats"][1]["category"] = "vip"
    rows2.append({"id": "row-C", "label": "C", "seats": [{"key": "C-1", "label": "1", "x": 100, "y": 300, "category": "std"}]})
    seating.save_draft(db, ctx, plan.id, doc2)
    preview = seating.validate_draft(db, ctx, plan.id)
    assert preview["publishable"] and not preview["unchanged"]
    result2 = seating.publish(db, ctx, plan.id, base_revision=2)
    d = result2["diff"]
    assert d["added"] == ["C-1"] and d["removed"] == ["B-10"]
    assert d["relabelled"] == [{"key": "A-1", "from": "Stalls A-1", "to": "Stalls A-101"}]
    assert d["recategorised"] == [{"key": "A-2", "from": "std", "to": "vip"}]
    assert [v.number for v in seating.list_versions(db, ctx, plan.id)] == [2, 1]

    v1_row = seating.get_version(db, ctx, plan.id, 1)
    assert v1_row.layout == doc and v1_row.layout_hash == seating.layout_hash(doc), "version 1 did not change"
    assert len(db.exec(select(SeatingSeat).where(SeatingSeat.version_id == v1_row.id)).all()) == 22
    v1_row.layout = {"schema_version": 1}
    with pytest.raises(ValueError, match="never change"):
        db.flush()
    db.rollback()

    actions = [a.action for a in db.exec(select(AuditLog).where(AuditLog.organization_id == org.id)
                                         .order_by(AuditLog.created_at, AuditLog.id))]
    assert actions.count("seating_plan.published") == 2 and actions.count("seating_plan.draft_saved") == 2
    assert "seating_plan.created" in actions


def test_stale_draft_is_refused_and_nothing_changes(db):
    _org, venue, ctx = org_venue(db)
    plan = seating.create_plan(db, ctx, venue_id=venue.id, name="Hall", layout_doc=block_layout())
    seating.save_draft(db, ctx, plan.id, block_layout((("A", 3),)), base_revision=0)
    with pytest.raises(VoelgoedError) as exc:
        seating.save_draft(db, ctx, plan.id, block_layout((("Z", 3),)), base_revision=0)
    assert exc.value.code == "stale_draft" and exc.value.status == 409
    assert seats_of(seating.get_plan(db, ctx, plan.id).draft_layout)[0]["key"] == "A-1"
    with pytest.raises(VoelgoedError) as exc:
        seating.publish(db, ctx, plan.id, base_revision=0)
    assert exc.value.code == "stale_draft"


def test_schema_invalid_draft_is_not_saved(db):
    _org, venue, ctx = org_venue(db)
    plan = seating.create_plan(db, ctx, venue_id=venue.id, name="Hall")
    bad = block_layout()
    bad["sections"][0]["rows"][0]["seats"][0]["y"] = None
    with pytest.raises(VoelgoedError) as exc:
        seating.save_draft(db, ctx, plan.id, bad)
    assert exc.value.code == "layout_invalid"
    assert seating.get_plan(db, ctx, plan.id).draft_revision == 0


def test_export_then_import_round_trips(db):
    _org, venue, ctx = org_venue(db)
    doc = block_layout((("A", 8), ("B", 8)))
    doc["texts"] = [{"id": "t-stage", "text": "STAGE", "x": 480, "y": 40, "size": 24}]
    doc["shapes"] = [{"id": "sh-1", "kind": "rect", "x": 400, "y": 20, "width": 200, "height": 40, "fill": "#dddddd"}]
    plan = seating.create_plan(db, ctx, venue_id=venue.id, name="Hall", layout_doc=doc)
    exported, etag = seating.export_layout(db, ctx, plan.id)
    text = seating.canonical_json(exported)
    copy_plan = seating.create_plan(db, ctx, venue_id=venue.id, name="Hall copy", layout_doc=seating.parse_layout(text))
    assert seating.get_plan(db, ctx, copy_plan.id).draft_layout == doc
    assert etag.startswith("draft-0-")
    seating.publish(db, ctx, plan.id)
    v_doc, v_etag = seating.export_layout(db, ctx, plan.id, version=1)
    assert v_doc == doc and v_etag == seating.layout_hash(doc)


def test_another_organisations_plan_and_venue_are_not_found(db):
    _org, venue, ctx = org_venue(db)
    plan = seating.create_plan(db, ctx, venue_id=venue.id, name="Hall", layout_doc=block_layout())
    seating.publish(db, ctx, plan.id)
    other = make_org(db)
    other_ctx = ctx_for(other)
    make_venue(db, other)
    for call in (lambda: seating.get_plan(db, other_ctx, plan.id),
                 lambda: seating.save_draft(db, other_ctx, plan.id, block_layout()),
                 lambda: seating.publish(db, other_ctx, plan.id),
                 lambda: seating.list_versions(db, other_ctx, plan.id),
                 lambda: seating.get_version(db, other_ctx, plan.id, 1),
                 lambda: seating.export_layout(db, other_ctx, plan.id, version=1),
                 lambda: seating.list_plans(db, other_ctx, venue_id=venue.id),
                 lambda: seating.create_plan(db, other_ctx, venue_id=venue.id, name="Mine now"),
                 lambda: seating.get_plan(db, other_ctx, "not-a-uuid")):
        with pytest.raises(VoelgoedError) as exc:
            call()
        assert exc.value.code == "not_found" and exc.value.status == 404
    v1 = seating.get_version(db, ctx, plan.id, 1)
    with pytest.raises(VoelgoedError) as exc:
        seating.version_seats(db, other_ctx, v1)
    assert exc.value.code == "not_found"


@pytest.mark.parametrize("role, may_edit, may_view", [("owner", True, True), ("admin", True, True), ("staff", True, True),
                                                      ("viewer", False, True), ("scanner_only", False, True)])
def test_only_venue_managers_edit_and_publish(db, role, may_edit, may_view):
    org, venue, owner = org_venue(db)
    plan = seating.create_plan(db, owner, venue_id=venue.id, name="Hall", layout_doc=block_layout())
    ctx = ctx_for(org, role=role)
    assert (seating.get_plan(db, ctx, plan.id).id == plan.id) is may_view
    for call in (lambda: seating.create_plan(db, ctx, venue_id=venue.id, name="Mine"),
                 lambda: seating.save_draft(db, ctx, plan.id, block_layout((("A", 2),))),
                 lambda: seating.publish(db, ctx, plan.id),
                 lambda: seating.rename_plan(db, ctx, plan.id, name="Renamed")):
        if may_edit:
            call()
        else:
            with pytest.raises(VoelgoedError) as exc:
                call()
            assert exc.value.code == "forbidden" and exc.value.status == 403
