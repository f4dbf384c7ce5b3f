"""The one template environment for e-mails (Jinja2, ``voelgoed/templates/``), autoescaping HTML.

``render(name, **context) -> str`` renders ``templates/<name>``. Files ending in ``.html`` are
autoescaped (``select_autoescape``), so a buyer name, organisation name or inviter name such as
``<script>`` arrives as text, never as markup; ``.txt`` bodies are plain text and not escaped.
Every HTML e-mail is rendered here: never build HTML with string formatting.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"  # voelgoed/templates
environment = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                          trim_blocks=False, keep_trailing_newline=True)


def render(name: str, **context) -> str:
    """Render ``templates/<name>`` with ``context`` (HTML autoescaped)."""
    return environment.get_template(name).render(**context)
