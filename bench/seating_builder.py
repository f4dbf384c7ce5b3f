"""Seating builder rendering in headless Chromium: the real builder page vs a plain one-``<circle>``-per-seat
SVG of the same plan, measured in the same run (docs/seating.md, issue 11 "Performance").

For each size in ``SEATING_SIZES`` (default ``1000,5000,18000``; one section, rows of 100 seats):

- ``first_render_ms``: navigation start → the canvas has drawn every seat (builder) / the SVG is in the DOM
  and a frame has passed (baseline);
- ``pan_frame_ms``: mean time between animation frames over ``SEATING_FRAMES`` (120) frames that each move
  the view by a few pixels and zoom slightly (builder: its view state, so React + Konva redraw; SVG: the
  ``transform`` of the group that holds the circles);
- ``recolour_frame_ms``: mean frame time while 200 seats change category, 20 frames of 10 seats each;
- ``pan_work_ms``: the builder's own work per pan frame (move the view, draw the layer synchronously),
  which the 60 Hz pacing hides; ``builder_without_bitmap_cache``: the same pan with the seat bitmap cache
  off (every frame redraws the seats exactly), for comparison in the same run.

16.7 ms is one 60 Hz frame (headless Chromium paces animation frames at 60 Hz, so that is the floor).
Prints ONE JSON line with both renderers' figures and their ratios (svg / builder).
"""

from __future__ import annotations

import os
import shutil
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common  # noqa: E402

CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic",
]
# SEATING_UNCAPPED=1: animation frames are not paced at 60 Hz (Chromium's --disable-frame-rate-limit and
# --disable-gpu-vsync), so a frame interval measures the renderer's work instead of the display's refresh.
UNCAPPED_ARGS = ["--disable-frame-rate-limit", "--disable-gpu-vsync"]


def chromium_args() -> list[str]:
    """The headless Chromium flags of the rendering benches (plus ``E2E_CHROMIUM_ARGS``, and uncapped frames
    when ``SEATING_UNCAPPED=1``)."""
    extra = UNCAPPED_ARGS if os.environ.get("SEATING_UNCAPPED") == "1" else []
    return CHROMIUM_ARGS + extra + os.environ.get("E2E_CHROMIUM_ARGS", "").split()

EMAIL = "bench-seating@example.co.za"
PASSWORD = "bench-seating-password-123"

# the builder's own work per pan frame: move the view and draw the layer synchronously (no frame pacing)
PAN_WORK_JS = """async (frames) => {
  const api = window.__seatingBuilder;
  const v0 = api.view();
  let total = 0;
  for (let i = 0; i < frames; i++) {
    const t = performance.now();
    api.setView({x: v0.x - i * 4, y: v0.y - i * 2, scale: v0.scale * (1 + 0.002 * i)});
    api.drawNow();
    total += performance.now() - t;
    if (i % 10 === 9) await new Promise(r => requestAnimationFrame(r));
  }
  return total / frames;
}"""

PAN_JS = """async ([frames, svg]) => {
  const api = window.__seatingBuilder;
  const g = svg ? document.getElementById('svg-root') : null;
  const v0 = svg ? {x: 40, y: 40, scale: 0.5} : api.view();
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

RECOLOUR_JS = """async ([svg]) => {
  const times = [];
  let last = await new Promise(r => requestAnimationFrame(r));
  for (let f = 0; f < 20; f++) {
    if (svg) {
      const cs = document.querySelectorAll('#svg-root circle');
      for (let i = 0; i < 10; i++) cs[f * 10 + i].setAttribute('fill', '#c92a2a');
    } else {
      const doc = window.__seatingBuilder.doc();
      const keys = doc.sections[0].rows.flatMap(r => r.seats).slice(f * 10, f * 10 + 10).map(s => s.key);
      window.__seatingBuilder.paint(keys, 'vip');
    }
    const t = await new Promise(r => requestAnimationFrame(r));
    times.push(t - last); last = t;
  }
  return times.reduce((a, b) => a + b, 0) / times.length;
}"""

SVG_PAGE_JS = """([seats]) => {
  const t0 = performance.now();
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('width', '1000'); svg.setAttribute('height', '700');
  const g = document.createElementNS(ns, 'g'); g.id = 'svg-root';
  g.setAttribute('transform', 'translate(40,40) scale(0.5)');
  for (const [x, y] of seats) {
    const c = document.createElementNS(ns, 'circle');
    c.setAttribute('cx', x); c.setAttribute('cy', y); c.setAttribute('r', 10); c.setAttribute('fill', '#2f9e44');
    g.appendChild(c);
  }
  svg.appendChild(g); document.body.appendChild(svg);
  return new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(performance.now() - t0))));
}"""


def layout_for(n: int) -> dict:
    rows, per_row = [], 100
    for r in range((n + per_row - 1) // per_row):
        count = min(per_row, n - r * per_row)
        rows.append({"id": f"row-{r}", "label": f"R{r + 1}", "seats": [
            {"key": f"k{r}-{i}", "label": str(i + 1), "x": 100 + i * 26, "y": 100 + r * 30, "category": "std"}
            for i in range(count)]})
    return {"schema_version": 1, "seat_radius": 10, "focal_point": {"x": 1400, "y": 40},
            "categories": [{"key": "std", "label": "Standard", "color": "#2f9e44"},
                           {"key": "vip", "label": "VIP", "color": "#c92a2a"}],
            "sections": [{"id": "sec", "label": "Bowl", "rows": rows}], "tables": [], "standing_areas": [],
            "shapes": [], "texts": []}


def seed(session, sizes: list[int]) -> tuple[str, str, dict[int, str]]:
    from voelgoed.models import Membership, Organization, User, Venue
    from voelgoed.services.accounts import accounts
    from voelgoed.services.platform import Actor, TenantContext, hash_password
    from voelgoed.services.seating import create_plan

    org = Organization(name="Bench Arena", slug=f"bench-arena-{uuid.uuid4().hex[:6]}")
    session.add(org)
    session.flush()
    user = User(email=EMAIL, full_name="Bench Seating", password_hash=hash_password(PASSWORD))
    session.add(user)
    session.flush()
    session.add(Membership(organization_id=org.id, user_id=user.id, role="owner"))
    venue = Venue(organization_id=org.id, name="Bench Arena")
    session.add(venue)
    session.commit()
    ctx = TenantContext(organization_id=org.id, actor=Actor("user", str(user.id)), role="owner")
    plans = {n: str(create_plan(session, ctx, venue_id=venue.id, name=f"{n} seats", layout_doc=layout_for(n)).id)
             for n in sizes}
    _row, token = accounts.sign_in(session, email=EMAIL, password=PASSWORD, client_address="127.0.0.1")
    return token, str(venue.id), plans


def main() -> int:
    from playwright.sync_api import sync_playwright

    sizes = [int(s) for s in os.environ.get("SEATING_SIZES", "1000,5000,18000").split(",") if s.strip()]
    frames = common.env_int("SEATING_FRAMES", 120)
    engine = common.prepare_database()
    from sqlmodel import Session

    with Session(engine, expire_on_commit=False) as session:
        token, venue_id, plans = seed(session, sizes)
    results = {}
    with common.app_server(with_worker=False) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium",
                                     args=chromium_args())
        context = browser.new_context(base_url=base, viewport={"width": 1280, "height": 900})
        context.add_cookies([{"name": "vg_session", "value": token, "url": base}])
        page = context.new_page()
        page.set_default_timeout(120_000)
        page.goto("/venues")  # warm the app (compiled chunks cached) before timing anything
        for n in sizes:
            doc = layout_for(n)
            t0 = time.perf_counter()
            page.goto(f"/venues/{venue_id}/plans/{plans[n]}")
            page.wait_for_function(f"() => window.__seatingBuilder && window.__seatingBuilder.doc().sections.length === 1"
                                   f" && document.querySelector('.sb-hint')?.textContent.includes('{n} seats')")
            page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
            builder_first = (time.perf_counter() - t0) * 1000
            page.evaluate("() => window.__seatingBuilder.setView({x: 40, y: 40, scale: 0.5})")
            builder_pan = page.evaluate(PAN_JS, [frames, False])
            builder_recolour = page.evaluate(RECOLOUR_JS, [False])
            builder_work = page.evaluate(PAN_WORK_JS, frames)
            page.evaluate("() => window.__seatingBuilder.useCache(false)")
            page.evaluate("() => window.__seatingBuilder.setView({x: 40, y: 40, scale: 0.5})")
            nocache_pan = page.evaluate(PAN_JS, [frames, False])
            nocache_work = page.evaluate(PAN_WORK_JS, frames)
            page.evaluate("() => window.__seatingBuilder.useCache(true)")

            svg_page = context.new_page()
            svg_page.goto("about:blank")
            seats = [[s["x"], s["y"]] for row in doc["sections"][0]["rows"] for s in row["seats"]]
            svg_first = svg_page.evaluate(SVG_PAGE_JS, [seats])
            svg_pan = svg_page.evaluate(PAN_JS, [frames, True])
            svg_recolour = svg_page.evaluate(RECOLOUR_JS, [True])
            svg_page.close()
            results[str(n)] = {
                "builder": {"first_render_ms": round(builder_first, 1), "pan_frame_ms": round(builder_pan, 2),
                            "recolour_frame_ms": round(builder_recolour, 2), "pan_work_ms": round(builder_work, 2)},
                "builder_without_bitmap_cache": {"pan_frame_ms": round(nocache_pan, 2), "pan_work_ms": round(nocache_work, 2)},
                "svg_per_seat": {"first_render_ms": round(svg_first, 1), "pan_frame_ms": round(svg_pan, 2),
                                 "recolour_frame_ms": round(svg_recolour, 2)},
                "pan_ratio_svg_over_builder": round(svg_pan / builder_pan, 2) if builder_pan else None,
                "pan_ratio_svg_frame_over_builder_work": round(svg_pan / builder_work, 2) if builder_work else None,
            }
            common.log(f"{n} seats: {results[str(n)]}")
        browser.close()
    common.emit({"bench": "seating_builder", "frames": frames, "uncapped_frames": os.environ.get("SEATING_UNCAPPED") == "1", "sizes": results,
                 "note": "builder first render includes page navigation, the Reflex shell and the layout fetch; "
                         "the SVG baseline is built in an empty page (its DOM build only)"})
    return 0


if __name__ == "__main__":
    sys.exit(main())
