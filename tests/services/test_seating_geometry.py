"""The builder's tool geometry (assets/seating/geometry.js: snap, rotate, align, distribute, lasso,
tables with seats around), run under Node and checked against values worked out by hand."""

from __future__ import annotations

import json
import math
import shutil
import subprocess
from pathlib import Path

GEOMETRY_JS = Path(__file__).resolve().parents[2] / "assets" / "seating" / "geometry.js"

HARNESS = """(async () => {
const m = await import('file://' + process.argv[1]);
const calls = JSON.parse(require("fs").readFileSync(0, "utf8"));
console.log(JSON.stringify(calls.map(([fn, args]) => m[fn](...args))));
})()"""


def run(tmp_path, *calls):
    node = shutil.which("node")
    assert node, "Node ≥ 20 is required for the builder's geometry tests"
    module = tmp_path / "geometry.mjs"
    module.write_text(GEOMETRY_JS.read_text())
    proc = subprocess.run([node, "-e", HARNESS, str(module)], capture_output=True, text=True, timeout=60,
                          input=json.dumps([list(c) for c in calls]))
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def P(x, y):
    return {"x": x, "y": y}


def test_snap_rounds_to_the_nearest_grid_line_and_zero_grid_leaves_values(tmp_path):
    out = run(tmp_path, ("snap", [14, 10]), ("snap", [15.1, 10]), ("snap", [-14, 10]), ("snap", [13.3, 0]),
              ("snapPoint", [P(21, 29), 25]))
    assert out == [10, 20, -10, 13.3, P(25, 25)]


def test_rotate_turns_clockwise_on_screen_about_the_centre(tmp_path):
    pts = [P(10, 0), P(0, 10)]
    quarter, half = run(tmp_path, ("rotatePoints", [pts, P(0, 0), 90]), ("rotatePoints", [pts, P(5, 5), 180]))
    assert quarter == [P(0, 10), P(-10, 0)]          # y down: +x turns to +y
    assert half == [P(0, 10), P(10, 0)]


def test_align_and_distribute(tmp_path):
    pts = [P(10, 5), P(40, 20), P(25, 0), P(100, 7)]
    left, vcenter, dist_x, dist_y_two = run(tmp_path, ("align", [pts, "left"]), ("align", [pts, "vcenter"]),
                                            ("distribute", [pts, "x"]), ("distribute", [pts[:2], "y"]))
    assert left == [P(10, 5), P(10, 20), P(10, 0), P(10, 7)]
    assert vcenter == [P(10, 10), P(40, 10), P(25, 10), P(100, 10)]
    # x order: 10, 25, 40, 100 → 10, 40, 70, 100, each point keeps its own y
    assert dist_x == [P(10, 5), P(70, 20), P(40, 0), P(100, 7)]
    assert dist_y_two == pts[:2], "two points are already evenly distributed"


def test_lasso_point_in_polygon_and_area(tmp_path):
    # an L-shaped lasso: the notch is outside
    poly = [P(0, 0), P(100, 0), P(100, 40), P(40, 40), P(40, 100), P(0, 100)]
    out = run(tmp_path, ("pointInPolygon", [P(20, 20), poly]), ("pointInPolygon", [P(80, 80), poly]),
              ("pointInPolygon", [P(20, 80), poly]), ("pointInPolygon", [P(-1, 5), poly]), ("polygonArea", [poly]))
    assert out == [True, False, True, False, 100 * 40 + 40 * 60]


def test_round_table_seats_sit_evenly_outside_the_rim_starting_at_the_top(tmp_path):
    table = {"x": 200, "y": 100, "width": 60, "shape": "round"}
    (seats,) = run(tmp_path, ("tableSeatPoints", [table, 6, 10]))
    assert len(seats) == 6
    assert seats[0] == P(200, 56)                      # top: 100 − (30 + 10 + 4)
    for s in seats:
        assert math.isclose(math.hypot(s["x"] - 200, s["y"] - 100), 44, abs_tol=0.1)
    gaps = {round(math.dist((a["x"], a["y"]), (b["x"], b["y"])), 0) for a, b in zip(seats, seats[1:] + seats[:1], strict=True)}
    assert len(gaps) == 1, "evenly spaced"


def test_rect_table_seats_along_both_long_sides_and_rotation(tmp_path):
    table = {"x": 0, "y": 0, "width": 120, "height": 40, "shape": "rect"}
    flat, turned = run(tmp_path, ("tableSeatPoints", [table, 5, 10]),
                       ("tableSeatPoints", [{**table, "rotation": 90}, 2, 10]))
    assert flat == [P(-40, -34), P(0, -34), P(40, -34), P(-30, 34), P(30, 34)]
    assert turned == [P(34, 0), P(-34, 0)]
