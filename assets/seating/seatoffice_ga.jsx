// Seated GA on the ORGANISER's seat map (issue 12): standing areas with their places sold / held / free, and
// tables sold whole drawn and chosen as a table. Kept apart from seatoffice.jsx so that file stays readable, and
// sharing the area drawing and hit-test with the customer map (areashape.js; other colours and texts). Areas are drawn inside the
// map's ONE Shape (drawOfficeAreas, before the seats: a handful of polygons) and a frame around each whole table
// (drawTables, after the seats). A click inside an area asks how many places to sell (AreaPlaces); a click on a
// seat of a whole table picks the whole table. The box-office request carries `areas: [{key, quantity}]` and
// `tables: [key]` next to `seat_keys` (one order, all or none). Figures come with every status answer
// (`areas: {key: {capacity, sold, held, free}}`, `tables: {key: status}`).
import React, { useState } from "react";
import { drawArea, hitArea } from "./areashape.js";

// {areas: [{key, label, category, points, capacity}], tableOf: Map(seat key → table key),
//  tables: Map(table key → {key, label, seats: [{key, x, y, category}]})}
export function officeGaOf(layout, legend) {
  const whole = new Set((legend || []).filter((a) => a.kind === "table").map((a) => a.key));
  const caps = new Map((legend || []).filter((a) => a.kind === "standing").map((a) => [a.key, a]));
  const areas = (layout.standing_areas || []).filter((a) => caps.has(a.id)).map((a) => ({
    key: a.id, label: caps.get(a.id).label || a.label || a.id, category: caps.get(a.id).category || a.category,
    points: a.points || [], capacity: caps.get(a.id).capacity }));
  const tableOf = new Map(), tables = new Map();
  for (const t of layout.tables || []) {
    if (!whole.has(t.id)) continue;
    const seats = (t.seats || []).map((s) => ({ key: s.key, x: s.x, y: s.y, category: s.category || t.category }));
    tables.set(t.id, { key: t.id, label: t.label || t.id, seats });
    for (const s of seats) tableOf.set(s.key, t.id);
  }
  return { areas, tableOf, tables };
}

export const hitOfficeArea = hitArea;

export const areaText = (a, f, n) =>
  `${a.label}: ${f ? `${f.sold} sold · ${f.held} held · ${f.free} free` : `${a.capacity} places`}${n ? ` · selling ${n}` : ""}`;

// First inside the map's sceneFunc (raw 2D context in plan coordinates); figures = status answer's `areas`.
export function drawOfficeAreas(ctx, ga, colours, figures, picked) {
  for (const a of ga.areas) {
    if (a.points.length < 3) continue;
    const f = (figures || {})[a.key];
    drawArea(ctx, a, {
      alpha: 0.3, fill: f && f.free === 0 ? "#343a40" : colours.get(a.category) || "#868e96", picked: picked[a.key],
      pickedStroke: "#1c7ed6", font: "bold 16px sans-serif", text: areaText(a, f, picked[a.key]),
    });
  }
}

// After the seats: a frame around each whole table with its label and status; thick blue when picked.
export function drawTables(ctx, ga, r, statuses, picked) {
  for (const t of ga.tables.values()) {
    if (!t.seats.length) continue;
    const xs = t.seats.map((s) => s.x), ys = t.seats.map((s) => s.y);
    const x0 = Math.min(...xs) - 2 * r, y0 = Math.min(...ys) - 2 * r;
    const w = Math.max(...xs) - Math.min(...xs) + 4 * r, hgt = Math.max(...ys) - Math.min(...ys) + 4 * r;
    ctx.lineWidth = picked.has(t.key) ? 4 : 1.5;
    ctx.strokeStyle = picked.has(t.key) ? "#1c7ed6" : "#495057";
    ctx.setLineDash(picked.has(t.key) ? [] : [6, 4]);
    ctx.strokeRect(x0, y0, w, hgt);
    ctx.setLineDash([]);
    ctx.fillStyle = "#212529"; ctx.font = "bold 13px sans-serif"; ctx.textAlign = "left";
    ctx.fillText(`${t.label} · whole table · ${(statuses || {})[t.key] || "free"}`, x0, y0 - 4);
  }
}

// "How many places to sell?" for a clicked standing area (at most its free places).
export function AreaPlaces({ area, fig, current, onDone }) {
  const [n, setN] = useState(current || 1);
  const free = fig ? fig.free : area.capacity;
  return (
    <div role="dialog" aria-label={`${area.label} places`} id="office-area-chooser"
         style={{ display: "flex", gap: 8, alignItems: "center", flexWrap: "wrap" }}>
      <strong>{area.label}</strong> — {fig ? `${fig.sold} sold, ${fig.held} held, ${fig.free} free` : `${area.capacity} places`}.
      {free > 0 ? <>
        <span>Places to sell:</span>
        <input id="office-area-quantity" aria-label="Places to sell" type="number" min={1} max={free} value={n}
               onChange={(e) => setN(e.target.value)} style={{ width: 64, padding: 4 }} />
        <button id="office-area-add" onClick={() => { const q = Math.floor(Number(n)); if (q >= 1 && q <= free) onDone(q); }}>
          {current ? "Change" : "Add"}
        </button>
      </> : <span>No places left.</span>}
      {current ? <button onClick={() => onDone(0)}>Remove</button> : null}
      <button onClick={() => onDone(null)}>Close</button>
    </div>
  );
}
