"""The pages work under the Content-Security-Policy (issue 9 item 9c): real Chromium, production build.

Every page below loads, hydrates (its websocket ``/_event`` connects and the page reacts), and the
browser reports no CSP violation (``securitypolicyviolation`` events and "Refused to …" console
errors are collected on every page). The scanner page registers its service worker and loads the
self-hosted zxing wasm under ``'wasm-unsafe-eval'``.
"""

from __future__ import annotations

from playwright.sync_api import expect

from voelgoed.services.demo import seed

WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
"""


def _watch(page):
    console = []
    page.add_init_script(WATCH)
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    return console


def _violations(page, console):
    found = list(page.evaluate("window.__csp || []"))
    return found + [t for t in console if "Content Security Policy" in t or t.startswith("Refused to")]


def test_pages_work_under_the_csp(page, app_db, live_app):
    seed.seed_demo(app_db)
    console = _watch(page)

    response = page.goto("/")
    headers = response.headers
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["referrer-policy"] == "no-referrer" and headers["x-content-type-options"] == "nosniff"

    page.goto(f"/e/{seed.DEMO_EVENT_SLUG}")
    expect(page.get_by_text(seed.DEMO_EVENT_NAME).first).to_be_visible()
    expect(page.get_by_text("Early Bird").first).to_be_visible()  # rendered from state over /_event
    assert _violations(page, console) == []

    page.goto("/signin")
    page.fill("#email", seed.DEMO_OWNER_EMAIL)
    page.fill("#password", seed.DEMO_OWNER_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/dashboard**")
    assert _violations(page, console) == []

    page.goto("/scan")
    page.wait_for_function("navigator.serviceWorker && navigator.serviceWorker.getRegistration().then(r => !!r)")
    wasm = page.evaluate("""async () => {
        const r = await fetch('/scanner/vendor/zxing_reader.wasm');
        await WebAssembly.compile(await r.arrayBuffer());
        return true; }""")
    assert wasm is True
    assert _violations(page, console) == []
