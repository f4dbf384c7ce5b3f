"""Organisation branding (issue 15 item 6): colours and their contrast, logo uploads (good and bad), saving with
audit, nothing changed on bad input, and the logo on the PDF ticket (its image object and its pixels)."""

from __future__ import annotations

import io

import pypdfium2 as pdfium
import pytest
from PIL import Image
from sqlmodel import select

from tests.branding_helpers import LOGO_RED, brand_org, ctx, image_bytes
from tests.factories import make_org
from tests.ticket_factories import make_paid_order_setup
from voelgoed.models import AuditLog, Organization, OrganizationLogo
from voelgoed.services.accounts import (
    brand_colours,
    brand_of,
    logo_png,
    process_logo,
    save_branding,
    served_logo,
)
from voelgoed.services.platform import NotFound, ValidationFailed, VoelgoedError
from voelgoed.services.tickets import brand_pdf, documents, ticket_views, tickets

# ------------------------------------------------------------------ colours


@pytest.mark.parametrize(("raw", "expected"), [("#3e63dd", "#3E63DD"), ("3E63DD", "#3E63DD"), ("  #0b6e4f ", "#0B6E4F"),
                                               ("", None), (None, None)])
def test_hex_colours_are_normalised(raw, expected):
    assert brand_colours.normalise_hex(raw, "primary") == expected


@pytest.mark.parametrize("raw", ["#12345", "#GGGGGG", "red", "#1234567", "rgb(1,2,3)", "#12345\n"])
def test_malformed_hex_colours_are_refused_with_the_field(raw):
    with pytest.raises(ValidationFailed) as exc:
        brand_colours.normalise_hex(raw, "accent")
    assert exc.value.status == 422 and "#3E63DD" in exc.value.details["fields"]["accent"]


def test_contrast_ratios_follow_wcag():
    assert brand_colours.contrast_ratio("#FFFFFF", "#000000") == 21.0
    assert brand_colours.contrast_ratio("#767676", "#FFFFFF") == 4.54  # the well-known AA grey
    assert brand_colours.text_on("#0B6E4F") == "#FFFFFF"
    assert brand_colours.text_on("#FFD60A") == brand_colours.INK


@pytest.mark.parametrize("colour", ["#808080", "#E0457B"])
def test_a_colour_no_text_can_be_read_on_is_refused(colour):
    with pytest.raises(ValidationFailed) as exc:
        brand_colours.check_readable(colour, "primary")
    assert "4.5:1" in exc.value.details["fields"]["primary"]


def test_preview_never_raises_and_falls_back_to_the_default():
    p = brand_colours.preview("#808080", "nonsense")
    assert p["primary"] == brand_colours.DEFAULT_PRIMARY and p["accent"] == brand_colours.DEFAULT_ACCENT
    assert set(p["errors"]) == {"primary", "accent"}
    ok = brand_colours.preview("#FFD60A", "")
    assert ok["errors"] == {} and ok["primary"] == "#FFD60A" and ok["on_primary"] == brand_colours.INK


# ------------------------------------------------------------------ logo uploads


def test_a_png_logo_is_re_encoded_and_shrunk_to_the_box():
    logo = process_logo(image_bytes("PNG", (1200, 600)))
    assert (logo.width, logo.height) == (400, 200)  # fits 600 × 200, aspect kept
    image = Image.open(io.BytesIO(logo.png))
    assert image.format == "PNG" and image.mode == "RGBA" and len(logo.sha256) == 64


def test_a_jpeg_logo_is_accepted_and_stored_as_png_without_its_metadata():
    exif = Image.Exif()
    exif[0x010E] = "secret description"  # ImageDescription
    data = image_bytes("JPEG", (320, 120), exif=exif.tobytes())
    logo = process_logo(data)
    image = Image.open(io.BytesIO(logo.png))
    assert image.format == "PNG" and (logo.width, logo.height) == (320, 120)
    assert b"secret description" not in logo.png and not image.getexif()


@pytest.mark.parametrize(("data", "code", "status"), [
    (b"", "logo_empty", 422),
    (b"x" * 1_000_001, "logo_too_large", 413),
    (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
     "logo_svg_unsupported", 415),
    (b"  <svg onload='alert(1)'></svg>", "logo_svg_unsupported", 415),
    (b"MZ\x90\x00 this is a renamed program", "logo_unsupported_type", 415),
    (b"%PDF-1.4 not a picture", "logo_unsupported_type", 415),
])
def test_bad_uploads_get_clear_errors(data, code, status):
    with pytest.raises(VoelgoedError) as exc:
        process_logo(data)
    assert (exc.value.code, exc.value.status) == (code, status)
    assert exc.value.message  # a sentence for the settings page


def test_other_image_formats_are_refused():
    with pytest.raises(VoelgoedError) as exc:
        process_logo(image_bytes("GIF", (100, 100), mode="P", colour=1))
    assert exc.value.code == "logo_unsupported_type"


def test_a_truncated_png_is_not_an_image():
    noisy = Image.effect_noise((400, 200), 80).convert("RGB")  # noise: the data does not compress away
    out = io.BytesIO()
    noisy.save(out, format="PNG")
    data = out.getvalue()
    with pytest.raises(VoelgoedError) as exc:
        process_logo(data[: len(data) // 2])
    assert (exc.value.code, exc.value.status) == ("logo_not_an_image", 422)


@pytest.mark.parametrize("size", [(4200, 20), (3900, 3900), (10, 200)])
def test_dimensions_are_capped_before_decoding(size):
    with pytest.raises(VoelgoedError) as exc:
        process_logo(image_bytes("PNG", size, mode="1", colour=0))
    assert (exc.value.code, exc.value.status) == ("logo_dimensions", 422)
    assert exc.value.details == {"width": size[0], "height": size[1]}


# ------------------------------------------------------------------ saving


def test_saving_branding_stores_everything_and_audits_it(db):
    org = make_org(db, name="Jozi Live")
    brand_org(db, org)
    db.refresh(org)
    assert (org.brand_primary, org.brand_accent, org.email_sender_name) == ("#0B6E4F", "#7A1FA2", "Jozi Live Tickets")
    row = db.get(OrganizationLogo, org.id)
    assert row is not None and org.logo_sha == row.sha256 and (row.width, row.height) == (300, 100)
    brand = brand_of(org)
    assert brand["on_primary"] == "#FFFFFF" and brand["logo_url"] == f"/brand/{org.id}/logo.png?v={row.sha256[:12]}"
    entry = db.exec(select(AuditLog).where(AuditLog.action == "organization.branding_changed",
                                           AuditLog.organization_id == org.id)).one()
    assert entry.data["changed"]["primary"] == {"from": None, "to": "#0B6E4F"}
    assert entry.data["changed"]["logo_sha"]["to"] == row.sha256
    assert served_logo(db, org.id) == (row.png, row.sha256) and logo_png(db, org) == row.png


def test_removing_the_logo_and_clearing_colours_goes_back_to_the_platform_look(db):
    org = make_org(db)
    brand_org(db, org)
    save_branding(db, ctx(org, "admin"), primary="", accent=" ", sender_name="", remove_logo=True)
    db.refresh(org)
    assert (org.brand_primary, org.brand_accent, org.email_sender_name, org.logo_sha) == (None, None, None, None)
    assert db.get(OrganizationLogo, org.id) is None
    assert brand_of(org)["primary"] == brand_colours.DEFAULT_PRIMARY and brand_of(org)["sender_name"] == org.name
    with pytest.raises(NotFound):
        served_logo(db, org.id)


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"primary": "#80808"}, "primary"),
    ({"accent": "#808080"}, "accent"),
    ({"sender_name": "support@bank.example"}, "sender_name"),
    ({"sender_name": "Jozi\r\nBcc: x@evil.example"}, "sender_name"),
    ({"sender_name": "x" * 81}, "sender_name"),
])
def test_bad_input_changes_nothing(db, kwargs, field):
    org = make_org(db)
    brand_org(db, org)
    db.refresh(org)
    before = (org.brand_primary, org.brand_accent, org.email_sender_name, org.logo_sha)
    audits = len(db.exec(select(AuditLog).where(AuditLog.organization_id == org.id)).all())
    values = {"primary": "#112233", "accent": "#3E63DD", "sender_name": "New name", **kwargs}
    with pytest.raises(ValidationFailed) as exc:
        save_branding(db, ctx(org), logo=process_logo(image_bytes(colour=(0, 0, 255))), **values)
    assert exc.value.status == 422 and set(exc.value.details["fields"]) == {field}
    db.refresh(org)
    assert (org.brand_primary, org.brand_accent, org.email_sender_name, org.logo_sha) == before
    assert len(db.exec(select(AuditLog).where(AuditLog.organization_id == org.id)).all()) == audits


def test_only_owners_and_admins_change_the_branding(db):
    org = make_org(db)
    for role in ("staff", "viewer", "scanner_only"):
        with pytest.raises(VoelgoedError) as exc:
            save_branding(db, ctx(org, role), primary="#112233", accent="", sender_name="")
        assert exc.value.status == 403
    assert db.get(Organization, org.id).brand_primary is None


def test_served_logo_is_not_found_for_garbage_unknown_or_logo_less_organisations(db):
    org = make_org(db)
    for value in ("garbage", "00000000-0000-0000-0000-000000000000", str(org.id)):
        with pytest.raises(NotFound):
            served_logo(db, value)


# ------------------------------------------------------------------ the PDF ticket


def _pixel(pdf_bytes: bytes, x_mm: float, y_mm_from_top: float) -> tuple[int, int, int]:
    page = pdfium.PdfDocument(pdf_bytes)[0]
    image = page.render(scale=2).to_pil().convert("RGB")
    px_per_mm = image.width / 210
    return image.getpixel((int(x_mm * px_per_mm), int(y_mm_from_top * px_per_mm)))


def test_the_ticket_pdf_carries_the_logo_and_the_colours(db):
    org, event, tt, order = make_paid_order_setup(db, quantity=1)
    brand_org(db, org, primary="#0B6E4F", accent="#7A1FA2")
    tickets.issue_for_order(db, order)
    doc = documents.ticket_documents(db, order)[0]
    assert doc.brand_primary == "#0B6E4F" and doc.logo_sha == org.logo_sha and doc.logo_png
    pdf = documents.render_pdf([doc])
    # one image XObject: the logo, embedded as the cached JPEG (DCTDecode), at the stored size
    assert pdf.count(b"/Subtype /Image") == 1 and b"/DCTDecode" in pdf
    assert b"/Width 300" in pdf and b"/Height 100" in pdf
    assert _pixel(pdf, 5, 5) == (11, 110, 79)  # the header band in the primary colour
    red = _pixel(pdf, 210 - 16 - 30, 22)  # the middle of the logo plate (right side of the band)
    assert all(abs(a - b) <= 8 for a, b in zip(red, LOGO_RED, strict=True)), red
    assert _pixel(pdf, 100, 297 - 1) == (122, 31, 162)  # the foot stripe in the accent colour


def test_without_branding_the_pdf_has_no_image_and_the_platform_colours(db):
    org, event, tt, order = make_paid_order_setup(db, quantity=1)
    tickets.issue_for_order(db, order)
    pdf = documents.render_pdf(documents.ticket_documents(db, order))
    assert b"/Subtype /Image" not in pdf
    assert _pixel(pdf, 5, 5) == (28, 32, 36)  # #1C2024


def test_the_logo_is_converted_once_per_logo_and_garbage_never_breaks_a_ticket():
    png = process_logo(image_bytes()).png
    first = brand_pdf.logo_reader("sha-a", png)
    assert first is not None and brand_pdf.logo_reader("sha-a", png) is first
    assert brand_pdf.logo_reader("sha-garbage", b"not a png") is None
    assert brand_pdf.logo_reader("", png) is None


def test_the_buyer_order_page_carries_the_branding(db):
    org, event, tt, order = make_paid_order_setup(db, quantity=1)
    brand_org(db, org, primary="#FFD60A", accent="#0B6E4F")
    tickets.issue_for_order(db, order)
    view = ticket_views.buyer_order_page(db, order_code=order.order_code, access_token=order.access_token)
    assert view["branding"]["primary"] == "#FFD60A" and view["branding"]["on_primary"] == brand_colours.INK
    assert view["branding"]["logo_url"] == f"/brand/{org.id}/logo.png?v={org.logo_sha[:12]}"
