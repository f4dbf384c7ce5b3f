/* Loads the scanner in order (decoder, storage/verification, engine) and its stylesheet; all self-hosted. */
(function () {
  if (window.__vgScannerBoot) { if (window.__vgScanner) window.__vgScanner.attach(); return; }
  window.__vgScannerBoot = true;
  const css = document.createElement("link");
  css.rel = "stylesheet"; css.href = "/scanner/scanner.css";
  document.head.append(css);
  ["/scanner/vendor/zxing-reader.js", "/scanner/store.js", "/scanner/engine.js"].forEach((src) => {
    const s = document.createElement("script");
    s.src = src; s.async = false;
    document.head.append(s);
  });
})();
(function () {
  if (document.querySelector('link[rel="manifest"]')) return;
  const m = document.createElement("link");
  m.rel = "manifest"; m.href = "/scanner/app.webmanifest";
  document.head.append(m);
})();
