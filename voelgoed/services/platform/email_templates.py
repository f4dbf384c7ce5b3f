"""The one template environment for e-mails (Jinja2, ``voelgoed/templates/``), autoescaping HTML.

``render(name, **context) -> str`` renders ``templates/<name>``. Files ending in ``.html`` are
autoescaped (``select_autoescape``), so a buyer name, organisation name or inviter name such as
``<script>`` arrives as text, never as markup; ``.txt`` bodies are plain text and not escaped.
Every HTML e-mail is rendered here: never build HTML with string formatting.

``brand`` (an organisation's colours, logo URL and name: ``accounts.brand_of``) is passed by the buyer e-mails;
without it the templates get :data:`PLATFORM_BRAND` (the platform look: the same defaults as
``accounts.brand_colours``).
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"  # voelgoed/templates
environment = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                          trim_blocks=False, keep_trailing_newline=True)
PLATFORM_BRAND = {"primary": "#1C2024", "accent": "#3E63DD", "on_primary": "#FFFFFF", "on_accent": "#FFFFFF",
                  "logo_url": "", "name": "VoelgoedEvents", "sender_name": ""}
environment.globals["brand"] = PLATFORM_BRAND


def render(name: str, **context) -> str:
    """Render ``templates/<name>`` with ``context`` (HTML autoescaped)."""
    return environment.get_template(name).render(**context)
