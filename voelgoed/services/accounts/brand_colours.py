"""Brand colours of an organisation: ``#RRGGBB`` validation and the WCAG contrast check (pure, no database).

- :func:`normalise_hex` ``(value, field) -> str | None``: ``"#3e63dd"``, ``"3E63DD"`` → ``"#3E63DD"``; empty → None
  (the platform default); anything else → 422 ``validation_failed`` (``details.fields[field]``).
- :func:`contrast_ratio` ``(a, b) -> float``: WCAG 2.x contrast ratio (1.0–21.0) of two ``#RRGGBB`` colours,
  from the relative luminance of sRGB (https://www.w3.org/TR/WCAG21/#dfn-contrast-ratio).
- :func:`text_on` ``(background) -> str``: the text colour drawn on ``background`` everywhere (pages, PDF band,
  e-mail header and button): white or :data:`INK`, whichever contrasts more.
- :func:`check_readable` ``(colour, field)``: 422 ``validation_failed`` when even the better of white / ink text
  stays under :data:`MIN_CONTRAST` (4.5:1, WCAG 2.1 AA for normal text, 1.4.3) — mid greys and mid tones such as
  ``#808080`` or ``#E0457B`` fail; pick a darker or lighter shade.
- :func:`palette` ``(primary, accent) -> dict``: the effective colours (defaults filled in), their text colours and
  ratios: ``{primary, accent, on_primary, on_accent, primary_ratio, accent_ratio}``.
- :func:`preview` ``(primary, accent) -> dict``: :func:`palette` of raw form input for the settings preview (an
  invalid or unreadable value falls back to the default) plus ``errors`` ``{field: message}`` — never raises.
"""

from __future__ import annotations

import re

from voelgoed.services.platform import ValidationFailed

HEX_RE = re.compile(r"^#?([0-9A-Fa-f]{6})$")
INK = "#1C2024"  # the platform's text colour
WHITE = "#FFFFFF"
DEFAULT_PRIMARY = "#1C2024"  # header bands (the platform look before branding)
DEFAULT_ACCENT = "#3E63DD"  # buttons, the ticket's foot stripe
MIN_CONTRAST = 4.5
FIELD_LABELS = {"primary": "Primary colour", "accent": "Accent colour"}


def normalise_hex(value, field: str) -> str | None:
    """See the module docstring."""
    text = str(value or "").strip()
    if not text:
        return None
    match = HEX_RE.match(text)
    if match is None:
        label = FIELD_LABELS.get(field, field)
        raise ValidationFailed({field: f"{label} must be a hex colour like #3E63DD"})
    return "#" + match.group(1).upper()


def _channel(c: int) -> float:
    s = c / 255
    return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4


def relative_luminance(colour: str) -> float:
    """WCAG relative luminance (0 black … 1 white) of ``#RRGGBB``."""
    h = colour.lstrip("#")
    r, g, b = (int(h[i:i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast_ratio(a: str, b: str) -> float:
    """See the module docstring (rounded to 2 decimals)."""
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return round((la + 0.05) / (lb + 0.05), 2)


def text_on(background: str) -> str:
    """White or :data:`INK` on ``background``, whichever gives the higher contrast."""
    return WHITE if contrast_ratio(background, WHITE) >= contrast_ratio(background, INK) else INK


def check_readable(colour: str | None, field: str) -> None:
    """See the module docstring; None (the default colour) always passes."""
    if colour is None:
        return
    ratio = contrast_ratio(colour, text_on(colour))
    if ratio < MIN_CONTRAST:
        label = FIELD_LABELS.get(field, field)
        raise ValidationFailed({field: f"{label} {colour} is hard to read text on (best {ratio}:1, needs "
                                       f"{MIN_CONTRAST}:1); choose a darker or lighter shade"})


def palette(primary: str | None, accent: str | None) -> dict:
    """See the module docstring."""
    p, a = primary or DEFAULT_PRIMARY, accent or DEFAULT_ACCENT
    on_p, on_a = text_on(p), text_on(a)
    return {"primary": p, "accent": a, "on_primary": on_p, "on_accent": on_a,
            "primary_ratio": contrast_ratio(p, on_p), "accent_ratio": contrast_ratio(a, on_a)}


def preview(primary, accent) -> dict:
    """See the module docstring."""
    errors: dict[str, str] = {}
    values: dict[str, str | None] = {}
    for field, raw in (("primary", primary), ("accent", accent)):
        try:
            values[field] = normalise_hex(raw, field)
            check_readable(values[field], field)
        except ValidationFailed as exc:
            errors.update(exc.details["fields"])
            values[field] = None
    return {**palette(values["primary"], values["accent"]), "errors": errors}
