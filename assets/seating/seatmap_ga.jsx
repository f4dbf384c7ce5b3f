// Seated GA on the customer seat map (issue 12 item 1): standing areas and tables sold whole, kept apart from
// seatmap.jsx so the seat map's own code stays small. Standing areas are drawn inside the map's ONE Shape
// (drawAreas, before the seats: one path per area, viewport size does not matter for a handful of polygons);
// a click inside one asks for a quantity (AreaChooser); a click on a seat of a table sold whole picks the
// whole table. The hold request then carries `areas: [{key, quantity}]` and `tables: [key]` next to
// `seat_keys` (one hold, all or none). Remaining places and table statuses come with the status snapshot and
// every changes answer (`areas`, `tables`).
import React, { useState } from "react";
import { drawArea, hitArea } from "./areashape.js";

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

export { hitArea };

// Called first inside the map's sceneFunc (raw 2D context, already in plan coordinates).
export function drawAreas(ctx, ga, colours, remaining, picked) {
  for (const a of ga.areas) {
    if (a.points.length < 3) continue;
    const left = remaining[a.key] ?? a.capacity;
    drawArea(ctx, a, {
      alpha: 0.35, fill: left > 0 ? colours.get(a.category) || "#868e96" : "#495057", picked: picked[a.key],
      pickedStroke: "#1864ab", font: "bold 18px sans-serif",
      text: `${a.label}: ${left > 0 ? left + " places left" : "sold out"}${picked[a.key] ? ` · yours ${picked[a.key]}` : ""}`,
    });
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
