"""Live dashboard latency: time from a scan to the check-in count changing in an open dashboard.

A real Chromium (Debian's, ``executable_path``; args from tests/e2e/conftest.py) carries a session
of the event's owner (``accounts.sign_in``, in the ``vg_session`` cookie the sign-in form sets), opens ``/events/<id>/live`` and waits for ``#live-checked-in``. Then,
DASH_SCANS times: start the clock, ``POST /api/v1/scanner/scans`` a fresh valid ticket, and wait
(requestAnimationFrame polling) until the element's ``data-value`` shows the new count. A random
0–0.6 s pause between scans de-phases the scans from the dashboard's refresh tick.

Env: DASH_SCANS (40). Prints one JSON line.
"""

from __future__ import annotations

import os
import random
import shutil
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common  # noqa: E402

# the same flags as tests/e2e/conftest.py (not imported: importing tests.conftest re-points DATABASE_URL)
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic",
]
EMAIL = "bench-owner@example.co.za"
PASSWORD = "bench-owner-password-123"


def _owner(session, seeded: dict) -> str:
    """An owner of the seeded organisation; returns a signed-in session token (``accounts.sign_in``)."""
    from voelgoed.models import Membership, User
    from voelgoed.services.platform import hash_password

    user = User(email=EMAIL, full_name="Bench Owner", password_hash=hash_password(PASSWORD))
    session.add(user)
    session.flush()
    session.add(Membership(organization_id=uuid.UUID(seeded["org_id"]), user_id=user.id, role="owner"))
    session.commit()
    from voelgoed.services.accounts import accounts

    _row, token = accounts.sign_in(session, email=EMAIL, password=PASSWORD, client_address="127.0.0.1")
    return token


def main() -> int:
    import httpx
    from playwright.sync_api import sync_playwright

    n = common.env_int("DASH_SCANS", 40)
    engine = common.prepare_database()
    from sqlmodel import Session

    with Session(engine, expire_on_commit=False) as session:
        seeded = common.seed_sale(session, quantity=n + 10)
        tickets = common.seed_paid_tickets(session, seeded, count=n)
        token = common.create_device(session, seeded, name="bench-gate")
        session_token = _owner(session, seeded)
    lat: list[float] = []
    misses = 0
    with common.app_server() as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium",
                                     args=CHROMIUM_ARGS + os.environ.get("E2E_CHROMIUM_ARGS", "").split())
        page = browser.new_context(base_url=base, viewport={"width": 1280, "height": 900}).new_page()
        page.set_default_timeout(30_000)
        # signed in the way the sign-in form does it: a session from accounts.sign_in in the session cookie
        page.context.add_cookies([{"name": "vg_session", "value": session_token, "url": base}])
        page.goto(f"/events/{seeded['event_id']}/live")
        try:
            page.wait_for_selector("#live-checked-in[data-value='0']")
        except Exception:
            raise RuntimeError("the live dashboard did not open: " + page.url + "\n" + page.inner_text("body")[:500]) from None
        common.log(f"dashboard open; {n} scans")
        with httpx.Client(base_url=base, timeout=30, headers={"Authorization": f"Bearer {token}"}) as client:
            for i, t in enumerate(tickets, start=1):
                time.sleep(random.uniform(0.0, 0.6))
                t0 = time.perf_counter()
                r = client.post("/api/v1/scanner/scans", json={"qr": t["qr"], "gate_code": "MAIN",
                                                                "client_scan_id": uuid.uuid4().hex})
                if r.status_code != 200 or r.json().get("result") != "accepted":
                    raise RuntimeError(f"scan {i} was not accepted: {r.status_code} {r.text[:200]}")
                try:
                    page.wait_for_function(
                        f"() => document.querySelector('#live-checked-in')?.getAttribute('data-value') === '{i}'",
                        polling="raf", timeout=10_000)
                    lat.append(time.perf_counter() - t0)
                except Exception:  # noqa: BLE001 - a miss is a figure, not a crash
                    misses += 1
        browser.close()
    common.emit({"bench": "dashboard", "scans": n, "seen": len(lat), "misses_over_10s": misses,
                 **common.percentiles(lat, (50, 95, 99)),
                 "max_ms": round(max(lat) * 1000, 1) if lat else None})
    return 0


if __name__ == "__main__":
    sys.exit(main())
