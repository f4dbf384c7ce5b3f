"""Test images for organisation branding (issue 15): real PNG / JPEG / GIF bytes made with Pillow."""

from __future__ import annotations

import io
import uuid

from PIL import Image

from voelgoed.services.accounts import process_logo, save_branding
from voelgoed.services.platform import Actor, TenantContext

LOGO_RED = (220, 20, 60)


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (300, 100), colour=LOGO_RED, mode: str = "RGB", **save) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, colour).save(out, format=fmt, **save)
    return out.getvalue()


def ctx(org, role: str = "owner") -> TenantContext:
    return TenantContext(org.id, Actor("user", str(uuid.uuid4())), role)


def brand_org(session, org, *, primary: str = "#0B6E4F", accent: str = "#7A1FA2", sender: str = "Jozi Live Tickets",
              logo: bytes | None = None):
    """Give ``org`` colours, a sender name and (default) a solid red 300 × 100 PNG logo; commits."""
    return save_branding(session, ctx(org), primary=primary, accent=accent, sender_name=sender,
                         logo=process_logo(logo or image_bytes()))
