"""The fast QR path (``tickets.qr_render``): what the buyer sees and what the PDF prints still decode.

The on-screen SVG is parsed back into pixels independently of the code that wrote it (its path
grammar, not our run list) and decoded with zxing-cpp; PDFs are rasterised with pypdfium2 and decoded.
Payloads are real signed ticket strings (random keys and ids) plus other lengths and a byte-mode string,
so the version chosen once per length and the fixed mask are exercised beyond one sample.
"""

from __future__ import annotations

import base64
import os
import re
import uuid
from datetime import UTC, datetime, timedelta

import pypdfium2 as pdfium
import zxingcpp
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from PIL import Image

from tests.ticket_factories import make_paid_order_setup
from voelgoed.services.tickets import TicketDocument, qr_render, render_pdf, ticket_identity, ticket_views, tickets

_CMD = re.compile(r"M(\d+) (\d+)h(\d+)v1h-(\d+)z")


def _signed_payloads(n: int) -> list[str]:
    key = Ed25519PrivateKey.generate()
    now = datetime.now(UTC)
    return [ticket_identity.build_qr(key, key_id=os.urandom(4).hex(), ticket_id=uuid.uuid4(), event_id=uuid.uuid4(),
                                     ticket_type_id=uuid.uuid4(), valid_from=now, valid_until=now + timedelta(days=1))
            for _ in range(n)]


def _svg_to_image(svg: str, scale: int = 6) -> Image.Image:
    """Paint the SVG's single path (``M x y h n v1 h-n z`` rectangles) on a white square, ``scale`` px a module."""
    (size,) = {int(v) for v in re.search(r'viewBox="0 0 (\d+) (\d+)"', svg).groups()}
    d = re.search(r'<path fill="#000" d="([^"]*)"', svg).group(1)
    commands = _CMD.findall(d)
    assert _CMD.sub("", d) == "", "the path holds only run rectangles"
    img = Image.new("L", (size * scale, size * scale), 255)
    px = img.load()
    for x, y, n, back in commands:
        assert n == back
        for cx in range(int(x), int(x) + int(n)):
            for sx in range(cx * scale, (cx + 1) * scale):
                for sy in range(int(y) * scale, (int(y) + 1) * scale):
                    px[sx, sy] = 0
    return img


def _doc(payload: str, status: str = "valid") -> TicketDocument:
    return TicketDocument(
        ticket_id=uuid.uuid4(), version=1, status=status, event_name="Summer Sounds Joburg",
        starts_local="Saturday 12 December 2026 · 18:00", ends_local="Sunday 13 December 2026 · 00:00",
        timezone="Africa/Johannesburg", venue_name="Mary Fitzgerald Square", venue_address="Newtown, Johannesburg",
        gates="Main Gate (MAIN)", ticket_type="General Admission", holder_name="Thandi Mokoena",
        ticket_code="K7Q9M3XZ2A", order_code="VG-7K3Q9M", organiser="Jozi Live", qr_payload=payload)


def test_ticket_payloads_are_version_8_and_the_svg_decodes_to_the_payload():
    for payload in _signed_payloads(12):
        matrix = qr_render.qr_matrix(payload)
        assert len(matrix) == 49 and all(len(row) == 49 for row in matrix)  # version 8 (4·8 + 17 modules)
        svg = base64.b64decode(ticket_views.qr_svg_data_uri(payload).split(",", 1)[1]).decode("ascii")
        (found,) = zxingcpp.read_barcodes(_svg_to_image(svg))
        assert found.text == payload
        assert found.ec_level == "M"


def test_other_lengths_and_byte_mode_choose_their_own_version_and_decode():
    for payload, modules in (("VG1:SHORT", 21), ("A" * 300, 4 * 10 + 17), ("bytes? yes — é ü " * 4, None)):
        matrix = qr_render.qr_matrix(payload)
        if modules:
            assert len(matrix) == modules
        (found,) = zxingcpp.read_barcodes(_svg_to_image(qr_render.svg(payload)))
        assert found.text == payload


def test_the_same_payload_is_built_once():
    (payload,) = _signed_payloads(1)
    before = qr_render.qr_matrix.cache_info()
    first = ticket_views.qr_svg_data_uri(payload)
    for _ in range(5):
        assert ticket_views.qr_svg_data_uri(payload) is first
    after = qr_render.qr_matrix.cache_info()
    assert after.misses - before.misses == 1


def test_every_pdf_page_decodes_including_a_voided_ticket():
    payloads = _signed_payloads(6)
    docs = [_doc(p, status="voided" if i == 5 else "valid") for i, p in enumerate(payloads)]
    pdf = pdfium.PdfDocument(render_pdf(docs))
    assert len(pdf) == 6
    for page, payload in zip(pdf, payloads, strict=True):
        texts = [r.text for r in zxingcpp.read_barcodes(page.render(scale=1.5).to_pil())]
        assert texts == [payload]
        assert "VG-7K3Q9M" in page.get_textpage().get_text_range()


def test_buyer_order_page_builds_each_qr_once_and_it_decodes(db):
    org, event, tt, order = make_paid_order_setup(db, quantity=3)
    issued = tickets.issue_for_order(db, order)
    db.commit()
    first = ticket_views.buyer_order_page(db, order_code=order.order_code, access_token=order.access_token)
    assert [t["ticket_code"] for t in first["tickets"]] == [t.ticket_code for t in issued]
    assert all(t["pdf_url"].startswith(f"/api/v1/public/orders/{order.order_code}/tickets/") for t in first["tickets"])
    before = qr_render.qr_matrix.cache_info().misses
    for _ in range(3):
        again = ticket_views.buyer_order_page(db, order_code=order.order_code, access_token=order.access_token)
        assert again == first
    assert qr_render.qr_matrix.cache_info().misses == before  # repeat views render no QR
    for shown, ticket in zip(first["tickets"], issued, strict=True):
        svg = base64.b64decode(shown["qr_svg"].split(",", 1)[1]).decode("ascii")
        (found,) = zxingcpp.read_barcodes(_svg_to_image(svg))
        assert found.text == ticket.qr_payload
