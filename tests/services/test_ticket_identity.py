"""The VG1 QR format: published test vectors, QR size, tampering and garbage (docs/ticket-identity.md)."""

from __future__ import annotations

import base64
import uuid
from datetime import UTC, datetime

import base45
import pytest
import qrcode
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tests.ticket_factories import make_paid_order_setup
from voelgoed.services.tickets import ticket_identity as ti
from voelgoed.services.tickets import tickets

SEED = bytes(range(32))
PUBLIC_HEX = "03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8"
PUBLIC_B64 = "A6EHv_POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg"
FIELDS = dict(
    key_id="0a1b2c3d",
    ticket_id=uuid.UUID("11111111-2222-4333-8444-555555555555"),
    event_id=uuid.UUID("66666666-7777-4888-9999-aaaaaaaaaaaa"),
    ticket_type_id=uuid.UUID("bbbbbbbb-cccc-4ddd-aeee-ffffffffffff"),
    valid_from=datetime(2026, 12, 1, 8, 0, tzinfo=UTC),
    valid_until=datetime(2026, 12, 13, 4, 0, tzinfo=UTC),
)
PAYLOAD_HEX = ("010a1b2c3d1111111122224333844455555555555566666666777748889999aaaaaaaaaaaa"
               "bbbbbbbbcccc4dddaeeeffffffffffff6b0e7e806b1e1840")
SIGNATURE_HEX = ("5afbf21347654b4d6fa55cca04835820141d653533ae3e25d64760e3cecea7fa"
                 "34ec65c58d5606178e636e768faf3823bb2d3d4472964f0f988d98cd03bdb206")
EXPECTED_QR = ("VG1:-50QJ3IW7472L72-E43N6XS8KZAKZA$ZAO.C-.CQ3F4CH8JJ+PL+PLCQL:WNGXNB$P51SS9UFGWFGW2DWK$1PAG9 "
               "3468D%VUJ2B CNZ9W+KBOP9RGM24AW3TW6B1MBZ4219/ZSS5QHSV$*T%/OH*A0:2TPCL:E 6MCN4GW5HT840JW/1N+HD-P7:N60")
KEYS = {"0a1b2c3d": PUBLIC_B64}


def _key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(SEED)


def test_vector_matches_the_document():
    pub = _key().public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    assert pub.hex() == PUBLIC_HEX
    assert base64.urlsafe_b64encode(pub).decode().rstrip("=") == PUBLIC_B64
    qr = ti.build_qr(_key(), **FIELDS)
    assert qr == EXPECTED_QR
    raw = base45.b45decode(qr[4:])
    assert raw[:61].hex() == PAYLOAD_HEX and raw[61:].hex() == SIGNATURE_HEX
    doc = (ti.__file__.rsplit("/voelgoed/", 1)[0] + "/docs/ticket-identity.md")
    text = open(doc, encoding="utf-8").read()
    for value in (EXPECTED_QR, PAYLOAD_HEX, SIGNATURE_HEX, PUBLIC_B64, PUBLIC_HEX):
        assert value in text


def test_vector_verifies_with_raw_and_base64_keys():
    for keys in (KEYS, {"0a1b2c3d": bytes.fromhex(PUBLIC_HEX)}):
        v = ti.verify(EXPECTED_QR, keys)
        assert v is not None
        assert (v.ticket_id, v.event_id, v.ticket_type_id, v.key_id) == (
            FIELDS["ticket_id"], FIELDS["event_id"], FIELDS["ticket_type_id"], "0a1b2c3d")
        assert v.valid_from == FIELDS["valid_from"] and v.valid_until == FIELDS["valid_until"]
        assert v.is_valid_at(datetime(2026, 12, 5, tzinfo=UTC))
        assert not v.is_valid_at(datetime(2026, 12, 14, tzinfo=UTC))


def test_fits_qr_version_8_at_level_m():
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M)
    qr.add_data(EXPECTED_QR)
    qr.make(fit=True)
    assert qr.version <= 8


def _flip(qr: str, index: int) -> str:
    alphabet = base45.BASE45_CHARSET
    ch = qr[index]
    replacement = alphabet[(alphabet.index(ch) + 1) % 45]
    return qr[:index] + replacement + qr[index + 1:]


def test_every_single_character_tamper_is_rejected():
    for i in range(4, len(EXPECTED_QR)):
        assert ti.verify(_flip(EXPECTED_QR, i), KEYS) is None, i


def test_tampered_fields_with_reencoding_are_rejected():
    raw = bytearray(base45.b45decode(EXPECTED_QR[4:]))
    for offset in (5, 21, 37, 53, 57, 60, 61, 124):
        changed = bytearray(raw)
        changed[offset] ^= 0x01
        assert ti.verify("VG1:" + base45.b45encode(bytes(changed)).decode(), KEYS) is None, offset


def test_signed_with_another_key_or_other_events_key_is_rejected():
    other = Ed25519PrivateKey.generate()
    forged = ti.build_qr(other, **FIELDS)  # same key id, wrong key
    assert ti.verify(forged, KEYS) is None
    other_event = ti.build_qr(other, **{**FIELDS, "key_id": "deadbeef"})
    assert ti.verify(other_event, KEYS) is None  # key id not among this event's keys
    other_pub = other.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    assert ti.verify(other_event, {"deadbeef": other_pub}) is not None  # control: the forger's own key works


@pytest.mark.parametrize("garbage", [
    "", "VG1:", "VG1", "vg1:" + EXPECTED_QR[4:], "VG2:" + EXPECTED_QR[4:], EXPECTED_QR[:-1], EXPECTED_QR[:-3],
    EXPECTED_QR + "00", EXPECTED_QR + "\n", " " + EXPECTED_QR, "VG1:" + "A" * 10_000, "x" * 1_000_000,
    "VG1:\x00\x01\x02", "VG1:\U0001F600\U0001F600", "VG1:" + "a" * 188, None, 12345, b"VG1:abc", ["VG1:"],
    "https://example.com/?VG1:", "VG1:" + ":" * 188,
])
def test_garbage_never_raises(garbage):
    assert ti.verify(garbage, KEYS) is None
    assert ti.decode_unverified(garbage) is None


def test_bad_key_material_gives_none():
    for keys in ({"0a1b2c3d": "not-base64!!"}, {"0a1b2c3d": b"short"}, {"0a1b2c3d": 42}, {}, None, {"0a1b2c3d": ""}):
        assert ti.verify(EXPECTED_QR, keys) is None


def test_decode_unverified_reads_fields_without_a_key():
    fields = ti.decode_unverified(EXPECTED_QR)
    assert fields["ticket_id"] == FIELDS["ticket_id"] and fields["key_id"] == "0a1b2c3d" and fields["version"] == 1


def test_event_key_is_encrypted_at_rest_and_signs_issued_tickets(db):
    org, event, tt, order = make_paid_order_setup(db, quantity=1)
    issued = tickets.issue_for_order(db, order)
    key = ti.get_or_create_event_key(db, event)
    assert ti.get_or_create_event_key(db, event).id == key.id  # one key per event
    assert len(key.key_id) == 8
    # the stored secret is neither the raw nor the base64 seed
    seed = ti.load_private_key(key).private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                                  serialization.NoEncryption())
    assert seed.hex() not in key.private_key_encrypted
    assert base64.urlsafe_b64encode(seed).decode().rstrip("=") not in key.private_key_encrypted
    manifest = ti.event_public_keys(db, event.id)
    assert manifest == [{"key_id": key.key_id, "algorithm": "Ed25519", "public_key": key.public_key}]
    ticket = issued[0]
    v = ti.verify(ticket.qr_payload, ti.public_key_map(db, event.id))
    assert v is not None and v.ticket_id == ticket.id and v.event_id == event.id and v.ticket_type_id == tt.id
    assert v.valid_from == ticket.valid_from
    assert v.valid_until == event.ends_at.replace(microsecond=0) + ti.VALIDITY_GRACE
    # another event's keys do not verify it
    from tests.factories import make_event
    other = make_event(db, org)
    ti.get_or_create_event_key(db, other)
    assert ti.verify(ticket.qr_payload, ti.public_key_map(db, other.id)) is None
