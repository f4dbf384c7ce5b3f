/* VoelgoedEvents gate scanner engine (plain JS; works offline). Contract: docs/scanner-contract.md.
 *
 * Mounts into #scanner-root (rendered by the Reflex page /scan). Flow:
 *   pair (code or /scan#pair=CODE) — or door staff sign in (email + password → event → gate; POST
 *   /api/v1/scanner/sign-in registers a device for them) → token + manifest in IndexedDB → "Start scanning" (unlocks audio,
 *   opens the rear camera) → each decoded QR (zxing-wasm, self-hosted wasm) or typed code is sent to
 *   POST /api/v1/scanner/scans; on network failure it is decided locally (VGVerify) and queued;
 *   the queue is uploaded to POST /api/v1/scanner/sync when the network returns.
 */
(function () {
  "use strict";
  if (window.__vgScanner) { window.__vgScanner.attach(); return; }
  const API = "/api/v1/scanner";
  const S = window.VGStore, V = window.VGVerify;
  const COOLDOWN_MS = 3000, ANSWER_OK_MS = 900, ANSWER_BAD_MS = 1800, REQUEST_TIMEOUT_MS = 3500, SIGNIN_TIMEOUT_MS = 15000;
  const LABELS = {
    accepted: ["Welcome in", "Admit one"], already_scanned: ["Already scanned", "This ticket was used before"],
    invalid: ["Not a valid ticket", "Unreadable, forged or unknown"], wrong_event: ["Wrong event", "This ticket is for another event"],
    revoked: ["Ticket revoked", "Voided or refunded"], not_valid_now: ["Not valid now", "Outside the ticket's valid times"],
    duplicate_offline: ["Already admitted", "An earlier scan admitted this ticket"],
    event_cancelled: ["Event cancelled", "This event has been cancelled: do not admit"],
  };
  const st = { token: null, manifest: null, gate: null, online: navigator.onLine, busy: false, started: false,
    lastText: "", lastAt: 0, audio: null, stream: null, syncing: false, pending: 0, mine: 0, total: 0, gateCount: 0,
    door: null };  // door: the sign-in flow in progress {step, email, password, events, event, error, busy} (memory only)
  let root = null;

  const $ = (sel) => root && root.querySelector(sel);
  const el = (tag, attrs, ...kids) => {
    const n = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => (k === "class" ? (n.className = v) : k.startsWith("on") ? n.addEventListener(k.slice(2), v) : n.setAttribute(k, v)));
    kids.flat().forEach((k) => n.append(k && k.nodeType ? k : document.createTextNode(k == null ? "" : String(k))));
    return n;
  };
  const fmtTime = (iso) => { try { return new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" }); } catch (e) { return iso || ""; } };
  const uuid4 = () => (crypto.randomUUID ? crypto.randomUUID() : Date.now().toString(36) + Math.random().toString(36).slice(2));

  // --- network ----------------------------------------------------------------------------------
  async function call(method, path, body, timeoutMs) {
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(), timeoutMs || REQUEST_TIMEOUT_MS);
    try {
      const res = await fetch(API + path, { method, signal: ctl.signal, cache: "no-store",
        headers: Object.assign({ "Content-Type": "application/json" }, st.token ? { Authorization: "Bearer " + st.token } : {}),
        body: body ? JSON.stringify(body) : undefined });
      const data = await res.json().catch(() => ({}));
      setOnline(true);
      if (res.status === 401 && st.token) {
        const expired = data && data.error && data.error.code === "device_expired";
        await unpair(expired ? "This event is over: this scanner device has expired." : "This device was revoked or unpaired by the organiser.");
      }
      return { status: res.status, data };
    } catch (e) {
      setOnline(false);
      return { status: 0, data: null };
    } finally {
      clearTimeout(timer);
    }
  }

  function setOnline(value) {
    st.online = value && navigator.onLine;
    const b = $("#vg-net");
    if (b) { b.textContent = st.online ? "Online" : "Offline"; b.className = "vg-pill " + (st.online ? "vg-ok" : "vg-off"); b.dataset.online = String(st.online); }
  }

  async function refreshManifest() {
    if (!st.token) return;
    const r = await call("GET", "/manifest");
    if (r.status === 200) {
      st.manifest = r.data;
      await S.put("kv", r.data, "manifest");
      await S.putMany("seen", r.data.tickets.filter((t) => t.status === "checked_in")
        .map((t) => ({ ticket_id: t.ticket_id, at: t.checked_in_at, gate_code: t.checked_in_gate_code })));
      renderHeader();
      await recount();
    }
  }

  // --- pairing ----------------------------------------------------------------------------------
  async function pair(code) {
    const r = await call("POST", "/pair", { pairing_code: code });
    if (r.status !== 200) { toast(r.status === 0 ? "No network: pairing needs a connection" : "That pairing code is not valid or has expired", "bad"); return false; }
    await adopt(r.data, "Paired with " + r.data.event.name);
    return true;
  }

  // a pairing or a door staff sign-in answered {token, device, event, gate_code}: become that device
  async function adopt(data, message) {
    st.token = data.token;
    st.door = null;  // the password is forgotten here
    await S.put("kv", st.token, "token");
    await S.clear("seen");
    st.gate = data.gate_code || null;
    await S.put("kv", st.gate, "gate_code");
    await refreshManifest();
    toast(message, "ok");
    render();
  }

  // --- door staff sign-in (POST /sign-in: without event_id it lists events, with it registers this phone) ---
  function signInError(r) {
    if (r.status === 0) return "No network: signing in needs a connection";
    const err = (r.data && r.data.error) || {};
    if (r.status === 401) return "Email or password is incorrect";
    if (r.status === 403) return err.message || "This account may not scan tickets";
    if (r.status === 429) return "Too many attempts. Wait " + ((err.details && err.details.retry_after) || 60) + " seconds and try again";
    if (r.status === 422 && err.details && err.details.fields) return Object.values(err.details.fields)[0] || err.message;
    return err.message || "Could not sign in (error " + r.status + ")";
  }

  async function doorRequest(extra) {
    const d = st.door;
    d.busy = true; d.error = ""; render();
    const r = await call("POST", "/sign-in", Object.assign({ email: d.email, password: d.password }, extra), SIGNIN_TIMEOUT_MS);
    if (st.door !== d) return null;  // cancelled meanwhile
    d.busy = false;
    if (r.status !== 200 && r.status !== 201) { d.error = signInError(r); if (r.status === 401 || r.status === 403) { d.step = "form"; d.password = ""; } render(); return null; }
    return r.data;
  }

  async function doorSignIn(email, password) {
    Object.assign(st.door, { email: email.trim(), password });
    const data = await doorRequest({});
    if (!data) return;
    st.door.events = data.events || [];
    st.door.step = "events";
    render();
  }

  async function doorChooseEvent(ev) {
    st.door.event = ev;
    if (!ev.gates || !ev.gates.length) return doorStart(null);
    st.door.step = "gates";
    render();
  }

  async function doorStart(gateCode) {
    const ev = st.door.event;
    const data = await doorRequest({ event_id: ev.id, gate_code: gateCode });
    if (!data) return;
    await adopt(data, "Ready to scan " + data.event.name + (data.gate_code ? " · gate " + data.gate_code : ""));
  }

  async function unpair(message) {
    st.token = null; st.manifest = null;
    await S.del("kv", "token"); await S.del("kv", "manifest");
    stopCamera();
    render();
    if (message) toast(message, "bad");
  }

  // --- scanning ---------------------------------------------------------------------------------
  async function handle(text, manual) {
    if (manual && st.busy && $("#vg-answer").classList.contains("vg-show")) { clearTimeout(st.hideTimer); hideAnswer(); }
    if (st.busy || !st.manifest) return;
    const now = Date.now();
    if (!manual && text === st.lastText && now - st.lastAt < COOLDOWN_MS) return;
    st.busy = true;
    try {
      await decideAndShow(text, now);
    } catch (e) {
      st.busy = false;
      toast("Could not record that scan (" + (e && e.message ? e.message : "storage error") + "); try again", "bad");
    }
  }

  async function decideAndShow(text, now) {
    const scan = { client_scan_id: uuid4(), qr: text, gate_code: st.gate, scanned_at: new Date(now).toISOString() };
    let answer = null, offline = false;
    if (navigator.onLine) {
      // online: the server's clock stamps the scan (a phone's clock may be wrong); the queue keeps the phone's time
      const r = await call("POST", "/scans", { client_scan_id: scan.client_scan_id, qr: text, gate_code: st.gate });
      if (r.status === 200) answer = r.data;
      else if (r.status === 401) { st.busy = false; return; }
    }
    if (!answer) {
      offline = true;
      answer = await V.decide(text, st.manifest, (id) => S.get("seen", id), now);
      await S.put("queue", Object.assign({}, scan, { local_result: answer.result }));
    }
    const tid = answer.ticket_id || (answer.ticket && answer.ticket.id);
    if (answer.result === "accepted") {
      if (tid) await S.put("seen", { ticket_id: tid, at: answer.scanned_at || scan.scanned_at, gate_code: st.gate });
      st.mine += 1; await S.put("kv", st.mine, "mine");
    } else if (answer.result === "already_scanned" && tid && !(await S.get("seen", tid))) {
      await S.put("seen", { ticket_id: tid, at: answer.first_scanned_at, gate_code: answer.first_gate_code || null });
    }
    st.lastText = text; st.lastAt = Date.now();
    show(answer, offline);
    await recount();
    if (!offline) syncNow();
  }

  function show(answer, offline) {
    const [title, sub] = LABELS[answer.result] || ["Rejected", answer.result];
    const kind = answer.result === "accepted" ? "ok" : answer.result === "already_scanned" || answer.result === "duplicate_offline" ? "warn" : "bad";
    const t = answer.ticket || {};
    const lines = [];
    if (t.ticket_type) lines.push(t.ticket_type);
    if (t.holder_name) lines.push(t.holder_name);
    if (answer.first_scanned_at) lines.push("First scanned " + fmtTime(answer.first_scanned_at) + (answer.first_gate_code ? " at gate " + answer.first_gate_code : ""));
    // a seated ticket: section / row / seat, big on a green answer (the usher reads it from a step away)
    const seat = t.seat && (t.seat.section || t.seat.row || t.seat.seat) ? t.seat : null;
    const seatBlock = seat && kind === "ok"
      ? [el("div", { id: "vg-answer-seat", class: "vg-answer-seat", "aria-label": seat.label || "" },
          ...[["Section", seat.section], ["Row", seat.row], ["Seat", seat.seat]].filter((p) => p[1]).map((p) =>
            el("div", { class: "vg-seat-part" }, el("span", { class: "vg-seat-name" }, p[0]), el("span", { class: "vg-seat-value" }, p[1]))))]
      : [];
    if (seat && kind !== "ok") lines.push(seat.label || [seat.section, seat.row, seat.seat].filter(Boolean).join(" · "));
    const box = $("#vg-answer");
    box.replaceChildren(el("div", { class: "vg-answer-icon" }, kind === "ok" ? "✓" : kind === "warn" ? "!" : "✕"),
      el("div", { class: "vg-answer-title" }, title), el("div", { class: "vg-answer-sub" }, sub), ...seatBlock,
      ...lines.map((l) => el("div", { class: "vg-answer-line" }, l)),
      el("div", { class: "vg-answer-foot" }, offline ? "Decided offline · will sync" : t.ticket_code || ""));
    box.className = "vg-answer vg-" + kind + " vg-show";
    box.dataset.result = answer.result;
    const hist = $("#vg-history");
    hist.prepend(el("li", { class: "vg-h-" + kind, "data-result": answer.result, "data-offline": String(offline) },
      el("span", {}, title), el("span", { class: "vg-h-meta" }, (t.ticket_code || "") + " · " + fmtTime(new Date().toISOString()))));
    while (hist.children.length > 6) hist.lastChild.remove();
    beep(kind);
    if (navigator.vibrate) navigator.vibrate(kind === "ok" ? 80 : kind === "warn" ? [80, 60, 80] : [250]);
    clearTimeout(st.hideTimer);
    st.hideTimer = setTimeout(hideAnswer, kind === "ok" ? ANSWER_OK_MS : ANSWER_BAD_MS);
  }

  function hideAnswer() { const box = $("#vg-answer"); if (box) box.className = "vg-answer"; st.busy = false; }

  function beep(kind) {
    const ctx = st.audio;
    if (!ctx) return;
    const tones = kind === "ok" ? [[880, 0, 0.12]] : kind === "warn" ? [[660, 0, 0.1], [660, 0.16, 0.1]] : [[220, 0, 0.35]];
    for (const [freq, at, dur] of tones) {
      const o = ctx.createOscillator(), g = ctx.createGain();
      o.frequency.value = freq; o.type = kind === "bad" ? "square" : "sine";
      g.gain.setValueAtTime(0.25, ctx.currentTime + at); g.gain.exponentialRampToValueAtTime(0.001, ctx.currentTime + at + dur);
      o.connect(g).connect(ctx.destination); o.start(ctx.currentTime + at); o.stop(ctx.currentTime + at + dur + 0.02);
    }
  }

  // --- camera -----------------------------------------------------------------------------------
  async function startCamera() {
    try { st.audio = st.audio || new (window.AudioContext || window.webkitAudioContext)(); } catch (e) { st.audio = null; }
    st.started = true;
    render();
    if (!window.ZXingWASM) { toast("The QR decoder did not load; use manual entry", "bad"); return; }
    window.ZXingWASM.setZXingModuleOverrides({ locateFile: (path, prefix) => (path.endsWith(".wasm") ? "/scanner/vendor/zxing_reader.wasm" : prefix + path) });
    try {
      st.stream = await navigator.mediaDevices.getUserMedia({ audio: false, video: { facingMode: { ideal: "environment" }, width: { ideal: 1280 }, height: { ideal: 720 } } });
    } catch (e) {
      toast("Camera unavailable (" + (e.name || "error") + "); use manual entry", "bad");
      return;
    }
    const video = $("#vg-video");
    video.srcObject = st.stream;
    await video.play().catch(() => {});
    $("#vg-cam-state").textContent = "Point the camera at a ticket";
    loop();
  }

  function stopCamera() { if (st.stream) st.stream.getTracks().forEach((t) => t.stop()); st.stream = null; st.started = false; }

  async function loop() {
    const video = $("#vg-video");
    if (!st.stream || !video) return;
    if (!st.busy && video.readyState >= 2 && video.videoWidth) {
      const scale = Math.min(1, 960 / video.videoWidth);
      const w = Math.round(video.videoWidth * scale), h = Math.round(video.videoHeight * scale);
      const canvas = st.canvas || (st.canvas = document.createElement("canvas"));
      canvas.width = w; canvas.height = h;
      const ctx = canvas.getContext("2d", { willReadFrequently: true });
      ctx.drawImage(video, 0, 0, w, h);
      try {
        const found = await window.ZXingWASM.readBarcodes(ctx.getImageData(0, 0, w, h), { formats: ["QRCode"], tryHarder: true, maxNumberOfSymbols: 1 });
        if (found.length && found[0].isValid && found[0].text) await handle(found[0].text, false);
      } catch (e) { /* a frame that fails to decode is simply skipped */ }
    }
    setTimeout(loop, 120);
  }

  // --- sync -------------------------------------------------------------------------------------
  async function syncNow() {
    if (st.syncing || !st.token || !navigator.onLine) return;
    const items = (await S.all("queue")).sort((a, b) => (a.scanned_at < b.scanned_at ? -1 : 1)).slice(0, 500);
    if (!items.length) return;
    st.syncing = true;
    try {
      const r = await call("POST", "/sync", { scans: items });
      if (r.status !== 200) return;
      let changed = 0;
      for (const res of r.data.results) {
        const local = items.find((i) => i.client_scan_id === res.client_scan_id);
        if (local && local.local_result !== res.result) changed += 1;
        await S.del("queue", res.client_scan_id);
      }
      toast(`Synced ${r.data.results.length} offline scan${r.data.results.length === 1 ? "" : "s"}` +
        (changed ? ` · ${changed} changed by the server (e.g. duplicate_offline)` : " · no changes"), changed ? "warn" : "ok");
      await refreshManifest();
    } finally {
      st.syncing = false;
      await recount();
    }
  }

  async function recount() {
    st.pending = await S.count("queue");
    const seen = await S.all("seen");
    st.total = seen.length;
    st.gateCount = st.gate ? seen.filter((s) => s.gate_code === st.gate).length : st.mine;
    const set = (id, v) => { const n = $(id); if (n) n.textContent = String(v); };
    set("#vg-pending", st.pending); set("#vg-total", st.total); set("#vg-gate-count", st.gateCount);
    const p = $("#vg-pending-pill"); if (p) p.dataset.pending = String(st.pending);
  }

  // --- UI ---------------------------------------------------------------------------------------
  function toast(text, kind) {
    const t = el("div", { class: "vg-toast vg-" + (kind || "ok"), role: "status" }, text);
    document.body.append(t);
    setTimeout(() => t.remove(), 4000);
  }

  function renderHeader() {
    const m = st.manifest, h = $("#vg-event");
    if (h && m) {
      const cancelled = m.event.status === "cancelled";
      h.textContent = m.event.name + (cancelled ? " — CANCELLED" : "");
      h.dataset.status = m.event.status || "";
      if (cancelled) h.classList.add("vg-cancelled"); else h.classList.remove("vg-cancelled");
    }
    const g = $("#vg-gate-label");
    if (g) g.textContent = st.gate ? "Gate " + st.gate : "This device";
  }

  const fmtWhen = (iso) => { try { return new Date(iso).toLocaleString([], { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" }); } catch (e) { return iso || ""; } };

  function doorView() {
    const d = st.door;
    const back = (label, fn) => el("button", { type: "button", id: "vg-door-back", class: "vg-btn vg-btn-ghost", onclick: fn }, label);
    const error = el("div", { id: "vg-door-error", class: "vg-error", role: "alert" }, d.error || "");
    if (!d.error) error.hidden = true;
    const head = [el("div", { class: "vg-logo" }, "Voelgoed · Scanner")];
    if (d.step === "events") {
      const list = d.events.length ? d.events.map((ev) => el("button", Object.assign({ type: "button", class: "vg-choice", "data-event-id": ev.id, onclick: () => doorChooseEvent(ev) }, d.busy ? { disabled: "" } : {}),
        el("span", { class: "vg-choice-title" }, ev.name),
        el("span", { class: "vg-choice-meta" }, fmtWhen(ev.starts_at) + (ev.organization_name ? " · " + ev.organization_name : ""))))
        : [el("p", { id: "vg-door-none", class: "vg-muted" }, "There are no published events to scan right now. Ask the organiser to check the event is published.")];
      return el("div", { class: "vg-card vg-door", id: "vg-door-events" }, head, el("h1", {}, "Choose the event"),
        el("p", { class: "vg-muted" }, "Signed in as " + d.email), error, list,
        back("Sign out", () => { st.door = { step: "form", email: d.email, password: "", events: [], event: null, error: "", busy: false }; render(); }));
    }
    if (d.step === "gates") {
      const gate = (code, label, id) => el("button", Object.assign({ type: "button", class: "vg-choice", "data-gate": code || "", onclick: () => doorStart(code) }, id ? { id } : {}, d.busy ? { disabled: "" } : {}),
        el("span", { class: "vg-choice-title" }, label));
      return el("div", { class: "vg-card vg-door", id: "vg-door-gates" }, head, el("h1", {}, "Which gate?"),
        el("p", { class: "vg-muted" }, d.event.name), error,
        ...d.event.gates.map((g) => gate(g, "Gate " + g)), gate(null, "Any gate", "vg-gate-any"),
        d.busy ? el("p", { class: "vg-muted" }, "Setting up this phone…") : el("span"),
        back("Back to events", () => { d.step = "events"; d.error = ""; render(); }));
    }
    const email = el("input", { id: "vg-door-email", class: "vg-input vg-input-plain", type: "email", autocomplete: "username", inputmode: "email", autocapitalize: "none", spellcheck: "false", placeholder: "you@example.co.za", required: "" });
    email.value = d.email || "";
    const password = el("input", { id: "vg-door-password", class: "vg-input vg-input-plain", type: "password", autocomplete: "current-password", placeholder: "Password", required: "" });
    const submit = el("button", Object.assign({ id: "vg-door-submit", class: "vg-btn vg-btn-primary", type: "submit" }, d.busy ? { disabled: "" } : {}), d.busy ? "Signing in…" : "Sign in");
    return el("form", { class: "vg-card vg-door", id: "vg-door-form", onsubmit: (e) => { e.preventDefault(); if (!d.busy) doorSignIn(email.value, password.value); } },
      head, el("h1", {}, "Door staff sign-in"),
      el("p", { class: "vg-muted" }, "Sign in with your door staff account, then choose the event and your gate."),
      el("label", { class: "vg-label", for: "vg-door-email" }, "Email"), email,
      el("label", { class: "vg-label", for: "vg-door-password" }, "Password"), password,
      error, submit, back("Use a pairing code instead", () => { st.door = null; render(); }));
  }

  function pairingView() {
    const input = el("input", { id: "vg-pair-code", class: "vg-input", maxlength: "12", autocomplete: "off", autocapitalize: "characters", placeholder: "ABCD EFGH", inputmode: "text" });
    const go = async (e) => { e.preventDefault(); const b = $("#vg-pair-btn"); b.disabled = true; b.textContent = "Pairing…"; if (!(await pair(input.value))) { b.disabled = false; b.textContent = "Pair this phone"; } };
    return el("form", { class: "vg-card", id: "vg-pair-form", onsubmit: go },
      el("div", { class: "vg-logo" }, "Voelgoed · Scanner"),
      el("h1", {}, "Pair this phone"),
      el("p", { class: "vg-muted" }, "Enter the 8-character code shown under Scanning in the organiser dashboard, or scan its pairing QR with this phone's camera."),
      input, el("button", { id: "vg-pair-btn", class: "vg-btn vg-btn-primary", type: "submit" }, "Pair this phone"),
      el("div", { class: "vg-or" }, "or"),
      el("button", { id: "vg-door-open", class: "vg-btn", type: "button",
        onclick: () => { st.door = { step: "form", email: "", password: "", events: [], event: null, error: "", busy: false }; render(); const f = $("#vg-door-email"); if (f) f.focus(); } },
      "Sign in as door staff"));
  }

  function gatePicker() {
    const gates = (st.manifest && st.manifest.gates) || [];
    if (!gates.length || (st.manifest.device && st.manifest.device.gate_code)) return el("span");
    const sel = el("select", { id: "vg-gate-select", class: "vg-select", onchange: async (e) => { st.gate = e.target.value || null; await S.put("kv", st.gate, "gate_code"); renderHeader(); recount(); } },
      el("option", { value: "" }, "No gate"), ...gates.map((g) => { const o = el("option", { value: g.gate_code }, g.name); if (g.gate_code === st.gate) o.selected = true; return o; }));
    return sel;
  }

  function scannerView() {
    const manualInput = el("input", { id: "vg-manual-code", class: "vg-input", placeholder: "Ticket code", autocomplete: "off", autocapitalize: "characters" });
    const manual = el("form", { id: "vg-manual", class: "vg-sheet", onsubmit: async (e) => { e.preventDefault(); const v = manualInput.value.trim(); if (v) { manualInput.value = ""; manual.classList.remove("vg-open"); await handle(v, true); } } },
      el("div", { class: "vg-sheet-title" }, "Enter a ticket code"), manualInput,
      el("div", { class: "vg-row" }, el("button", { type: "button", class: "vg-btn", onclick: () => manual.classList.remove("vg-open") }, "Cancel"),
        el("button", { type: "submit", id: "vg-manual-submit", class: "vg-btn vg-btn-primary" }, "Check ticket")));
    return el("div", { class: "vg-scanner" },
      el("header", { class: "vg-top" },
        el("div", { class: "vg-top-left" }, el("div", { id: "vg-event", class: "vg-event" }, st.manifest ? st.manifest.event.name : "…"), el("div", { class: "vg-row vg-small" }, gatePicker())),
        el("div", { class: "vg-top-right" }, el("span", { id: "vg-net", class: "vg-pill" }, "…"),
          el("span", { id: "vg-pending-pill", class: "vg-pill vg-pending" }, el("span", { id: "vg-pending" }, "0"), " to sync"))),
      el("div", { class: "vg-stage" }, el("video", Object.assign({ id: "vg-video", playsinline: "", muted: "", autoplay: "" }, st.started ? {} : { hidden: "" })), el("div", { class: "vg-frame" }),
        st.started ? el("div", { id: "vg-cam-state", class: "vg-cam-state" }, "Starting camera…")
          : el("button", { id: "vg-start", class: "vg-btn vg-btn-primary vg-start", onclick: startCamera }, "Start scanning")),
      el("div", { class: "vg-counts" },
        el("div", {}, el("div", { id: "vg-gate-count", class: "vg-num" }, "0"), el("div", { id: "vg-gate-label", class: "vg-muted" }, st.gate ? "Gate " + st.gate : "This device")),
        el("div", {}, el("div", { id: "vg-total", class: "vg-num" }, "0"), el("div", { class: "vg-muted" }, "Checked in"))),
      el("ul", { id: "vg-history", class: "vg-history" }),
      el("footer", { class: "vg-bottom" },
        el("button", { id: "vg-manual-open", class: "vg-btn", onclick: () => { manual.classList.add("vg-open"); manualInput.focus(); } }, "⌨  Type code"),
        el("button", { id: "vg-sync", class: "vg-btn", onclick: () => syncNow() }, "⟳  Sync"),
        el("button", { id: "vg-unpair", class: "vg-btn vg-btn-ghost", onclick: () => { if (confirm("Unpair this phone? Scans not yet synced stay queued.")) unpair(); } }, "Unpair")),
      manual,
      el("div", { id: "vg-answer", class: "vg-answer", onclick: hideAnswer }));
  }

  function render() {
    if (!root) return;
    root.replaceChildren(st.token ? scannerView() : st.door ? doorView() : pairingView());
    root.dataset.state = st.token ? (st.started ? "scanning" : "ready") : st.door ? "signin-" + st.door.step : "pairing";
    document.body.classList.add("vg-scanner-ready");
    setOnline(st.online);
    if (st.stream) { const v = $("#vg-video"); v.srcObject = st.stream; v.play().catch(() => {}); loop(); }
    recount();
  }

  async function boot() {
    st.token = (await S.get("kv", "token")) || null;
    st.manifest = (await S.get("kv", "manifest")) || null;
    st.gate = (await S.get("kv", "gate_code")) || null;
    st.mine = (await S.get("kv", "mine")) || 0;
    render();
    const m = /[#&?]pair=([A-Za-z0-9 -]{4,20})/.exec(location.hash + location.search);
    if (m && !st.token) { history.replaceState(null, "", "/scan"); await pair(decodeURIComponent(m[1])); }
    if (st.token) { await refreshManifest(); await syncNow(); }
    warmCache();
  }

  function warmCache() {
    if (!("serviceWorker" in navigator)) return;
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).then(() => navigator.serviceWorker.ready).then((reg) => {
      const urls = performance.getEntriesByType("resource").map((e) => e.name).filter((u) => u.startsWith(location.origin) && !u.includes("/api/") && !u.includes("/_event"));
      (reg.active || navigator.serviceWorker.controller) && (reg.active || navigator.serviceWorker.controller).postMessage({ type: "warm", urls: urls.concat([location.origin + "/scan"]) });
    }).catch(() => {});
  }

  window.addEventListener("online", () => { setOnline(true); syncNow(); refreshManifest(); });
  window.addEventListener("offline", () => setOnline(false));
  setInterval(() => { if (st.token && navigator.onLine) syncNow(); }, 10000);
  setInterval(() => { if (st.token && navigator.onLine && !st.busy) refreshManifest(); }, 60000);

  // Reflex renders #scanner-root; mount whenever it (re)appears (client-side navigation included).
  function attach() {
    const found = document.getElementById("scanner-root");
    if (found && found !== root) { root = found; boot(); }
    if (!found) { stopCamera(); root = null; }
  }
  new MutationObserver(attach).observe(document.documentElement, { childList: true, subtree: true });
  attach();
  window.__vgScanner = { attach, syncNow, state: st };
})();
