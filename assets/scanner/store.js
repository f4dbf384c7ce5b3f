/* VoelgoedEvents scanner — durable storage and offline verification (plain JS, no build step).
 *
 * window.VGStore: IndexedDB "voelgoed-scanner" v1 with stores
 *   kv     — token, manifest, gate_code, counters (key → value)
 *   queue  — scans waiting for upload, keyPath client_scan_id
 *   seen   — tickets this device knows are in: keyPath ticket_id {ticket_id, at, gate_code}
 * window.VGVerify.decide(qr, manifest, seenLookup) — the offline decision (docs/scanner-contract.md):
 *   signed "VG1:" payload (docs/ticket-identity.md: base45 RFC 9285, 125 bytes, Ed25519 RFC 8032 via
 *   WebCrypto), the seated "VG2:" (version 2 + signed section/row/seat labels), or a hand-typed ticket code
 *   looked up in the manifest. Answers carry ticket.seat ({section, row, seat, label}) for seated tickets.
 */
(function () {
  "use strict";
  if (window.VGStore) return;

  const DB_NAME = "voelgoed-scanner";
  let dbPromise = null;

  function openDb() {
    if (dbPromise) return dbPromise;
    dbPromise = new Promise((resolve, reject) => {
      const req = indexedDB.open(DB_NAME, 1);
      req.onupgradeneeded = () => {
        const db = req.result;
        if (!db.objectStoreNames.contains("kv")) db.createObjectStore("kv");
        if (!db.objectStoreNames.contains("queue")) db.createObjectStore("queue", { keyPath: "client_scan_id" });
        if (!db.objectStoreNames.contains("seen")) db.createObjectStore("seen", { keyPath: "ticket_id" });
      };
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    return dbPromise;
  }

  function run(store, mode, fn) {
    return openDb().then((db) => new Promise((resolve, reject) => {
      const tx = db.transaction(store, mode);
      const os = tx.objectStore(store);
      let result;
      const req = fn(os);
      if (req) req.onsuccess = () => { result = req.result; };
      tx.oncomplete = () => resolve(result);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    }));
  }

  window.VGStore = {
    get: (store, key) => run(store, "readonly", (os) => os.get(key)),
    put: (store, value, key) => run(store, "readwrite", (os) => (key === undefined ? os.put(value) : os.put(value, key))),
    del: (store, key) => run(store, "readwrite", (os) => os.delete(key)),
    all: (store) => run(store, "readonly", (os) => os.getAll()),
    putMany: (store, values) => run(store, "readwrite", (os) => { values.forEach((v) => os.put(v)); return null; }),
    count: (store) => run(store, "readonly", (os) => os.count()),
    clear: (store) => run(store, "readwrite", (os) => os.clear()),
  };

  // --- base45 (RFC 9285) -----------------------------------------------------------------------
  const B45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
  function b45decode(text) {
    if (text.length % 3 === 1) return null;
    const out = [];
    for (let i = 0; i < text.length; i += 3) {
      const c = B45.indexOf(text[i]), d = B45.indexOf(text[i + 1]);
      if (c < 0 || d < 0) return null;
      if (i + 2 < text.length) {
        const e = B45.indexOf(text[i + 2]);
        if (e < 0) return null;
        const n = c + d * 45 + e * 2025;
        if (n > 65535) return null;
        out.push(n >> 8, n & 255);
      } else {
        const n = c + d * 45;
        if (n > 255) return null;
        out.push(n);
      }
    }
    return new Uint8Array(out);
  }

  function b64url(text) {
    const s = text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4);
    const bin = atob(s);
    return Uint8Array.from(bin, (ch) => ch.charCodeAt(0));
  }

  const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  function uuid(bytes) {
    const h = hex(bytes);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }
  const u32 = (b, o) => ((b[o] << 24) >>> 0) + (b[o + 1] << 16) + (b[o + 2] << 8) + b[o + 3];

  const keyCache = new Map();
  async function importKey(pub) {
    if (!keyCache.has(pub)) {
      keyCache.set(pub, crypto.subtle.importKey("raw", b64url(pub), { name: "Ed25519" }, false, ["verify"]));
    }
    return keyCache.get(pub);
  }

  const utf8 = new TextDecoder("utf-8", { fatal: true });
  /** VG2 seat bytes (len ‖ section ‖ len ‖ row ‖ len ‖ seat, each ≤ 40 bytes UTF-8) → {section, row, seat, label} or null. */
  function parseSeat(bytes) {
    const labels = [];
    let at = 0;
    for (let i = 0; i < 3; i++) {
      if (at >= bytes.length || bytes[at] > 40 || at + 1 + bytes[at] > bytes.length) return null;
      try { labels.push(utf8.decode(bytes.slice(at + 1, at + 1 + bytes[at]))); } catch (e) { return null; }
      at += 1 + bytes[at];
    }
    if (at !== bytes.length || !(labels[0] || labels[1] || labels[2])) return null;
    const [section, row, seat] = labels;
    return { section, row, seat, label: seatLabel({ section, row, seat }) };
  }
  function seatLabel(s) {
    return [["Section", s.section], ["Row", s.row], ["Seat", s.seat]].filter((p) => p[1]).map((p) => p[0] + " " + p[1]).join(" · ");
  }

  /** Parse + verify a VG1 or VG2 string → {ticket_id, event_id, ticket_type_id, valid_from, valid_until, seat, verified}
   *  or null (docs/ticket-identity.md; VG2 = version 2 + the signed seat labels). */
  async function parseSigned(qr, manifest) {
    if (typeof qr !== "string" || qr.length > 512 || !(qr.startsWith("VG1:") || qr.startsWith("VG2:"))) return null;
    const v2 = qr.startsWith("VG2:");
    const raw = b45decode(qr.slice(4));
    if (!raw || raw[0] !== (v2 ? 2 : 1)) return null;
    if (v2 ? raw.length < 61 + 3 + 64 : raw.length !== 125) return null;
    const payload = raw.slice(0, raw.length - 64), sig = raw.slice(raw.length - 64);
    const seat = v2 ? parseSeat(payload.slice(61)) : null;
    if (v2 && !seat) return null;
    const fields = {
      key_id: hex(raw.slice(1, 5)), ticket_id: uuid(raw.slice(5, 21)), event_id: uuid(raw.slice(21, 37)),
      ticket_type_id: uuid(raw.slice(37, 53)), valid_from: u32(raw, 53), valid_until: u32(raw, 57), seat, verified: false,
    };
    const key = (manifest.public_keys || []).find((k) => k.key_id === fields.key_id);
    if (key) {
      try {
        fields.verified = await crypto.subtle.verify({ name: "Ed25519" }, await importKey(key.public_key), sig, payload);
      } catch (e) {
        fields.verified = false;
      }
    }
    return fields;
  }

  function normaliseCode(text) {
    if (typeof text !== "string" || text.length > 40) return null;
    const code = text.toUpperCase().replace(/[\s-]/g, "");
    return /^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{6,16}$/.test(code) ? code : null;
  }

  /** The offline answer: {result, ticket_id?, ticket?, first_scanned_at?, first_gate_code?}. */
  async function decide(qr, manifest, seenLookup, nowMs) {
    const now = (nowMs || Date.now()) / 1000;
    const tickets = manifest.tickets || [];
    // a genuine ticket of a cancelled event is never admitted (same rule and code as the server: event_cancelled)
    const cancelled = !!(manifest.event && manifest.event.status === "cancelled");
    const cancelledAnswer = (id) => {
      const e = tickets.find((t) => t.ticket_id === id);
      return { result: "event_cancelled", ticket_id: id, ticket: e ? { id, ticket_code: e.ticket_code, ticket_type: e.ticket_type,
        holder_name: e.holder_name, seat: e.seat || null } : { id } };
    };
    let entry = null, ticketId = null, signedSeat = null;
    if (typeof qr === "string" && (qr.startsWith("VG1:") || qr.startsWith("VG2:"))) {
      const f = await parseSigned(qr, manifest);
      if (!f) return { result: "invalid" };
      if (f.event_id !== manifest.event.id) return { result: "wrong_event" };
      if (!f.verified) return { result: "invalid" };
      if (cancelled) return cancelledAnswer(f.ticket_id);
      if (now < f.valid_from || now > f.valid_until) return { result: "not_valid_now", ticket_id: f.ticket_id };
      ticketId = f.ticket_id;
      signedSeat = f.seat;
      entry = tickets.find((t) => t.ticket_id === ticketId) || null;
    } else {
      const code = normaliseCode(qr);
      entry = code ? tickets.find((t) => t.ticket_code === code) || null : null;
      if (!entry) return { result: "invalid" };
      ticketId = entry.ticket_id;
      if (cancelled) return cancelledAnswer(ticketId);
    }
    // the seat: the manifest's current labels; a ticket newer than the manifest shows its signed VG2 seat
    const ticket = entry ? { id: entry.ticket_id, ticket_code: entry.ticket_code, ticket_type: entry.ticket_type,
      holder_name: entry.holder_name, seat: entry.seat || signedSeat } : { id: ticketId, seat: signedSeat };
    if ((manifest.revoked || []).includes(ticketId) || (entry && (entry.status === "voided" || entry.status === "refunded"))) {
      return { result: "revoked", ticket_id: ticketId, ticket };
    }
    const seen = await seenLookup(ticketId);
    if (seen) return { result: "already_scanned", ticket_id: ticketId, ticket, first_scanned_at: seen.at, first_gate_code: seen.gate_code };
    if (entry && entry.status === "checked_in") {
      return { result: "already_scanned", ticket_id: ticketId, ticket, first_scanned_at: entry.checked_in_at,
        first_gate_code: entry.checked_in_gate_code };
    }
    return { result: "accepted", ticket_id: ticketId, ticket };
  }

  window.VGVerify = { decide, parseSigned, b45decode, normaliseCode, seatLabel };
})();
