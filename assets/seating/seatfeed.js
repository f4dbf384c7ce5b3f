// Seat status changes for an open seat map (issue 12; docs/seated-sales.md "The customer seat map").
// Pushed: an EventSource on GET /api/v1/public/events/<slug>/seating/stream?since=N (Server-Sent Events; each
// message is the changes feed's answer {since, seq, changes, refetch, areas, tables}; the browser reconnects by
// itself with Last-Event-ID). Fallback: polling .../seating/changes?since=N every POLL_MS — when EventSource is
// missing, when the stream answers an error (503 busy / stream_unavailable: the EventSource closes), or after
// MAX_ERRORS errors without a message in between; the stream is tried again after RETRY_STREAM_MS of polling.
// ?seatfeed=poll in the page URL (or window.__seatFeedMode = "poll" before the map loads) forces the poll
// (bench/seat_push.py's baseline). Both paths apply an answer by seq the same way (applyAnswer).
// window.__seatFeed = {mode: "stream" | "poll", messages, errors} for tests and benchmarks.
// The organiser's map (seatoffice.jsx) follows its own feed with the same code: opts.changesPath(since) and
// opts.streamUrl(since) replace the public routes (/api/organiser/events/<id>/seats/changes|stream).
// window.__seatFeedSnapshotMs (set before the map loads) changes SNAPSHOT_MS (the browser tests).
export const POLL_MS = 2000;
export const SNAPSHOT_MS = 30000;   // lapsed holds are not changes: a full snapshot ages them out now and then
const MAX_ERRORS = 3;
const RETRY_STREAM_MS = 60000;

function forcedPoll() {
  try {
    if (window.__seatFeedMode === "poll") return true;
    return new URLSearchParams(window.location.search).get("seatfeed") === "poll";
  } catch (e) { return false; }
}

// One answer relative to `since`: a refetch answer or a gap (since ahead of what we have) → a new snapshot;
// an answer that brings nothing newer than our seq is ignored; else its changes are applied and seq moves.
export async function applyAnswer(body, since, { getSeq, apply, refetch }) {
  if (!body) return;
  if (body.refetch) { await refetch(); return; }
  const seq = getSeq();
  if (since > seq) { await refetch(); return; }
  if (body.seq < seq || (body.seq === seq && since !== seq)) return;   // nothing newer than what we have
  apply(body);
}

// Start following `slug` (after the first snapshot); returns stop(). opts: {getSeq: () => n, apply(body),
// refetch(): Promise (takes a snapshot and sets the seq), api(path)}; optional changesPath(since) (for api) and
// streamUrl(since) (absolute path for the EventSource). Also takes a snapshot every SNAPSHOT_MS.
export function startSeatFeed(slug, opts) {
  const base = `events/${encodeURIComponent(slug)}/seating`;
  const changesPath = opts.changesPath || ((since) => `${base}/changes?since=${since}`);
  const streamUrl = opts.streamUrl || ((since) => `/api/v1/public/${base}/stream?since=${since}`);
  const snapshotMs = (typeof window !== "undefined" && Number(window.__seatFeedSnapshotMs)) || SNAPSHOT_MS;
  const info = (window.__seatFeed = { mode: "poll", messages: 0, errors: 0 });
  let live = true, timer = null, es = null, errors = 0, retryAt = 0, openedAt = 0, highest = opts.getSeq();
  const applied = { ...opts, apply: (body) => { opts.apply(body); highest = Math.max(highest, body.seq); } };
  // a snapshot read just before a change we had already applied is older than the map: catch up from the feed
  const resync = async () => {
    await opts.refetch();
    const since = opts.getSeq();
    if (!live || since >= highest) return;
    const r = await opts.api(changesPath(since));
    if (live && r.ok) await applyAnswer(r.body, since, { ...applied, refetch: opts.refetch });
  };
  const ctx = { ...applied, refetch: resync };
  const refresh = setInterval(resync, snapshotMs);

  const poll = async () => {
    timer = null;
    if (!live) return;
    const since = opts.getSeq();
    const r = await opts.api(changesPath(since));
    if (!live) return;
    if (r.ok) await applyAnswer(r.body, since, ctx);
    if (!live) return;
    if (retryAt && Date.now() >= retryAt && openStream()) return;
    timer = setTimeout(poll, POLL_MS);
  };
  const toPoll = () => {
    if (es) { es.close(); es = null; }
    info.mode = "poll";
    retryAt = forcedPoll() || typeof EventSource === "undefined" ? 0 : Date.now() + RETRY_STREAM_MS;
    if (live && !timer) timer = setTimeout(poll, 0);
  };
  const openStream = () => {
    if (forcedPoll() || typeof EventSource === "undefined") return false;
    retryAt = 0; errors = 0;
    es = new EventSource(streamUrl(opts.getSeq()));
    info.mode = "stream";
    es.onopen = () => { openedAt = Date.now(); };
    es.onmessage = (m) => {
      errors = 0; info.messages += 1;
      let body = null;
      try { body = JSON.parse(m.data); } catch (e) { return; }
      applyAnswer(body, body.since, ctx);
    };
    es.onerror = () => {
      info.errors += 1;
      errors = openedAt && Date.now() - openedAt > 5000 ? 1 : errors + 1;   // a stream that lasted a while ended
      openedAt = 0;
      // CLOSED: the answer was not a stream (503 busy, stream_unavailable, 404) — the browser gives up
      if (!es || es.readyState === 2 || errors >= MAX_ERRORS) toPoll();
    };
    return true;
  };

  if (!openStream()) toPoll();
  return () => { live = false; clearInterval(refresh); if (timer) clearTimeout(timer); if (es) es.close(); };
}
