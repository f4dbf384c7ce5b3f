// Waiting room client for /e/<slug>/queue: plain fetch, no per-visitor Reflex state.
// Contract: voelgoed/api/waiting_room.py. Pass → sessionStorage "vg_pass_<slug>" → /e/<slug>?pass=…
(function () {
  if (window.__vgWaitingRoom) return;
  window.__vgWaitingRoom = true;
  var m = location.pathname.match(/^\/e\/([^\/]+)\/queue\/?$/);
  if (!m) return;
  var slug = decodeURIComponent(m[1]);
  var api = "/api/v1/public/events/" + encodeURIComponent(slug) + "/queue";
  var tokenKey = "vg_visitor_" + slug;

  function el(id) { return document.getElementById(id); }
  function show(id, text) { var e = el(id); if (e) e.textContent = text; }
  function fmtWait(s) {
    if (s <= 0) return "any moment";
    if (s < 90) return s + " s";
    var m = Math.round(s / 60);
    return m < 90 ? m + " min" : Math.round(m / 60) + " h";
  }
  function admitted(st) {
    try { sessionStorage.setItem("vg_pass_" + slug, st.pass); } catch (e) {}
    show("wr-message", "It's your turn! Taking you to the tickets…");
    location.replace("/e/" + encodeURIComponent(slug) + "?pass=" + encodeURIComponent(st.pass));
  }
  function render(st) {
    if (st.visitor_token) { try { localStorage.setItem(tokenKey, st.visitor_token); } catch (e) {} }
    if (!st.waiting_room_enabled) { location.replace("/e/" + encodeURIComponent(slug)); return null; }
    if (st.admitted && st.pass) { admitted(st); return null; }
    if (!st.opened) {
      show("wr-position", "—");
      show("wr-wait", fmtWait(st.estimated_wait_seconds));
      show("wr-detail", "The sale opens at " + new Date(st.opens_at).toLocaleString() +
        ". Everyone who arrives before then gets a random place at opening, so there's no need to rush.");
    } else {
      show("wr-position", String(st.position));
      show("wr-wait", fmtWait(st.estimated_wait_seconds));
      show("wr-detail", "Place " + st.queue_rank + " in line; " + st.admitted_count + " let in so far.");
    }
    return Math.max(2, st.poll_after_seconds || 5);
  }
  function later(seconds, fn) { setTimeout(fn, seconds * 1000 + Math.random() * 1000); }
  function handle(resp) {
    if (resp.status === 429) {
      var ra = parseInt(resp.headers.get("Retry-After") || "5", 10);
      return { retry: Math.max(1, ra) };
    }
    return resp.json().then(function (body) { return { status: resp.status, body: body }; });
  }
  function join() {
    var token = null;
    try { token = localStorage.getItem(tokenKey); } catch (e) {}
    fetch(api, { method: "POST", headers: { "Content-Type": "application/json" },
                 body: JSON.stringify({ visitor_token: token }) })
      .then(handle)
      .then(function (r) {
        if (r.retry) return later(r.retry, join);
        if (r.status !== 200) { show("wr-message", (r.body.error && r.body.error.message) || "Queue unavailable"); return later(10, join); }
        var next = render(r.body);
        if (next) later(next, poll);
      })
      .catch(function () { later(5, join); });
  }
  function poll() {
    var token = null;
    try { token = localStorage.getItem(tokenKey); } catch (e) {}
    if (!token) return join();
    fetch(api + "/" + encodeURIComponent(token))
      .then(handle)
      .then(function (r) {
        if (r.retry) return later(r.retry, poll);
        if (r.status === 404) { try { localStorage.removeItem(tokenKey); } catch (e) {} return join(); }
        if (r.status !== 200) return later(5, poll);
        var next = render(r.body);
        if (next) later(next, poll);
      })
      .catch(function () { later(5, poll); });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", join); else join();
})();
