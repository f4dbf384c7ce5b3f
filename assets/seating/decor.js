// A plan's decoration on a seat map canvas (issue 12): the layout's `shapes` (stage, bar, walls: rect, ellipse,
// line, polygon) and `texts` (STAGE, FLOOR, …), drawn under the areas and the seats so a buyer sees where the
// stage is. Raw 2D context in plan coordinates (the maps' sceneFunc); the same geometry as the builder's
// react-konva nodes (builder.jsx): a rect turns about its top-left corner, an ellipse about its centre, a text
// about its top-left corner with `size` px letters (default 16). Shared by the customer and organiser maps.

function path(ctx, s) {
  const w = s.width || 0, h = s.height || 0, turn = ((s.rotation || 0) * Math.PI) / 180;
  ctx.beginPath();
  if (s.kind === "rect") {
    ctx.save(); ctx.translate(s.x || 0, s.y || 0); ctx.rotate(turn); ctx.rect(0, 0, w, h); ctx.restore();
    return true;
  }
  if (s.kind === "ellipse") {
    ctx.ellipse((s.x || 0) + w / 2, (s.y || 0) + h / 2, w / 2, h / 2, turn, 0, 2 * Math.PI);
    return true;
  }
  const pts = s.points || [];
  if (pts.length < 2) return false;
  ctx.moveTo(pts[0].x, pts[0].y);
  for (const p of pts.slice(1)) ctx.lineTo(p.x, p.y);
  if (s.kind === "polygon") ctx.closePath();
  return true;
}

export function drawDecor(ctx, layout) {
  for (const s of layout.shapes || []) {
    if (!path(ctx, s)) continue;
    if (s.fill && s.kind !== "line") { ctx.fillStyle = s.fill; ctx.fill(); }
    if (s.stroke || s.kind === "line") { ctx.lineWidth = 2; ctx.strokeStyle = s.stroke || "#495057"; ctx.stroke(); }
  }
  ctx.textAlign = "left"; ctx.textBaseline = "top";
  for (const t of layout.texts || []) {
    if (!t.text) continue;
    ctx.save();
    ctx.translate(t.x || 0, t.y || 0); ctx.rotate(((t.rotation || 0) * Math.PI) / 180);
    ctx.fillStyle = t.color || "#343a40"; ctx.font = `${t.size || 16}px sans-serif`;
    ctx.fillText(t.text, 0, 0);
    ctx.restore();
  }
  ctx.textBaseline = "alphabetic";
}
