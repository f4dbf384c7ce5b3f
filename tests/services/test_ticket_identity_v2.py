"""The seated QR format VG2 (issue 12, item 4): the test vectors as published in docs/ticket-identity.md,
VG1 still verifying next to it, malformed seat blocks (correctly signed) refused, label limits, and issued
seated tickets signed VG2 with their event seat's labels."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from pathlib import Path

import base45
import pytest
import qrcode
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlmodel import select

from tests.seated_factories import seated_event
from tests.services.test_ticket_identity import EXPECTED_QR, FIELDS, KEYS, SEED
from voelgoed.models import EventSeat, Ticket
from voelgoed.services import seating
from voelgoed.services.sales import checkout, orders
from voelgoed.services.tickets import SeatLabels
from voelgoed.services.tickets import ticket_identity as ti

DOC = Path(__file__).resolve().parents[2] / "docs" / "ticket-identity.md"


def _doc_vectors() -> dict:
    """The VG2 vectors exactly as the document publishes them (table cells and the three code blocks)."""
    text = DOC.read_text(encoding="utf-8")
    part = text[text.index("### VG2 test vectors"):]
    part = part[:part.index("\n## ")]
    cells = dict(re.findall(r"^\| (section|row|seat) \| `([^`]*)` \|$", part, re.M))
    blocks = re.findall(r"```\n(.*?)\n```", part, re.S)
    assert len(blocks) == 3 and set(cells) == {"section", "row", "seat"}
    return {"seat": SeatLabels(cells["section"], cells["row"], cells["seat"]), "payload": blocks[0],
            "signature": blocks[1], "qr": blocks[2]}


def _key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(SEED)


def _signed(payload: bytes, prefix: str = "VG2:") -> str:
    """A string whose signature is genuine for ``payload`` (to show the seat block itself is checked)."""
    return prefix + base45.b45encode(payload + _key().sign(payload)).decode()


def test_the_documented_vectors_are_what_the_code_builds_and_verifies():
    v = _doc_vectors()
    qr = ti.build_qr(_key(), **FIELDS, seat=v["seat"])
    assert qr == v["qr"]
    raw = base45.b45decode(qr[4:])
    assert raw[:-64].hex() == v["payload"] and raw[-64:].hex() == v["signature"]
    assert len(raw) == 61 + 3 + len("North Stand") + 1 + 2 + 64 and qr.startswith("VG2:") and len(qr) == 217
    verified = ti.verify(v["qr"], KEYS)
    assert verified is not None and verified.seat == SeatLabels("North Stand", "K", "17") and verified.version == 2
    assert (verified.ticket_id, verified.event_id, verified.ticket_type_id) == (
        FIELDS["ticket_id"], FIELDS["event_id"], FIELDS["ticket_type_id"])
    assert verified.valid_from == FIELDS["valid_from"] and verified.valid_until == FIELDS["valid_until"]
    # the document's payload is the VG1 payload with version 2 and the seat appended
    vg1_payload = base45.b45decode(EXPECTED_QR[4:])[:61]
    assert bytes.fromhex(v["payload"]) == b"\x02" + vg1_payload[1:] + ti.seat_block(v["seat"])


def test_vg1_still_verifies_and_carries_no_seat():
    v1 = ti.verify(EXPECTED_QR, KEYS)
    assert v1 is not None and v1.seat is None and v1.version == 1
    assert ti.build_qr(_key(), **FIELDS) == EXPECTED_QR
    assert ti.build_qr(_key(), **FIELDS, seat=SeatLabels()) == EXPECTED_QR  # an empty seat is no seat
    assert ti.decode_unverified(EXPECTED_QR)["seat"] is None


def test_typical_seated_qr_stays_at_version_8_and_the_longest_fits_the_limits():
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M)
    qr.add_data(_doc_vectors()["qr"])
    qr.make(fit=True)
    assert qr.version == 8
    longest = ti.build_qr(_key(), **FIELDS, seat=SeatLabels("S" * 60, "R" * 40, "é" * 40))
    assert len(longest) == 4 + (64 + 120 + 64) // 2 * 3 <= ti.MAX_QR_CHARS
    seat = ti.verify(longest, KEYS).seat
    assert seat.section == "S" * 40 and seat.row == "R" * 40 and seat.seat == "é" * 20  # cut at a character boundary


def test_a_tampered_seat_or_prefix_is_refused():
    qr = _doc_vectors()["qr"]
    raw = bytearray(base45.b45decode(qr[4:]))
    at = raw.index(b"North")
    raw[at] = ord("S")  # "Sorth Stand": the signature no longer matches
    assert ti.verify("VG2:" + base45.b45encode(bytes(raw)).decode(), KEYS) is None
    assert ti.verify("VG1:" + qr[4:], KEYS) is None  # a VG2 body under the VG1 prefix
    assert ti.verify("VG2:" + EXPECTED_QR[4:], KEYS) is None  # a VG1 body under the VG2 prefix
    assert ti.verify(qr + "00", KEYS) is None


@pytest.mark.parametrize("block", [
    b"",                                   # no seat block
    b"\x00\x00\x00",                       # all labels empty
    b"\x29" + b"A" * 41 + b"\x00\x00",     # a label over 40 bytes
    b"\x01A\x01B",                         # only two labels
    b"\x01A\x01B\x01C\x00",                # a byte after the third label
    b"\x05A\x00\x00",                      # a length running past the end
    b"\x02\xff\xfe\x00\x00",               # not UTF-8
])
def test_a_malformed_seat_block_is_refused_even_when_signed(block):
    head = ti.build_qr(_key(), **FIELDS)  # VG1 fields; re-version them as 2 with the bad block
    payload = b"\x02" + base45.b45decode(head[4:])[1:61] + block
    assert ti.verify(_signed(payload), KEYS) is None
    assert ti.decode_unverified(_signed(payload)) is None


def test_an_issued_seated_ticket_is_vg2_with_its_event_seats_labels(db):
    event, _, _ = seated_event(db, rows=(("A", 6),))
    hold = seating.hold_seats(db, event_slug=event.slug, seat_keys=["A-4"])
    order = checkout.start_checkout(db, hold_id=hold["hold_token"], buyer_name="Thandi", buyer_email="t@example.co.za")
    pay = checkout.payment_for_order(db, order)
    orders.mark_paid(db, reference=pay.reference, amount_cents=20000, currency="ZAR", provider="sandbox")
    ticket = db.exec(select(Ticket).where(Ticket.order_id == order.id)).one()
    seat = db.exec(select(EventSeat).where(EventSeat.event_id == event.id, EventSeat.seat_key == "A-4")).one()
    assert ticket.seat_id == seat.id and ticket.qr_payload.startswith("VG2:")
    verified = ti.verify(ticket.qr_payload, ti.public_key_map(db, event.id))
    assert verified is not None and verified.ticket_id == ticket.id
    assert verified.seat == SeatLabels("Stalls", "A", "4")


def test_labels_over_the_limit_never_break_a_character():
    for text in ("ä" * 30, "€" * 20, "a" + "😀" * 12):
        raw = ti.seat_block(SeatLabels(text, "", ""))
        kept = raw[1:1 + raw[0]].decode("utf-8")  # raises if a character was cut
        assert raw[0] <= ti.SEAT_LABEL_MAX_BYTES and text.startswith(kept) and len(kept.encode()) > 36


def test_uuid_and_times_unchanged_between_formats():
    other = dict(FIELDS, ticket_id=uuid.uuid4(), valid_until=datetime(2027, 1, 1, tzinfo=UTC))
    qr = ti.build_qr(_key(), **other, seat=SeatLabels(row="B", seat="2"))
    v = ti.verify(qr, KEYS)
    assert v.ticket_id == other["ticket_id"] and v.valid_until == other["valid_until"]
    assert v.seat.label == "Row B · Seat 2"
