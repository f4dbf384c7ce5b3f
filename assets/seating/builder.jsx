// The seating plan builder: one React component owning the layout document client-side.
// Wrapped for Reflex by voelgoed/pages/components/seating_canvas.py (rx.NoSSRComponent).
// The layout travels over HTTP (/api/builder/seating-plans/<id>…), never through Reflex state;
// the server validates (JSON Schema + publish checks) and freezes versions.
//
// Rendering (docs/seating.md): ONE Konva Shape draws every seat in a custom sceneFunc, batched per
// colour and culled to the viewport, listening off; hit-testing is math over a uniform grid.
// Handles, the marquee, the focal point and decoration are a few ordinary Konva nodes.
import React, { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { Stage, Layer, Shape, Rect, Circle, Ellipse, Text, Line, Group } from "react-konva";
import { renumber } from "./numbering.js";
import { CACHE_MIN_SEATS, drawSeatsCached } from "./seatcache.js";
import { align, bounds, centroid, distribute, pointInPolygon, polygonArea, rotatePoints, snap, snapPoint, tableSeatPoints } from "./geometry.js";
import "./builder.css";

const FLAGS = ["wheelchair", "companion", "restricted_view", "entrance"];
const UNCATEGORISED = "#adb5bd";
const HISTORY = 100;

function newKey(prefix = "s") {
  const bytes = new Uint8Array(9);
  crypto.getRandomValues(bytes);
  return prefix + Array.from(bytes, (b) => (b % 36).toString(36)).join("");
}

function emptyDoc() {
  return { schema_version: 1, width: 2000, height: 1400, seat_radius: 10, focal_point: null, floors: [],
    categories: [], sections: [], tables: [], standing_areas: [], shapes: [], texts: [] };
}

function normalise(doc) {
  const d = { ...emptyDoc(), ...(doc || {}) };
  for (const k of ["floors", "categories", "sections", "tables", "standing_areas", "shapes", "texts"]) d[k] = d[k] || [];
  return d;
}

// ---- geometry ----------------------------------------------------------------------------------

function lettersFor(n) { let s = ""; while (n > 0) { const r = (n - 1) % 26; s = String.fromCharCode(65 + r) + s; n = Math.floor((n - 1) / 26); } return s; }

// Place `count` points on the arc from p0 to p1 with bend `curve` (−1…1, sagitta = curve × chord/2).
export function arcPoints(p0, p1, count, curve) {
  const dx = p1.x - p0.x, dy = p1.y - p0.y;
  const L = Math.hypot(dx, dy);
  if (count === 1) return [{ x: p0.x, y: p0.y }];
  if (L < 1e-6 || Math.abs(curve) < 1e-3) {
    return Array.from({ length: count }, (_, i) => ({ x: p0.x + (dx * i) / (count - 1), y: p0.y + (dy * i) / (count - 1) }));
  }
  const u = { x: dx / L, y: dy / L }, n = { x: -u.y, y: u.x };
  const h = (curve * L) / 2, s = Math.sign(h), ah = Math.abs(h);
  const R = (ah * ah + (L / 2) * (L / 2)) / (2 * ah);
  const m = { x: (p0.x + p1.x) / 2, y: (p0.y + p1.y) / 2 };
  const apex = { x: m.x + n.x * h, y: m.y + n.y * h };
  const c = { x: apex.x - n.x * s * R, y: apex.y - n.y * s * R };
  const half = Math.asin(Math.min(1, L / 2 / R));   // |h| ≤ L/2 ≤ R, so the half-angle is at most 90°
  return Array.from({ length: count }, (_, i) => {
    const a = -half + (2 * half * i) / (count - 1);
    return { x: c.x + R * (Math.sin(a) * u.x + Math.cos(a) * n.x * s), y: c.y + R * (Math.sin(a) * u.y + Math.cos(a) * n.y * s) };
  });
}

// Flat index of every seat: [{seat, row, section|null, table|null}] + a uniform grid for hit tests.
function buildIndex(doc) {
  const items = [];
  for (const section of doc.sections) for (const row of section.rows) for (const seat of row.seats) items.push({ seat, row, section, table: null });
  for (const table of doc.tables) for (const seat of table.seats) items.push({ seat, row: table, section: null, table });
  const cell = Math.max(4, (doc.seat_radius || 10) * 2);
  const grid = new Map();
  items.forEach((it, i) => {
    const k = Math.floor(it.seat.x / cell) + "," + Math.floor(it.seat.y / cell);
    let b = grid.get(k); if (!b) grid.set(k, (b = [])); b.push(i);
  });
  const byKey = new Map(items.map((it) => [it.seat.key, it]));
  return { items, grid, cell, byKey };
}

function hitSeat(index, p, r) {
  const cx = Math.floor(p.x / index.cell), cy = Math.floor(p.y / index.cell);
  let best = null, bestD = r * r;
  for (let dx = -1; dx <= 1; dx++) for (let dy = -1; dy <= 1; dy++) {
    for (const i of index.grid.get(cx + dx + "," + (cy + dy)) || []) {
      const s = index.items[i].seat, d = (s.x - p.x) ** 2 + (s.y - p.y) ** 2;
      if (d <= bestD) { bestD = d; best = index.items[i]; }
    }
  }
  return best;
}

// Decoration and bookable objects that are not seats: hit-tested by math too (topmost first).
function objectAnchor(kind, o) {
  if (kind === "standing_areas" || (kind === "shapes" && (o.kind === "line" || o.kind === "polygon"))) return centroid(o.points || []);
  return { x: o.x || 0, y: o.y || 0 };
}

function hitObject(doc, p, r) {
  for (const t of [...doc.texts].reverse()) {
    const w = (t.text || "").length * (t.size || 16) * 0.6, h = (t.size || 16) * 1.2;
    if (p.x >= t.x && p.x <= t.x + w && p.y >= t.y && p.y <= t.y + h) return { kind: "texts", obj: t };
  }
  for (const t of [...doc.tables].reverse()) {
    const w = t.width || 60, h = t.height || w;
    if ((t.shape || "round") === "round" ? Math.hypot(p.x - t.x, p.y - t.y) <= w / 2 : Math.abs(p.x - t.x) <= w / 2 && Math.abs(p.y - t.y) <= h / 2) return { kind: "tables", obj: t };
  }
  for (const s of [...doc.shapes].reverse()) {
    if (s.kind === "rect" || s.kind === "ellipse") { if (p.x >= s.x && p.x <= s.x + (s.width || 0) && p.y >= s.y && p.y <= s.y + (s.height || 0)) return { kind: "shapes", obj: s }; }
    else if ((s.points || []).length >= 3 && pointInPolygon(p, s.points)) return { kind: "shapes", obj: s };
  }
  for (const a of [...doc.standing_areas].reverse()) if (pointInPolygon(p, a.points)) return { kind: "standing_areas", obj: a };
  return null;
}

const OBJECT_KINDS = ["tables", "standing_areas", "shapes", "texts"];

async function api(path, opts = {}) {
  const res = await fetch("/api/builder/seating-plans/" + path, {
    credentials: "same-origin", ...opts,
    headers: { "Content-Type": "application/json", "X-Voelgoed-Builder": "1", ...(opts.headers || {}) },
  });
  let body = null;
  try { body = await res.json(); } catch (e) { body = null; }
  if (!res.ok) {
    const err = (body && body.error) || { code: "error", message: "The server answered " + res.status, details: {} };
    throw err;
  }
  return body;
}

// ---- the component -------------------------------------------------------------------------------

export default function SeatingBuilder({ planId, width, height }) {
  const docRef = useRef(emptyDoc());
  const [tick, setTick] = useState(0);               // bumps when the document changed (panel refresh)
  const [paintTick, setPaintTick] = useState(0);     // bumps when only seat categories changed (no index rebuild)
  const [loaded, setLoaded] = useState(false);
  const [mayEdit, setMayEdit] = useState(false);
  const [revision, setRevision] = useState(0);
  const [published, setPublished] = useState(0);       // latest published version number (0 = never)
  const [dirty, setDirty] = useState(false);
  const [status, setStatus] = useState("");
  const [error, setError] = useState("");
  const [tool, setTool] = useState("select");
  const [selection, setSelection] = useState(() => new Set());
  const [view, setView] = useState({ x: 40, y: 40, scale: 1 });
  const [size, setSize] = useState({ w: width || 900, h: height || 620 });
  const [problems, setProblems] = useState(null);
  const [confirm, setConfirm] = useState(null);       // {diff, summary} while the publish dialog is open
  const [marquee, setMarquee] = useState(null);
  const [draw, setDraw] = useState({ seats: 10, rows: 5, spacing: 26, rowSpacing: 30, tableSeats: 8, tableShape: "round",
    bookWhole: false, capacity: 500, text: "Stage", angle: 15, shapeKind: "rect" });
  const [grid, setGrid] = useState({ on: false, size: 10 });
  const [areaDraft, setAreaDraft] = useState(null);     // points of a standing area being drawn
  const clipboard = useRef(null);
  const [numberSpec, setNumberSpec] = useState({ rowScheme: "alpha", rowStart: "A", seatScheme: "numeric", seatStart: "1",
    prefix: "", reverse: false, skipIo: false, renumberRows: true });
  const [paint, setPaint] = useState("");
  const [newCat, setNewCat] = useState({ label: "", color: "#1c7ed6", accessible: false });
  const undo = useRef([]), redo = useRef([]);
  const shapeRef = useRef(null), stageRef = useRef(null), boxRef = useRef(null), layerRef = useRef(null);
  // The view (pan/zoom) lives in a ref and is applied to the Konva layer directly: panning and zooming
  // redraw the canvas without a React render per frame; React's copy (hint, stroke widths) follows lazily.
  const viewRef = useRef(view);
  const viewTimer = useRef(null);
  const interactingRef = useRef(false);   // a pan/zoom is under way: seats come from the bitmap cache
  const seatCache = useRef(null);
  const cacheOff = useRef(false);
  const panFrame = useRef(false);         // this redraw comes from a view change (may (re)build the cache)        // bench: measure the exact redraw per frame too
  const applyView = useCallback((v) => {
    viewRef.current = v;
    interactingRef.current = true;
    panFrame.current = true;
    const layer = layerRef.current;
    if (layer) { layer.position({ x: v.x, y: v.y }); layer.scale({ x: v.scale, y: v.scale }); layer.batchDraw(); }
    clearTimeout(viewTimer.current);
    viewTimer.current = setTimeout(() => { interactingRef.current = false; setView(viewRef.current); }, 120);
  }, []);
  const gesture = useRef(null);

  const doc = docRef.current;
  const index = useMemo(() => buildIndex(docRef.current), [tick]);
  const radius = doc.seat_radius || 10;

  const redraw = useCallback(() => { const l = shapeRef.current && shapeRef.current.getLayer(); if (l) l.batchDraw(); }, []);
  const changed = useCallback(() => { setDirty(true); setTick((t) => t + 1); }, []);
  const repainted = useCallback(() => { setDirty(true); setPaintTick((t) => t + 1); }, []);
  const snapshot = useCallback(() => {
    undo.current.push(JSON.stringify(docRef.current));
    if (undo.current.length > HISTORY) undo.current.shift();
    redo.current = [];
  }, []);
  const restore = (from, to) => {
    if (!from.current.length) return;
    to.current.push(JSON.stringify(docRef.current));
    docRef.current = JSON.parse(from.current.pop());
    setSelection(new Set()); changed();
  };

  // load
  useEffect(() => {
    let live = true;
    api(planId, { method: "GET", headers: {} }).then((plan) => {
      if (!live) return;
      docRef.current = normalise(plan.layout); setRevision(plan.draft_revision); setMayEdit(!!plan.may_edit); setPublished(plan.latest_version || 0);
      setPaint((plan.layout.categories[0] || {}).key || ""); setLoaded(true); setTick((t) => t + 1);
    }).catch((e) => setError(e.message || "Could not load the plan"));
    return () => { live = false; };
  }, [planId]);

  // follow the container's size
  useEffect(() => {
    if (!boxRef.current || typeof ResizeObserver === "undefined") return;
    const ro = new ResizeObserver(([e]) => setSize({ w: Math.max(300, e.contentRect.width), h: height || 620 }));
    ro.observe(boxRef.current);
    return () => ro.disconnect();
  }, [height]);

  useEffect(() => { redraw(); }, [tick, paintTick, selection, view, redraw]);

  // test/bench hook: read-only view of the document and a few actions (no secrets in here)
  useEffect(() => {
    window.__seatingBuilder = {
      doc: () => docRef.current, selection: () => Array.from(selection), select: (keys) => setSelection(new Set(keys)),
      load: (d) => { snapshot(); docRef.current = normalise(d); changed(); }, view: () => viewRef.current,
      setView: (v) => applyView(v), redraw, frame: () => redraw(), drawNow: () => layerRef.current && layerRef.current.draw(),
      useCache: (on) => { cacheOff.current = !on; seatCache.current = null; },
      paint: (keys, category) => { for (const k of keys) { const it = index.byKey.get(k); if (it) it.seat.category = category; } repainted(); },
    };
  });

  const toWorld = (p) => { const v = viewRef.current; return { x: (p.x - v.x) / v.scale, y: (p.y - v.y) / v.scale }; };
  const pointer = () => toWorld(stageRef.current.getPointerPosition());

  // ---- drawing the seats (one Shape, batched by colour, culled) -----------------------------------
  const colours = useMemo(() => new Map(doc.categories.map((c) => [c.key, c.color])), [tick]);
  // Draw the seats inside the world rectangle [x0, x1] × [y0, y1] at `scale` (one path + one fill per colour).
  const drawSeats = useCallback((ctx, x0, y0, x1, y1, scale) => {
    const d = docRef.current, r = d.seat_radius || 10;
    const buckets = new Map();
    const visible = [];
    for (const it of index.items) {
      const s = it.seat;
      if (s.x < x0 || s.x > x1 || s.y < y0 || s.y > y1) continue;
      visible.push(it);
      const col = colours.get(s.category || (it.table && it.table.category)) || UNCATEGORISED;
      let b = buckets.get(col); if (!b) buckets.set(col, (b = [])); b.push(s);
    }
    const tiny = r * scale < 3.5;   // arcs cost more than squares in software rendering; at this size they look alike
    for (const [col, seats] of buckets) {
      ctx.fillStyle = col;
      if (tiny) { for (const s of seats) ctx.fillRect(s.x - r, s.y - r, 2 * r, 2 * r); continue; }
      ctx.beginPath();
      for (const s of seats) { ctx.moveTo(s.x + r, s.y); ctx.arc(s.x, s.y, r, 0, 2 * Math.PI); }
      ctx.fill();
    }
    if (selection.size) {
      ctx.beginPath();
      for (const it of visible) if (selection.has(it.seat.key)) { const s = it.seat; ctx.moveTo(s.x + r + 2, s.y); ctx.arc(s.x, s.y, r + 2, 0, 2 * Math.PI); }
      ctx.lineWidth = 2.5 / scale; ctx.strokeStyle = "#1864ab"; ctx.stroke();
    }
    if (r * scale >= 7 && visible.length <= 4000) {   // labels only when legible
      ctx.fillStyle = "#ffffff"; ctx.textAlign = "center"; ctx.textBaseline = "middle";
      ctx.font = `600 ${Math.round(r * 0.95)}px system-ui, sans-serif`;
      for (const it of visible) if (it.seat.label) ctx.fillText(it.seat.label, it.seat.x, it.seat.y + 0.5);
      ctx.fillStyle = "#495057"; ctx.font = `700 ${Math.round(r * 1.1)}px system-ui, sans-serif`;
      for (const sec of d.sections) for (const row of sec.rows) {
        const first = row.seats[0];
        if (first && row.label && first.x > x0 && first.x < x1 && first.y > y0 && first.y < y1) ctx.fillText(row.label, first.x - 2.4 * r, first.y);
      }
    }
  }, [index, colours, selection, paintTick]);   // eslint-disable-line react-hooks/exhaustive-deps

  // While panning/zooming a big plan the seats come from a bitmap of the viewport plus half a viewport of
  // margin on every side (seatcache.js, shared with the customer map); the cache's token is drawSeats itself, so
  // it is rebuilt when the document, the selection or the paint changed, when the size changed, when the view
  // leaves it or when the zoom drifts past ×2 / ×½; when the gesture settles the seats are drawn exactly again.
  const sceneFunc = useCallback((kctx) => {
    const ctx = kctx._context;
    const r = docRef.current.seat_radius || 10, view = viewRef.current;
    const x0 = -view.x / view.scale - r, y0 = -view.y / view.scale - r;
    const x1 = x0 + size.w / view.scale + 2 * r, y1 = y0 + size.h / view.scale + 2 * r;
    const fromPan = panFrame.current; panFrame.current = false;
    if (interactingRef.current && !cacheOff.current && index.items.length >= CACHE_MIN_SEATS && typeof document !== "undefined") {
      drawSeatsCached(kctx, seatCache, { x0, y0, x1, y1, scale: view.scale }, drawSeats, { token: drawSeats, size: size.w, fromPan });
      return;
    }
    drawSeats(ctx, x0, y0, x1, y1, view.scale);
  }, [drawSeats, size, index]);

  // ---- edits ----------------------------------------------------------------------------------------
  const activeSection = () => {
    if (!doc.sections.length) doc.sections.push({ id: newKey("sec"), label: "Main", rows: [] });
    return doc.sections[doc.sections.length - 1];
  };
  const usedRowLabels = (section) => new Set(section.rows.map((r) => r.label));
  const nextRowLabel = (section) => { const used = usedRowLabels(section); for (let i = 1; ; i++) if (!used.has(lettersFor(i))) return lettersFor(i); };

  const addRow = (p0, p1, count, section) => {
    const pts = arcPoints(p0, p1, count, 0);
    const row = { id: newKey("row"), label: nextRowLabel(section), curve: 0,
      seats: pts.map((p, i) => ({ key: newKey(), label: String(i + 1), x: Math.round(p.x * 10) / 10, y: Math.round(p.y * 10) / 10 })) };
    section.rows.push(row);
    return row;
  };

  const drawRow = (p0, p1) => {
    if (!mayEdit) return;
    snapshot();
    const n = Math.max(1, Math.min(2000, parseInt(draw.seats, 10) || 1));
    const sp = Math.max(radius * 1.8, parseFloat(draw.spacing) || 26);
    const end = Math.hypot(p1.x - p0.x, p1.y - p0.y) < 8 ? { x: p0.x + sp * (n - 1), y: p0.y } : p1;
    const row = addRow(p0, end, n, activeSection());
    setSelection(new Set(row.seats.map((s) => s.key))); changed();
  };

  const drawBlock = (p0) => {
    if (!mayEdit) return;
    snapshot();
    const n = Math.max(1, Math.min(2000, parseInt(draw.seats, 10) || 1));
    const rows = Math.max(1, Math.min(500, parseInt(draw.rows, 10) || 1));
    const sp = Math.max(radius * 1.8, parseFloat(draw.spacing) || 26), rs = Math.max(radius * 1.8, parseFloat(draw.rowSpacing) || 30);
    const section = activeSection();
    const keys = [];
    for (let i = 0; i < rows; i++) {
      const y = p0.y + i * rs;
      addRow({ x: p0.x, y }, { x: p0.x + sp * (n - 1), y }, n, section).seats.forEach((s) => keys.push(s.key));
    }
    setSelection(new Set(keys)); changed();
  };

  const selectedRows = () => {
    const rows = new Set();
    for (const k of selection) { const it = index.byKey.get(k); if (it && !it.table) rows.add(it.row); }
    return Array.from(rows);
  };

  const curveRows = (value) => {
    const c = Math.max(-1, Math.min(1, parseFloat(value) || 0));
    const rows = selectedRows();
    if (!rows.length) return;
    snapshot();
    for (const row of rows) {
      const seats = row.seats;
      if (seats.length < 2) continue;
      const a = seats[0], b = seats[seats.length - 1];
      arcPoints({ x: a.x, y: a.y }, { x: b.x, y: b.y }, seats.length, c).forEach((p, i) => { seats[i].x = Math.round(p.x * 10) / 10; seats[i].y = Math.round(p.y * 10) / 10; });
      row.curve = c;
    }
    changed();
  };

  const deleteSelection = () => {
    if (!selection.size || !mayEdit) return;
    snapshot();
    for (const sec of doc.sections) { for (const row of sec.rows) row.seats = row.seats.filter((s) => !selection.has(s.key)); sec.rows = sec.rows.filter((r) => r.seats.length); }
    doc.sections = doc.sections.filter((s) => s.rows.length);
    for (const t of doc.tables) t.seats = t.seats.filter((s) => !selection.has(s.key));
    for (const kind of OBJECT_KINDS) doc[kind] = doc[kind].filter((o) => !selection.has(o.id) && !(kind === "tables" && !o.seats.length));
    setSelection(new Set()); changed();
  };

  const r1 = (v) => Math.round(v * 10) / 10;
  const selectedObjects = (set = selection) => {
    const out = [];
    for (const kind of OBJECT_KINDS) for (const o of doc[kind]) if (set.has(o.id)) out.push({ kind, obj: o });
    return out;
  };
  const moveSelection = (dx, dy) => {
    for (const k of selection) { const it = index.byKey.get(k); if (it) { it.seat.x = r1(it.seat.x + dx); it.seat.y = r1(it.seat.y + dy); } }
    for (const { obj } of selectedObjects()) {
      if (obj.points && obj.points.length) obj.points = obj.points.map((q) => ({ x: r1(q.x + dx), y: r1(q.y + dy) }));
      if (obj.x !== undefined) { obj.x = r1(obj.x + dx); obj.y = r1(obj.y + dy); }
    }
  };
  const selectedSeats = () => Array.from(selection).map((k) => index.byKey.get(k)).filter(Boolean).map((it) => it.seat);

  // rotate the selection about its centre: seats and object anchors turn, tables/shapes/texts also turn
  const rotateSelection = (deg) => {
    const seats = selectedSeats(), objs = selectedObjects();
    if (!(seats.length || objs.length) || !mayEdit || !deg) return;
    snapshot();
    const anchors = objs.map(({ kind, obj }) => objectAnchor(kind, obj));
    const c = centroid(seats.concat(anchors));
    rotatePoints(seats, c, deg).forEach((q, i) => { seats[i].x = q.x; seats[i].y = q.y; });
    for (const { obj } of objs) {
      if (obj.points && obj.points.length) obj.points = rotatePoints(obj.points, c, deg);
      if (obj.x !== undefined && !(obj.points && obj.points.length)) { const [q] = rotatePoints([{ x: obj.x, y: obj.y }], c, deg); obj.x = q.x; obj.y = q.y; }
      if (obj.rotation !== undefined || obj.kind === "rect" || obj.text !== undefined || obj.seats) {
        let rot = ((obj.rotation || 0) + deg) % 360; if (rot > 180) rot -= 360; if (rot < -180) rot += 360; obj.rotation = r1(rot);
      }
    }
    changed();
  };
  const alignSelection = (mode) => {
    const seats = selectedSeats(); if (seats.length < 2 || !mayEdit) return;
    snapshot(); align(seats, mode).forEach((q, i) => { seats[i].x = q.x; seats[i].y = q.y; }); changed();
  };
  const distributeSelection = (axis) => {
    const seats = selectedSeats(); if (seats.length < 3 || !mayEdit) return;
    snapshot(); distribute(seats, axis).forEach((q, i) => { seats[i].x = q.x; seats[i].y = q.y; }); changed();
  };
  const snapSelection = () => {
    const seats = selectedSeats(); if (!seats.length || !mayEdit) return;
    snapshot(); for (const st of seats) { st.x = snap(st.x, grid.size); st.y = snap(st.y, grid.size); } changed();
  };
  const place = (p) => (grid.on ? snapPoint(p, grid.size) : p);

  // copy/paste: seats keep their rows (pasted as new rows with the next free row labels), tables whole,
  // objects with new ids; every pasted seat gets a new permanent key
  const copySelection = () => {
    const rows = new Map(), objs = [];
    for (const k of selection) {
      const it = index.byKey.get(k); if (!it || it.table) continue;
      let r = rows.get(it.row); if (!r) rows.set(it.row, (r = { label: it.row.label, curve: it.row.curve || 0, seats: [] }));
      r.seats.push(it.seat);
    }
    for (const o of selectedObjects()) objs.push(o);
    for (const k of selection) { const it = index.byKey.get(k); if (it && it.table && !objs.some((o) => o.obj === it.table)) objs.push({ kind: "tables", obj: it.table }); }
    if (!rows.size && !objs.length) return;
    clipboard.current = JSON.stringify({ rows: Array.from(rows.values()), objs: objs.map(({ kind, obj }) => ({ kind, obj })) });
    setStatus(`Copied ${selection.size} item${selection.size === 1 ? "" : "s"}`);
  };
  const pasteClipboard = () => {
    if (!clipboard.current || !mayEdit) return;
    snapshot();
    const data = JSON.parse(clipboard.current), off = grid.on ? Math.max(grid.size, snap(30, grid.size)) : 30;
    const keys = new Set(), section = activeSection();
    for (const r of data.rows) {
      const row = { id: newKey("row"), label: nextRowLabel(section), curve: r.curve,
        seats: r.seats.map((st) => ({ ...st, key: newKey(), x: r1(st.x + off), y: r1(st.y + off) })) };
      section.rows.push(row); row.seats.forEach((st) => keys.add(st.key));
    }
    for (const { kind, obj } of data.objs) {
      const o = { ...obj, id: newKey(kind.slice(0, 2)) };
      if (o.points) o.points = o.points.map((q) => ({ x: r1(q.x + off), y: r1(q.y + off) }));
      if (o.x !== undefined) { o.x = r1(o.x + off); o.y = r1(o.y + off); }
      if (o.seats) { o.seats = o.seats.map((st) => ({ ...st, key: newKey(), x: r1(st.x + off), y: r1(st.y + off) })); o.seats.forEach((st) => keys.add(st.key)); }
      if (kind === "tables") o.label = nextTableLabel();
      doc[kind].push(o); keys.add(o.id);
    }
    clipboard.current = JSON.stringify({ rows: data.rows.map((r) => ({ ...r, seats: r.seats.map((st) => ({ ...st, x: st.x + off, y: st.y + off })) })),
      objs: data.objs.map(({ kind, obj }) => ({ kind, obj: { ...obj, ...(obj.x !== undefined ? { x: obj.x + off, y: obj.y + off } : {}),
        ...(obj.points ? { points: obj.points.map((q) => ({ x: q.x + off, y: q.y + off })) } : {}),
        ...(obj.seats ? { seats: obj.seats.map((st) => ({ ...st, x: st.x + off, y: st.y + off })) } : {}) } })) });
    setSelection(keys); changed();
  };

  // tables, standing areas, shapes, texts
  const nextTableLabel = () => { const used = new Set(doc.tables.map((t) => t.label)); for (let i = 1; ; i++) if (!used.has("T" + i)) return "T" + i; };
  const addTable = (p) => {
    if (!mayEdit) return;
    snapshot();
    const n = Math.max(1, Math.min(40, parseInt(draw.tableSeats, 10) || 1)), rect = draw.tableShape === "rect";
    const c = place(p);
    const t = { id: newKey("tbl"), label: nextTableLabel(), shape: rect ? "rect" : "round", x: r1(c.x), y: r1(c.y),
      width: rect ? Math.max(60, Math.ceil(n / 2) * 2.6 * radius) : Math.max(40, n * radius * 0.9), height: rect ? 40 : undefined,
      rotation: 0, book_whole: !!draw.bookWhole, seats: [] };
    if (!rect) delete t.height;
    const cat = paint || (doc.categories[0] || {}).key; if (cat) t.category = cat;   // the default of its seats
    t.seats = tableSeatPoints(t, n, radius).map((q, i) => ({ key: newKey(), label: String(i + 1), x: q.x, y: q.y }));
    doc.tables.push(t);
    setSelection(new Set([t.id, ...t.seats.map((st) => st.key)])); changed();
  };
  const closeArea = (pts) => {
    setAreaDraft(null);
    if (!pts || pts.length < 3 || !mayEdit) return;
    snapshot();
    const used = new Set(doc.standing_areas.map((a) => a.label));
    let label = "Standing"; for (let i = 2; used.has(label); i++) label = "Standing " + i;
    const cap = Math.max(1, Math.min(200000, parseInt(draw.capacity, 10) || 1));
    const a = { id: newKey("area"), label, capacity: cap, points: pts.map((q) => ({ x: r1(q.x), y: r1(q.y) })) };
    const cat = paint || (doc.categories[0] || {}).key; if (cat) a.category = cat;
    doc.standing_areas.push(a); setSelection(new Set([a.id])); changed();
  };
  const addText = (p) => {
    const text = String(draw.text || "").trim().slice(0, 200);
    if (!text || !mayEdit) { setError("Type the text to place first"); return; }
    snapshot(); const c = place(p);
    const t = { id: newKey("txt"), text, x: r1(c.x), y: r1(c.y), size: 20, rotation: 0, color: "#343a40" };
    doc.texts.push(t); setSelection(new Set([t.id])); changed();
  };
  const addShape = (p0, p1) => {
    if (!mayEdit) return;
    const a = place(p0), b = place(p1);
    let x = Math.min(a.x, b.x), y = Math.min(a.y, b.y), w = Math.abs(b.x - a.x), h = Math.abs(b.y - a.y);
    if (w < 4 && h < 4) { w = 120; h = 60; }
    snapshot();
    const sh = { id: newKey("shp"), kind: draw.shapeKind === "ellipse" ? "ellipse" : "rect", x: r1(x), y: r1(y), width: r1(w), height: r1(h),
      rotation: 0, fill: "#dee2e6", stroke: "#495057" };
    doc.shapes.push(sh); setSelection(new Set([sh.id])); changed();
  };
  const setObjectField = (kind, id, field, value) => {
    const o = doc[kind].find((x) => x.id === id); if (!o || !mayEdit) return;
    snapshot(); o[field] = value; changed();
  };

  const applyNumbering = () => {
    if (!selection.size) return;
    snapshot();
    try {
      const seatSpec = { scheme: numberSpec.seatScheme, start: numberSpec.seatStart, prefix: numberSpec.prefix, reverse: numberSpec.reverse, skip_io: numberSpec.skipIo };
      const rowSpec = numberSpec.renumberRows ? { scheme: numberSpec.rowScheme, start: numberSpec.rowStart, skip_io: numberSpec.skipIo } : null;
      renumber(docRef.current, selection, seatSpec, rowSpec);
      setError(""); changed();
    } catch (e) { undo.current.pop(); setError(e.message); }
  };

  const paintSelection = (key) => {
    if (!selection.size) return;
    snapshot();
    for (const k of selection) { const it = index.byKey.get(k); if (it) { if (key) it.seat.category = key; else delete it.seat.category; } }
    repainted();
  };

  const toggleFlag = (flag, on) => {
    if (!selection.size) return;
    snapshot();
    for (const k of selection) {
      const it = index.byKey.get(k); if (!it) continue;
      const flags = new Set(it.seat.flags || []); if (on) flags.add(flag); else flags.delete(flag);
      if (flags.size) it.seat.flags = FLAGS.filter((f) => flags.has(f)); else delete it.seat.flags;
    }
    changed();
  };

  const addCategory = () => {
    const label = newCat.label.trim();
    if (!label) { setError("Give the category a name"); return; }
    snapshot();
    let key = label.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 40) || "cat";
    while (doc.categories.some((c) => c.key === key)) key += "-2";
    doc.categories.push({ key, label: label.slice(0, 80), color: newCat.color, accessible: !!newCat.accessible });
    setPaint(key); setNewCat({ ...newCat, label: "" }); setError(""); changed();
  };

  const setSectionLabel = (label) => {
    const secs = new Set(); for (const k of selection) { const it = index.byKey.get(k); if (it && it.section) secs.add(it.section); }
    if (!secs.size) return;
    snapshot(); for (const s of secs) s.label = label.slice(0, 40); changed();
  };

  // ---- server -----------------------------------------------------------------------------------------
  const save = async () => {
    setStatus("Saving…"); setError("");
    try {
      const plan = await api(`${planId}/draft?base_revision=${revision}`, { method: "PUT", body: JSON.stringify(docRef.current) });
      setRevision(plan.draft_revision); setDirty(false); setStatus("Saved"); return true;
    } catch (e) {
      setStatus(""); setError(e.message + (e.details && e.details.errors ? " (" + e.details.errors.length + " schema errors)" : "")); return false;
    }
  };
  const validate = async () => {
    if (dirty && !(await save())) return null;
    try { const v = await api(`${planId}/validate`, { method: "POST" }); setProblems(v.problems); return v; }
    catch (e) { setError(e.message); return null; }
  };
  const startPublish = async () => {
    const v = await validate();
    if (!v) return;
    if (!v.publishable) { setStatus("Fix the problems before publishing"); return; }
    if (v.unchanged) { setStatus("Nothing changed since the last version"); return; }
    setConfirm(v);
  };
  const publish = async () => {
    try {
      const out = await api(`${planId}/publish`, { method: "POST", body: JSON.stringify({ base_revision: revision }) });
      setConfirm(null); setPublished(out.version.number); setStatus(`Published version ${out.version.number} (${out.version.seat_count} seats)`);
    } catch (e) { setConfirm(null); setError(e.message); if (e.details && e.details.problems) setProblems(e.details.problems); }
  };

  // ---- pointer --------------------------------------------------------------------------------------
  const onDown = (e) => {
    const btn = e.evt.button;
    const p = pointer();
    boxRef.current && boxRef.current.focus();
    if (tool === "pan" || btn === 1) { gesture.current = { kind: "pan", start: stageRef.current.getPointerPosition(), view: viewRef.current }; return; }
    if (tool === "focal" && mayEdit) { snapshot(); const q = place(p); doc.focal_point = { x: Math.round(q.x), y: Math.round(q.y) }; changed(); setTool("select"); return; }
    if (tool === "row") { gesture.current = { kind: "row", p0: place(p), p1: place(p) }; return; }
    if (tool === "block") { drawBlock(place(p)); return; }
    if (tool === "table") { addTable(p); return; }
    if (tool === "text") { addText(p); return; }
    if (tool === "shape") { gesture.current = { kind: "shape", p0: p }; setMarquee({ x: p.x, y: p.y, w: 0, h: 0 }); return; }
    if (tool === "area") {
      const q = place(p), pts = areaDraft || [];
      const first = pts[0], close = first && pts.length >= 3 && Math.hypot(q.x - first.x, q.y - first.y) * viewRef.current.scale < 10;
      if (close || (e.evt.detail >= 2 && pts.length >= 3)) closeArea(pts);   // the first click of a double-click placed the point
      else setAreaDraft(pts.concat([q]));
      return;
    }
    if (tool === "lasso") { gesture.current = { kind: "lasso", pts: [p], add: e.evt.shiftKey }; setMarquee({ line: [p.x, p.y] }); return; }
    const hit = hitSeat(index, p, radius) || hitObject(doc, p, radius);
    if (hit) {
      // a seat selects itself; an object its id (a table also its seats)
      const keys = hit.seat ? [hit.seat.key] : [hit.obj.id, ...(hit.kind === "tables" ? hit.obj.seats.map((st) => st.key) : [])];
      let sel = selection;
      if (e.evt.shiftKey || e.evt.ctrlKey || e.evt.metaKey) {
        sel = new Set(selection); const on = !sel.has(keys[0]); for (const k of keys) { if (on) sel.add(k); else sel.delete(k); }
        setSelection(sel); return;
      }
      if (!sel.has(keys[0])) { sel = new Set(keys); setSelection(sel); }
      const anchor = hit.seat ? { x: hit.seat.x, y: hit.seat.y } : objectAnchor(hit.kind, hit.obj);
      if (mayEdit) gesture.current = { kind: "move", start: p, anchor, applied: { x: 0, y: 0 }, moved: false };
      return;
    }
    gesture.current = { kind: "marquee", p0: p, add: e.evt.shiftKey };
    setMarquee({ x: p.x, y: p.y, w: 0, h: 0 });
  };
  const onMove = () => {
    const g = gesture.current; if (!g) return;
    if (g.kind === "pan") {
      const now = stageRef.current.getPointerPosition();
      applyView({ ...g.view, x: g.view.x + now.x - g.start.x, y: g.view.y + now.y - g.start.y }); return;
    }
    const p = pointer();
    if (g.kind === "move") {
      // the total offset from the press; with the grid on, the grabbed seat/object lands on grid lines
      let tx = p.x - g.start.x, ty = p.y - g.start.y;
      if (grid.on) { tx = snap(g.anchor.x + tx, grid.size) - g.anchor.x; ty = snap(g.anchor.y + ty, grid.size) - g.anchor.y; }
      const dx = tx - g.applied.x, dy = ty - g.applied.y;
      if (!dx && !dy) return;
      if (!g.moved) { snapshot(); g.moved = true; }
      moveSelection(dx, dy); g.applied = { x: tx, y: ty }; redraw(); return;   // no React render per move
    }
    if (g.kind === "lasso") { g.pts.push(p); if (g.pts.length % 3 === 0) setMarquee({ line: g.pts.flatMap((q) => [q.x, q.y]), closed: true }); return; }
    if (g.kind === "shape") { setMarquee({ x: Math.min(g.p0.x, p.x), y: Math.min(g.p0.y, p.y), w: Math.abs(p.x - g.p0.x), h: Math.abs(p.y - g.p0.y) }); return; }
    if (g.kind === "row") { g.p1 = place(p); setMarquee({ line: [g.p0.x, g.p0.y, p.x, p.y] }); return; }
    if (g.kind === "marquee") setMarquee({ x: Math.min(g.p0.x, p.x), y: Math.min(g.p0.y, p.y), w: Math.abs(p.x - g.p0.x), h: Math.abs(p.y - g.p0.y) });
  };
  const onUp = () => {
    const g = gesture.current; gesture.current = null;
    if (!g) return;
    if (g.kind === "move" && g.moved) changed();
    if (g.kind === "row") { setMarquee(null); drawRow(g.p0, g.p1); }
    if (g.kind === "shape") { setMarquee(null); addShape(g.p0, pointer()); }
    if (g.kind === "lasso") {
      setMarquee(null);
      const poly = g.pts; if (poly.length < 3) { if (!g.add) setSelection(new Set()); return; }
      const bb = bounds(poly), sel = g.add ? new Set(selection) : new Set();
      for (const it of index.items) { const st = it.seat; if (st.x >= bb.x0 && st.x <= bb.x1 && st.y >= bb.y0 && st.y <= bb.y1 && pointInPolygon(st, poly)) sel.add(st.key); }
      for (const kind of OBJECT_KINDS) for (const o of doc[kind]) if (pointInPolygon(objectAnchor(kind, o), poly)) sel.add(o.id);
      setSelection(sel);
    }
    if (g.kind === "marquee") {
      const m = marquee; setMarquee(null);
      if (!m || (m.w < 3 && m.h < 3)) { if (!g.add) setSelection(new Set()); return; }
      const sel = g.add ? new Set(selection) : new Set();
      for (const it of index.items) { const s = it.seat; if (s.x >= m.x && s.x <= m.x + m.w && s.y >= m.y && s.y <= m.y + m.h) sel.add(s.key); }
      for (const kind of OBJECT_KINDS) for (const o of doc[kind]) { const a = objectAnchor(kind, o); if (a.x >= m.x && a.x <= m.x + m.w && a.y >= m.y && a.y <= m.y + m.h) sel.add(o.id); }
      setSelection(sel);
    }
  };
  const onWheel = (e) => {
    e.evt.preventDefault();
    const v = viewRef.current, old = v.scale, pos = stageRef.current.getPointerPosition();
    const scale = Math.max(0.05, Math.min(8, old * (e.evt.deltaY > 0 ? 1 / 1.1 : 1.1)));
    const wx = (pos.x - v.x) / old, wy = (pos.y - v.y) / old;
    applyView({ scale, x: pos.x - wx * scale, y: pos.y - wy * scale });
  };
  const zoom = (f) => { const v = viewRef.current, c = { x: size.w / 2, y: size.h / 2 }; const s = Math.max(0.05, Math.min(8, v.scale * f)); applyView({ scale: s, x: c.x - ((c.x - v.x) / v.scale) * s, y: c.y - ((c.y - v.y) / v.scale) * s }); };
  const fit = () => {
    if (!index.items.length) { applyView({ x: 40, y: 40, scale: 1 }); return; }
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    for (const { seat: s } of index.items) { x0 = Math.min(x0, s.x); y0 = Math.min(y0, s.y); x1 = Math.max(x1, s.x); y1 = Math.max(y1, s.y); }
    const s = Math.min(4, (size.w - 80) / Math.max(50, x1 - x0), (size.h - 80) / Math.max(50, y1 - y0));
    applyView({ scale: s, x: 40 - x0 * s, y: 40 - y0 * s });
  };

  const onKey = (e) => {
    if (e.target && /INPUT|SELECT|TEXTAREA/.test(e.target.tagName)) return;
    const mod = e.ctrlKey || e.metaKey;
    if (mod && e.key.toLowerCase() === "z") { e.preventDefault(); if (e.shiftKey) restore(redo, undo); else restore(undo, redo); return; }
    if (mod && e.key.toLowerCase() === "y") { e.preventDefault(); restore(redo, undo); return; }
    if (mod && e.key.toLowerCase() === "s") { e.preventDefault(); save(); return; }
    if (mod && e.key.toLowerCase() === "c") { e.preventDefault(); copySelection(); return; }
    if (mod && e.key.toLowerCase() === "v") { e.preventDefault(); pasteClipboard(); return; }
    if (e.key === "Enter" && areaDraft) { e.preventDefault(); closeArea(areaDraft); return; }
    if (mod && e.key.toLowerCase() === "a") { e.preventDefault(); setSelection(new Set(index.items.map((it) => it.seat.key))); return; }
    if (e.key === "Delete" || e.key === "Backspace") { e.preventDefault(); deleteSelection(); return; }
    if (e.key === "Escape") { setAreaDraft(null); setSelection(new Set()); setTool("select"); return; }
    const step = grid.on ? grid.size * (e.shiftKey ? 5 : 1) : e.shiftKey ? 10 : 1;
    const arrows = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
    if (arrows[e.key] && selection.size && mayEdit) { e.preventDefault(); snapshot(); moveSelection(...arrows[e.key]); changed(); }
  };

  const selectIds = (ids) => {
    const keys = new Set();
    for (const id of ids) {
      if (index.byKey.has(id)) keys.add(id);
      for (const sec of doc.sections) { if (sec.id === id) sec.rows.forEach((r) => r.seats.forEach((s) => keys.add(s.key))); for (const r of sec.rows) if (r.id === id) r.seats.forEach((s) => keys.add(s.key)); }
      for (const t of doc.tables) if (t.id === id) t.seats.forEach((s) => keys.add(s.key));
      for (const kind of OBJECT_KINDS) for (const o of doc[kind]) if (o.id === id) keys.add(id);
    }
    setSelection(keys);
  };

  // ---- panel data ---------------------------------------------------------------------------------------
  const sel = Array.from(selection).map((k) => index.byKey.get(k)).filter(Boolean);
  const selLabels = sel.slice(0, 12).map((it) => (it.row.label || "?") + (it.seat.label || "?")).join(", ") + (sel.length > 12 ? " …" : "");
  const selCats = new Set(sel.map((it) => it.seat.category || "")); const selRows = selectedRows();
  const flagState = (f) => sel.length > 0 && sel.every((it) => (it.seat.flags || []).includes(f));

  if (error && !loaded) return <div className="sb-error" role="alert">{error}</div>;
  if (!loaded) return <div className="sb-loading">Loading plan…</div>;

  const btn = (id, label, onClick, extra = {}) => <button type="button" id={id} className={"sb-btn" + (extra.active ? " sb-active" : "")} onClick={onClick} disabled={extra.disabled} title={extra.title || label}>{label}</button>;
  const tools = [["select", "Select"], ["lasso", "Lasso"], ["row", "Row"], ["block", "Block"], ["table", "Table"], ["area", "Standing"],
    ["shape", "Shape"], ["text", "Text"], ["focal", "Focal point"], ["pan", "Pan"]];
  const objs = selectedObjects().filter((o) => o.kind !== "tables" || !o.obj.seats.some((st) => selection.has(st.key)));
  const oneTable = (() => { const ts = new Set(sel.filter((it) => it.table).map((it) => it.table)); return ts.size === 1 && !selRows.length ? Array.from(ts)[0] : null; })();
  const selTables = new Set(sel.filter((it) => it.table).map((it) => it.table)).size;
  const where = [selRows.length || !selTables ? `${selRows.length} row${selRows.length === 1 ? "" : "s"}` : "", selTables ? `${selTables} table${selTables === 1 ? "" : "s"}` : ""].filter(Boolean).join(" and ");
  const one = objs.length === 1 ? objs[0] : null;
  const num = (v, lo, hi, dflt) => { const n = parseFloat(v); return Number.isFinite(n) ? Math.max(lo, Math.min(hi, n)) : dflt; };

  return (
    <div className="sb-root" data-testid="seating-builder">
      <div className="sb-toolbar">
        {tools.map(([t, l]) => btn("sb-tool-" + t, l, () => { setAreaDraft(null); setTool(t); }, { active: tool === t, disabled: !mayEdit && t !== "select" && t !== "pan" && t !== "lasso" }))}
        <label className="sb-field">Seats <input id="sb-seats" type="number" min="1" max="2000" value={draw.seats} onChange={(e) => setDraw({ ...draw, seats: e.target.value })} /></label>
        <label className="sb-field">Rows <input id="sb-rows" type="number" min="1" max="500" value={draw.rows} onChange={(e) => setDraw({ ...draw, rows: e.target.value })} /></label>
        <label className="sb-field">Spacing <input id="sb-spacing" type="number" min="10" value={draw.spacing} onChange={(e) => setDraw({ ...draw, spacing: e.target.value })} /></label>
        <label className="sb-field">Row gap <input id="sb-row-gap" type="number" min="10" value={draw.rowSpacing} onChange={(e) => setDraw({ ...draw, rowSpacing: e.target.value })} /></label>
        {tool === "table" ? <>
          <label className="sb-field">Table seats <input id="sb-table-seats" type="number" min="1" max="40" value={draw.tableSeats} onChange={(e) => setDraw({ ...draw, tableSeats: e.target.value })} /></label>
          <label className="sb-field"><select id="sb-table-shape" value={draw.tableShape} onChange={(e) => setDraw({ ...draw, tableShape: e.target.value })}><option value="round">round</option><option value="rect">long</option></select></label>
          <label className="sb-check"><input id="sb-table-whole" type="checkbox" checked={draw.bookWhole} onChange={(e) => setDraw({ ...draw, bookWhole: e.target.checked })} /> sold whole</label>
        </> : null}
        {tool === "area" ? <label className="sb-field">Capacity <input id="sb-capacity" type="number" min="1" max="200000" value={draw.capacity} onChange={(e) => setDraw({ ...draw, capacity: e.target.value })} /></label> : null}
        {tool === "text" ? <label className="sb-field">Text <input id="sb-text" maxLength={200} value={draw.text} onChange={(e) => setDraw({ ...draw, text: e.target.value })} /></label> : null}
        {tool === "shape" ? <label className="sb-field"><select id="sb-shape-kind" value={draw.shapeKind} onChange={(e) => setDraw({ ...draw, shapeKind: e.target.value })}><option value="rect">rectangle</option><option value="ellipse">ellipse</option></select></label> : null}
        <label className="sb-check" title="Snap placing and moving to the grid"><input id="sb-snap" type="checkbox" checked={grid.on} onChange={(e) => setGrid({ ...grid, on: e.target.checked })} /> snap</label>
        <label className="sb-field">Grid <input id="sb-grid" type="number" min="1" max="500" value={grid.size} onChange={(e) => setGrid({ ...grid, size: num(e.target.value, 1, 500, 10) })} /></label>
        <span className="sb-sep" />
        {btn("sb-undo", "Undo", () => restore(undo, redo), { disabled: !undo.current.length, title: "Undo (Ctrl+Z)" })}
        {btn("sb-redo", "Redo", () => restore(redo, undo), { disabled: !redo.current.length, title: "Redo (Ctrl+Shift+Z)" })}
        {btn("sb-zoom-in", "+", () => zoom(1.25), { title: "Zoom in" })}
        {btn("sb-zoom-out", "−", () => zoom(0.8), { title: "Zoom out" })}
        {btn("sb-fit", "Fit", fit, { title: "Fit the plan" })}
        <span className="sb-sep" />
        {btn("sb-save", dirty ? "Save*" : "Save", save, { disabled: !mayEdit, title: "Save the draft (Ctrl+S)" })}
        {btn("sb-validate", "Check", validate, { title: "List what blocks publishing" })}
        {btn("sb-publish", "Publish…", startPublish, { disabled: !mayEdit })}
        <span className="sb-version" id="sb-version">{published ? `v${published} published` : "never published"}{dirty ? " · unsaved changes" : ""}</span>
        <span className="sb-status" id="sb-status" role="status">{status}</span>
      </div>
      {error ? <div className="sb-error" role="alert" id="sb-error">{error}</div> : null}
      <div className="sb-main">
        <div className="sb-canvas" ref={boxRef} tabIndex={0} onKeyDown={onKey} data-testid="seating-canvas" style={{ cursor: tool === "pan" ? "grab" : tool === "select" ? "default" : "crosshair" }}>
          <Stage ref={stageRef} width={size.w} height={size.h} onMouseDown={onDown} onMouseMove={onMove} onMouseUp={onUp} onWheel={onWheel}>
            <Layer ref={layerRef} x={viewRef.current.x} y={viewRef.current.y} scaleX={viewRef.current.scale} scaleY={viewRef.current.scale} listening={false}>
              {doc.shapes.map((s) => { const hl = selection.has(s.id) ? { stroke: "#1864ab", strokeWidth: 3 / view.scale } : { stroke: s.stroke || "#495057", strokeWidth: 1 };
                return s.kind === "ellipse"
                ? <Ellipse key={s.id} x={s.x + (s.width || 0) / 2} y={s.y + (s.height || 0) / 2} radiusX={(s.width || 0) / 2} radiusY={(s.height || 0) / 2} rotation={s.rotation || 0} fill={s.fill} {...hl} />
                : s.kind === "rect" ? <Rect key={s.id} x={s.x} y={s.y} width={s.width} height={s.height} rotation={s.rotation || 0} fill={s.fill} {...hl} />
                : <Line key={s.id} points={(s.points || []).flatMap((p) => [p.x, p.y])} closed={s.kind === "polygon"} fill={s.fill} {...hl} />; })}
              {doc.standing_areas.map((a) => { const c = centroid(a.points); return <Group key={a.id}>
                <Line points={a.points.flatMap((p) => [p.x, p.y])} closed fill={(colours.get(a.category) || UNCATEGORISED) + "55"} stroke={selection.has(a.id) ? "#1864ab" : "#495057"} strokeWidth={selection.has(a.id) ? 3 / view.scale : 1} dash={[8, 4]} />
                <Text x={c.x - 60} y={c.y - 8} width={120} align="center" text={`${a.label || "Standing"} · ${a.capacity}`} fontSize={14} fill="#343a40" />
              </Group>; })}
              {doc.texts.map((t) => <Text key={t.id} x={t.x} y={t.y} text={t.text} fontSize={t.size || 16} rotation={t.rotation || 0} fill={t.color || "#343a40"} stroke={selection.has(t.id) ? "#1864ab" : undefined} strokeWidth={selection.has(t.id) ? 0.6 : 0} />)}
              {doc.tables.map((t) => { const hl = selection.has(t.id) ? { stroke: "#1864ab", strokeWidth: 3 / view.scale } : { stroke: "#868e96", strokeWidth: 1 };
                const w = t.width || 60, h = t.height || w;
                return <Group key={t.id} x={t.x} y={t.y} rotation={t.rotation || 0}>
                  {(t.shape || "round") === "round" ? <Circle radius={w / 2} fill={t.book_whole ? "#fff3bf" : "#e9ecef"} {...hl} /> : <Rect x={-w / 2} y={-h / 2} width={w} height={h} fill={t.book_whole ? "#fff3bf" : "#e9ecef"} {...hl} />}
                  <Text x={-w / 2} y={-7} width={w} align="center" text={t.label || ""} fontSize={13} fontStyle="bold" fill="#495057" />
                </Group>; })}
              <Shape ref={shapeRef} sceneFunc={sceneFunc} listening={false} perfectDrawEnabled={false} />
              {doc.focal_point ? <Group x={doc.focal_point.x} y={doc.focal_point.y}>
                <Circle radius={14} fill="#f59f00" stroke="#5c3c00" strokeWidth={2} />
                <Text text="STAGE" fontSize={12} fontStyle="bold" x={-20} y={18} fill="#5c3c00" />
              </Group> : null}
              {marquee && marquee.line ? <Line points={marquee.line} closed={!!marquee.closed} stroke="#1c7ed6" strokeWidth={2 / view.scale} dash={[6, 4]} /> : null}
              {areaDraft ? <Line points={areaDraft.flatMap((q) => [q.x, q.y])} stroke="#e8590c" strokeWidth={2 / view.scale} dash={[6, 4]} /> : null}
              {areaDraft ? areaDraft.map((q, i) => <Circle key={i} x={q.x} y={q.y} radius={4 / view.scale} fill="#e8590c" />) : null}
              {marquee && !marquee.line ? <Rect x={marquee.x} y={marquee.y} width={marquee.w} height={marquee.h} stroke="#1c7ed6" strokeWidth={1 / view.scale} fill="#1c7ed622" /> : null}
            </Layer>
          </Stage>
          <div className="sb-hint">{({ select: "Click a seat, drag a frame to select; drag selected seats to move; arrows nudge; Delete removes",
            row: "Click for a row of N seats, or drag to set its direction and length", block: "Click to place a block of rows × seats",
            focal: "Click where the stage or focal point is", pan: "Drag to pan; the wheel zooms",
            lasso: "Draw around the seats to select (Shift adds)", table: "Click to place a table with its seats around",
            area: areaDraft ? `${areaDraft.length} corner${areaDraft.length === 1 ? "" : "s"}: click the first corner, double-click or Enter to close; Escape cancels` : "Click the corners of the standing area",
            shape: "Drag a rectangle or ellipse (decoration)", text: "Click where the text goes" })[tool]} · {index.items.length} seats · zoom {Math.round(view.scale * 100)}%</div>
        </div>
        <aside className="sb-panel">
          <section>
            <h4>Selection</h4>
            <p id="sb-selection-count">{sel.length ? `${sel.length} seat${sel.length === 1 ? "" : "s"} in ${where}` : objs.length ? "" : "Nothing selected"}{objs.length ? `${sel.length ? " + " : ""}${objs.length} object${objs.length === 1 ? "" : "s"}` : ""}</p>
            {oneTable ? <div className="sb-grid" id="sb-object-panel">
              <label>Table <input id="sb-table-label" defaultValue={oneTable.label || ""} key={"tl" + oneTable.id + tick} maxLength={40} onBlur={(e) => setObjectField("tables", oneTable.id, "label", e.target.value.slice(0, 40))} /></label>
              <label className="sb-check"><input id="sb-table-book-whole" type="checkbox" checked={!!oneTable.book_whole} onChange={(e) => setObjectField("tables", oneTable.id, "book_whole", e.target.checked)} /> sold whole ({oneTable.seats.length} seats)</label>
            </div> : null}
            {one && one.kind === "standing_areas" ? <div className="sb-grid" id="sb-object-panel">
              <label>Area <input id="sb-area-label" defaultValue={one.obj.label || ""} key={"al" + one.obj.id + tick} maxLength={40} onBlur={(e) => setObjectField("standing_areas", one.obj.id, "label", e.target.value.slice(0, 40))} /></label>
              <label>Capacity <input id="sb-area-capacity" type="number" min="1" max="200000" defaultValue={one.obj.capacity} key={"ac" + one.obj.id + tick} onBlur={(e) => setObjectField("standing_areas", one.obj.id, "capacity", Math.round(num(e.target.value, 1, 200000, one.obj.capacity)))} /></label>
              <p className="sb-muted">{Math.round(polygonArea(one.obj.points))} square units</p>
            </div> : null}
            {one && one.kind === "texts" ? <div className="sb-grid" id="sb-object-panel">
              <label>Text <input id="sb-text-value" defaultValue={one.obj.text} key={"tv" + one.obj.id + tick} maxLength={200} onBlur={(e) => setObjectField("texts", one.obj.id, "text", e.target.value.slice(0, 200))} /></label>
              <label>Size <input id="sb-text-size" type="number" min="4" max="400" defaultValue={one.obj.size || 16} key={"ts" + one.obj.id + tick} onBlur={(e) => setObjectField("texts", one.obj.id, "size", num(e.target.value, 4, 400, 16))} /></label>
            </div> : null}
            {sel.length ? <p className="sb-muted" id="sb-selection-labels">{selLabels}</p> : null}
            {sel.length ? <p className="sb-muted">Category: {Array.from(selCats).map((k) => (doc.categories.find((c) => c.key === k) || { label: k || "none" }).label).join(", ")}</p> : null}
            {sel.length && sel[0].section ? <label className="sb-field">Section <input id="sb-section-label" defaultValue={sel[0].section.label || ""} key={sel[0].section.id + tick} onBlur={(e) => setSectionLabel(e.target.value)} /></label> : null}
            {btn("sb-delete", "Delete", deleteSelection, { disabled: !(sel.length || objs.length) || !mayEdit })}
            {btn("sb-copy", "Copy", copySelection, { disabled: !(sel.length || objs.length), title: "Copy (Ctrl+C)" })}
            {btn("sb-paste", "Paste", pasteClipboard, { disabled: !mayEdit, title: "Paste (Ctrl+V)" })}
            <label className="sb-field">Curve <input id="sb-curve" type="range" min="-1" max="1" step="0.05" disabled={!selRows.length || !mayEdit} defaultValue={selRows[0] ? selRows[0].curve || 0 : 0} key={"c" + tick} onMouseUp={(e) => curveRows(e.target.value)} onKeyUp={(e) => curveRows(e.target.value)} /></label>
          </section>
          <section>
            <h4>Arrange</h4>
            <div className="sb-row">
              <label className="sb-field">Angle <input id="sb-angle" type="number" min="-180" max="180" value={draw.angle} onChange={(e) => setDraw({ ...draw, angle: e.target.value })} /></label>
              {btn("sb-rotate", "Rotate", () => rotateSelection(num(draw.angle, -180, 180, 0)), { disabled: !(sel.length || objs.length) || !mayEdit, title: "Rotate the selection about its centre (clockwise)" })}
            </div>
            <div className="sb-row">
              {[["left", "⇤"], ["hcenter", "↔"], ["right", "⇥"], ["top", "⤒"], ["vcenter", "↕"], ["bottom", "⤓"]].map(([m, l]) => btn("sb-align-" + m, l, () => alignSelection(m), { disabled: sel.length < 2 || !mayEdit, title: "Align " + m }))}
            </div>
            <div className="sb-row">
              {btn("sb-distribute-x", "Distribute ↔", () => distributeSelection("x"), { disabled: sel.length < 3 || !mayEdit })}
              {btn("sb-distribute-y", "Distribute ↕", () => distributeSelection("y"), { disabled: sel.length < 3 || !mayEdit })}
              {btn("sb-snap-selection", "Snap to grid", snapSelection, { disabled: !sel.length || !mayEdit })}
            </div>
          </section>
          <section>
            <h4>Numbering</h4>
            <div className="sb-grid">
              <label>Rows <select id="sb-row-scheme" value={numberSpec.rowScheme} onChange={(e) => setNumberSpec({ ...numberSpec, rowScheme: e.target.value })}>
                <option value="alpha">A–Z, AA…</option><option value="numeric">1, 2, 3</option></select></label>
              <label>from <input id="sb-row-start" value={numberSpec.rowStart} onChange={(e) => setNumberSpec({ ...numberSpec, rowStart: e.target.value })} /></label>
              <label>Seats <select id="sb-seat-scheme" value={numberSpec.seatScheme} onChange={(e) => setNumberSpec({ ...numberSpec, seatScheme: e.target.value })}>
                <option value="numeric">1, 2, 3</option><option value="odd">1, 3, 5</option><option value="even">2, 4, 6</option><option value="alpha">A, B, C</option></select></label>
              <label>from <input id="sb-seat-start" value={numberSpec.seatStart} onChange={(e) => setNumberSpec({ ...numberSpec, seatStart: e.target.value })} /></label>
              <label>Prefix <input id="sb-prefix" value={numberSpec.prefix} maxLength={10} onChange={(e) => setNumberSpec({ ...numberSpec, prefix: e.target.value })} /></label>
            </div>
            <label className="sb-check"><input id="sb-reverse" type="checkbox" checked={numberSpec.reverse} onChange={(e) => setNumberSpec({ ...numberSpec, reverse: e.target.checked })} /> right to left</label>
            <label className="sb-check"><input id="sb-skip-io" type="checkbox" checked={numberSpec.skipIo} onChange={(e) => setNumberSpec({ ...numberSpec, skipIo: e.target.checked })} /> skip I and O</label>
            <label className="sb-check"><input id="sb-renumber-rows" type="checkbox" checked={numberSpec.renumberRows} onChange={(e) => setNumberSpec({ ...numberSpec, renumberRows: e.target.checked })} /> relabel rows too</label>
            {btn("sb-number", "Number selection", applyNumbering, { disabled: !sel.length || !mayEdit })}
          </section>
          <section>
            <h4>Categories</h4>
            <ul className="sb-cats">{doc.categories.map((c) => <li key={c.key}><label><input type="radio" name="sb-paint" value={c.key} checked={paint === c.key} onChange={() => setPaint(c.key)} /> <span className="sb-swatch" style={{ background: c.color }} /> {c.label}{c.accessible ? " ♿" : ""}</label></li>)}</ul>
            {btn("sb-paint", "Paint selection", () => paintSelection(paint), { disabled: !sel.length || !paint || !mayEdit })}
            <div className="sb-grid">
              <input id="sb-cat-label" placeholder="New category" value={newCat.label} onChange={(e) => setNewCat({ ...newCat, label: e.target.value })} />
              <input id="sb-cat-color" type="color" value={newCat.color} onChange={(e) => setNewCat({ ...newCat, color: e.target.value })} />
            </div>
            <label className="sb-check"><input type="checkbox" checked={newCat.accessible} onChange={(e) => setNewCat({ ...newCat, accessible: e.target.checked })} /> accessible</label>
            {btn("sb-add-cat", "Add category", addCategory, { disabled: !mayEdit })}
          </section>
          <section>
            <h4>Seat flags</h4>
            {FLAGS.map((f) => <label className="sb-check" key={f}><input type="checkbox" id={"sb-flag-" + f} disabled={!sel.length || !mayEdit} checked={flagState(f)} onChange={(e) => toggleFlag(f, e.target.checked)} /> {f.replace("_", " ")}</label>)}
          </section>
          <section>
            <h4>Problems</h4>
            {problems === null ? <p className="sb-muted">“Check” lists what blocks publishing.</p>
              : problems.length === 0 ? <p id="sb-no-problems">No problems: ready to publish.</p>
              : <ul className="sb-problems" id="sb-problems">{problems.map((p) => <li key={p.code}><button type="button" className="sb-link" data-code={p.code} onClick={() => selectIds(p.ids)}>{p.message}</button></li>)}</ul>}
          </section>
        </aside>
      </div>
      {confirm ? <div className="sb-dialog-backdrop"><div className="sb-dialog" role="dialog" aria-modal="true" aria-labelledby="sb-confirm-title">
        <h3 id="sb-confirm-title">Publish a new version of this plan?</h3>
        <p>A published version never changes. Events can then use it.</p>
        <table className="sb-diff" id="sb-diff"><tbody>
          <tr><td>Seats</td><td>{confirm.summary.seats}</td></tr>
          <tr><td>Added</td><td>{confirm.diff.counts.added}</td></tr>
          <tr><td>Removed</td><td>{confirm.diff.counts.removed}</td></tr>
          <tr><td>Relabelled</td><td>{confirm.diff.counts.relabelled}</td></tr>
          <tr><td>Recategorised</td><td>{confirm.diff.counts.recategorised}</td></tr>
        </tbody></table>
        {confirm.diff.removed.length ? <p className="sb-muted">Removed: {confirm.diff.removed.slice(0, 10).join(", ")}{confirm.diff.removed.length > 10 ? " …" : ""}</p> : null}
        {confirm.diff.relabelled.length ? <p className="sb-muted">Relabelled: {confirm.diff.relabelled.slice(0, 5).map((r) => r.from + " → " + r.to).join(", ")}</p> : null}
        <div className="sb-dialog-actions">{btn("sb-cancel-publish", "Cancel", () => setConfirm(null))}{btn("sb-confirm-publish", "Publish", publish)}</div>
      </div></div> : null}
    </div>
  );
}
