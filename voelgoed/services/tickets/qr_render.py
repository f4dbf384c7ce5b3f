"""Ticket QR codes, built once per payload and drawn cheaply (issue 16, "cheap tickets").

The QR string of a ticket has a fixed length and alphabet (``"VG1:" + base45(125 bytes)`` = 192
characters, all in the QR alphanumeric set; see :mod:`ticket_identity`), so the symbol's version is
fixed too (8 at error correction M). A seated ``"VG2:"`` string is longer and its length varies with the
seat labels (208–376 characters; version 8 for short labels, at most 12): the version is chosen per length. ``qrcode``'s default ``make(fit=True)`` spends most of its time
choosing the version and then building the symbol eight times to score the eight masks (ISO/IEC 18004
§7.8.3). Any mask decodes — the chosen one is written into the format information the reader decodes
first — so this module encodes with the version chosen once per (length, mode) and one fixed mask:
≈ 1.5 ms instead of ≈ 10 ms (``bench/tickets.py``).

- :func:`qr_matrix` ``(payload) -> tuple[str, ...]``: the symbol's rows (``"1"`` dark, ``"0"`` light),
  no quiet zone; cached per payload (a ticket's payload changes with its version, so this is a cache
  per ticket and ticket version).
- :func:`dark_runs` ``(matrix) -> tuple[(row, col, length), ...]``: horizontal runs of dark modules
  (≈ 600 for version 8 instead of ≈ 1,250 modules) — what the SVG and the PDF draw.
- :func:`svg` ``(payload, border=4) -> str``: a standalone SVG document, one ``<path>``, in module units.
- :func:`svg_data_uri` ``(payload) -> str``: ``data:image/svg+xml;base64,…`` of :func:`svg`; cached.
- :func:`draw_pdf` ``(canvas, payload, x, y, size, border=4)``: the symbol as one filled reportlab path
  of run rectangles, quiet zone included in ``size`` (points).
"""

from __future__ import annotations

import base64
import re
from functools import lru_cache

import qrcode
from qrcode.util import MODE_8BIT_BYTE, MODE_ALPHA_NUM, QRData

ERROR_CORRECTION = qrcode.constants.ERROR_CORRECT_M
# Any of 0–7 decodes. Measured on 30 random ticket payloads (ISO 18004 penalty, qrcode's lost_point): mask 2
# was the best of the eight most often (9 of 30) and on average only 6 % above the best one's penalty.
MASK_PATTERN = 2
_ALNUM = re.compile(r"[0-9A-Z $%*+\-./:]*")


def _mode(payload: str) -> int:
    return MODE_ALPHA_NUM if _ALNUM.fullmatch(payload) else MODE_8BIT_BYTE


@lru_cache(maxsize=64)
def _version(length: int, mode: int) -> int:
    """The smallest version holding ``length`` characters in ``mode`` at ``ERROR_CORRECTION`` (chosen once)."""
    qr = qrcode.QRCode(error_correction=ERROR_CORRECTION)
    sample = "A" * length if mode == MODE_ALPHA_NUM else "a" * length
    qr.add_data(QRData(sample.encode(), mode=mode, check_data=False), optimize=0)
    return qr.best_fit()


@lru_cache(maxsize=4096)
def qr_matrix(payload: str) -> tuple[str, ...]:
    """The QR symbol of ``payload`` (error correction M, fixed mask) as rows of ``"0"``/``"1"``."""
    data = payload.encode("utf-8")
    mode = _mode(payload)
    qr = qrcode.QRCode(version=_version(len(data), mode), error_correction=ERROR_CORRECTION, border=0,
                       mask_pattern=MASK_PATTERN)
    qr.add_data(QRData(data, mode=mode, check_data=False), optimize=0)
    qr.make(fit=False)
    return tuple("".join("1" if m else "0" for m in row) for row in qr.modules)


_RUN = re.compile("1+")


@lru_cache(maxsize=4096)
def _runs(matrix: tuple[str, ...]) -> tuple[tuple[int, int, int], ...]:
    return tuple((r, m.start(), m.end() - m.start()) for r, row in enumerate(matrix) for m in _RUN.finditer(row))


def dark_runs(matrix: tuple[str, ...]) -> tuple[tuple[int, int, int], ...]:
    """``(row, column, length)`` of every horizontal run of dark modules, top row first."""
    return _runs(matrix)


def svg(payload: str, border: int = 4) -> str:
    """A standalone SVG of ``payload``'s QR: white background, one black path, ``viewBox`` in modules."""
    matrix = qr_matrix(payload)
    size = len(matrix) + 2 * border
    d = "".join(f"M{c + border} {r + border}h{n}v1h-{n}z" for r, c, n in dark_runs(matrix))
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" width="{size * 4}" '
            f'height="{size * 4}" shape-rendering="crispEdges"><rect width="{size}" height="{size}" fill="#fff"/>'
            f'<path fill="#000" d="{d}"/></svg>')


@lru_cache(maxsize=4096)
def svg_data_uri(payload: str) -> str:
    """``data:image/svg+xml;base64,…`` of :func:`svg` (cached per payload)."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg(payload).encode("ascii")).decode("ascii")


@lru_cache(maxsize=4096)
def _pdf_ops(matrix: tuple[str, ...]) -> str:
    """PDF content-stream operators filling the dark runs, in module units (``re`` = rectangle, ISO 32000-1 §8.5.2)."""
    count = len(matrix)
    return "\n".join(f"{c} {count - 1 - r} {n} 1 re" for r, c, n in dark_runs(matrix)) + "\nf"


def draw_pdf(c, payload: str, x: float, y: float, size: float, border: int = 4) -> None:
    """Draw ``payload``'s QR on reportlab canvas ``c``: a ``size``-point square at ``(x, y)`` (bottom left),
    quiet zone of ``border`` modules included, as one filled path (one rectangle per dark run).

    The path is written as literal operators in module units under one ``cm`` transform (the operators
    are cached per payload), so reportlab formats six numbers instead of ~2,400."""
    matrix = qr_matrix(payload)
    unit = size / (len(matrix) + 2 * border)
    c.addLiteral(f"q 0 g {unit:.4f} 0 0 {unit:.4f} {x + border * unit:.4f} {y + border * unit:.4f} cm\n"
                 f"{_pdf_ops(matrix)}\nQ")
