"""Ticket identity and documents, CPU cost per ticket (no server, no database).

Figures: QR signing (Ed25519 + base45, including decrypting the event key as issuance does),
verification (valid and garbage), the on-screen SVG QR, and the one-page PDF render (reportlab).
QR and PDF figures are CPU milliseconds (``time.process_time``) per distinct ticket (a fresh payload
each time: nothing comes from a cache), next to the old way measured in the same run —
``qrcode``'s ``make(fit=True)`` (version search + all 8 masks) with its ``SvgPathImage``, and
reportlab's ``QrCodeWidget`` (its own mask search, one widget per dark module) on ASCII85 streams —
and their ratios. ``svg_qr_cached_ms`` is a repeat view of the same tickets (the order page's case).
Branding (issue 15): ``pdf_page_logo`` is a branded page (colours + a drawn 480 × 160 logo, re-encoded as at upload) in
the steady state (the logo converted once per process, ``tickets.brand_pdf``), ``pdf_page_logo_uncached`` the same
page when every page has to convert the logo again (what the cache saves).
``seated``: the same figures for seated tickets (issue 12: ``VG2:`` strings with section/row/seat labels,
and the PDF page with the seat band), measured in the same run next to the general-admission ones.
Env: TICKETS_N (2000 signatures/verifications), TICKETS_PDF_N (50 PDFs). Prints one JSON line.
"""

from __future__ import annotations

import base64
import dataclasses
import io
import json
import os
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import qrcode  # noqa: E402
import qrcode.image.svg  # noqa: E402
from cryptography.hazmat.primitives import serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # noqa: E402
from PIL import Image, ImageDraw  # noqa: E402
from reportlab import rl_config  # noqa: E402
from reportlab.graphics import renderPDF  # noqa: E402
from reportlab.graphics.barcode.qr import QrCodeWidget  # noqa: E402
from reportlab.graphics.shapes import Drawing  # noqa: E402

from voelgoed.models import EventSigningKey  # noqa: E402
from voelgoed.services.accounts import process_logo  # noqa: E402
from voelgoed.services.tickets import SeatLabels, documents, qr_render, ticket_identity, ticket_views  # noqa: E402


def _rate(n: int, seconds: float) -> float:
    return round(n / seconds, 1) if seconds else 0.0


def old_svg_data_uri(payload: str) -> str:
    """The on-screen QR as it was built before issue 16 (``ticket_views.qr_svg_data_uri`` then, uncached)."""
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4,
                       image_factory=qrcode.image.svg.SvgPathImage)
    qr.add_data(payload)
    qr.make(fit=True)
    buf = io.BytesIO()
    qr.make_image(attrib={"style": "background:#ffffff"}).save(buf)
    return "data:image/svg+xml;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def old_draw_pdf(c, payload: str, x: float, y: float, size: float, border: int = 4) -> None:
    """The PDF's QR as it was drawn before issue 16 (reportlab's widget)."""
    widget = QrCodeWidget(payload, barLevel="M", barBorder=border)
    widget.barWidth = widget.barHeight = size
    drawing = Drawing(size, size)
    drawing.add(widget)
    renderPDF.draw(drawing, c, x, y)


def old_render_pdf(docs) -> bytes:
    """``documents.render_pdf`` with the old QR drawing and reportlab's default ASCII85 streams."""
    fast, a85 = qr_render.draw_pdf, rl_config.useA85
    qr_render.draw_pdf, rl_config.useA85 = old_draw_pdf, 1
    try:
        return documents.render_pdf(docs)
    finally:
        qr_render.draw_pdf, rl_config.useA85 = fast, a85


def _logo_png() -> bytes:
    """A typical 480 × 160 logo: a mark and a word mark on transparency."""
    image = Image.new("RGBA", (480, 160), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((10, 10, 150, 150), fill=(220, 20, 60, 255))
    draw.rectangle((170, 50, 460, 110), fill=(11, 110, 79, 255))
    draw.text((185, 62), "JOZI LIVE", fill=(255, 255, 255, 255), font_size=36)
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()


def cpu_ms(fn, items) -> float:
    """CPU milliseconds per item of ``fn(item)``."""
    t0 = time.process_time()
    for item in items:
        fn(item)
    return round(1000 * (time.process_time() - t0) / max(len(items), 1), 3)


def _seated(key, keys: dict, fields: dict, doc, n: int, pdf_n: int) -> dict:
    """VG2 signing / verification rates and the seated QR / PDF CPU cost (fresh payloads, as above)."""
    seat = SeatLabels("North Stand", "K", "17")
    t0 = time.perf_counter()
    qrs = [ticket_identity.build_qr(ticket_identity.load_private_key(key), ticket_id=uuid.uuid4(), seat=seat, **fields)
           for _ in range(n)]
    sign_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    ok = sum(ticket_identity.verify(q, keys) is not None for q in qrs)
    verify_s = time.perf_counter() - t0
    docs = [dataclasses.replace(doc, ticket_id=uuid.uuid4(), qr_payload=q, seat=seat) for q in qrs[2 * pdf_n:3 * pdf_n]]
    documents.render_pdf([docs[-1]])
    return {"qr_chars": len(qrs[0]), "qr_version_at_M": (len(qr_render.qr_matrix(qrs[-1])) - 17) // 4,
            "sign_per_s": _rate(n, sign_s), "verify_per_s": _rate(n, verify_s), "verified": ok,
            "cpu_ms_per_ticket": {"svg_qr": cpu_ms(ticket_views.qr_svg_data_uri, qrs[:pdf_n]),
                                  "pdf_page": cpu_ms(lambda d: documents.render_pdf([d]), docs)}}


def main() -> None:
    n = int(os.environ.get("TICKETS_N", "2000"))
    pdf_n = int(os.environ.get("TICKETS_PDF_N", "50"))
    n = max(n, 6 * pdf_n + 1)
    private = Ed25519PrivateKey.generate()
    seed = private.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())
    event_id = uuid.uuid4()
    key = EventSigningKey(organization_id=uuid.uuid4(), event_id=event_id, key_id="0a1b2c3d", public_key="",
                          private_key_encrypted=ticket_identity.encrypt_private_key(seed, key_id="0a1b2c3d", event_id=event_id))
    pub = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    now = datetime.now(UTC)
    fields = dict(key_id="0a1b2c3d", event_id=event_id, ticket_type_id=uuid.uuid4(), valid_from=now,
                  valid_until=now + timedelta(days=2))

    t0 = time.perf_counter()
    qrs = [ticket_identity.build_qr(ticket_identity.load_private_key(key), ticket_id=uuid.uuid4(), **fields) for _ in range(n)]
    sign_s = time.perf_counter() - t0
    keys = {"0a1b2c3d": pub}
    t0 = time.perf_counter()
    ok = sum(ticket_identity.verify(q, keys) is not None for q in qrs)
    verify_s = time.perf_counter() - t0
    garbage = [q[:50] + ("A" if q[50] != "A" else "B") + q[51:] for q in qrs]  # one tampered character
    t0 = time.perf_counter()
    bad = sum(ticket_identity.verify(q, keys) is None for q in garbage)
    garbage_s = time.perf_counter() - t0

    docs = [documents.TicketDocument(
        ticket_id=uuid.uuid4(), version=1, status="valid", event_name="Summer Sounds Joburg",
        starts_local="Saturday 12 December 2026 · 18:00", ends_local="Sunday 13 December 2026 · 00:00",
        timezone="Africa/Johannesburg", venue_name="Mary Fitzgerald Square", venue_address="Newtown, Johannesburg",
        gates="Main Gate (MAIN)", ticket_type="General Admission", holder_name="Thandi Mokoena",
        ticket_code="K7Q9M3XZ2A", order_code="VG-7K3Q9M", organiser="Jozi Live", qr_payload=q) for q in qrs[:6 * pdf_n]]
    # warm both paths once (imports, font metrics), then measure each on payloads it has never seen
    ticket_views.qr_svg_data_uri(qrs[-1]), old_svg_data_uri(qrs[-1])
    documents.render_pdf([docs[-1]]), old_render_pdf([docs[-1]])
    svg_old = cpu_ms(old_svg_data_uri, qrs[:pdf_n])
    svg_new = cpu_ms(ticket_views.qr_svg_data_uri, qrs[pdf_n:2 * pdf_n])
    svg_cached = cpu_ms(ticket_views.qr_svg_data_uri, qrs[pdf_n:2 * pdf_n])
    matrix_ms = cpu_ms(qr_render.qr_matrix, qrs[2 * pdf_n:3 * pdf_n])
    sizes: dict[str, int] = {}
    pdf_old = cpu_ms(lambda d: sizes.setdefault("old", len(old_render_pdf([d]))), docs[:pdf_n])
    pdf_new = cpu_ms(lambda d: sizes.setdefault("new", len(documents.render_pdf([d]))), docs[3 * pdf_n:4 * pdf_n])
    logo = process_logo(_logo_png())
    branded = [dataclasses.replace(d, brand_primary="#0B6E4F", brand_accent="#7A1FA2", logo_sha=logo.sha256,
                                   logo_png=logo.png) for d in docs[4 * pdf_n:6 * pdf_n]]
    documents.render_pdf([branded[-1]])  # the first page of this logo converts it (once per process)
    pdf_logo = cpu_ms(lambda d: sizes.setdefault("logo", len(documents.render_pdf([d]))), branded[:pdf_n])
    uncached = [dataclasses.replace(d, logo_sha=f"{logo.sha256}-{i}") for i, d in enumerate(branded[pdf_n:])]
    pdf_logo_uncached = cpu_ms(lambda d: documents.render_pdf([d]), uncached)
    seated = _seated(key, keys, fields, docs[0], n, pdf_n)
    print(json.dumps({
        "bench": "tickets", "qr_chars": len(qrs[0]), "qr_version_at_M": (len(qr_render.qr_matrix(qrs[0])) - 17) // 4,
        "qr_mask": qr_render.MASK_PATTERN,
        "sign_per_s": _rate(n, sign_s), "verify_per_s": _rate(n, verify_s), "verified": ok,
        "garbage_verify_per_s": _rate(n, garbage_s), "garbage_rejected": bad,
        "cpu_ms_per_ticket": {
            "svg_qr": svg_new, "svg_qr_old": svg_old, "svg_qr_ratio_old_to_new": round(svg_old / max(svg_new, 1e-6), 1),
            "svg_qr_cached": svg_cached, "qr_matrix": matrix_ms,
            "pdf_page": pdf_new, "pdf_page_old": pdf_old, "pdf_ratio_old_to_new": round(pdf_old / max(pdf_new, 1e-6), 1),
            "pdf_page_logo": pdf_logo, "pdf_page_logo_uncached": pdf_logo_uncached,
        },
        "pdf_bytes": sizes["new"], "pdf_bytes_old": sizes["old"], "pdf_bytes_logo": sizes["logo"],
        "seated": seated,
        "machine": {"cpus": os.cpu_count(), "loadavg": [round(x, 2) for x in os.getloadavg()]},
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
    }))


if __name__ == "__main__":
    main()
