// A standing area on a seat map canvas (issue 12): hit-testing and drawing shared by the customer map
// (seatmap_ga.jsx) and the organiser's map (seatoffice_ga.jsx), which differ only in colours and text.
import { pointInPolygon } from "./geometry.js";

// {areas: [{key, points, ...}]} → the area under plan point (x, y), or null.
export function hitArea(ga, x, y) {
  for (const a of ga.areas) if (a.points.length >= 3 && pointInPolygon({ x, y }, a.points)) return a;
  return null;
}

// One area's polygon (raw 2D context in plan coordinates): filled at `alpha` with `fill`, outlined (thick in
// `pickedStroke` when `picked`), `text` centred in `font`.
export function drawArea(ctx, a, { alpha, fill, picked, pickedStroke, font, text }) {
  ctx.beginPath();
  ctx.moveTo(a.points[0].x, a.points[0].y);
  for (const p of a.points.slice(1)) ctx.lineTo(p.x, p.y);
  ctx.closePath();
  ctx.globalAlpha = alpha;
  ctx.fillStyle = fill;
  ctx.fill();
  ctx.globalAlpha = 1;
  ctx.lineWidth = picked ? 4 : 1.5;
  ctx.strokeStyle = picked ? pickedStroke : "#495057";
  ctx.stroke();
  const cx = a.points.reduce((s, p) => s + p.x, 0) / a.points.length;
  const cy = a.points.reduce((s, p) => s + p.y, 0) / a.points.length;
  ctx.fillStyle = "#212529"; ctx.font = font; ctx.textAlign = "center";
  ctx.fillText(text, cx, cy);
}
