// Pure geometry of the builder's tools (no React, no Konva): checked by tests/services/test_seating_geometry.py
// under Node. Points are {x, y} in canvas units (y downwards); angles in degrees, clockwise on screen.

const round1 = (v) => Math.round(v * 10) / 10;

// Nearest multiple of `grid` (grid ≤ 0: unchanged).
export function snap(v, grid) {
  if (!(grid > 0)) return v;
  return Math.round(v / grid) * grid;
}

export function snapPoint(p, grid) {
  return { x: snap(p.x, grid), y: snap(p.y, grid) };
}

export function centroid(points) {
  if (!points.length) return { x: 0, y: 0 };
  let x = 0, y = 0;
  for (const p of points) { x += p.x; y += p.y; }
  return { x: x / points.length, y: y / points.length };
}

// Rotate `points` about `center` by `deg` degrees (clockwise on a y-down screen); new objects, rounded to 0.1.
export function rotatePoints(points, center, deg) {
  const a = (deg * Math.PI) / 180, c = Math.cos(a), s = Math.sin(a);
  return points.map((p) => {
    const dx = p.x - center.x, dy = p.y - center.y;
    return { x: round1(center.x + dx * c - dy * s), y: round1(center.y + dx * s + dy * c) };
  });
}

// Align points: left | right | hcenter (same x) · top | bottom | vcenter (same y). Returns new points.
export function align(points, mode) {
  if (!points.length) return [];
  const xs = points.map((p) => p.x), ys = points.map((p) => p.y);
  const target = {
    left: Math.min(...xs), right: Math.max(...xs), hcenter: (Math.min(...xs) + Math.max(...xs)) / 2,
    top: Math.min(...ys), bottom: Math.max(...ys), vcenter: (Math.min(...ys) + Math.max(...ys)) / 2,
  }[mode];
  if (target === undefined) throw new Error("Unknown alignment: " + mode);
  const horizontal = mode === "left" || mode === "right" || mode === "hcenter";
  return points.map((p) => (horizontal ? { x: round1(target), y: p.y } : { x: p.x, y: round1(target) }));
}

// Distribute points evenly along `axis` ("x" or "y") between the two outermost ones, keeping their order
// along that axis (ties by the other axis). Returns new points in the input order.
export function distribute(points, axis) {
  if (axis !== "x" && axis !== "y") throw new Error("Unknown axis: " + axis);
  const other = axis === "x" ? "y" : "x";
  const order = points.map((p, i) => i).sort((a, b) => points[a][axis] - points[b][axis] || points[a][other] - points[b][other]);
  const out = points.map((p) => ({ x: p.x, y: p.y }));
  if (points.length < 3) return out;
  const lo = points[order[0]][axis], hi = points[order[order.length - 1]][axis];
  order.forEach((idx, k) => { out[idx][axis] = round1(lo + ((hi - lo) * k) / (order.length - 1)); });
  return out;
}

// Even-odd point-in-polygon test (lasso selection, standing areas).
export function pointInPolygon(p, poly) {
  let inside = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const a = poly[i], b = poly[j];
    if ((a.y > p.y) !== (b.y > p.y) && p.x < ((b.x - a.x) * (p.y - a.y)) / (b.y - a.y) + a.x) inside = !inside;
  }
  return inside;
}

// Area of a simple polygon (shoelace), in square canvas units.
export function polygonArea(poly) {
  let s = 0;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) s += (poly[j].x + poly[i].x) * (poly[j].y - poly[i].y);
  return Math.abs(s) / 2;
}

// Seat centres around a table centred at (x, y): round tables on a circle `seatRadius + 4` outside the
// rim, starting at the top and going clockwise; rect tables spread along the two long sides (top first,
// left to right, then bottom), an odd seat at the right end. `rotation` (degrees) turns the lot.
export function tableSeatPoints(table, count, seatRadius) {
  const w = table.width || 60, h = table.height || w, rot = table.rotation || 0;
  const c = { x: table.x, y: table.y };
  let pts = [];
  if ((table.shape || "round") === "round") {
    const R = Math.max(w, h) / 2 + seatRadius + 4;
    for (let i = 0; i < count; i++) {
      const a = -Math.PI / 2 + (2 * Math.PI * i) / count;
      pts.push({ x: c.x + R * Math.cos(a), y: c.y + R * Math.sin(a) });
    }
  } else {
    const top = Math.ceil(count / 2), bottom = count - top, off = h / 2 + seatRadius + 4;
    const side = (n, y) => Array.from({ length: n }, (_, i) => ({ x: c.x - w / 2 + (w * (i + 0.5)) / n, y }));
    pts = side(top, c.y - off).concat(side(bottom, c.y + off));
  }
  return rot ? rotatePoints(pts, c, rot) : pts.map((p) => ({ x: round1(p.x), y: round1(p.y) }));
}

// The bounding box {x0, y0, x1, y1} of points (null for none).
export function bounds(points) {
  if (!points.length) return null;
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (const p of points) { x0 = Math.min(x0, p.x); y0 = Math.min(y0, p.y); x1 = Math.max(x1, p.x); y1 = Math.max(y1, p.y); }
  return { x0, y0, x1, y1 };
}
