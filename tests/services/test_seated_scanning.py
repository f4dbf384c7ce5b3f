"""Seated tickets at the gate (issue 12, item 4): the manifest's and the scan answers' ``seat`` (online,
repeat, replay, offline sync), the scanner's offline decision on VG2 strings (Node's WebCrypto, the same
store.js the phones run), and the live stats / reports by section."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import UTC, datetime, timedelta

from sqlmodel import select

from tests.scan_factories import make_device, make_scan_setup
from tests.seated_factories import seated_event
from tests.services.test_scanner_js import STORE_JS, _decide
from tests.services.test_seated_tickets import buy
from tests.services.test_ticket_identity_v2 import _doc_vectors
from voelgoed.models import EventSeat, Ticket
from voelgoed.services import seating
from voelgoed.services.gate import scan_sync, scanning
from voelgoed.services.insights import reports, stats
from voelgoed.services.tickets import ticket_identity

SEAT_B3 = {"section": "Stalls", "row": "B", "seat": "3", "label": "Section Stalls · Row B · Seat 3"}


def _seated_tickets(db, keys=("B-3", "B-4")):
    event, ctx, types = seated_event(db, rows=(("A", 6), ("B", 6)))
    order = buy(db, event, list(keys))
    tickets = list(db.exec(select(Ticket).where(Ticket.order_id == order.id)))
    device, _ = make_device(db, event)
    return event, ctx, types, order, tickets, device


def _by_seat(db, tickets, seat):
    for t in tickets:
        if scanning.seat_view(db, t.seat_id)["seat"] == seat:
            return t
    raise AssertionError(seat)


def test_manifest_lists_each_tickets_seat(db):
    event, _, _, _, tickets, device = _seated_tickets(db)
    m = scanning.manifest(db, device)
    seats = {t["ticket_id"]: t["seat"] for t in m["tickets"]}
    b3 = _by_seat(db, tickets, "3")
    assert seats[str(b3.id)] == SEAT_B3
    assert sorted(s["seat"] for s in seats.values()) == ["3", "4"]


def test_online_scan_answers_carry_the_seat_accepted_repeat_and_replay(db):
    event, _, _, _, tickets, device = _seated_tickets(db)
    b3 = _by_seat(db, tickets, "3")
    first = scanning.scan(db, device, qr=b3.qr_payload, client_scan_id="c1")
    assert first["result"] == "accepted" and first["ticket"]["seat"] == SEAT_B3
    again = scanning.scan(db, device, qr=b3.qr_payload, client_scan_id="c2")
    assert again["result"] == "already_scanned" and again["ticket"]["seat"] == SEAT_B3
    replay = scanning.scan(db, device, qr=b3.qr_payload, client_scan_id="c1")
    assert replay["replayed"] is True and replay["ticket"]["seat"] == SEAT_B3
    typed = scanning.scan(db, device, qr=_by_seat(db, tickets, "4").ticket_code, client_scan_id="c3")
    assert typed["result"] == "accepted" and typed["ticket"]["seat"]["seat"] == "4"


def test_offline_sync_results_carry_the_seat(db):
    event, _, _, _, tickets, device = _seated_tickets(db)
    b3, b4 = _by_seat(db, tickets, "3"), _by_seat(db, tickets, "4")
    at = datetime.now(UTC) + timedelta(seconds=2)  # after the tickets' valid_from (their issue time)
    results = scan_sync.sync(db, device, scans=[
        {"client_scan_id": "o1", "qr": b3.qr_payload, "scanned_at": at},
        {"client_scan_id": "o2", "qr": b3.qr_payload, "scanned_at": at + timedelta(seconds=5)},
        {"client_scan_id": "o3", "qr": b4.qr_payload, "scanned_at": at},
        {"client_scan_id": "o4", "qr": "garbage", "scanned_at": at}])
    assert [(r["result"], r["ticket"]["seat"]["seat"] if "ticket" in r else None) for r in results] == [
        ("accepted", "3"), ("duplicate_offline", "3"), ("accepted", "4"), ("invalid", None)]
    assert results[0]["ticket"]["seat"] == SEAT_B3


def test_general_admission_answers_have_a_null_seat(db):
    _org, event, _tt, tickets = make_scan_setup(db, quantity=1)
    device, _ = make_device(db, event)
    assert scanning.manifest(db, device)["tickets"][0]["seat"] is None
    answer = scanning.scan(db, device, qr=tickets[0].qr_payload, client_scan_id="g1")
    assert answer["result"] == "accepted" and answer["ticket"]["seat"] is None


def test_offline_decisions_on_vg2_match_the_server_and_show_the_seat(db):
    event, _, _, _, tickets, device = _seated_tickets(db)
    b3, b4 = _by_seat(db, tickets, "3"), _by_seat(db, tickets, "4")
    manifest = json.loads(json.dumps(scanning.manifest(db, device), default=str))
    # a manifest taken before b4 was sold: the phone shows b4's signed seat
    stale = dict(manifest, tickets=[t for t in manifest["tickets"] if t["ticket_id"] != str(b4.id)])
    tampered = b3.qr_payload[:-2] + ("00" if b3.qr_payload[-2:] != "00" else "11")
    cases = [{"qr": b3.qr_payload}, {"qr": tampered}, {"qr": "VG2:" + b3.qr_payload[4:60]},
             {"qr": b3.qr_payload, "seen": [str(b3.id)]}]
    assert _decide(manifest, cases) == ["accepted", "invalid", "invalid", "already_scanned"]
    seats = _decide_seats(manifest, [b3.qr_payload, b3.ticket_code])
    assert seats == [SEAT_B3, SEAT_B3]
    assert _decide_seats(stale, [b4.qr_payload]) == [{"section": "Stalls", "row": "B", "seat": "4",
                                                      "label": "Section Stalls · Row B · Seat 4"}]


HARNESS = """
globalThis.window = globalThis;
require(process.argv[1]);
const input = JSON.parse(require("fs").readFileSync(0, "utf8"));
(async () => {
  const out = [];
  for (const qr of input.qrs) {
    const r = await window.VGVerify.decide(qr, input.manifest, async () => null);
    out.push(r.result === "accepted" ? r.ticket.seat : r.result);
  }
  const v = await window.VGVerify.parseSigned(input.vector.qr, input.vector.manifest);
  out.push(v && v.verified ? v.seat : null);
  console.log(JSON.stringify(out));
})();
"""


def _node(payload: dict) -> list:
    proc = subprocess.run([shutil.which("node"), "-e", HARNESS, str(STORE_JS)], input=json.dumps(payload),
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def _decide_seats(manifest: dict, qrs: list[str]) -> list:
    vector = {"qr": _doc_vectors()["qr"], "manifest": {"public_keys": [
        {"key_id": "0a1b2c3d", "algorithm": "Ed25519", "public_key": "A6EHv_POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg"}]}}
    out = _node({"manifest": manifest, "qrs": qrs, "vector": vector})
    # the document's VG2 vector decodes to its seat in the phone's code too
    assert out[-1] == {"section": "North Stand", "row": "K", "seat": "17", "label": "Section North Stand · Row K · Seat 17"}
    return out[:-1]


def test_live_stats_count_seats_by_section_and_seated_types_from_their_seats(db):
    event, ctx, types = seated_event(db, rows=(("A", 4), ("B", 4)))
    buy(db, event, ["A-1", "A-2"])
    seating.hold_seats(db, event_slug=event.slug, seat_keys=["B-1"])
    past = datetime.now(UTC) - timedelta(hours=2)
    seating.hold_seats(db, event_slug=event.slug, seat_keys=["B-2"], now=past)  # lapsed: counts as free
    blocked = db.exec(select(EventSeat).where(EventSeat.event_id == event.id, EventSeat.seat_key == "B-4")).one()
    blocked.status = "blocked"  # arranged (the organiser's block action is another helper's)
    db.add(blocked)
    db.flush()
    snap = stats.compute(db, event.id)
    assert snap["seated"] is True
    assert snap["by_section"] == [{"section": "Stalls", "sold": 2, "held": 1, "free": 4, "blocked": 1, "total": 8}]
    std = next(t for t in snap["by_ticket_type"] if t["ticket_type_id"] == str(types["std"].id))
    assert (std["sold"], std["held"], std["available"]) == (2, 1, 4)
    assert (snap["tickets_sold"], snap["tickets_held"], snap["tickets_available"]) == (2, 1, 4)
    (row,) = [r for r in reports.event_sales_summary(db, ctx) if r["event_id"] == str(event.id)]
    assert (row["tickets_sold"], row["tickets_held"], row["capacity"], row["seated"]) == (2, 1, 7, True)
    assert row["sections"] == snap["by_section"]
    overview = reports.dashboard_overview(db, ctx)
    assert overview["tickets_sold"] == 2
    assert next(e for e in overview["next_events"] if e["id"] == str(event.id))["sold"] == 2


def test_stats_of_a_general_admission_event_have_no_sections(db):
    _org, event, _tt, _tickets = make_scan_setup(db, quantity=2)
    snap = stats.compute(db, event.id)
    assert snap["seated"] is False and snap["by_section"] == []
    assert ticket_identity.PREFIX == "VG1:"
