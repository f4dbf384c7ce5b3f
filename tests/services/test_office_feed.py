"""The organiser seat map's changes feed (``seating.office_feed.office_changes``; docs/seated-sales.md "Organiser
views"): the organiser's statuses (allocated with its label, not blocked as buyers are told), a lapsed hold reads
free, the seq is the public feed's, whole table and standing-area figures; a cursor ahead of the feed asks for a
new snapshot; bad input, another organisation, a viewer-less role and an unseated event are clear errors."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.factories import make_event, make_org, make_user
from tests.seated_factories import ga_layout, seated_event
from tests.seating_factories import ctx_for, org_venue
from voelgoed.services import seating
from voelgoed.services.platform import TenantContext, VoelgoedError

T0 = datetime.now(UTC).replace(microsecond=0)


def err_of(fn, *a, **kw) -> VoelgoedError:
    with pytest.raises(VoelgoedError) as exc:
        fn(*a, **kw)
    return exc.value


def by_key(answer) -> dict:
    return {c["key"]: (c["status"], c["allocation"]) for c in answer["changes"]}


def test_the_organiser_feed_tells_allocations_and_follows_the_public_seq(db):
    event, ctx, _ = seated_event(db, rows=(("A", 6),))
    start = seating.organiser_status(db, ctx, event.id, now=T0)["seq"]
    assert seating.office_changes(db, ctx, event.id, start, now=T0) == {
        "seq": start, "refetch": False, "changes": [], "areas": {}, "tables": {}}
    seating.set_blocked(db, ctx, event_id=event.id, seat_keys=["A-1"], blocked=True, now=T0)
    seating.allocate_seats(db, ctx, event_id=event.id, seat_keys=["A-2", "A-3"], label="Press", now=T0)
    seating.hold_seats(db, event_slug=event.slug, seat_keys=["A-4"], client_address="5.5.5.5", now=T0)
    got = seating.office_changes(db, ctx, event.id, start, now=T0)
    assert by_key(got) == {"A-1": ("blocked", None), "A-2": ("allocated", "Press"), "A-3": ("allocated", "Press"),
                           "A-4": ("held", None)}
    public = seating.changes_since(db, event.slug, start, now=T0)
    assert got["seq"] == public["seq"] == seating.organiser_status(db, ctx, event.id, now=T0)["seq"]
    assert {c["key"]: c["status"] for c in public["changes"]}["A-2"] == "blocked"   # buyers are not told
    # only what changed after the cursor: a release, relative to the last seq
    seating.release_allocation(db, ctx, event_id=event.id, seat_keys=["A-3"], now=T0)
    nxt = seating.office_changes(db, ctx, event.id, got["seq"], now=T0)
    assert by_key(nxt) == {"A-3": ("free", None)} and nxt["seq"] == got["seq"] + 1
    # a lapsed hold reads free; a cursor ahead of the feed → take a new snapshot
    later = seating.office_changes(db, ctx, event.id, start, now=T0 + timedelta(hours=2))
    assert by_key(later)["A-4"] == ("free", None)
    ahead = seating.office_changes(db, ctx, event.id, nxt["seq"] + 5, now=T0)
    assert ahead == {"seq": nxt["seq"], "changes": [], "refetch": True}
    # more changed seats than the answer may carry → refetch too
    assert seating.office_changes(db, ctx, event.id, start, now=T0, limit=2)["refetch"] is True


def test_changes_applied_to_a_snapshot_give_the_next_snapshot(db):
    """What the map does (seatoffice_feed.js applyChanges): counts by status move by the changes' differences."""
    event, ctx, _ = seated_event(db, rows=(("A", 5), ("B", 5)))
    snap = seating.organiser_status(db, ctx, event.id, now=T0)
    status = {k: "allocated" for k in snap["allocated"]}
    status.update({k: st for st in ("held", "sold", "blocked") for k in snap[st]})
    seating.allocate_seats(db, ctx, event_id=event.id, seat_keys=["A-1", "B-2"], label="Sponsor", now=T0)
    seating.set_blocked(db, ctx, event_id=event.id, seat_keys=["B-5"], blocked=True, now=T0)
    seating.box_office_sale(db, ctx, event_id=event.id, seat_keys=["A-1", "A-2"], buyer_name="Desk",
                            buyer_email="desk@example.com", payment_method="cash", now=T0)
    counts = dict(snap["counts"])
    for c in seating.office_changes(db, ctx, event.id, snap["seq"], now=T0)["changes"]:
        was = status.get(c["key"], "free")
        counts[was] -= 1
        counts[c["status"]] += 1
        status[c["key"]] = c["status"]
    assert counts == seating.organiser_status(db, ctx, event.id, now=T0)["counts"]
    assert (counts["sold"], counts["allocated"], counts["blocked"]) == (2, 1, 1)


def test_standing_places_and_whole_tables_come_with_every_answer(db):
    event, ctx, _ = seated_event(db, layout=ga_layout(capacity=5))
    start = seating.organiser_status(db, ctx, event.id, now=T0)["seq"]
    seating.hold_seats(db, event_slug=event.slug, areas=[{"key": "floor", "quantity": 2}], tables=["T1"], now=T0)
    got = seating.office_changes(db, ctx, event.id, start, now=T0)
    assert got["areas"] == {"floor": {"capacity": 5, "sold": 0, "held": 2, "free": 3}}
    assert got["tables"] == {"T1": "held"}
    assert {c["key"] for c in got["changes"]} == {"T1-1", "T1-2", "T1-3", "T1-4"}


def test_bad_input_other_organisations_and_unseated_events_are_refused(db):
    event, ctx, _ = seated_event(db, rows=(("A", 2),))
    for bad in ("x", "-1", "1.5", "", "1" * 13, True, None):
        err = err_of(seating.office_changes, db, ctx, event.id, bad)
        assert (err.status, err.code, list(err.details["fields"])) == (422, "validation_failed", ["since"]), bad
    outsider = make_org(db)
    err = err_of(seating.office_changes, db, ctx_for(outsider, make_user(db, org=outsider)), event.id, 0)
    assert (err.status, err.code) == (404, "not_found")
    assert err_of(seating.office_changes, db, ctx, "not-an-id", 0).status == 404
    org, venue, own = org_venue(db)
    plain = make_event(db, org, venue=venue)
    assert err_of(seating.office_changes, db, own, plain.id, 0).code == "not_seated"
    nobody = TenantContext(organization_id=event.organization_id, actor=ctx.actor, role="nobody")
    assert err_of(seating.office_changes, db, nobody, event.id, 0).status == 403


# ------------------------------------------------------------------ the map's side, under Bun

SEATING_JS = Path(__file__).resolve().parents[2] / "assets" / "seating"
BUN = Path(__file__).resolve().parents[2] / ".tools" / "bun" / "node_modules" / ".bin" / "bun"  # make's bun
HARNESS = """import fs from "fs";
(async () => {
const m = await import("./seatoffice_feed.js");
const { layout, snap, answers } = JSON.parse(fs.readFileSync(0, "utf8"));
const { seats } = m.flatten(layout);
const byKey = new Map(seats.map((s) => [s.key, s]));
const { status, alloc } = m.statusesOf(snap);
let now = snap;
for (const body of answers) now = m.applyChanges(now, body, status, alloc, (k) => (byKey.get(k) || {}).section).snap;
console.log(JSON.stringify({ snap: now, status: Object.fromEntries(status), alloc: Object.fromEntries(alloc) }));
})()"""


def apply_in_bun(tmp_path, layout, snap, answers) -> dict:
    """assets/seating/seatoffice_feed.js applyChanges over ``answers`` from ``snap`` (what the organiser map does)."""
    assert BUN.exists(), "make test installs Bun (.tools/bun); it runs the seat map's feed code here"
    (tmp_path / "package.json").write_text('{"type": "module"}')
    for name in ("seatoffice_feed.js", "seatfeed.js"):
        (tmp_path / name).write_text((SEATING_JS / name).read_text())
    (tmp_path / "harness.mjs").write_text(HARNESS)
    proc = subprocess.run([str(BUN), str(tmp_path / "harness.mjs")], capture_output=True, text=True, cwd=tmp_path,
                          timeout=60, input=json.dumps({"layout": layout, "snap": snap, "answers": answers}))
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_the_map_applying_the_feed_to_a_snapshot_reaches_the_next_snapshot(db, tmp_path):
    """Counts by status, by section (a table's seats under "—") and by allocation label, moved by the feed's
    differences in the browser's code, equal what a new snapshot says — through a re-label, a release, a sale,
    a hold of a whole table and a repeated answer."""
    layout = ga_layout(capacity=5, rows=(("A", 4), ("B", 3)))
    event, ctx, _ = seated_event(db, layout=layout)
    seating.allocate_seats(db, ctx, event_id=event.id, seat_keys=["A-4"], label="Crew", now=T0)
    snap = seating.organiser_status(db, ctx, event.id, now=T0)
    answers = []

    def answer():
        answers.append(seating.office_changes(db, ctx, event.id, answers[-1]["seq"] if answers else snap["seq"], now=T0))

    seating.allocate_seats(db, ctx, event_id=event.id, seat_keys=["A-1", "A-2", "B-1"], label="Press", now=T0)
    seating.set_blocked(db, ctx, event_id=event.id, seat_keys=["T2-1", "B-3"], blocked=True, now=T0)
    answer()
    answers.append(answers[-1])   # the same answer twice (pushed and polled): nothing moves twice
    seating.allocate_seats(db, ctx, event_id=event.id, seat_keys=["A-2", "A-4"], label="Sponsor", now=T0)
    seating.release_allocation(db, ctx, event_id=event.id, seat_keys=["B-1"], now=T0)
    seating.box_office_sale(db, ctx, event_id=event.id, seat_keys=["A-1"], buyer_name="Desk",
                            buyer_email="desk@example.com", payment_method="card", now=T0)
    seating.hold_seats(db, event_slug=event.slug, tables=["T1"], areas=[{"key": "floor", "quantity": 1}], now=T0)
    answer()
    got = apply_in_bun(tmp_path, layout, snap, answers)
    want = seating.organiser_status(db, ctx, event.id, now=T0)
    for k in ("seq", "counts", "sections", "allocations", "areas", "tables"):
        assert got["snap"][k] == want[k], k
    assert got["alloc"] == want["allocated"] == {"A-2": "Sponsor", "A-4": "Sponsor"}
    assert got["status"] == {**{k: st for st in ("held", "sold", "blocked") for k in want[st]},
                             **dict.fromkeys(want["allocated"], "allocated")}
    assert want["counts"]["held"] == 4 and {s["section"] for s in want["sections"]} == {"Stalls", "—"}
