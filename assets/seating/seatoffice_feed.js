// The organiser seat map's data (seatoffice.jsx): the layout flattened for drawing, hit-testing and the list
// alternative, the organiser's cookie routes, and its statuses kept live. Statuses: a snapshot of
// GET /api/organiser/events/<id>/seats, then the changes after its seq PUSHED over .../seats/stream (Server-Sent
// Events) or, when the stream fails, polled from .../seats/changes?since=N — the customer map's seatfeed.js with
// the organiser's routes (allocated seats and their labels stay behind the organiser's cookie; docs/seated-sales.md
// "Organiser views"). seatfeed.js also takes a full snapshot every SNAPSHOT_MS (30 s: lapsed holds age out).
// A changes answer is applied in place: the status map, and counts / sections / allocations by difference
// (applyChanges), so a change never costs a snapshot read.
import { startSeatFeed } from "./seatfeed.js";

// seats (flat: drawing, hit tests) and groups (section → rows → seats: the list alternative, seatlist.jsx);
// `section` is the *By section* name the status answer counts under (an unnamed section or a table: "—")
export function flatten(layout) {
  const seats = [], groups = [];
  const add = (g, rowLabel, list, make) => {
    const r = { label: rowLabel, seats: [] };
    for (const s of list || []) { const seat = make(s); seats.push(seat); r.seats.push(seat); }
    if (r.seats.length) g.rows.push(r);
  };
  for (const sec of layout.sections || []) {
    const g = { label: sec.label || "—", rows: [] };
    for (const row of sec.rows || []) add(g, row.label, row.seats, (s) => ({
      key: s.key, x: s.x, y: s.y, category: s.category, section: sec.label || "—", seat: s.label,
      label: `${sec.label} ${row.label}-${s.label}` }));
    if (g.rows.length) groups.push(g);
  }
  const tables = { label: "Tables", rows: [] };
  for (const t of layout.tables || []) add(tables, t.label, t.seats, (s) => ({
    key: s.key, x: s.x, y: s.y, category: s.category || t.category, section: t.section || "—", seat: s.label,
    label: `${t.label}-${s.label}` }));
  if (tables.rows.length) groups.push(tables);
  return { seats, groups };
}

export function gridOf(seats, cell) {
  const grid = new Map();
  for (const s of seats) {
    const k = Math.floor(s.x / cell) + ":" + Math.floor(s.y / cell);
    let b = grid.get(k); if (!b) grid.set(k, (b = [])); b.push(s);
  }
  return grid;
}

export async function api(eventId, path, opts) {
  const headers = { "Content-Type": "application/json" };
  if (opts && opts.method && opts.method !== "GET") headers["X-Voelgoed-Builder"] = "1";
  const res = await fetch(`/api/organiser/events/${encodeURIComponent(eventId)}/${path}`,
                          { credentials: "same-origin", headers, ...opts });
  const body = res.status === 204 || res.status === 304 ? null : await res.json().catch(() => null);
  return { ok: res.ok, status: res.status, body };
}

// a status answer → {status: Map(key → held | sold | blocked | allocated), alloc: Map(key → label)}
export function statusesOf(body) {
  const status = new Map(), alloc = new Map();
  for (const st of ["held", "sold", "blocked"]) for (const k of body[st] || []) status.set(k, st);
  for (const [k, label] of Object.entries(body.allocated || {})) { status.set(k, "allocated"); alloc.set(k, label); }
  return { status, alloc };
}

const byLabel = (a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : 0);

// One changes answer {seq, changes: [{key, status, allocation}], areas, tables} onto the last status answer
// `snap`: updates `status` / `alloc` (the maps above) in place and returns the next snap (counts, sections and
// allocations moved by difference, areas / tables replaced, seq) and the keys whose status changed.
export function applyChanges(snap, body, status, alloc, sectionOf) {
  const counts = { ...snap.counts };
  const sections = snap.sections.map((s) => ({ ...s }));
  const bySection = new Map(sections.map((s) => [s.section, s]));
  const labels = new Map(snap.allocations.map((a) => [a.label, a.count]));
  const changed = new Set();
  for (const c of body.changes || []) {
    const was = status.get(c.key) || "free", wasLabel = alloc.get(c.key);
    const label = c.status === "allocated" ? (c.allocation || "") : undefined;
    if (was === c.status && wasLabel === label) continue;
    counts[was] -= 1; counts[c.status] += 1;
    const sec = bySection.get(sectionOf(c.key));
    if (sec) { sec[was] -= 1; sec[c.status] += 1; }
    if (wasLabel !== undefined) { labels.set(wasLabel, (labels.get(wasLabel) || 1) - 1); alloc.delete(c.key); }
    if (label !== undefined) { labels.set(label, (labels.get(label) || 0) + 1); alloc.set(c.key, label); }
    if (c.status === "free") status.delete(c.key); else status.set(c.key, c.status);
    changed.add(c.key);
  }
  const allocations = Array.from(labels, ([label, count]) => ({ label, count })).filter((a) => a.count > 0).sort(byLabel);
  return { snap: { ...snap, seq: body.seq, counts, sections, allocations, areas: body.areas || snap.areas,
                   tables: body.tables || snap.tables }, changed };
}

// Follow the event's changes (after the first snapshot); returns stop(). opts as startSeatFeed's
// {getSeq, apply(body), refetch()}.
export function followOffice(eventId, opts) {
  const id = encodeURIComponent(eventId);
  return startSeatFeed(eventId, { ...opts, api: (path) => api(eventId, path),
    changesPath: (since) => `seats/changes?since=${since}`,
    streamUrl: (since) => `/api/organiser/events/${id}/seats/stream?since=${since}` });
}
