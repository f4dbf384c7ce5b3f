"""Test images for organisation branding (issue 15): real PNG / JPEG / GIF bytes made with Pillow."""

from __future__ import annotations

import io
import uuid

from PIL import Image, ImageDraw

from voelgoed.services.accounts import process_logo, save_branding
from voelgoed.services.platform import Actor, TenantContext

LOGO_RED = (220, 20, 60)


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (300, 100), colour=LOGO_RED, mode: str = "RGB", **save) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, colour).save(out, format=fmt, **save)
    return out.getvalue()


def sample_logo(size: tuple[int, int] = (480, 160)) -> bytes:
    """A logo-like PNG: a red mark and a green word mark on transparency."""
    w, h = size
    image = Image.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((h * 0.06, h * 0.06, h * 0.94, h * 0.94), fill=(*LOGO_RED, 255))
    draw.rounded_rectangle((h * 1.06, h * 0.3, w - h * 0.06, h * 0.7), radius=h * 0.08, fill=(11, 110, 79, 255))
    draw.text((h * 1.2, h * 0.36), "JOZI LIVE", fill=(255, 255, 255, 255), font_size=int(h * 0.24))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def ctx(org, role: str = "owner") -> TenantContext:
    return TenantContext(org.id, Actor("user", str(uuid.uuid4())), role)


def brand_org(session, org, *, primary: str = "#0B6E4F", accent: str = "#7A1FA2", sender: str = "Jozi Live Tickets",
              logo: bytes | None = None):
    """Give ``org`` colours, a sender name and (default) a solid red 300 × 100 PNG logo; commits."""
    return save_branding(session, ctx(org), primary=primary, accent=accent, sender_name=sender,
                         logo=process_logo(logo or image_bytes()))
