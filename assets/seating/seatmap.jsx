// The customer seat map (issue 12): ONE react-konva Shape draws every seat (batched per fill colour, culled to
// the viewport — the builder's rendering approach, docs/seating.md); clicks are hit-tested by math over a
// uniform grid. The layout comes from GET /api/v1/public/events/<slug>/seating/layout (ETag, cached), the
// statuses from .../seating/status (a snapshot with its sequence number) and then the changes after it, pushed
// over .../seating/stream (Server-Sent Events) or polled from .../seating/changes?since=N (seatfeed.js; a
// `refetch` answer or a gap takes a new snapshot). Nothing of it goes through Reflex state.
// Select seats → "Hold seats" (POST .../seat-holds) → the existing hold page /hold/<hold_token> (the signed token:
// a seat hold's bare id is refused) with its countdown and checkout. A selected seat that turns held/sold is dropped with "your seat was just taken".
// Hovering a seat (or tapping it on a phone) shows a tooltip: label, category, price, flags, status. Phones pan
// with one finger and pinch-zoom with two (touch events on the stage, anchored at the fingers' midpoint); the
// mouse wheel zooms. Screen-reader and keyboard users get seatlist.jsx (section → row → seat buttons, arrow
// keys) and every choice is announced through the aria-live region #seat-announce.
// Drawing (docs/seating.md "The customer seat map"): while the view pans or zooms, plans of CACHE_MIN_SEATS seats
// or more come from the builder's bitmap cache (seatcache.js). Status changes never re-render React per batch:
// the statuses live in a ref, the changed seats are redrawn inside the bitmap (patchCache) and the canvas redraws
// at once; the seat list and the tooltip follow lazily (at most one React update per LIST_LAG_MS).
import React, { startTransition, useCallback, useEffect, useMemo, useRef, useState } from "react";
import { Stage, Layer, Shape } from "react-konva";
import SeatList from "./seatlist.jsx";
import { CACHE_MIN_SEATS, drawSeatsCached, patchCache } from "./seatcache.js";
import { startSeatFeed } from "./seatfeed.js";
import { drawDecor } from "./decor.js";
import { AreaChooser, drawAreas, gaOf, gaRequest, gaSummary, hitArea } from "./seatmap_ga.jsx";

const LIST_LAG_MS = 300;      // status changes reach the seat list / tooltip at most this late (one React update)
const SETTLE_MS = 120;        // a gesture has ended this long after the last view change: seats drawn exactly
const STATUS_FILL = { held: "#adb5bd", sold: "#495057", blocked: "#dee2e6" };
const SELECTED = "#1864ab";
const FLAG_TEXT = { wheelchair: "wheelchair space", companion: "companion seat", restricted_view: "restricted view",
                    entrance: "near an entrance" };
const STATUS_TEXT = { held: "held by another buyer", sold: "sold", blocked: "not for sale" };
const SR_ONLY = { position: "absolute", width: 1, height: 1, overflow: "hidden", clip: "rect(0 0 0 0)", whiteSpace: "nowrap" };

// seats (flat, for drawing and hit tests) and groups (section → rows → seats, for the list alternative)
function flatten(layout) {
  const seats = [], groups = [];
  for (const sec of layout.sections || []) {
    const g = { label: sec.label, rows: [] };
    for (const row of sec.rows || []) {
      const r = { label: row.label, seats: [] };
      for (const s of row.seats || []) {
        const seat = { key: s.key, x: s.x, y: s.y, category: s.category, flags: s.flags || [], section: sec.label,
                       row: row.label, seat: s.label, label: `${sec.label} ${row.label}-${s.label}` };
        seats.push(seat); r.seats.push(seat);
      }
      if (r.seats.length) g.rows.push(r);
    }
    if (g.rows.length) groups.push(g);
  }
  const tables = { label: "Tables", rows: [] };
  for (const t of layout.tables || []) {
    const r = { label: t.label, seats: [] };
    for (const s of t.seats || []) {
      const seat = { key: s.key, x: s.x, y: s.y, category: s.category || t.category, flags: s.flags || [],
                     section: "Table", row: t.label, seat: s.label, label: `${t.label}-${s.label}` };
      seats.push(seat); r.seats.push(seat);
    }
    if (r.seats.length) tables.rows.push(r);
  }
  if (tables.rows.length) groups.push(tables);
  return { seats, groups };
}

const money = (c) => (!c || c.price_cents == null ? "" : `R ${(c.price_cents / 100).toFixed(2)}`);

function gridOf(seats, cell) {
  const grid = new Map();
  for (const s of seats) {
    const k = Math.floor(s.x / cell) + ":" + Math.floor(s.y / cell);
    let b = grid.get(k); if (!b) grid.set(k, (b = [])); b.push(s);
  }
  return grid;
}

async function api(path, opts) {
  const res = await fetch("/api/v1/public/" + path, { headers: { "Content-Type": "application/json" }, ...opts });
  const body = res.status === 204 || res.status === 304 ? null : await res.json().catch(() => null);
  return { ok: res.ok, status: res.status, body };
}

export default function SeatMap({ slug, height }) {
  const [data, setData] = useState(null);          // {layout, categories, max_per_order}
  const [missing, setMissing] = useState(false);
  const [tick, setTick] = useState(0);             // bumps when a status snapshot replaced the statuses (redraw)
  const [listTick, setListTick] = useState(0);     // bumps (lazily) after pushed status changes: list, tooltip
  const [selected, setSelected] = useState(() => new Set());
  const [notice, setNotice] = useState("");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const [qty, setQty] = useState(2);
  const [cat, setCat] = useState("");
  const [width, setWidth] = useState(900);
  const [tip, setTip] = useState(null);            // {seat, x, y} under the pointer / last tap
  const [announce, setAnnounce] = useState("");
  const statusRef = useRef(new Map());             // seat key → held | sold | blocked (absent = free)
  const seqRef = useRef(0);
  const viewRef = useRef({ x: 20, y: 20, scale: 1 });
  const layerRef = useRef(null), boxRef = useRef(null);
  const gesture = useRef(null);
  const lastTouch = useRef(0);                     // the browser's emulated mouse events after a touch are ignored
  const selectedRef = useRef(selected);
  selectedRef.current = selected;
  // seated GA (seatmap_ga.jsx): picked standing places {area key: n}, picked whole tables, the area being asked
  const [picked, setPicked] = useState({}), [tables, setTables] = useState([]), [asking, setAsking] = useState(null);
  const gaStatusRef = useRef({ areas: {}, tables: {} });
  const gaPickRef = useRef({ picked, tables }); gaPickRef.current = { picked, tables };
  // drawing: the bitmap cache while panning (seatcache.js), seats changed since the last redraw, the lazy list update
  const seatCache = useRef(null), cacheOff = useRef(false), lastDraw = useRef("");
  const interacting = useRef(false), panFrame = useRef(false), settleTimer = useRef(null);
  const dirtyRef = useRef(new Set()), listTimer = useRef(null), tokenRef = useRef(null), gaSeen = useRef("");

  const { seats, groups } = useMemo(() => (data ? flatten(data.layout) : { seats: [], groups: [] }), [data]);
  const ga = useMemo(() => (data ? gaOf(data.layout, data.areas) : { areas: [], tableOf: new Map(), tables: new Map() }), [data]);
  const radius = (data && data.layout.seat_radius) || 10;
  const grid = useMemo(() => gridOf(seats, radius * 2), [seats, radius]);
  const byKey = useMemo(() => new Map(seats.map((s) => [s.key, s])), [seats]);
  const colours = useMemo(() => new Map(((data && data.categories) || []).map((c) => [c.key, c.color])), [data]);
  const cats = useMemo(() => new Map(((data && data.categories) || []).map((c) => [c.key, c])), [data]);
  // one sentence per seat: "Stalls A-4, Standard, R 200.00, wheelchair space" (+ status when not free)
  const describe = useCallback((s, withStatus = false) => {
    const c = cats.get(s.category);
    const parts = [s.label, c ? c.label : s.category, money(c)];
    if (c && c.accessible) parts.push("accessible");
    for (const f of s.flags) parts.push(FLAG_TEXT[f] || f);
    const st = statusRef.current.get(s.key);
    if (withStatus && st) parts.push(STATUS_TEXT[st] || st);
    return parts.filter(Boolean).join(", ");
  }, [cats]);

  const applyStatus = useCallback((key, status) => {
    if (status === "free") statusRef.current.delete(key); else statusRef.current.set(key, status);
    dirtyRef.current.add(key);   // redrawn by statusesChanged()
    if (status !== "free" && selectedRef.current.has(key)) {
      const next = new Set(selectedRef.current); next.delete(key); setSelected(next);
      const s = byKey.get(key);
      setNotice(`Sorry — your seat ${s ? s.label : key} was just taken by someone else.`);
      setAnnounce(`Sorry — your seat ${s ? s.label : key} was just taken by someone else.`);
    }
  }, [byKey]);

  const snapshot = useCallback(async () => {
    const r = await api(`events/${encodeURIComponent(slug)}/seating/status`);
    if (!r.ok) return;
    statusRef.current = new Map();
    for (const st of ["held", "sold", "blocked"]) for (const k of r.body[st]) statusRef.current.set(k, st);
    for (const k of selectedRef.current) if (statusRef.current.has(k)) applyStatus(k, statusRef.current.get(k));
    gaStatusRef.current = { areas: r.body.areas || {}, tables: r.body.tables || {} };
    seqRef.current = r.body.seq; setTick((t) => t + 1);
  }, [slug, applyStatus]);

  useEffect(() => {
    let live = true;
    (async () => {
      const r = await api(`events/${encodeURIComponent(slug)}/seating/layout`);
      if (!live) return;
      if (!r.ok) { setMissing(true); return; }
      setData(r.body); // best available proposes seats first: the first category that is not a standing area's
      const standing = new Set(((r.body.layout || {}).standing_areas || []).map((a) => a.category));
      setCat((r.body.categories.find((c) => !standing.has(c.key)) || r.body.categories[0] || {}).key || "");
    })();
    return () => { live = false; };
  }, [slug]);

  useEffect(() => {
    if (!data) return undefined;
    let live = true, stop = null;
    const apply = (body) => {   // one changes answer (pushed or polled), already checked against seqRef
      for (const c of body.changes) applyStatus(c.key, c.status);
      gaStatusRef.current = { areas: body.areas || {}, tables: body.tables || {} };
      statusesChanged();
      seqRef.current = body.seq;
    };
    snapshot().then(() => {   // then the changes (and a full snapshot every 30 s: seatfeed.js)
      if (live) stop = startSeatFeed(slug, { getSeq: () => seqRef.current, apply, refetch: snapshot, api });
    });
    return () => { live = false; if (stop) stop(); };
  }, [data, slug, snapshot, applyStatus]);

  useEffect(() => {
    const el = boxRef.current; if (!el) return undefined;
    const ro = new ResizeObserver(() => setWidth(el.clientWidth || 900)); ro.observe(el);
    return () => ro.disconnect();
  }, [data]);

  const redraw = () => { const l = layerRef.current; if (l) l.batchDraw(); };
  // pushed status changes (after applyStatus for each): the changed seats are redrawn inside the bitmap cache and
  // the canvas redraws at once (next frame) without a React render; the seat list's free counts and the tooltip
  // follow lazily, in one low-priority React update per LIST_LAG_MS however many batches arrive
  const statusesChanged = () => {
    const keys = dirtyRef.current; dirtyRef.current = new Set();
    patchSeats(keys);
    redraw();
    const gaNow = JSON.stringify(gaStatusRef.current);   // remaining places / table statuses: a handful of figures
    if (keys.size || gaNow !== gaSeen.current) { gaSeen.current = gaNow; listLater(); }   // an empty answer renders nothing
  };
  const listLater = () => {
    if (listTimer.current) return;
    listTimer.current = setTimeout(() => { listTimer.current = null; startTransition(() => setListTick((t) => t + 1)); }, LIST_LAG_MS);
  };
  useEffect(() => () => { clearTimeout(listTimer.current); clearTimeout(settleTimer.current); }, []);
  useEffect(redraw, [tick, selected, picked, tables]);

  // fit the plan into the box once loaded
  useEffect(() => {
    const pts = [...seats, ...ga.areas.flatMap((a) => a.points)];   // standing areas are in view too
    if (!pts.length) return;
    const xs = pts.map((s) => s.x), ys = pts.map((s) => s.y);
    const minX = Math.min(...xs) - 3 * radius, maxX = Math.max(...xs) + 3 * radius;
    const minY = Math.min(...ys) - 3 * radius, maxY = Math.max(...ys) + 3 * radius;
    const scale = Math.min(width / (maxX - minX), (height || 520) / (maxY - minY), 2.5);
    setViewTo({ x: -minX * scale, y: -minY * scale, scale }, false);
  }, [seats, ga, width]); // eslint-disable-line react-hooks/exhaustive-deps

  // a view change from a gesture (pan = true) draws from the bitmap cache until SETTLE_MS after the last one
  const setViewTo = (v, pan = true) => {
    viewRef.current = v;
    if (pan) {
      interacting.current = true; panFrame.current = true;
      clearTimeout(settleTimer.current);
      settleTimer.current = setTimeout(() => { interacting.current = false; redraw(); }, SETTLE_MS);
    }
    const l = layerRef.current;
    if (l) { l.position({ x: v.x, y: v.y }); l.scale({ x: v.scale, y: v.scale }); l.batchDraw(); }
  };

  // the seats whose centre lies in the world rectangle [x0, x1] × [y0, y1] (of `list`), one path per fill colour
  const drawSeats = useCallback((ctx, x0, y0, x1, y1, scale, list = seats) => {
    const r = radius, buckets = new Map();
    for (const s of list) {
      if (s.x < x0 || s.x > x1 || s.y < y0 || s.y > y1) continue;
      const st = statusRef.current.get(s.key), tk = ga.tableOf.get(s.key);
      const col = selectedRef.current.has(s.key) || (tk && gaPickRef.current.tables.includes(tk)) ? SELECTED : (st ? STATUS_FILL[st] : colours.get(s.category) || "#868e96");
      let b = buckets.get(col); if (!b) buckets.set(col, (b = [])); b.push(s);
    }
    const tiny = r * scale < 3.5;
    for (const [col, seatsOf] of buckets) {
      ctx.fillStyle = col;
      if (tiny) { for (const s of seatsOf) ctx.fillRect(s.x - r, s.y - r, 2 * r, 2 * r); continue; }
      ctx.beginPath();
      for (const s of seatsOf) { ctx.moveTo(s.x + r, s.y); ctx.arc(s.x, s.y, r, 0, 2 * Math.PI); }
      ctx.fill();
    }
  }, [seats, ga, colours, radius]);
  // what the cached bitmap shows besides the statuses (which patchSeats keeps current): a new token rebuilds it
  const cacheToken = useMemo(() => ({}), [drawSeats, tick, selected, picked, tables]);
  tokenRef.current = cacheToken;

  // redraw the seats `keys` (status changed) inside the bitmap cache, with every seat overlapping their boxes
  const patchSeats = (keys) => {
    if (!keys.size || !seatCache.current) return;
    if (keys.size > 2000) { seatCache.current = null; return; }   // cheaper to rebuild on the next pan frame
    const r = radius, cell = 2 * r, boxes = [];
    for (const k of keys) { const s = byKey.get(k); if (s) boxes.push({ x0: s.x - r, y0: s.y - r, x1: s.x + r, y1: s.y + r }); }
    patchCache(seatCache, tokenRef.current, boxes, (ctx, scale, snapped) => {
      const near = new Set();
      for (const b of snapped) {
        for (let cx = Math.floor((b.x0 - r) / cell); cx <= Math.floor((b.x1 + r) / cell); cx++)
          for (let cy = Math.floor((b.y0 - r) / cell); cy <= Math.floor((b.y1 + r) / cell); cy++)
            for (const s of grid.get(cx + ":" + cy) || []) near.add(s);
      }
      drawSeats(ctx, -Infinity, -Infinity, Infinity, Infinity, scale, near);
    });
  };

  const sceneFunc = useCallback((kctx) => {
    const ctx = kctx._context, v = viewRef.current, r = radius;
    const x0 = -v.x / v.scale - r, y0 = -v.y / v.scale - r;
    const x1 = x0 + width / v.scale + 2 * r, y1 = y0 + (height || 520) / v.scale + 2 * r;
    const fromPan = panFrame.current; panFrame.current = false;
    if (data) drawDecor(ctx, data.layout);   // the stage and the plan's texts: a handful of paths, never cached
    drawAreas(ctx, ga, colours, gaStatusRef.current.areas, gaPickRef.current.picked);   // a handful of polygons: never cached
    if (interacting.current && !cacheOff.current && seats.length >= CACHE_MIN_SEATS) {
      lastDraw.current = drawSeatsCached(kctx, seatCache, { x0, y0, x1, y1, scale: v.scale }, drawSeats,
                                         { token: cacheToken, size: `${width}x${height || 520}`, fromPan });
      return;
    }
    lastDraw.current = "exact";
    drawSeats(ctx, x0, y0, x1, y1, v.scale);
  }, [data, seats, ga, colours, radius, width, height, drawSeats, cacheToken]);

  const hit = (px, py) => {
    const v = viewRef.current, x = (px - v.x) / v.scale, y = (py - v.y) / v.scale, cell = radius * 2;
    const cx = Math.floor(x / cell), cy = Math.floor(y / cell);
    for (let i = -1; i <= 1; i++) for (let j = -1; j <= 1; j++) {
      for (const s of grid.get(cx + i + ":" + (cy + j)) || []) if (Math.hypot(s.x - x, s.y - y) <= radius) return s;
    }
    return null;
  };

  const toggle = (s) => {
    setNotice(""); setError("");
    if (statusRef.current.has(s.key)) { setError(`${s.label} is not available.`); return; }
    const next = new Set(selectedRef.current);
    if (next.has(s.key)) next.delete(s.key);
    else if (next.size >= (data.max_per_order || 10)) { setError(`At most ${data.max_per_order} seats per order.`); return; }
    else next.add(s.key);
    setSelected(next);
    const n = next.size, adding = next.has(s.key);
    setAnnounce(`${adding ? "Chose" : "Removed"} ${describe(s)}. ${n} seat${n === 1 ? "" : "s"} chosen.`);
  };

  const pick = (s) => {   // a seat of a table sold whole picks (or drops) the whole table
    const tk = ga.tableOf.get(s.key);
    if (!tk) { toggle(s); return; }
    setNotice(""); setError("");
    if (tables.includes(tk)) { setTables(tables.filter((t) => t !== tk)); return; }
    if ((gaStatusRef.current.tables[tk] || "free") !== "free") { setError(`Table ${ga.tables.get(tk)} is not available.`); return; }
    setTables([...tables, tk]);
  };
  const pickArea = (p) => {
    const v = viewRef.current, a = hitArea(ga, (p.x - v.x) / v.scale, (p.y - v.y) / v.scale);
    if (a) { setNotice(""); setError(""); setAsking(a); }
  };
  // pointer and touch gestures: one pointer pans (a press that does not move is a click/tap on a seat), two
  // fingers pinch-zoom around their midpoint; coordinates are relative to the stage's box
  const stageXY = (e, t) => {
    const rect = e.target.getStage().container().getBoundingClientRect();
    return { x: t.clientX - rect.left, y: t.clientY - rect.top };
  };
  const touchPoints = (e) => Array.from(e.evt.touches || []).map((t) => stageXY(e, t));
  const pinchStart = (pts) => {
    const [a, b] = pts;
    return { pinch: true, d0: Math.hypot(a.x - b.x, a.y - b.y) || 1, c0: { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 },
             v: viewRef.current, moved: true };
  };
  const emulated = (e) => {
    if (String(e.evt.type).startsWith("touch")) { lastTouch.current = Date.now(); return false; }
    return Date.now() - lastTouch.current < 1000;
  };
  const onDown = (e) => {
    if (emulated(e)) return;
    const pts = touchPoints(e);
    if (pts.length >= 2) { e.evt.preventDefault(); gesture.current = pinchStart(pts); setTip(null); return; }
    const p = pts.length ? pts[0] : e.target.getStage().getPointerPosition();
    gesture.current = { p, v: viewRef.current, moved: false };
  };
  const onMove = (e) => {
    if (emulated(e)) return;
    const g = gesture.current;
    const pts = touchPoints(e);
    if (g && g.pinch && pts.length >= 2) {
      e.evt.preventDefault();
      const [a, b] = pts, c = { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
      const scale = Math.max(0.05, Math.min(8, g.v.scale * Math.hypot(a.x - b.x, a.y - b.y) / g.d0));
      const lx = (g.c0.x - g.v.x) / g.v.scale, ly = (g.c0.y - g.v.y) / g.v.scale;  // the plan point under the fingers
      setViewTo({ scale, x: c.x - lx * scale, y: c.y - ly * scale });
      return;
    }
    const p = pts.length ? pts[0] : e.target.getStage().getPointerPosition();
    if (!g) {  // hover: the tooltip follows the seat under the mouse
      const s = p && hit(p.x, p.y);
      if (!s) { if (tip) setTip(null); } else if (!tip || tip.seat.key !== s.key) setTip({ seat: s, x: p.x, y: p.y });
      return;
    }
    if (g.pinch) return;
    if (Math.hypot(p.x - g.p.x, p.y - g.p.y) > 4) { g.moved = true; if (tip) setTip(null); }
    if (g.moved) setViewTo({ ...g.v, x: g.v.x + p.x - g.p.x, y: g.v.y + p.y - g.p.y });
  };
  const onUp = (e) => {
    if (emulated(e)) return;
    const g = gesture.current;
    const left = touchPoints(e);
    if (left.length) {  // a finger is still down after a pinch: carry on as a pan from where it is
      gesture.current = { p: left[0], v: viewRef.current, moved: true };
      return;
    }
    gesture.current = null;
    if (g && !g.moved) {
      const p = e.evt.changedTouches && e.evt.changedTouches.length
        ? stageXY(e, e.evt.changedTouches[0])
        : e.target.getStage().getPointerPosition();
      const s = hit(p.x, p.y);
      if (s) { pick(s); setTip({ seat: s, x: p.x, y: p.y }); } else pickArea(p);
    }
  };
  const onWheel = (e) => {
    e.evt.preventDefault();
    const p = e.target.getStage().getPointerPosition(), v = viewRef.current;
    const scale = Math.max(0.05, Math.min(8, v.scale * (e.evt.deltaY < 0 ? 1.15 : 1 / 1.15)));
    setViewTo({ scale, x: p.x - ((p.x - v.x) / v.scale) * scale, y: p.y - ((p.y - v.y) / v.scale) * scale });
  };

  const held = (r) => {
    if (r.ok) { window.location.assign("/hold/" + encodeURIComponent(r.body.hold_token)); return; }
    const err = (r.body && r.body.error) || {};
    if (err.code === "area_full") { setError("Sorry — not that many places are left there any more."); snapshot(); return; }
    const s = err.details && err.details.seat_key && byKey.get(err.details.seat_key);
    setError(s && (err.code === "seat_held" || err.code === "seat_sold") ? `Sorry — ${s.label} was just taken.` : (err.message || "Please try again."));
    snapshot();
  };
  const hold = async () => {
    setBusy(true); setError("");
    held(await api(`events/${encodeURIComponent(slug)}/seat-holds`, { method: "POST", body: JSON.stringify({ seat_keys: Array.from(selected), ...gaRequest(picked, tables) }) }));
    setBusy(false);
  };
  const best = async () => {
    setBusy(true); setError("");
    held(await api(`events/${encodeURIComponent(slug)}/seat-holds/best-available`, { method: "POST", body: JSON.stringify({ quantity: Number(qty), category: cat }) }));
    setBusy(false);
  };

  useEffect(() => {
    window.__seatMap = { seq: () => seqRef.current, status: (k) => statusRef.current.get(k) || "free",
      select: (keys) => setSelected(new Set(keys)), view: () => viewRef.current, selected: () => Array.from(selectedRef.current), seats: () => seats.length,
      // for bench/seat_map.py: move the view, draw synchronously, apply status changes as the feed would
      setView: (v) => setViewTo(v), drawNow: () => { const l = layerRef.current; if (l) l.draw(); },
      changes: (list) => { for (const c of list) applyStatus(c.key, c.status); statusesChanged(); },
      ga: () => ({ ...gaPickRef.current, status: gaStatusRef.current }),
      // the bitmap cache: how the last frame drew the seats (exact | built | blit) and how often it was built
      cache: () => ({ last: lastDraw.current, builds: seatCache.builds || 0 }),
      useCache: (on) => { cacheOff.current = !on; seatCache.current = null; } };
  });

  if (missing) return null;
  if (!data) return <div className="vg-seatmap-loading">Loading the seat map…</div>;
  const chosen = Array.from(selected).map((k) => byKey.get(k)).filter(Boolean);
  const gaParts = gaSummary(ga, picked, tables);
  return (
    <div className="vg-seatmap" style={{ width: "100%" }}>
      <div style={{ display: "flex", flexWrap: "wrap", gap: 12, marginBottom: 8 }} aria-label="Legend">
        {data.categories.map((c) => (
          <span key={c.key} style={{ display: "inline-flex", alignItems: "center", gap: 6 }}>
            <span style={{ width: 14, height: 14, borderRadius: 7, background: c.color, display: "inline-block" }} />
            {c.label} {money(c)}
          </span>
        ))}
        {Object.entries(STATUS_FILL).map(([k, col]) => (
          <span key={k} style={{ display: "inline-flex", alignItems: "center", gap: 6 }}>
            <span style={{ width: 14, height: 14, borderRadius: 7, background: col, display: "inline-block" }} />{k}
          </span>
        ))}
        <span style={{ display: "inline-flex", alignItems: "center", gap: 6 }}>
          <span style={{ width: 14, height: 14, borderRadius: 7, background: SELECTED, display: "inline-block" }} />your choice
        </span>
      </div>
      <div ref={boxRef} style={{ position: "relative", width: "100%", border: "1px solid #dee2e6", borderRadius: 8, touchAction: "none" }}
           onMouseLeave={() => setTip(null)} aria-describedby={tip ? "seat-tooltip" : undefined}
           role="img" aria-label="Seat map. To choose seats with the keyboard or a screen reader, use the list below the map.">
        <Stage width={width} height={height || 520} onMouseDown={onDown} onMouseMove={onMove} onMouseUp={onUp}
               onTouchStart={onDown} onTouchMove={onMove} onTouchEnd={onUp} onWheel={onWheel}>
          <Layer ref={layerRef}><Shape sceneFunc={sceneFunc} listening={false} perfectDrawEnabled={false} /></Layer>
        </Stage>
        {tip && <SeatTip tip={tip} cat={cats.get(tip.seat.category)} status={statusRef.current.get(tip.seat.key)}
                         chosen={selected.has(tip.seat.key)} width={width} />}
      </div>
      <div id="seat-announce" role="status" aria-live="polite" style={SR_ONLY}>{announce}</div>
      {asking && <AreaChooser key={asking.key} area={asking} left={gaStatusRef.current.areas[asking.key] ?? asking.capacity}
                              max={data.max_per_order || 10} current={picked[asking.key]}
                              onDone={(q) => { if (q != null) setPicked({ ...picked, [asking.key]: q }); setAsking(null); }} />}
      {notice && <div role="alert" id="seat-taken" style={{ color: "#c92a2a", marginTop: 8 }}>{notice}</div>}
      {error && <div role="alert" id="seat-error" style={{ color: "#c92a2a", marginTop: 8 }}>{error}</div>}
      <div style={{ display: "flex", flexWrap: "wrap", gap: 8, alignItems: "center", marginTop: 8 }}>
        <span id="seat-selection">{chosen.length || gaParts.length ? [...chosen.map((s) => s.label), ...gaParts].join(", ") : "Click seats to choose them."}</span>
        <button id="hold-seats" disabled={!(chosen.length || gaParts.length) || busy} onClick={hold}>Hold {chosen.length || ""} {gaParts.length ? "places" : "seats"}</button>
        <span style={{ marginLeft: 16 }}>or best available:</span>
        <input aria-label="Number of seats" type="number" min={1} max={data.max_per_order} value={qty}
               onChange={(e) => setQty(e.target.value)} style={{ width: 56 }} />
        <select aria-label="Category" value={cat} onChange={(e) => setCat(e.target.value)}>
          {data.categories.map((c) => <option key={c.key} value={c.key}>{c.label}</option>)}
        </select>
        <button id="best-available" disabled={busy} onClick={best}>Find seats</button>
      </div>
      <SeatList groups={groups} statusOf={(k) => statusRef.current.get(k)} selected={selected} onToggle={toggle}
                describe={describe} tick={`${tick}.${listTick}`} />
    </div>
  );
}

// the tooltip: label, category and price, flags, and the status when the seat cannot be had
function SeatTip({ tip, cat, status, chosen, width }) {
  const { seat } = tip;
  const left = Math.max(4, Math.min(tip.x + 14, width - 244));
  return (
    <div id="seat-tooltip" role="tooltip" data-key={seat.key}
         style={{ position: "absolute", left, top: Math.max(4, tip.y + 14), width: 230, pointerEvents: "none", zIndex: 5,
                  background: "#212529", color: "#fff", borderRadius: 8, padding: "8px 10px", fontSize: 14,
                  boxShadow: "0 4px 12px rgba(0,0,0,.25)" }}>
      <div className="vg-tip-label" style={{ fontWeight: 700 }}>{seat.label}</div>
      <div className="vg-tip-category">{cat ? cat.label : seat.category}{cat && cat.price_cents != null ? ` · ${money(cat)}` : ""}</div>
      {(seat.flags.length > 0 || (cat && cat.accessible)) && (
        <div className="vg-tip-flags" style={{ color: "#ffd43b" }}>
          {[...(cat && cat.accessible ? ["accessible"] : []), ...seat.flags.map((f) => FLAG_TEXT[f] || f)].join(" · ")}
        </div>
      )}
      <div className="vg-tip-status" style={{ color: status ? "#ffa8a8" : "#b2f2bb" }}>
        {status ? STATUS_TEXT[status] || status : chosen ? "your choice — tap again to remove" : "free"}
      </div>
    </div>
  );
}
