"""docs/webhooks.md stays true: its Python and JavaScript verification examples accept a real signed
delivery and reject a tampered one; docs/webhook-schemas.json is exactly the schemas the code uses."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from standardwebhooks.webhooks import WebhookVerificationError

from voelgoed.services.integrations import SCHEMAS, signing

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs/webhooks.md").read_text()


def _block(lang: str) -> str:
    found = re.findall(rf"```{lang}\n(.*?)```", DOC, flags=re.S)
    assert found, f"no {lang} block in docs/webhooks.md"
    return found[0]


def _signed():
    secret = signing.new_secret()
    body = json.dumps({"type": "webhook.test", "timestamp": datetime.now(UTC).isoformat(), "data": {"message": "hi"}})
    headers = signing.headers("msg_docs", body, [signing.new_secret(), secret], at=datetime.now(UTC))
    return secret, body, headers


def test_python_example_verifies_and_rejects_tampering():
    namespace: dict = {}
    exec(compile(_block("python"), "docs/webhooks.md", "exec"), namespace)  # noqa: S102 - our own docs
    secret, body, headers = _signed()
    assert namespace["verify"](secret, body.encode(), headers)["data"]["message"] == "hi"
    with pytest.raises(WebhookVerificationError):
        namespace["verify"](secret, body.replace("hi", "ho").encode(), headers)


def test_javascript_example_verifies_and_rejects_tampering(tmp_path):
    node = shutil.which("node")
    assert node, "node is needed to check the JavaScript example (Debian package nodejs)"
    (tmp_path / "verify.js").write_text(_block("javascript"))
    secret, body, headers = _signed()
    script = ("const {verify} = require('./verify.js'); const [s, b, h] = JSON.parse(process.argv[1]);"
              "try { console.log(JSON.stringify(verify(s, b, h))); } catch (e) { console.log('ERR ' + e.message); }")
    for raw, ok in ((body, True), (body.replace("hi", "ho"), False)):
        out = subprocess.run([node, "-e", script, json.dumps([secret, raw, headers])], cwd=tmp_path,
                             capture_output=True, text=True, timeout=30, check=True).stdout.strip()
        if ok:
            assert json.loads(out)["data"]["message"] == "hi"
        else:
            assert out == "ERR no matching signature"


def test_schema_file_matches_the_code():
    assert json.loads((ROOT / "docs/webhook-schemas.json").read_text()) == json.loads(json.dumps(SCHEMAS))
