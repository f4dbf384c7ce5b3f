"""Browser test (real Chromium) of the customer seat map's bitmap cache (issue 12, docs/seating.md "The customer
seat map"): on a 4,000-seat plan (the cache's threshold) the map keeps panning — every frame drawn from the
cached bitmap — while another buyer holds a seat over the public API; when the changes feed brings the held
status, the pixel at that seat's centre turns the held grey, although the bitmap was not rebuilt (the changed
seat was redrawn inside it) and the frames still come from the cache; its neighbours keep their colour, and
the seat list drops the seat (lazily)."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import expect

from tests.seated_factories import seated_event

STD = [0x2F, 0x9E, 0x44]   # block_layout's "std" colour
HELD = [0xAD, 0xB5, 0xBD]  # seatmap.jsx STATUS_FILL.held

# Pan one pixel back and forth every animation frame (a drag that never settles), from a view at scale 1.
START_PANNING_JS = """([x, y]) => {
  const api = window.__seatMap, v = {x: 300 - x, y: 200 - y, scale: 1};
  let i = 0;
  window.__panStep = () => { i++; api.setView({...v, x: v.x + (i % 2)}); };
  const loop = () => { if (!window.__panStop) { window.__panStep(); requestAnimationFrame(loop); } };
  loop();
}"""

# One more pan step drawn synchronously, then the colour of the canvas pixel at each plan point and the cache state.
READ_JS = """(points) => {
  const api = window.__seatMap, canvas = document.querySelector('#seat-map canvas');
  window.__panStep(); api.drawNow();
  const v = api.view(), pr = window.devicePixelRatio || 1, ctx = canvas.getContext('2d');
  const px = points.map(([x, y]) => Array.from(ctx.getImageData(Math.round((v.x + x * v.scale) * pr),
                                                                Math.round((v.y + y * v.scale) * pr), 1, 1).data.slice(0, 3)));
  return {px, cache: api.cache()};
}"""


def _close(rgb, want, tol=6):
    return all(abs(a - b) <= tol for a, b in zip(rgb, want, strict=True))


@pytest.mark.e2e
def test_cached_map_shows_a_status_change_while_panning(page, app_db, live_app):
    rows = tuple((f"R{i + 1}", 100) for i in range(40))   # 4,000 seats
    event, _ctx, _ = seated_event(app_db, rows=rows)
    app_db.commit()
    page.goto(f"/e/{event.slug}")
    expect(page.locator("#seat-map canvas").first).to_be_visible()
    page.wait_for_function("() => window.__seatMap && window.__seatMap.seats() === 4000 && window.__seatMap.seq() >= 0")
    expect(page.locator('#seat-list-grid button[data-key="R1-5"]')).to_have_count(1)
    # R1-4, R1-5, R1-6 are at x = 190, 220, 250, y = 200 (tests/seating_factories.block_layout)
    points = [[220, 200], [190, 200], [250, 200]]
    page.evaluate(START_PANNING_JS, [220, 200])
    page.wait_for_timeout(300)
    before = page.evaluate(READ_JS, points)
    assert before["cache"]["last"] in ("built", "blit") and before["cache"]["builds"] >= 1, before
    assert all(_close(p, STD) for p in before["px"]), before

    r = httpx.post(f"{live_app}/api/v1/public/events/{event.slug}/seat-holds", json={"seat_keys": ["R1-5"]},
                   headers={"X-Forwarded-For": "203.0.113.21"}, timeout=30)
    assert r.status_code == 201, r.text
    page.wait_for_function("() => window.__seatMap.status('R1-5') === 'held'", timeout=20_000)
    after = page.evaluate(READ_JS, points)
    page.evaluate("() => { window.__panStop = true; }")
    assert after["cache"]["last"] == "blit", after                       # still drawn from the kept bitmap …
    assert after["cache"]["builds"] == before["cache"]["builds"], after  # … which was patched, not rebuilt
    assert _close(after["px"][0], HELD), after
    assert _close(after["px"][1], STD) and _close(after["px"][2], STD), after   # the neighbours are untouched
    expect(page.locator('#seat-list-grid button[data-key="R1-5"]')).to_have_count(0)
