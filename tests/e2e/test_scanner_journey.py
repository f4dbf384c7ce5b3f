"""Door journey in real Chromium with a fake camera fed from the ticket's real PDF.

Phone A (online) pairs with a code, scans ticket 1 through the camera → accepted, then the same
ticket again → already_scanned. Phone B (a SECOND Chromium, its camera showing ticket 2's PDF QR)
pairs online, then goes offline and scans ticket 2 → accepted locally (Ed25519 verified in the
browser with WebCrypto), queued in IndexedDB; ticket 1's code typed by hand → already_scanned
locally; a reload with no network is served by the service worker and keeps pairing and queue;
back online it syncs → the server has the scan.
A third context, an organiser on the live dashboard, sees the check-in count go 0 → 1 → 2 without
reloading.
"""

from __future__ import annotations

import re
import shutil
from datetime import timedelta
from pathlib import Path

import pypdfium2 as pdfium
import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import expect
from sqlmodel import select

from tests.e2e.conftest import CHROMIUM_ARGS
from tests.factories import make_event, make_org, make_ticket_type, make_user
from tests.scan_factories import make_order_with_tickets
from voelgoed.models import Order, Scan, Ticket
from voelgoed.services.gate import devices
from voelgoed.services.platform import Actor, TenantContext
from voelgoed.services.tickets import documents

PHONE = {"width": 390, "height": 844}
PASSWORD = "correct horse battery"


def qr_image_from_pdf(session, order: Order, ticket: Ticket) -> Image.Image:
    """Render the ticket's real PDF (pypdfium2) and crop around the QR that zxing-cpp finds on it."""
    pdf = documents.render_pdf(documents.ticket_documents(session, order, [ticket]))
    page = pdfium.PdfDocument(pdf)[0].render(scale=3).to_pil().convert("L")
    found = [r for r in zxingcpp.read_barcodes(page) if r.text == ticket.qr_payload]
    assert found, "the ticket PDF must carry a scannable QR"
    pos = found[0].position
    xs = [pos.top_left.x, pos.top_right.x, pos.bottom_left.x, pos.bottom_right.x]
    ys = [pos.top_left.y, pos.top_right.y, pos.bottom_left.y, pos.bottom_right.y]
    pad = (max(xs) - min(xs)) // 6
    return page.crop((min(xs) - pad, min(ys) - pad, max(xs) + pad, max(ys) + pad))


def write_y4m(image: Image.Image, path: Path, *, width: int = 640, height: int = 480, frames: int = 6) -> Path:
    """YUV4MPEG2 (4:2:0) frames of ``image`` centred on white — Chromium's fake camera input format."""
    canvas = Image.new("RGB", (width, height), "white")
    side = min(width, height) - 40
    qr = image.convert("RGB").resize((side, side), Image.NEAREST)
    canvas.paste(qr, ((width - side) // 2, (height - side) // 2))
    y, cb, cr = canvas.convert("YCbCr").split()
    half = (width // 2, height // 2)
    frame = b"FRAME\n" + y.tobytes() + cb.resize(half).tobytes() + cr.resize(half).tobytes()
    with open(path, "wb") as f:
        f.write(f"YUV4MPEG2 W{width} H{height} F5:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            f.write(frame)
    return path


def camera_browser(playwright_instance, y4m: Path):
    return playwright_instance.chromium.launch(
        executable_path=shutil.which("chromium") or "/usr/bin/chromium",
        args=CHROMIUM_ARGS + ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                              f"--use-file-for-fake-video-capture={y4m}", "--autoplay-policy=no-user-gesture-required"])


def phone(browser, base_url: str):
    context = browser.new_context(base_url=base_url, viewport=PHONE, has_touch=True,
                                  permissions=["camera"])
    page = context.new_page()
    page.set_default_timeout(30_000)
    return context, page


def pair(page, code: str) -> None:
    page.goto("/scan")
    page.fill("#vg-pair-code", code)
    page.click("#vg-pair-btn")
    expect(page.locator("#vg-start")).to_be_visible()
    expect(page.locator("#vg-net")).to_have_text("Online")


@pytest.mark.e2e
def test_scanner_online_offline_and_live_dashboard(live_app, app_db, playwright_instance, browser, tmp_path):
    expect.set_options(timeout=30_000)
    org = make_org(app_db)
    owner = make_user(app_db, org=org, role="owner", password=PASSWORD)
    event = make_event(app_db, org, starts_in=timedelta(hours=-1))
    tt = make_ticket_type(app_db, event, name="General Admission")
    order, tickets = make_order_with_tickets(app_db, tt, quantity=2, holder_name="Lerato Dlamini")
    app_db.commit()
    ctx = TenantContext(organization_id=org.id, actor=Actor("user", str(owner.id)), role="owner")
    _dev_a, _tok_a, code_a = devices.create_device(app_db, ctx, event_id=event.id, name="Phone A", gate_code="MAIN")
    _dev_b, _tok_b, code_b = devices.create_device(app_db, ctx, event_id=event.id, name="Phone B")
    y4m_1 = write_y4m(qr_image_from_pdf(app_db, order, tickets[0]), tmp_path / "ticket1.y4m")
    y4m_2 = write_y4m(qr_image_from_pdf(app_db, order, tickets[1]), tmp_path / "ticket2.y4m")

    # the organiser opens the live dashboard (its own context) before the doors open
    dash_ctx = browser.new_context(base_url=live_app, viewport={"width": 1280, "height": 900})
    dash = dash_ctx.new_page()
    dash.set_default_timeout(30_000)
    dash.goto(f"/events/{event.id}/live")
    expect(dash).to_have_url(re.compile(r"/signin"))
    dash.fill("#email", owner.email)
    dash.fill("#password", PASSWORD)
    dash.click("#signin-submit")
    expect(dash).to_have_url(re.compile(f"/events/{event.id}/live"))
    checked_in = dash.locator("#live-checked-in")
    expect(checked_in).to_have_attribute("data-value", "0")

    cam_a = camera_browser(playwright_instance, y4m_1)
    cam_b = camera_browser(playwright_instance, y4m_2)
    try:
        # phone A, online: accepted, then the same ticket again → already_scanned
        _ca, a = phone(cam_a, live_app)
        pair(a, code_a)
        a.click("#vg-start")
        expect(a.locator('#vg-history li[data-result="accepted"]')).to_have_count(1)
        expect(a.locator('#vg-history li[data-result="accepted"][data-offline="false"]')).to_have_count(1)
        expect(a.locator('#vg-history li[data-result="already_scanned"]').first).to_be_visible()
        expect(a.locator("#vg-gate-count")).to_have_text("1")
        expect(checked_in).to_have_attribute("data-value", "1")  # pushed to the dashboard, no reload
        app_db.expire_all()
        assert app_db.get(Ticket, tickets[0].id).status == "checked_in"

        # phone B pairs online, then loses the network and scans ticket 2 from its camera
        ctx_b, b = phone(cam_b, live_app)
        pair(b, code_b)
        ctx_b.set_offline(True)
        expect(b.locator("#vg-net")).to_have_text("Offline")
        b.click("#vg-start")
        expect(b.locator('#vg-history li[data-result="accepted"][data-offline="true"]')).to_have_count(1)
        expect(b.locator("#vg-pending-pill")).not_to_have_attribute("data-pending", "0")
        app_db.expire_all()
        assert app_db.get(Ticket, tickets[1].id).status == "valid"  # the server does not know yet
        # still offline: ticket 1's code typed by hand → already in (from the manifest), decided locally
        b.click("#vg-manual-open")
        b.fill("#vg-manual-code", tickets[0].ticket_code.lower())
        b.click("#vg-manual-submit")
        expect(b.locator('#vg-history li[data-result="already_scanned"][data-offline="true"]').first).to_be_visible()
        # a reload without network: the service worker serves the shell, IndexedDB keeps pairing + queue
        b.reload()
        expect(b.locator("#vg-start")).to_be_visible()
        expect(b.locator("#vg-net")).to_have_text("Offline")
        expect(b.locator("#vg-pending-pill")).not_to_have_attribute("data-pending", "0")
        # back online: the queue is uploaded and emptied
        ctx_b.set_offline(False)
        expect(b.locator("#vg-pending-pill")).to_have_attribute("data-pending", "0", timeout=30_000)
        app_db.expire_all()
        scans = app_db.exec(select(Scan).where(Scan.ticket_id == tickets[1].id)).all()
        assert [s.result for s in scans if s.result == "accepted"] == ["accepted"]
        assert all(s.offline for s in scans)
        assert app_db.get(Ticket, tickets[1].id).status == "checked_in"
        expect(checked_in).to_have_attribute("data-value", "2")
    except Exception:
        for ctx_, name in ((cam_a, "a"), (cam_b, "b")):
            for c in ctx_.contexts:
                for p in c.pages:
                    p.screenshot(path=str(tmp_path / f"scanner_failure_{name}.png"))
        raise
    finally:
        cam_a.close()
        cam_b.close()
        dash_ctx.close()
