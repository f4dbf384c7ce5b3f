// Seated GA on the customer seat map (issue 12 item 1): standing areas and tables sold whole, kept apart from
// seatmap.jsx so the seat map's own code stays small. Standing areas are drawn inside the map's ONE Shape
// (drawAreas, before the seats: one path per area, viewport size does not matter for a handful of polygons);
// a click inside one asks for a quantity (AreaChooser); a click on a seat of a table sold whole picks the
// whole table. The hold request then carries `areas: [{key, quantity}]` and `tables: [key]` next to
// `seat_keys` (one hold, all or none). Remaining places and table statuses come with the status snapshot and
// every changes answer (`areas`, `tables`).
import React, { useState } from "react";
import { pointInPolygon } from "./geometry.js";

// {areas: [{key, label, category, points, capacity}], tableOf: Map(seat key → table key), tables: Map(table key → label)}
export function gaOf(layout, legend) {
  const whole = new Set((legend || []).filter((a) => a.kind === "table").map((a) => a.key));
  const caps = new Map((legend || []).filter((a) => a.kind === "standing").map((a) => [a.key, a.capacity]));
  const areas = (layout.standing_areas || []).filter((a) => caps.has(a.id)).map((a) => ({
    key: a.id, label: a.label || a.id, category: a.category, points: a.points || [], capacity: caps.get(a.id) }));
  const tableOf = new Map(), tables = new Map();
  for (const t of layout.tables || []) {
    if (!whole.has(t.id)) continue;
    tables.set(t.id, t.label || t.id);
    for (const s of t.seats || []) tableOf.set(s.key, t.id);
  }
  return { areas, tableOf, tables };
}

export function hitArea(ga, x, y) {
  for (const a of ga.areas) if (a.points.length >= 3 && pointInPolygon({ x, y }, a.points)) return a;
  return null;
}

// Called first inside the map's sceneFunc (raw 2D context, already in plan coordinates).
export function drawAreas(ctx, ga, colours, remaining, picked) {
  for (const a of ga.areas) {
    if (a.points.length < 3) continue;
    const left = remaining[a.key] ?? a.capacity;
    ctx.beginPath();
    ctx.moveTo(a.points[0].x, a.points[0].y);
    for (const p of a.points.slice(1)) ctx.lineTo(p.x, p.y);
    ctx.closePath();
    ctx.globalAlpha = 0.35;
    ctx.fillStyle = left > 0 ? colours.get(a.category) || "#868e96" : "#495057";
    ctx.fill();
    ctx.globalAlpha = 1;
    ctx.lineWidth = picked[a.key] ? 4 : 1.5;
    ctx.strokeStyle = picked[a.key] ? "#1864ab" : "#495057";
    ctx.stroke();
    const cx = a.points.reduce((s, p) => s + p.x, 0) / a.points.length;
    const cy = a.points.reduce((s, p) => s + p.y, 0) / a.points.length;
    ctx.fillStyle = "#212529"; ctx.font = "bold 18px sans-serif"; ctx.textAlign = "center";
    ctx.fillText(`${a.label}: ${left > 0 ? left + " places left" : "sold out"}${picked[a.key] ? ` · yours ${picked[a.key]}` : ""}`, cx, cy);
  }
}

// "How many places?" for a clicked standing area.
export function AreaChooser({ area, left, max, current, onDone }) {
  const [n, setN] = useState(current || 1);
  const limit = Math.max(0, Math.min(left, max));
  if (!limit) {
    return (
      <div role="dialog" aria-label={`${area.label} places`} id="area-chooser" style={{ marginTop: 8 }}>
        {area.label} is sold out. <button onClick={() => onDone(null)}>Close</button>
      </div>
    );
  }
  return (
    <div role="dialog" aria-label={`${area.label} places`} id="area-chooser"
         style={{ marginTop: 8, display: "flex", gap: 8, alignItems: "center" }}>
      <strong>{area.label}</strong> — {left} places left. How many places?
      <input id="area-quantity" aria-label="Number of places" type="number" min={1} max={limit} value={n}
             onChange={(e) => setN(e.target.value)} style={{ width: 64 }} />
      <button id="area-add" onClick={() => { const q = Math.floor(Number(n)); if (q >= 1 && q <= limit) onDone(q); }}>
        {current ? "Change" : "Add"}
      </button>
      {current ? <button onClick={() => onDone(0)}>Remove</button> : null}
      <button onClick={() => onDone(null)}>Cancel</button>
    </div>
  );
}

// The request body's GA part and the selection's summary.
export function gaRequest(picked, tables) {
  const areas = Object.entries(picked).filter(([, q]) => q > 0).map(([key, quantity]) => ({ key, quantity }));
  return { ...(areas.length ? { areas } : {}), ...(tables.length ? { tables } : {}) };
}

export function gaSummary(ga, picked, tables) {
  const parts = Object.entries(picked).filter(([, q]) => q > 0).map(([k, q]) => {
    const a = ga.areas.find((x) => x.key === k);
    return `${q} × ${a ? a.label : k}`;
  });
  for (const t of tables) parts.push(`table ${ga.tables.get(t) || t}`);
  return parts;
}
