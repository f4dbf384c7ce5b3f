/* VoelgoedEvents service worker (scope /): keeps the scanner usable offline.
 * - Precaches the scanner shell (/scan) and its self-hosted assets (engine, decoder wasm).
 * - Page navigations: network first (4 s), then the cached copy, then the cached /scan shell.
 * - Other same-origin GETs (build chunks, styles, fonts): cached copy at once (Vary ignored: the build
 *   serves "Vary: Origin" and module requests carry an Origin), refreshed in the background.
 * - Never touches the API (/api/…) or Reflex's websocket (/_event): decisions need fresh data.
 * The page may post {type: "warm", urls} so chunks loaded before the worker took control are cached too.
 */
const CACHE = "vg-scanner-v4";  // bump when the scanner assets change (v3: door staff sign-in; v4: seated VG2 tickets)
const SHELL = ["/scan", "/scanner/boot.js", "/scanner/store.js", "/scanner/engine.js", "/scanner/scanner.css",
  "/scanner/vendor/zxing-reader.js", "/scanner/vendor/zxing_reader.wasm", "/scanner/app.webmanifest", "/scanner/icon.svg"];

// A redirected response cannot answer a navigation (Chromium fails it), so store a plain copy.
async function clean(res) {
  if (!res.redirected) return res;
  return new Response(await res.blob(), { status: res.status, statusText: res.statusText, headers: res.headers });
}

async function store(cache, key, res) {
  if (res && res.ok) await cache.put(key, await clean(res));
}

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((c) => Promise.all(SHELL.map((u) => fetch(u).then((r) => store(c, u, r)).catch(() => null))))
    .then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys().then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

function bypass(url) {
  return url.origin !== self.location.origin || url.pathname.startsWith("/api/") || url.pathname.startsWith("/_event")
    || url.pathname.startsWith("/_upload") || url.pathname === "/ping" || url.pathname === "/sw.js";
}

self.addEventListener("fetch", (event) => {
  const req = event.request;
  if (req.method !== "GET") return;
  const url = new URL(req.url);
  if (bypass(url)) return;
  if (req.mode === "navigate") {
    event.respondWith((async () => {
      const cache = await caches.open(CACHE);
      try {
        const res = await Promise.race([fetch(req), new Promise((_, rej) => setTimeout(() => rej(new Error("timeout")), 4000))]);
        if (res.ok) event.waitUntil(store(cache, url.pathname, res.clone()));
        return res;
      } catch (e) {
        return (await cache.match(url.pathname, { ignoreVary: true })) || (await cache.match(req, { ignoreSearch: true, ignoreVary: true }))
          || (await cache.match("/scan", { ignoreVary: true })) || Response.error();
      }
    })());
    return;
  }
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    const hit = await cache.match(req, { ignoreVary: true });
    const refresh = fetch(req).then((res) => { if (res.ok && res.type === "basic") store(cache, req, res.clone()); return res; });
    if (hit) { event.waitUntil(refresh.catch(() => null)); return hit; }
    return refresh;
  })());
});

self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type !== "warm" || !Array.isArray(data.urls)) return;
  event.waitUntil(caches.open(CACHE).then((cache) => Promise.all(data.urls.slice(0, 300).map(async (u) => {
    try {
      const url = new URL(u);
      if (bypass(url) || (await cache.match(u, { ignoreVary: true }))) return;
      await store(cache, url.pathname === "/scan" ? "/scan" : u, await fetch(u));
    } catch (e) { /* best effort */ }
  }))));
});
