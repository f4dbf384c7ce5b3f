"""Numbering schemes (pure functions) and the builder's JS port agreeing with them."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.seating_factories import block_layout
from voelgoed.services.platform import ValidationFailed
from voelgoed.services.seating import letters, numbering, renumber, sequence

NUMBERING_JS = Path(__file__).resolve().parents[2] / "assets" / "seating" / "numbering.js"


def test_letters_run_a_to_z_then_aa_like_spreadsheet_columns():
    assert [letters(i) for i in (1, 2, 26, 27, 28, 52, 53, 702, 703)] == \
        ["A", "B", "Z", "AA", "AB", "AZ", "BA", "ZZ", "AAA"]
    assert numbering.letters_index("AA") == 27 and numbering.letters_index("zz") == 702
    assert numbering.letters_index("A1") is None


def test_skip_i_and_o_leaves_24_letters():
    labels = sequence(26, {"scheme": "alpha", "skip_io": True})
    assert "I" not in labels and "O" not in labels
    assert labels[:9] == ["A", "B", "C", "D", "E", "F", "G", "H", "J"]
    assert labels[23:] == ["Z", "AA", "AB"]
    assert numbering.letters_index("I", skip_io=True) is None


def test_numeric_odd_even_start_reverse_prefix():
    assert sequence(4) == ["1", "2", "3", "4"]
    assert sequence(3, {"start": 101}) == ["101", "102", "103"]
    assert sequence(4, {"scheme": "odd"}) == ["1", "3", "5", "7"]
    assert sequence(3, {"scheme": "odd", "start": 10}) == ["11", "13", "15"]   # rounds up to odd
    assert sequence(3, {"scheme": "even"}) == ["2", "4", "6"]
    assert sequence(3, {"scheme": "even", "start": 4}) == ["4", "6", "8"]
    assert sequence(3, {"reverse": True}) == ["3", "2", "1"]
    assert sequence(3, {"scheme": "alpha", "start": "Y"}) == ["Y", "Z", "AA"]
    assert sequence(2, {"prefix": "B-", "start": 7}) == ["B-7", "B-8"]
    assert sequence(0) == []


@pytest.mark.parametrize("spec, field", [({"scheme": "roman"}, "scheme"), ({"start": -1}, "start"),
                                         ({"start": "x"}, "start"), ({"scheme": "alpha", "start": "I", "skip_io": True}, "start"),
                                         ({"prefix": "x" * 11}, "prefix"), ({"start": True}, "start")])
def test_bad_specs_are_rejected_with_the_field(spec, field):
    with pytest.raises(ValidationFailed) as exc:
        sequence(3, spec)
    assert field in exc.value.details["fields"]


def test_renumber_a_selection_left_to_right_keeps_keys_and_other_seats():
    doc = block_layout((("A", 5), ("B", 5)))
    # shuffle the document order of row A: numbering follows x, not the list order
    doc["sections"][0]["rows"][0]["seats"].reverse()
    selected = {"A-2", "A-3", "A-4", "B-1", "B-2"}
    out = renumber(doc, selected, seats={"scheme": "odd", "start": 11}, rows={"scheme": "alpha", "start": "M"})
    rows = {r["id"]: r for r in out["sections"][0]["rows"]}
    labels_a = {s["key"]: s["label"] for s in rows["row-A"]["seats"]}
    assert labels_a == {"A-1": "1", "A-2": "11", "A-3": "13", "A-4": "15", "A-5": "5"}
    assert {s["key"]: s["label"] for s in rows["row-B"]["seats"]}["B-2"] == "13"
    assert rows["row-A"]["label"] == "M" and rows["row-B"]["label"] == "N"
    assert doc["sections"][0]["rows"][0]["label"] == "A", "the input document is not changed"
    reverse = renumber(doc, {"A-1", "A-2", "A-3"}, seats={"reverse": True})
    assert {s["key"]: s["label"] for s in reverse["sections"][0]["rows"][0]["seats"]}["A-1"] == "3"


HARNESS = """
const m = await import(process.argv[1]);
const input = JSON.parse(require("fs").readFileSync(0, "utf8"));
const out = input.cases.map(([n, spec]) => m.sequence(n, spec));
const doc = m.renumber(input.doc, new Set(input.keys), input.seat_spec, input.row_spec);
console.log(JSON.stringify({ sequences: out, doc }));
"""


def test_builder_js_numbering_matches_the_server(tmp_path):
    node = shutil.which("node")
    assert node, "Node ≥ 20 is required for the builder's numbering tests"
    module = tmp_path / "numbering.mjs"
    module.write_text(NUMBERING_JS.read_text())
    cases = [[n, spec] for n in (0, 1, 5, 30) for spec in (
        {}, {"scheme": "odd", "start": 4}, {"scheme": "even", "start": 3, "reverse": True}, {"scheme": "alpha"},
        {"scheme": "alpha", "skip_io": True, "start": "H"}, {"scheme": "alpha", "start": 25, "prefix": "R"},
        {"start": 100, "prefix": "T-", "reverse": True})]
    doc = block_layout((("A", 6), ("B", 6), ("C", 4)))
    keys = ["A-2", "A-5", "B-1", "B-6", "C-3", "C-4"]
    seat_spec, row_spec = {"scheme": "even", "start": 2, "reverse": True}, {"scheme": "alpha", "skip_io": True, "start": "H"}
    harness = "(async () => {" + HARNESS.replace("process.argv[1]", "'file://' + process.argv[1]") + "})()"
    proc = subprocess.run([node, "-e", harness, str(module)], capture_output=True, text=True, timeout=60,
                          input=json.dumps({"cases": cases, "doc": doc, "keys": keys, "seat_spec": seat_spec,
                                            "row_spec": row_spec}))
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout)
    assert got["sequences"] == [sequence(n, spec) for n, spec in cases]
    assert got["doc"] == renumber(doc, set(keys), seats=seat_spec, rows=row_spec)
