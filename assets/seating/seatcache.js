// The seats' bitmap cache for pans and zooms, shared by the builder (builder.jsx) and the customer seat map
// (seatmap.jsx); docs/seating.md. While a gesture is under way the seats come from a bitmap of the viewport plus
// half a viewport of margin on every side (at most MAX_SIDE device pixels a side), drawn once and blitted with ONE
// drawImage per frame. It is (re)built only on a pan/zoom frame, when its token changed (what is drawn changed),
// the stage size changed, the view left it or the zoom drifted past ×2 / ×½; a stale cache on any other frame is
// dropped and the seats are drawn exactly. patchCache redraws a few world boxes inside a current cache (seats
// whose status changed) without rebuilding it. Pure canvas code: no React, no Konva import.

export const CACHE_MIN_SEATS = 4000;   // below this the exact draw is cheaper than blitting a big bitmap (software raster)
const MAX_SIDE = 4096;

// Draw the seats of the world rectangle box = {x0, y0, x1, y1, scale} (plan units; the Konva context `kctx`
// already transforms plan → screen) from the cache held in the ref `cache` ({current}), (re)building it first
// when it is stale and this is a pan frame. draw(ctx, x0, y0, x1, y1, scale) draws the seats of a world
// rectangle in plan coordinates. opts: token (compared with !==: change it whenever the drawing would change),
// size (compared with !==: the stage size), fromPan (this frame comes from a view change).
// Returns "blit" (drawn from a kept cache), "built" (cache rebuilt, then drawn) or "exact" (no cache used).
export function drawSeatsCached(kctx, cache, box, draw, { token, size, fromPan }) {
  const ctx = kctx._context;
  const { x0, y0, x1, y1, scale } = box;
  let c = cache.current;
  const ratio = c ? scale / c.scale : 0;
  const stale = !c || c.token !== token || c.size !== size || ratio < 0.5 || ratio > 2
    || x0 < c.x0 || y0 < c.y0 || x1 > c.x1 || y1 > c.y1;
  if (stale && !fromPan) { cache.current = null; draw(ctx, x0, y0, x1, y1, scale); return "exact"; }
  let how = "blit";
  if (stale) {
    const pr = Math.min(2, kctx.canvas && kctx.canvas.getPixelRatio ? kctx.canvas.getPixelRatio() : 1);
    const ww = (x1 - x0) / 2, wh = (y1 - y0) / 2;   // half a viewport of margin on every side
    const cx0 = x0 - ww, cy0 = y0 - wh, cx1 = x1 + ww, cy1 = y1 + wh;
    const k = Math.min(scale * pr, MAX_SIDE / (cx1 - cx0), MAX_SIDE / (cy1 - cy0));
    const canvas = (c && c.canvas) || document.createElement("canvas");
    canvas.width = Math.ceil((cx1 - cx0) * k); canvas.height = Math.ceil((cy1 - cy0) * k);
    const cctx = canvas.getContext("2d");
    cctx.setTransform(k, 0, 0, k, -cx0 * k, -cy0 * k);
    draw(cctx, cx0, cy0, cx1, cy1, scale);
    c = cache.current = { canvas, x0: cx0, y0: cy0, x1: cx1, y1: cy1, k, scale, size, token };
    cache.builds = (cache.builds || 0) + 1;   // on the ref itself: counts every build, also after a drop
    how = "built";
  }
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(c.canvas, c.x0, c.y0, c.x1 - c.x0, c.y1 - c.y0);
  ctx.imageSmoothingEnabled = true;
  return how;
}

// Redraw the world boxes [{x0, y0, x1, y1}] inside the cache (when it exists and was built for `token`): each box
// is widened by one device pixel and out to whole device pixels, cleared, and drawBoxes(ctx, scale, boxes) draws
// what lies in the widened boxes (clipped to them, plan coordinates; it must draw every seat that overlaps a box,
// not only the changed ones).
// Returns false when there was no current cache to patch (the next build draws the new state anyway).
export function patchCache(cache, token, boxes, drawBoxes) {
  const c = cache.current;
  if (!c || c.token !== token || !boxes.length) return false;
  const cctx = c.canvas.getContext("2d"), k = c.k;
  const px = (v, o, round) => o + round((v - o) * k) / k;
  cctx.save();
  cctx.setTransform(k, 0, 0, k, -c.x0 * k, -c.y0 * k);
  cctx.beginPath();
  const snapped = [];
  for (const b of boxes) {
    if (b.x1 < c.x0 || b.x0 > c.x1 || b.y1 < c.y0 || b.y0 > c.y1) continue;   // outside the bitmap
    // one device pixel more on every side (anti-aliased edges), on whole device pixels (no half-cleared seams)
    const x0 = px(b.x0 - 1 / k, c.x0, Math.floor), y0 = px(b.y0 - 1 / k, c.y0, Math.floor);
    const x1 = px(b.x1 + 1 / k, c.x0, Math.ceil), y1 = px(b.y1 + 1 / k, c.y0, Math.ceil);
    snapped.push({ x0, y0, x1, y1 });
    cctx.rect(x0, y0, x1 - x0, y1 - y0);
  }
  if (snapped.length) {
    cctx.clip();
    for (const b of snapped) cctx.clearRect(b.x0, b.y0, b.x1 - b.x0, b.y1 - b.y0);
    drawBoxes(cctx, c.scale, snapped);
  }
  cctx.restore();
  return true;
}
