// The organiser's seat map (issues 11 item 3, 12 item 5): live statuses free / held / sold / blocked / allocated,
// counts by status and by section, who holds what for the selected seats, block / unblock, allocate / release,
// and a box-office sale of the selected seats, standing places and whole tables (seated GA: seatoffice_ga.jsx). ONE react-konva Shape draws every seat batched per colour and
// culled to the viewport (the builder's and the customer map's approach, docs/seating.md); hit-testing is math
// over a uniform grid. Layout and statuses come over HTTP from /api/organiser/events/<id>/seats… (the signed-in
// organiser's cookie routes; writes send X-Voelgoed-Builder: 1) — never through Reflex state. Status changes
// are pushed over .../seats/stream (or polled when it fails) and applied in place (seatoffice_feed.js); a full
// snapshot every 30 s. Keyboard and screen-reader users get the seat list below the map (seatlist.jsx with
// every seat and its status), driving the same selection as the map.
import React, { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { Stage, Layer, Shape } from "react-konva";
import { AreaPlaces, areaText, drawOfficeAreas, drawTables, hitOfficeArea, officeGaOf } from "./seatoffice_ga.jsx";
import { api, applyChanges, flatten, followOffice, gridOf, statusesOf } from "./seatoffice_feed.js";
import { drawDecor } from "./decor.js";
import SeatList from "./seatlist.jsx";

const STATUS_FILL = { held: "#f59f00", sold: "#343a40", blocked: "#ced4da", allocated: "#9c36b5" };
const STATUS_TEXT = { free: "Free", held: "Held", sold: "Sold", blocked: "Blocked", allocated: "Allocated" };
const SELECTED = "#1c7ed6";
const SUGGESTIONS = ["Sponsor", "Box office", "Press", "Artist", "Production", "House seats"];

const LIST_INTRO = "Pick a section and a row; every seat is listed with its status. In the seat buttons, the arrow " +
  "keys move between seats (up and down change the row); Enter or Space adds a seat to the selection or removes " +
  "it. The actions below act on the selection.";

const money = (cents) => (cents == null ? "—" : `R ${(cents / 100).toFixed(2)}`);
const chip = (colour) => ({ width: 14, height: 14, borderRadius: 7, background: colour, display: "inline-block" });
const box = { border: "1px solid #dee2e6", borderRadius: 8, padding: 12, background: "#fff" };
const cell = { padding: "4px 8px", whiteSpace: "nowrap" };
const btn = { padding: "6px 12px", borderRadius: 6, border: "1px solid #adb5bd", background: "#f8f9fa", cursor: "pointer" };

export default function SeatOffice({ eventId, height, mayEdit, maySell }) {
  const h = height || 520;
  const [data, setData] = useState(null);
  const [loadError, setLoadError] = useState("");
  const [snap, setSnap] = useState(null);           // the last status answer (counts, sections)
  const [selected, setSelected] = useState(() => new Set());
  const [details, setDetails] = useState([]);
  const [notice, setNotice] = useState("");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const [label, setLabel] = useState("Sponsor");
  const [buyer, setBuyer] = useState({ name: "", email: "", method: "cash" });
  const [confirming, setConfirming] = useState(false);
  const [sale, setSale] = useState(null);
  const [width, setWidth] = useState(900);
  const [now, setNow] = useState(Date.now());
  const [picked, setPicked] = useState({});         // standing places to sell: {area key: n}
  const [tablesPicked, setTablesPicked] = useState(() => new Set());   // whole tables to sell
  const [asking, setAsking] = useState(null);       // the standing area whose AreaPlaces is open
  const pickedRef = useRef(picked), tablesRef = useRef(tablesPicked), snapRef = useRef(null);
  pickedRef.current = picked; tablesRef.current = tablesPicked;
  const statusRef = useRef(new Map());               // seat key → held | sold | blocked | allocated (absent = free)
  const allocRef = useRef(new Map()), seqRef = useRef(-1);   // seat key → allocation label; the statuses' seq
  const viewRef = useRef({ x: 20, y: 20, scale: 1 });
  const layerRef = useRef(null), boxRef = useRef(null);
  const gesture = useRef(null);
  const [marquee, setMarquee] = useState(null);
  const selectedRef = useRef(selected);
  selectedRef.current = selected;

  const { seats, groups } = useMemo(() => (data ? flatten(data.layout) : { seats: [], groups: [] }), [data]);
  const radius = (data && data.layout.seat_radius) || 10;
  const grid = useMemo(() => gridOf(seats, radius * 2), [seats, radius]);
  const byKey = useMemo(() => new Map(seats.map((s) => [s.key, s])), [seats]);
  const cats = useMemo(() => new Map(((data && data.categories) || []).map((c) => [c.key, c])), [data]);
  const ga = useMemo(() => (data ? officeGaOf(data.layout, data.areas) : officeGaOf({}, [])), [data]);
  const colours = useMemo(() => new Map(Array.from(cats.values()).map((c) => [c.key, c.color])), [cats]);

  const refresh = useCallback(async () => {
    const r = await api(eventId, "seats");
    if (!r.ok) return;
    const { status, alloc } = statusesOf(r.body);
    statusRef.current = status; allocRef.current = alloc; seqRef.current = r.body.seq;
    snapRef.current = r.body; setSnap(r.body);
  }, [eventId]);

  useEffect(() => {
    let live = true;
    (async () => {
      const r = await api(eventId, "seats/layout");
      if (!live) return;
      if (!r.ok) { setLoadError((r.body && r.body.error && r.body.error.message) || "The seat map could not be loaded."); return; }
      setData(r.body);
    })();
    return () => { live = false; };
  }, [eventId]);

  useEffect(() => {
    if (!data) return undefined;
    let live = true, stop = null, retry = null;
    const apply = (body) => {   // one changes answer (pushed or polled), already checked against seqRef by seatfeed.js
      if (!snapRef.current) return;
      const out = applyChanges(snapRef.current, body, statusRef.current, allocRef.current, (k) => (byKey.get(k) || {}).section);
      seqRef.current = body.seq; snapRef.current = out.snap; setSnap(out.snap);
    };
    const start = async () => {   // a snapshot, then the changes after it (and a full snapshot every 30 s: seatfeed.js)
      await refresh();
      if (!live) return;
      if (seqRef.current < 0) { retry = setTimeout(start, 3000); return; }   // no snapshot yet: try again
      stop = followOffice(eventId, { getSeq: () => seqRef.current, apply, refetch: refresh });
    };
    start();
    const tick = setInterval(() => setNow(Date.now()), 1000);
    return () => { live = false; if (stop) stop(); clearTimeout(retry); clearInterval(tick); };
  }, [data, refresh, eventId, byKey]);

  const keys = useMemo(() => Array.from(selected).sort(), [selected]);
  const detailsAsk = useRef(0);   // only the latest details answer is shown (an older one may arrive later)
  const loadDetails = useCallback(async () => {
    const ask = ++detailsAsk.current;
    if (!keys.length) { setDetails([]); return; }
    const r = await api(eventId, `seats/details?keys=${keys.map(encodeURIComponent).join(",")}`);
    if (r.ok && ask === detailsAsk.current) setDetails(r.body.seats);
  }, [eventId, keys]);
  useEffect(() => { loadDetails(); }, [loadDetails, snap]);

  useEffect(() => {
    const el = boxRef.current; if (!el) return undefined;
    const ro = new ResizeObserver(() => setWidth(el.clientWidth || 900)); ro.observe(el);
    return () => ro.disconnect();
  }, [data]);

  const redraw = () => { const l = layerRef.current; if (l) l.batchDraw(); };
  useEffect(redraw, [snap, selected, marquee, picked, tablesPicked]);

  const setViewTo = (v) => {
    viewRef.current = v;
    const l = layerRef.current;
    if (l) { l.position({ x: v.x, y: v.y }); l.scale({ x: v.scale, y: v.scale }); l.batchDraw(); }
  };
  useEffect(() => {
    const pts = [...seats, ...ga.areas.flatMap((a) => a.points)];   // standing areas are in view too
    if (!pts.length) return;
    const xs = pts.map((s) => s.x), ys = pts.map((s) => s.y);
    const minX = Math.min(...xs) - 3 * radius, maxX = Math.max(...xs) + 3 * radius;
    const minY = Math.min(...ys) - 3 * radius, maxY = Math.max(...ys) + 3 * radius;
    const scale = Math.min(width / (maxX - minX), h / (maxY - minY), 2.5);
    setViewTo({ x: -minX * scale, y: -minY * scale, scale });
  }, [seats, ga, width]); // eslint-disable-line react-hooks/exhaustive-deps

  const sceneFunc = useCallback((kctx) => {
    const ctx = kctx._context, v = viewRef.current, r = radius;
    const x0 = -v.x / v.scale - r, y0 = -v.y / v.scale - r;
    const x1 = x0 + width / v.scale + 2 * r, y1 = y0 + h / v.scale + 2 * r;
    const buckets = new Map(), chosen = [];
    if (data) drawDecor(ctx, data.layout);
    drawOfficeAreas(ctx, ga, colours, snapRef.current && snapRef.current.areas, pickedRef.current);
    for (const s of seats) {
      if (s.x < x0 || s.x > x1 || s.y < y0 || s.y > y1) continue;
      const st = statusRef.current.get(s.key);
      const col = st ? STATUS_FILL[st] : ((cats.get(s.category) || {}).color || "#868e96");
      let b = buckets.get(col); if (!b) buckets.set(col, (b = [])); b.push(s);
      if (selectedRef.current.has(s.key) || tablesRef.current.has(ga.tableOf.get(s.key))) chosen.push(s);
    }
    const tiny = r * v.scale < 3.5;
    for (const [col, list] of buckets) {
      ctx.fillStyle = col;
      if (tiny) { for (const s of list) ctx.fillRect(s.x - r, s.y - r, 2 * r, 2 * r); continue; }
      ctx.beginPath();
      for (const s of list) { ctx.moveTo(s.x + r, s.y); ctx.arc(s.x, s.y, r, 0, 2 * Math.PI); }
      ctx.fill();
    }
    if (chosen.length) {   // selection: a thick ring, so the status colour stays visible
      ctx.strokeStyle = SELECTED; ctx.lineWidth = Math.max(2.5, 3 / v.scale); ctx.beginPath();
      for (const s of chosen) { ctx.moveTo(s.x + r + 2, s.y); ctx.arc(s.x, s.y, r + 2, 0, 2 * Math.PI); }
      ctx.stroke();
    }
    drawTables(ctx, ga, r, snapRef.current && snapRef.current.tables, tablesRef.current);
  }, [data, seats, cats, ga, colours, radius, width, h]);

  const toWorld = (p) => { const v = viewRef.current; return { x: (p.x - v.x) / v.scale, y: (p.y - v.y) / v.scale }; };
  const hit = (p) => {
    const { x, y } = toWorld(p), cell = radius * 2, cx = Math.floor(x / cell), cy = Math.floor(y / cell);
    for (let i = -1; i <= 1; i++) for (let j = -1; j <= 1; j++)
      for (const s of grid.get(cx + i + ":" + (cy + j)) || []) if (Math.hypot(s.x - x, s.y - y) <= radius) return s;
    return null;
  };
  const clearMessages = () => { setNotice(""); setError(""); setSale(null); setConfirming(false); };
  const toggleTable = (tk) => {
    clearMessages();
    const next = new Set(tablesRef.current);
    if (next.has(tk)) next.delete(tk); else next.add(tk);
    setTablesPicked(next);
  };
  const setPlaces = (key, n) => {
    clearMessages();
    const next = { ...pickedRef.current };
    if (n > 0) next[key] = n; else delete next[key];
    setPicked(next);
  };
  const clearAll = () => { clearMessages(); setSelected(new Set()); setPicked({}); setTablesPicked(new Set()); setAsking(null); };
  const toggle = (s) => {
    const tk = ga.tableOf.get(s.key);
    if (tk) { toggleTable(tk); return; }    // a table sold whole is chosen as a whole
    clearMessages();
    const next = new Set(selectedRef.current);
    if (next.has(s.key)) next.delete(s.key); else next.add(s.key);
    setSelected(next);
  };

  const onDown = (e) => {
    const p = e.target.getStage().getPointerPosition();
    gesture.current = { p, v: viewRef.current, moved: false, lasso: !!(e.evt && e.evt.shiftKey) };
  };
  const onMove = (e) => {
    const g = gesture.current; if (!g) return;
    const p = e.target.getStage().getPointerPosition();
    if (Math.hypot(p.x - g.p.x, p.y - g.p.y) > 4) g.moved = true;
    if (!g.moved) return;
    if (g.lasso) setMarquee({ x0: g.p.x, y0: g.p.y, x1: p.x, y1: p.y });
    else setViewTo({ ...g.v, x: g.v.x + p.x - g.p.x, y: g.v.y + p.y - g.p.y });
  };
  const onUp = (e) => {
    const g = gesture.current; gesture.current = null;
    const p = e.target.getStage().getPointerPosition();
    if (g && !g.moved) {
      const s = hit(p);
      if (s) { toggle(s); return; }
      const w = toWorld(p), a = hitOfficeArea(ga, w.x, w.y);
      if (a) { clearMessages(); setAsking(a); }
      return;
    }
    if (g && g.lasso) {    // Shift + drag: add every seat inside the frame
      const a = toWorld(g.p), b = toWorld(p);
      const [lx, hx, ly, hy] = [Math.min(a.x, b.x), Math.max(a.x, b.x), Math.min(a.y, b.y), Math.max(a.y, b.y)];
      const next = new Set(selectedRef.current), nextTables = new Set(tablesRef.current);
      for (const s of seats) {
        if (s.x < lx || s.x > hx || s.y < ly || s.y > hy) continue;
        const tk = ga.tableOf.get(s.key);
        if (tk) nextTables.add(tk); else next.add(s.key);
      }
      clearMessages(); setSelected(next); setTablesPicked(nextTables); setMarquee(null);
    }
  };
  const onWheel = (e) => {
    e.evt.preventDefault();
    const p = e.target.getStage().getPointerPosition(), v = viewRef.current;
    const scale = Math.max(0.05, Math.min(8, v.scale * (e.evt.deltaY < 0 ? 1.15 : 1 / 1.15)));
    setViewTo({ scale, x: p.x - ((p.x - v.x) / v.scale) * scale, y: p.y - ((p.y - v.y) / v.scale) * scale });
  };

  const act = async (path, body, done) => {
    setBusy(true); setError(""); setNotice("");
    const r = await api(eventId, path, { method: "POST", body: JSON.stringify(body) });
    setBusy(false);
    if (!r.ok) {
      const err = (r.body && r.body.error) || {};
      const d = err.details || {};
      const s = d.seat_key && byKey.get(d.seat_key);
      const a = d.area_key && ga.areas.find((x) => x.key === d.area_key);
      const t = d.table_key && ga.tables.get(d.table_key);
      const what = s ? s.label : a ? a.label : t ? `Table ${t.label}` : "";
      setError(what ? `${what}: ${err.message}` : (err.message || "That did not work; please try again."));
    } else done(r.body);
    await refresh();
  };
  const skippedText = (out) => (out.skipped && out.skipped.length
    ? ` (${out.skipped.length} left alone: ${out.skipped.slice(0, 5).map((x) => `${(byKey.get(x.key) || {}).label || x.key} is ${x.status}`).join(", ")})` : "");
  const tableKeys = Array.from(tablesPicked).sort();
  const tableSeatKeys = tableKeys.flatMap((t) => (ga.tables.get(t) || { seats: [] }).seats.map((s) => s.key));
  const seatKeys = [...keys, ...tableSeatKeys];      // block / allocate / release act on a table's seats too
  const block = (on) => act(on ? "seats/block" : "seats/unblock", { seat_keys: seatKeys },
                            (out) => setNotice(`${out.changed} seat(s) ${on ? "blocked" : "unblocked"}.`));
  const allocate = () => act("seats/allocate", { seat_keys: seatKeys, label },
                             (out) => setNotice(`${out.changed} seat(s) allocated to ${label.trim()}.${skippedText(out)}`));
  const release = () => act("seats/release", { seat_keys: seatKeys },
                            (out) => setNotice(`${out.changed} seat(s) released back on sale.${skippedText(out)}`));
  const placeList = Object.entries(picked).filter(([, n]) => n > 0).sort();
  const sell = () => act("box-office/orders", {
    ...(keys.length ? { seat_keys: keys } : {}),
    ...(placeList.length ? { areas: placeList.map(([key, quantity]) => ({ key, quantity })) } : {}),
    ...(tableKeys.length ? { tables: tableKeys } : {}),
    buyer_name: buyer.name, buyer_email: buyer.email, payment_method: buyer.method },
  (out) => { setSale(out); setSelected(new Set()); setPicked({}); setTablesPicked(new Set()); setAsking(null);
             setBuyer({ name: "", email: "", method: buyer.method }); })
    .then(() => setConfirming(false));

  useEffect(() => {
    window.__seatOffice = { select: (ks) => { clearMessages(); setSelected(new Set(ks)); }, selected: () => Array.from(selectedRef.current),
      pickTable: (t) => toggleTable(t), tablesPicked: () => Array.from(tablesRef.current), picked: () => ({ ...pickedRef.current }),
      areas: () => (snap ? snap.areas : null), tables: () => (snap ? snap.tables : null),
      areaAt: (key) => { const a = ga.areas.find((x) => x.key === key); if (!a) return null;
        return { x: a.points.reduce((n, p) => n + p.x, 0) / a.points.length, y: a.points.reduce((n, p) => n + p.y, 0) / a.points.length }; },
      status: (k) => statusRef.current.get(k) || "free", counts: () => (snap ? snap.counts : null), seats: () => seats.length,
      seq: () => seqRef.current, view: () => viewRef.current };
  });

  // one sentence per seat for the list: "Stalls A-4, Allocated to Press, Standard" (+ "whole table T1")
  const describe = (s) => {
    const st = statusRef.current.get(s.key) || "free", c = cats.get(s.category), tk = ga.tableOf.get(s.key);
    return [s.label, st === "allocated" ? `Allocated to ${allocRef.current.get(s.key) || "—"}` : STATUS_TEXT[st],
            c ? c.label : s.category, tk ? `whole table ${(ga.tables.get(tk) || { label: tk }).label}` : ""].filter(Boolean).join(", ");
  };

  if (loadError) return <div role="alert" id="seat-office-error" style={{ color: "#c92a2a" }}>{loadError}</div>;
  if (!data) return <div>Loading the seat map…</div>;
  const chosen = keys.map((k) => byKey.get(k)).filter(Boolean);
  const current = details.filter((d) => selected.has(d.key));     // details of an earlier selection may still be on screen
  const sellable = current.filter((d) => d.status === "free" || d.status === "allocated");
  const priceOf = (cat) => ((cats.get(cat) || {}).price_cents || 0);
  const tableRows = tableKeys.map((t) => { const tb = ga.tables.get(t) || { label: t, seats: [] };
    return { key: t, label: tb.label, seats: tb.seats.length, status: (snap && snap.tables && snap.tables[t]) || "free",
             price: tb.seats.reduce((n, x) => n + priceOf(x.category), 0) }; });
  const placeRows = placeList.map(([k, n]) => { const a = ga.areas.find((x) => x.key === k) || { key: k, label: k };
    return { key: k, label: a.label, n, fig: snap && snap.areas ? snap.areas[k] : null, price: n * priceOf(a.category) }; });
  const total = sellable.reduce((n, d) => n + (d.price_cents || 0), 0) + tableRows.reduce((n, t) => n + t.price, 0)
    + placeRows.reduce((n, a) => n + a.price, 0);
  const anything = chosen.length + tableRows.length + placeRows.length > 0;
  const seatsOk = current.length === chosen.length && sellable.length === chosen.length;
  const tablesOk = tableRows.every((t) => t.status === "free" || t.status === "allocated");
  const placesOk = placeRows.every((a) => !a.fig || a.n <= a.fig.free);
  const canSell = maySell && anything && seatsOk && tablesOk && placesOk && buyer.name.trim() && buyer.email.trim();
  const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;
  const what = [chosen.length ? `${chosen.length} seat(s)` : "", tableRows.length ? plural(tableRows.length, "table", "tables") : "",
                placeRows.length ? plural(placeRows.reduce((n, a) => n + a.n, 0), "standing place", "standing places") : ""]
    .filter(Boolean).join(", ");
  const counts = snap ? snap.counts : null;
  const left = (d) => Math.max(0, Math.round((new Date(d.hold.expires_at).getTime() - now) / 1000));
  return (
    <div className="vg-seatoffice" style={{ width: "100%", display: "flex", flexDirection: "column", gap: 12 }}>
      <div style={{ display: "flex", flexWrap: "wrap", gap: 14, alignItems: "center" }} id="seat-counts" aria-label="Seats by status">
        {["free", "held", "sold", "blocked", "allocated"].map((st) => (
          <span key={st} style={{ display: "inline-flex", alignItems: "center", gap: 6, fontSize: 15 }}>
            <span style={chip(st === "free" ? "#2f9e44" : STATUS_FILL[st])} />
            <strong id={`count-${st}`}>{counts ? counts[st] : "…"}</strong> {STATUS_TEXT[st].toLowerCase()}
          </span>
        ))}
        <span style={{ color: "#868e96" }}>of {counts ? counts.total : "…"} seats · Shift + drag selects a block</span>
      </div>
      {ga.areas.length > 0 && (
        <div style={{ display: "flex", flexWrap: "wrap", gap: 14 }} id="area-counts" aria-label="Standing areas">
          {ga.areas.map((a) => (
            <button key={a.key} id={`area-count-${a.key}`} style={{ ...btn, background: picked[a.key] ? "#e7f5ff" : btn.background }}
                    onClick={() => { clearMessages(); setAsking(a); }}>
              {areaText(a, snap && snap.areas ? snap.areas[a.key] : null, picked[a.key])}
            </button>
          ))}
        </div>
      )}
      <div style={{ display: "flex", flexWrap: "wrap", gap: 10 }} aria-label="Legend">
        {data.categories.map((c) => (
          <span key={c.key} style={{ display: "inline-flex", alignItems: "center", gap: 6 }}>
            <span style={chip(c.color)} />{c.label}{c.ticket_type && c.ticket_type !== c.label ? ` (${c.ticket_type})` : ""}
            {c.ticket_type ? ` ${money(c.price_cents)}` : " — no ticket type"}
          </span>
        ))}
      </div>
      <div ref={boxRef} style={{ width: "100%", border: "1px solid #dee2e6", borderRadius: 8, touchAction: "none", position: "relative" }}>
        <Stage width={width} height={h} onMouseDown={onDown} onMouseMove={onMove} onMouseUp={onUp}
               onTouchStart={onDown} onTouchMove={onMove} onTouchEnd={onUp} onWheel={onWheel}>
          <Layer ref={layerRef}><Shape sceneFunc={sceneFunc} listening={false} perfectDrawEnabled={false} /></Layer>
        </Stage>
        {marquee && <div style={{ position: "absolute", left: Math.min(marquee.x0, marquee.x1), top: Math.min(marquee.y0, marquee.y1),
          width: Math.abs(marquee.x1 - marquee.x0), height: Math.abs(marquee.y1 - marquee.y0), border: `1px dashed ${SELECTED}`,
          background: "rgba(28,126,214,0.08)", pointerEvents: "none" }} />}
      </div>
      <SeatList groups={groups} statusOf={(k) => statusRef.current.get(k)} selected={selected} onToggle={toggle} all
                isOn={(s) => selected.has(s.key) || tablesPicked.has(ga.tableOf.get(s.key))} describe={describe}
                mark={(s) => STATUS_TEXT[statusRef.current.get(s.key) || "free"]} tick={snap ? snap.seq : -1}
                title="Seats as a list" intro={LIST_INTRO} />
      {notice && <div role="status" id="seat-office-notice" style={{ color: "#2b8a3e", fontWeight: 600 }}>{notice}</div>}
      {error && <div role="alert" id="seat-office-action-error" style={{ color: "#c92a2a", fontWeight: 600 }}>{error}</div>}
      {sale && (
        <div role="status" id="box-office-done" style={{ ...box, borderColor: "#2f9e44", background: "#ebfbee" }}>
          Sold: order <strong id="box-office-order-code">{sale.order_code}</strong> ·{" "}
          {[...sale.seats.filter((s) => !ga.tableOf.has(s.key)).map((s) => s.label),
            ...(sale.tables || []).map((t) => `table ${(ga.tables.get(t) || { label: t }).label} (${(ga.tables.get(t) || { seats: [] }).seats.length} seats)`),
            ...(sale.areas || []).map((a) => `${a.quantity} × ${a.label}`)].join(", ")} ·{" "}
          {money(sale.total_cents)} ({sale.payment_method}) · tickets e-mailed to {sale.buyer_email} ·{" "}
          <a href={`/dashboard/orders/${sale.order_id}`}>open the order</a>
        </div>
      )}
      <div style={{ display: "flex", flexWrap: "wrap", gap: 12, alignItems: "flex-start" }}>
        <div style={{ ...box, flex: "2 1 420px" }} id="seat-selection-panel">
          <div style={{ display: "flex", justifyContent: "space-between", alignItems: "center" }}>
            <strong id="selection-summary" aria-live="polite">{anything ? `${what} selected` : "No seats selected"}</strong>
            {anything && <button style={btn} onClick={clearAll}>Clear</button>}
          </div>
          {!anything && <p style={{ color: "#868e96" }}>Click seats on the map (or Shift + drag) to see who holds them and to block, allocate or sell them. A click on a whole table picks the table; a click in a standing area asks how many places to sell.</p>}
          {asking && <AreaPlaces key={asking.key} area={asking} fig={snap && snap.areas ? snap.areas[asking.key] : null}
                                 current={picked[asking.key]} onDone={(n) => { if (n !== null) setPlaces(asking.key, n); setAsking(null); }} />}
          {(tableRows.length > 0 || placeRows.length > 0) && (
            <table style={{ width: "100%", borderCollapse: "collapse", marginTop: 8, fontSize: 14 }} id="place-details">
              <thead><tr style={{ textAlign: "left" }}><th>Table / area</th><th>Status</th><th>Price</th><th></th></tr></thead>
              <tbody>
                {tableRows.map((t) => (
                  <tr key={t.key} className="table-detail-row" data-key={t.key} style={{ borderTop: "1px solid #f1f3f5" }}>
                    <td style={cell}>Table {t.label} (whole, {t.seats} seats)</td>
                    <td style={cell}><span style={{ ...chip(t.status === "free" ? "#2f9e44" : STATUS_FILL[t.status]), marginRight: 6, verticalAlign: "middle" }} />{STATUS_TEXT[t.status]}</td>
                    <td style={cell}>{money(t.price)}</td>
                    <td style={cell}><button style={btn} onClick={() => toggleTable(t.key)}>Remove</button></td>
                  </tr>
                ))}
                {placeRows.map((a) => (
                  <tr key={a.key} className="area-detail-row" data-key={a.key} style={{ borderTop: "1px solid #f1f3f5" }}>
                    <td style={cell}>{a.n} × {a.label} (standing)</td>
                    <td style={cell}>{a.fig ? `${a.fig.sold} sold · ${a.fig.held} held · ${a.fig.free} free` : "—"}</td>
                    <td style={cell}>{money(a.price)}</td>
                    <td style={cell}><button style={btn} onClick={() => setAsking(ga.areas.find((x) => x.key === a.key) || null)}>Change</button></td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {details.length > 0 && (
            <table style={{ width: "100%", borderCollapse: "collapse", marginTop: 8, fontSize: 14 }} id="seat-details">
              <thead><tr style={{ textAlign: "left" }}><th>Seat</th><th>Status</th><th>Price</th><th>Who / what</th></tr></thead>
              <tbody>
                {details.slice(0, 100).map((d) => (
                  <tr key={d.key} className="seat-detail-row" data-key={d.key} style={{ borderTop: "1px solid #f1f3f5" }}>
                    <td style={cell}>{d.label}</td>
                    <td style={cell}><span style={{ ...chip(d.status === "free" ? "#2f9e44" : STATUS_FILL[d.status]), marginRight: 6, verticalAlign: "middle" }} />{STATUS_TEXT[d.status]}</td>
                    <td style={cell}>{money(d.price_cents)}</td>
                    <td style={{ padding: "4px 8px" }}>
                      {d.status === "allocated" && <>Kept for <strong>{d.allocation}</strong></>}
                      {d.status === "held" && d.hold && <>Held by a {d.hold.source} · {left(d)} s left{d.hold.order_code ? ` · checkout ${d.hold.order_code}` : ""}</>}
                      {d.status === "sold" && d.order && <>Order <a href={`/dashboard/orders/${d.order.id}`}>{d.order.order_code}</a> · {d.order.buyer_name}{d.order.provider === "box_office" ? " · box office" : ""}</>}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {details.length > 100 && <p style={{ color: "#868e96" }}>… and {details.length - 100} more.</p>}
        </div>
        <div style={{ ...box, flex: "1 1 300px", display: "flex", flexDirection: "column", gap: 10 }}>
          <strong>Block and allocate</strong>
          {!mayEdit && <span style={{ color: "#868e96" }}>Your role may not change seats.</span>}
          <div style={{ display: "flex", gap: 6, flexWrap: "wrap" }}>
            <button style={btn} id="seats-block" disabled={!mayEdit || !seatKeys.length || busy} onClick={() => block(true)}>Block</button>
            <button style={btn} id="seats-unblock" disabled={!mayEdit || !seatKeys.length || busy} onClick={() => block(false)}>Unblock</button>
          </div>
          <div style={{ display: "flex", gap: 6, flexWrap: "wrap", alignItems: "center" }}>
            <input list="allocation-labels" id="allocation-label" aria-label="Allocate to" value={label} maxLength={40}
                   onChange={(e) => setLabel(e.target.value)} style={{ width: 140, padding: 5 }} />
            <datalist id="allocation-labels">{SUGGESTIONS.map((s) => <option key={s} value={s} />)}</datalist>
            <button style={btn} id="seats-allocate" disabled={!mayEdit || !seatKeys.length || busy || !label.trim()} onClick={allocate}>Allocate</button>
            <button style={btn} id="seats-release" disabled={!mayEdit || !seatKeys.length || busy} onClick={release}>Release</button>
          </div>
          {snap && snap.allocations.length > 0 && (
            <div style={{ fontSize: 14 }} id="allocation-summary">
              {snap.allocations.map((a) => <div key={a.label}><span style={chip(STATUS_FILL.allocated)} /> {a.label}: {a.count}</div>)}
            </div>
          )}
          <strong style={{ marginTop: 6 }}>Box office sale</strong>
          {!maySell && <span style={{ color: "#868e96" }}>Your role may not sell at the box office.</span>}
          <input placeholder="Buyer's name" id="box-office-name" value={buyer.name} maxLength={200}
                 onChange={(e) => { setConfirming(false); setBuyer({ ...buyer, name: e.target.value }); }} style={{ padding: 5 }} />
          <input placeholder="Buyer's e-mail (tickets are sent there)" id="box-office-email" type="email" value={buyer.email} maxLength={254}
                 onChange={(e) => { setConfirming(false); setBuyer({ ...buyer, email: e.target.value }); }} style={{ padding: 5 }} />
          <select id="box-office-method" aria-label="Paid by" value={buyer.method}
                  onChange={(e) => { setConfirming(false); setBuyer({ ...buyer, method: e.target.value }); }} style={{ padding: 5 }}>
            <option value="cash">Paid in cash</option>
            <option value="card">Paid by card at the desk</option>
          </select>
          {chosen.length > 0 && current.length === chosen.length && sellable.length < chosen.length &&
            <span style={{ color: "#e67700" }}>Only free or allocated seats can be sold: {chosen.length - sellable.length} of the selection cannot.</span>}
          {!tablesOk && <span style={{ color: "#e67700" }}>A whole table can be sold only when all its seats are free or allocated.</span>}
          {!placesOk && <span style={{ color: "#e67700" }}>More standing places chosen than are free.</span>}
          {!confirming
            ? <button style={{ ...btn, background: canSell ? "#2f9e44" : "#f8f9fa", color: canSell ? "#fff" : undefined }}
                      id="box-office-sell" disabled={!canSell || busy} onClick={() => { setError(""); setConfirming(true); }}>
                {anything ? `Sell ${what} · ${money(total)}` : "Select seats to sell"}
              </button>
            : <div style={{ display: "flex", flexDirection: "column", gap: 6 }} id="box-office-confirm-box">
                <span>Sell <strong>{what}</strong> to <strong>{buyer.name}</strong> for <strong>{money(total)}</strong>, paid {buyer.method === "cash" ? "in cash" : "by card"}?</span>
                <div style={{ display: "flex", gap: 6 }}>
                  <button style={{ ...btn, background: "#2f9e44", color: "#fff" }} id="box-office-confirm" disabled={busy} onClick={sell}>Confirm sale</button>
                  <button style={btn} onClick={() => setConfirming(false)}>Cancel</button>
                </div>
              </div>}
        </div>
      </div>
      {snap && (
        <div style={box}>
          <strong>By section</strong>
          <table style={{ width: "100%", borderCollapse: "collapse", marginTop: 6, fontSize: 14 }} id="section-counts">
            <thead><tr style={{ textAlign: "left" }}><th>Section</th>{["free", "held", "sold", "blocked", "allocated"].map((st) => <th key={st}>{STATUS_TEXT[st]}</th>)}<th>Total</th></tr></thead>
            <tbody>{snap.sections.map((s) => (
              <tr key={s.section} style={{ borderTop: "1px solid #f1f3f5" }}><td>{s.section}</td>
                {["free", "held", "sold", "blocked", "allocated"].map((st) => <td key={st}>{s[st]}</td>)}<td>{s.total}</td></tr>
            ))}</tbody>
          </table>
        </div>
      )}
    </div>
  );
}
