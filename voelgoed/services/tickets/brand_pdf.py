"""The organisation's logo on the ticket PDF (issue 15 branding), drawn cheaply.

- :func:`logo_reader` ``(sha, png) -> ImageReader | None``: the logo flattened on white and JPEG-encoded **once
  per logo** (sha256 of the stored PNG; at most :data:`CACHE_SIZE` logos per process). reportlab embeds a JPEG's
  bytes unchanged (``DCTDecode``) and computes the reader's RGB data (its image-name digest) only once, so after
  the first ticket a page pays neither a decode nor a zlib compression of the logo (``bench/tickets.py``:
  ``pdf_page_logo`` vs ``pdf_page``). Garbage bytes → None (the ticket is drawn without a logo, never fails).
- :func:`draw_logo` ``(c, sha, png, right, bottom, max_w, max_h) -> float``: draws it on a white rounded plate whose
  right/bottom edge is at ``(right, bottom)`` (points), scaled to fit ``max_w × max_h`` with the aspect kept;
  returns the width used (0 without a logo).
"""

from __future__ import annotations

import io
import threading
from collections import OrderedDict

from PIL import Image
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

CACHE_SIZE = 32
PAD = 2 * mm
_readers: OrderedDict[str, ImageReader | None] = OrderedDict()
_lock = threading.Lock()  # a reader's file object is shared: one drawImage at a time per process


def _jpeg_on_white(png: bytes) -> bytes:
    image = Image.open(io.BytesIO(png)).convert("RGBA")
    flat = Image.new("RGB", image.size, (255, 255, 255))
    flat.paste(image, mask=image.getchannel("A"))
    out = io.BytesIO()
    flat.save(out, format="JPEG", quality=92, subsampling=0)
    return out.getvalue()


def logo_reader(sha: str, png: bytes | None) -> ImageReader | None:
    """See the module docstring."""
    if not sha or not png:
        return None
    with _lock:
        if sha in _readers:
            _readers.move_to_end(sha)
            return _readers[sha]
    try:
        reader = ImageReader(io.BytesIO(_jpeg_on_white(png)))
        reader.getRGBData()  # computed once: drawImage digests it for the image's name on every page
    except Exception:  # noqa: BLE001 - a bad stored logo must never stop a ticket from rendering
        reader = None
    with _lock:
        _readers[sha] = reader
        while len(_readers) > CACHE_SIZE:
            _readers.popitem(last=False)
    return reader


def draw_logo(c: canvas.Canvas, sha: str, png: bytes | None, right: float, bottom: float,
              max_w: float, max_h: float) -> float:
    """See the module docstring."""
    reader = logo_reader(sha, png)
    if reader is None:
        return 0.0
    iw, ih = reader.getSize()
    scale = min((max_w - 2 * PAD) / iw, (max_h - 2 * PAD) / ih)
    w, h = iw * scale, ih * scale
    plate_w, plate_h = w + 2 * PAD, h + 2 * PAD
    c.setFillColor(colors.white)
    c.roundRect(right - plate_w, bottom, plate_w, plate_h, 1.5 * mm, stroke=0, fill=1)
    with _lock:
        c.drawImage(reader, right - plate_w + PAD, bottom + PAD, w, h)
    return plate_w
