"""The scanner's offline decision (assets/scanner/store.js) run in Node's WebCrypto against real signed tickets.

Same inputs, same result codes as the server: signature (Ed25519), event, validity window, revocations,
local repeats, manual codes. Needs Node ≥ 20 (present on every machine; see toolchain notes).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

from tests.factories import make_event, make_ticket_type
from tests.scan_factories import make_device, make_order_with_tickets, make_scan_setup
from voelgoed.services.gate import scanning

STORE_JS = Path(__file__).resolve().parents[2] / "assets" / "scanner" / "store.js"
HARNESS = """
globalThis.window = globalThis;
require(process.argv[1]);
const input = JSON.parse(require("fs").readFileSync(0, "utf8"));
(async () => {
  const out = [];
  for (const c of input.cases) {
    const seen = new Set(c.seen || []);
    const r = await window.VGVerify.decide(c.qr, input.manifest, async (id) => (seen.has(id) ? { at: "x", gate_code: "A" } : null), c.now_ms);
    out.push(r.result);
  }
  console.log(JSON.stringify(out));
})();
"""


def _decide(manifest: dict, cases: list[dict]) -> list[str]:
    node = shutil.which("node")
    assert node, "Node ≥ 20 is required for the scanner engine tests"
    proc = subprocess.run([node, "-e", HARNESS, str(STORE_JS)], input=json.dumps({"manifest": manifest, "cases": cases}),
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_offline_decisions_match_the_server_rules(db):
    org, event, _tt, tickets = make_scan_setup(db, quantity=5)
    tickets[1].status = "voided"
    tickets[4].status = "checked_in"
    tickets[4].checked_in_gate_code = "MAIN"
    other = make_event(db, org, starts_in=timedelta(hours=-1))
    _o, foreign = make_order_with_tickets(db, make_ticket_type(db, other), quantity=1)
    db.flush()
    device, _ = make_device(db, event)
    manifest = scanning.manifest(db, device)
    manifest = json.loads(json.dumps(manifest, default=str))
    good = tickets[0].qr_payload
    tampered = good[:-2] + ("00" if good[-2:] != "00" else "11")
    far_future_ms = int((tickets[0].valid_until + timedelta(days=1)).timestamp() * 1000)
    code = tickets[3].ticket_code
    cases = [
        {"qr": good},
        {"qr": tampered},
        {"qr": foreign[0].qr_payload},
        {"qr": tickets[1].qr_payload},
        {"qr": tickets[2].qr_payload, "seen": [str(tickets[2].id)]},
        {"qr": code[:5].lower() + "-" + code[5:].lower()},
        {"qr": "hello"},
        {"qr": tickets[4].qr_payload},
        {"qr": good, "now_ms": far_future_ms},
        {"qr": good[:60]},
        {"qr": "VG1:" + "%" * 188},
        {"qr": ""},
        {"qr": tickets[1].ticket_code},
    ]
    assert _decide(manifest, cases) == [
        "accepted", "invalid", "wrong_event", "revoked", "already_scanned", "accepted", "invalid",
        "already_scanned", "not_valid_now", "invalid", "invalid", "invalid", "revoked",
    ]
