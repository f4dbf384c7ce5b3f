"""Logo uploads: check that the bytes really are a PNG or JPEG image, then re-encode them (Pillow).

:func:`process_logo` ``(data: bytes) -> ProcessedLogo`` (no database):

- more than :data:`LOGO_MAX_BYTES` (1 MB) → 413 ``logo_too_large``; empty → 422 ``logo_empty``;
- SVG (text starting with ``<``, or an ``<svg`` element) → 415 ``logo_svg_unsupported``: an SVG can carry scripts
  and external references, and no sanitiser we trust is in the stack, so SVG is refused with a clear message;
- anything Pillow does not identify as PNG or JPEG (GIF, WebP, PDF, garbage, a renamed ``.exe``) → 415
  ``logo_unsupported_type``; a PNG/JPEG that does not decode (truncated, corrupt) → 422 ``logo_not_an_image``;
- wider or taller than :data:`LOGO_MAX_INPUT_PX` (4000 px), more than :data:`LOGO_MAX_PIXELS`, or a
  decompression bomb → 422 ``logo_dimensions``; smaller than :data:`LOGO_MIN_PX` (16 px) → 422 ``logo_dimensions``.
  The size is read from the header **before** decoding, so a bomb is never decoded.

The accepted image is EXIF-rotated, converted to RGBA, shrunk to fit :data:`LOGO_BOX` (600 × 200 px, aspect kept,
never enlarged) and saved as a fresh PNG: metadata (EXIF, text chunks, ICC) is dropped and what is stored is
always a plain PNG the server wrote. ``sha256`` (hex) of that PNG is the logo's version (cache key, ``?v=``).
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

from PIL import Image, ImageOps

from voelgoed.services.platform import VoelgoedError

LOGO_MAX_BYTES = 1_000_000
LOGO_MAX_INPUT_PX = 4000
LOGO_MAX_PIXELS = 12_000_000
LOGO_MIN_PX = 16
LOGO_BOX = (600, 200)
ACCEPTED_FORMATS = ("PNG", "JPEG")


@dataclass(frozen=True)
class ProcessedLogo:
    png: bytes
    width: int
    height: int
    sha256: str


def _looks_like_svg(data: bytes) -> bool:
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith(b"<") or b"<svg" in head


def process_logo(data: bytes) -> ProcessedLogo:
    """See the module docstring."""
    data = bytes(data or b"")
    if not data:
        raise VoelgoedError("logo_empty", "The logo file is empty", status=422)
    if len(data) > LOGO_MAX_BYTES:
        raise VoelgoedError("logo_too_large", f"The logo is {len(data) // 1024} KB; the limit is "
                            f"{LOGO_MAX_BYTES // 1_000_000} MB", {"max_bytes": LOGO_MAX_BYTES}, status=413)
    if _looks_like_svg(data):
        raise VoelgoedError("logo_svg_unsupported", "SVG logos are not accepted (an SVG file can carry scripts); "
                            "export your logo as PNG or JPEG and upload that", status=415)
    try:
        image = Image.open(io.BytesIO(data))  # reads the header only
        fmt = image.format
    except Image.DecompressionBombError:
        raise VoelgoedError("logo_dimensions", f"The logo has far too many pixels; it must be at most "
                            f"{LOGO_MAX_INPUT_PX} px on each side", status=422) from None
    except (OSError, ValueError, SyntaxError):
        fmt = None
    if fmt not in ACCEPTED_FORMATS:
        raise VoelgoedError("logo_unsupported_type", "The logo must be a PNG or JPEG image",
                            {"accepted": list(ACCEPTED_FORMATS)}, status=415)
    width, height = image.size
    if max(width, height) > LOGO_MAX_INPUT_PX or width * height > LOGO_MAX_PIXELS or min(width, height) < LOGO_MIN_PX:
        raise VoelgoedError("logo_dimensions", f"The logo is {width} × {height} px; it must be between {LOGO_MIN_PX} "
                            f"and {LOGO_MAX_INPUT_PX} px on each side", {"width": width, "height": height}, status=422)
    try:
        image.load()
        image = ImageOps.exif_transpose(image).convert("RGBA")
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise VoelgoedError("logo_not_an_image", "The logo file is damaged or not really an image", status=422) from None
    image.thumbnail(LOGO_BOX, Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, format="PNG")
    png = out.getvalue()
    return ProcessedLogo(png=png, width=image.width, height=image.height, sha256=hashlib.sha256(png).hexdigest())
