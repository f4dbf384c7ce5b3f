"""Ticket identity and documents, CPU cost per ticket (no server, no database).

Figures: QR signing (Ed25519 + base45, including decrypting the event key as issuance does),
verification (valid and garbage), the on-screen SVG QR, and the one-page PDF render (reportlab).
Env: TICKETS_N (2000 signatures/verifications), TICKETS_PDF_N (50 PDFs). Prints one JSON line.
"""

from __future__ import annotations

import json
import os
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import qrcode  # noqa: E402
from cryptography.hazmat.primitives import serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # noqa: E402

from voelgoed.models import EventSigningKey  # noqa: E402
from voelgoed.services.tickets import documents, ticket_identity, ticket_views  # noqa: E402


def _rate(n: int, seconds: float) -> float:
    return round(n / seconds, 1) if seconds else 0.0


def main() -> None:
    n = int(os.environ.get("TICKETS_N", "2000"))
    pdf_n = int(os.environ.get("TICKETS_PDF_N", "50"))
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

    t0 = time.perf_counter()
    for q in qrs[:pdf_n]:
        ticket_views.qr_svg_data_uri(q)
    svg_s = time.perf_counter() - t0
    doc = documents.TicketDocument(
        ticket_id=uuid.uuid4(), version=1, status="valid", event_name="Summer Sounds Joburg",
        starts_local="Saturday 12 December 2026 · 18:00", ends_local="Sunday 13 December 2026 · 00:00",
        timezone="Africa/Johannesburg", venue_name="Mary Fitzgerald Square", venue_address="Newtown, Johannesburg",
        gates="Main Gate (MAIN)", ticket_type="General Admission", holder_name="Thandi Mokoena",
        ticket_code="K7Q9M3XZ2A", order_code="VG-7K3Q9M", organiser="Jozi Live", qr_payload=qrs[0])
    t0 = time.perf_counter()
    sizes = [len(documents.render_pdf([doc])) for _ in range(pdf_n)]
    pdf_s = time.perf_counter() - t0
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M)
    qr.add_data(qrs[0])
    qr.make(fit=True)
    print(json.dumps({
        "benchmark": "tickets", "qr_chars": len(qrs[0]), "qr_version_at_M": qr.version,
        "sign_per_s": _rate(n, sign_s), "verify_per_s": _rate(n, verify_s), "verified": ok,
        "garbage_verify_per_s": _rate(n, garbage_s), "garbage_rejected": bad,
        "svg_qr_ms": round(1000 * svg_s / pdf_n, 2), "pdf_page_ms": round(1000 * pdf_s / pdf_n, 2),
        "pdf_bytes": sizes[0],
    }))


if __name__ == "__main__":
    main()
