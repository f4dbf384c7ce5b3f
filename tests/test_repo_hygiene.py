"""Running the app must leave the work tree clean.

Reflex (0.10) mirrors ``.web/package.json`` back to the tracked ``reflex.lock/package.json`` on every
``reflex run``, written as ``json.dumps(obj)`` (one line, default separators). A pretty-printed copy in
git is therefore rewritten by ``make run`` (36 lines dropped). The tracked file must be byte-identical to
what Reflex writes.
"""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_reflex_lock_package_json_is_in_reflex_own_format():
    text = (ROOT / "reflex.lock" / "package.json").read_text()
    assert text == json.dumps(json.loads(text)), "commit reflex.lock/package.json as Reflex writes it (json.dumps)"
