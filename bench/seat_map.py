"""The CUSTOMER seat map in headless Chromium vs a plain one-``<circle>``-per-seat SVG of the same plan, measured
in the same run (issue 11 "Performance", issue 12; docs/seating.md). Style of ``bench/seating_builder.py``.

For each size in ``SEATING_SIZES`` (default ``1000,5000,18000``; one section, rows of 100 seats) a seated,
on-sale event is seeded and its public page ``/e/<slug>`` opened (the real map: layout + status snapshot
over the public API, one Konva Shape, viewport culling):

- ``first_render_ms``: navigation start → the map has every seat and its status snapshot and two animation
  frames have passed (customer map; includes the Reflex page, the layout and status fetches) / the SVG is in
  the DOM and a frame has passed (baseline, in an empty page: its DOM build only);
- ``pan_frame_ms``: mean time between animation frames over ``SEATING_FRAMES`` (120) frames that each move
  the view a few pixels and zoom slightly, from the view ``translate(40,40) scale(0.5)`` (both renderers); every
  pan and recolour figure is the median of 3 runs (one run until 2026-12-02 10:17 UTC);
- ``pan_fit_frame_ms`` (map only): the same from the map's own "whole plan in the box" view — every seat is
  drawn every frame (the worst case for culling);
- ``pan_nocache_frame_ms`` (map only): ``pan_frame_ms`` with the map's bitmap cache switched off
  (``__seatMap.useCache(false)``: every frame draws the visible seats exactly; plans under 4 000 seats never
  use the cache);
- ``pan_work_ms`` (map only): its own work per pan frame (move the view, draw synchronously), which the 60 Hz
  pacing hides;
- ``recolour_frame_ms``: mean frame time while 200 seats change status, 20 frames of 10 seats, from the view
  ``translate(40,40) scale(0.5)`` once it has settled (300 ms after moving there), the median of 3 such runs
  over 600 different seats (until 2026-12-02 10:14 UTC: one run, started at once, so the map's first recolour
  frame also redrew the moved view). Map: through the same path as the changes feed — status map, the changed
  seats redrawn in the bitmap cache, one canvas redraw, the seat list updated lazily; SVG: ``fill`` of 10 circles.

16.7 ms is one 60 Hz frame (headless Chromium paces animation frames at 60 Hz: the floor). Prints ONE JSON
line with both renderers' figures and the ratios svg / map. Env: SEATING_SIZES, SEATING_FRAMES.
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common  # noqa: E402
from bench.seating_builder import SVG_PAGE_JS, chromium_args, layout_for  # noqa: E402

PAN_JS = """async ([frames, svg, start]) => {
  const api = window.__seatMap;
  const g = svg ? document.getElementById('svg-root') : null;
  const v0 = start || api.view();
  const times = [];
  let last = await new Promise(r => requestAnimationFrame(r));
  for (let i = 0; i < frames; i++) {
    const v = {x: v0.x - i * 4, y: v0.y - i * 2, scale: v0.scale * (1 + 0.002 * i)};
    if (svg) g.setAttribute('transform', `translate(${v.x},${v.y}) scale(${v.scale})`); else api.setView(v);
    const t = await new Promise(r => requestAnimationFrame(r));
    times.push(t - last); last = t;
  }
  return times.reduce((a, b) => a + b, 0) / times.length;
}"""

PAN_WORK_JS = """async ([frames, start]) => {
  const api = window.__seatMap;
  let total = 0;
  for (let i = 0; i < frames; i++) {
    const t = performance.now();
    api.setView({x: start.x - i * 4, y: start.y - i * 2, scale: start.scale * (1 + 0.002 * i)});
    api.drawNow();
    total += performance.now() - t;
    if (i % 10 === 9) await new Promise(r => requestAnimationFrame(r));
  }
  return total / frames;
}"""

RECOLOUR_JS = """async ([svg, keys, off]) => {
  const times = [];
  let last = await new Promise(r => requestAnimationFrame(r));
  for (let f = 0; f < 20; f++) {
    if (svg) {
      const cs = document.querySelectorAll('#svg-root circle');
      for (let i = 0; i < 10; i++) cs[off + f * 10 + i].setAttribute('fill', '#adb5bd');
    } else {
      window.__seatMap.changes(keys.slice(off + f * 10, off + f * 10 + 10).map(key => ({key, status: 'held'})));
    }
    const t = await new Promise(r => requestAnimationFrame(r));
    times.push(t - last); last = t;
  }
  return times.reduce((a, b) => a + b, 0) / times.length;
}"""

START = {"x": 40, "y": 40, "scale": 0.5}
RUNS = 3
SETTLE_WAIT_MS = 300  # > the map's 120 ms gesture settle time (seatmap.jsx SETTLE_MS)


def pan(page, frames: int, svg: bool, start: dict) -> float:
    """The median of RUNS pan measurements (PAN_JS), each from ``start``."""
    runs = []
    for _ in range(RUNS):
        if not svg:
            page.evaluate("(v) => window.__seatMap.setView(v)", start)
        runs.append(page.evaluate(PAN_JS, [frames, svg, start]))
    return statistics.median(runs)


def recolour(page, svg: bool, keys: list[str]) -> float:
    """The median of RUNS recolour measurements (200 other seats each), each from a settled view."""
    runs = []
    for i in range(RUNS):
        page.wait_for_timeout(SETTLE_WAIT_MS)
        runs.append(page.evaluate(RECOLOUR_JS, [svg, keys, 200 * i]))
    return statistics.median(runs)


def seed(session, sizes: list[int]) -> dict[int, str]:
    """One seated on-sale event per size (``bench.seat_holds.seed_event``: std + vip categories, isolated-seat rule
    off); ``{n: event slug}``."""
    from bench.seat_holds import seed_event

    return {n: seed_event(session, n, "off")["slug"] for n in sizes}


def main() -> int:
    from playwright.sync_api import sync_playwright
    from sqlmodel import Session

    sizes = [int(s) for s in os.environ.get("SEATING_SIZES", "1000,5000,18000").split(",") if s.strip()]
    frames = common.env_int("SEATING_FRAMES", 120)
    engine = common.prepare_database()
    with Session(engine, expire_on_commit=False) as session:
        slugs = seed(session, sizes)
    results = {}
    with common.app_server(with_worker=False) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium",
                                     args=chromium_args())
        context = browser.new_context(base_url=base, viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.set_default_timeout(180_000)
        page.goto(f"/e/{slugs[sizes[0]]}")  # warm the app (compiled chunks cached) before timing anything
        page.wait_for_function("() => window.__seatMap && window.__seatMap.seats() > 0")
        for n in sizes:
            doc = layout_for(n)
            t0 = time.perf_counter()
            page.goto(f"/e/{slugs[n]}")
            page.wait_for_function(f"() => window.__seatMap && window.__seatMap.seats() === {n} && window.__seatMap.seq() >= 0"
                                   " && document.querySelector('#seat-list-grid')")
            page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
            map_first = (time.perf_counter() - t0) * 1000
            fit = page.evaluate("() => window.__seatMap.view()")
            map_fit_pan = pan(page, frames, False, fit)
            page.evaluate("(v) => window.__seatMap.setView(v)", START)
            map_pan = pan(page, frames, False, START)
            map_nocache = None
            if page.evaluate("() => !!window.__seatMap.useCache"):
                page.evaluate("(v) => { window.__seatMap.useCache(false); window.__seatMap.setView(v); }", START)
                map_nocache = pan(page, frames, False, START)
                page.evaluate("(v) => { window.__seatMap.useCache(true); window.__seatMap.setView(v); }", START)
            map_work = page.evaluate(PAN_WORK_JS, [frames, START])
            fit_work = page.evaluate(PAN_WORK_JS, [frames, fit])
            page.evaluate("(v) => window.__seatMap.setView(v)", START)
            keys = [s["key"] for row in doc["sections"][0]["rows"] for s in row["seats"]][:200 * RUNS]
            map_recolour = recolour(page, False, keys)

            svg_page = context.new_page()
            svg_page.goto("about:blank")
            seats = [[s["x"], s["y"]] for row in doc["sections"][0]["rows"] for s in row["seats"]]
            svg_first = svg_page.evaluate(SVG_PAGE_JS, [seats])
            svg_pan = pan(svg_page, frames, True, START)
            svg_recolour = recolour(svg_page, True, [])
            svg_page.close()
            results[str(n)] = {
                "customer_map": {"first_render_ms": round(map_first, 1), "pan_frame_ms": round(map_pan, 2),
                                 "pan_fit_frame_ms": round(map_fit_pan, 2),
                                 "pan_nocache_frame_ms": round(map_nocache, 2) if map_nocache else None,
                                 "pan_work_ms": round(map_work, 2),
                                 "pan_fit_work_ms": round(fit_work, 2), "recolour_frame_ms": round(map_recolour, 2),
                                 "fit_scale": round(fit["scale"], 3)},
                "svg_per_seat": {"first_render_ms": round(svg_first, 1), "pan_frame_ms": round(svg_pan, 2),
                                 "recolour_frame_ms": round(svg_recolour, 2)},
                "pan_ratio_svg_over_map": round(svg_pan / map_pan, 2) if map_pan else None,
                "pan_ratio_svg_frame_over_map_work": round(svg_pan / map_work, 2) if map_work else None,
                "recolour_ratio_svg_over_map": round(svg_recolour / map_recolour, 2) if map_recolour else None,
            }
            common.log(f"{n} seats: {results[str(n)]}")
        browser.close()
    common.emit({"bench": "seat_map", "frames": frames, "uncapped_frames": os.environ.get("SEATING_UNCAPPED") == "1", "sizes": results,
                 "note": "map first render includes page navigation, the Reflex shell, the layout and status "
                         "fetches; the SVG baseline is built in an empty page (its DOM build only)"})
    return 0


if __name__ == "__main__":
    sys.exit(main())
