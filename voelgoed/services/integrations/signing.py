"""Endpoint secrets and Standard Webhooks signatures (https://www.standardwebhooks.com/, spec "Signature scheme").

- ``new_secret() -> "whsec_<base64 of 24 random bytes>"`` (the spec allows 24–64 bytes).
- ``seal(secret) / unseal(token)``: AES-256-GCM at rest with a key derived from ``SECRET_KEY`` (so a
  database dump alone does not reveal secrets; rotating ``SECRET_KEY`` makes stored secrets unreadable —
  rotate the endpoints' secrets then).
- ``headers(message_id, body, secrets, *, at) -> {"webhook-id", "webhook-timestamp", "webhook-signature"}``:
  signs ``"{id}.{timestamp}.{body}"`` with HMAC-SHA256 through the ``standardwebhooks`` library, one
  ``v1,<base64>`` per secret, space-separated (during a rotation's overlap: new secret first, then the old).
"""

from __future__ import annotations

import base64
import hashlib
import os
import secrets as pysecrets
from datetime import datetime

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from standardwebhooks import Webhook

from voelgoed.config import get_settings

SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(pysecrets.token_bytes(24)).decode()


def _key() -> bytes:
    return hashlib.sha256(f"webhook-endpoint-secret:{get_settings().effective_secret_key}".encode()).digest()


def seal(secret: str) -> str:
    nonce = os.urandom(12)
    return base64.urlsafe_b64encode(nonce + AESGCM(_key()).encrypt(nonce, secret.encode(), b"whsec")).decode()


def unseal(token: str) -> str:
    raw = base64.urlsafe_b64decode(token.encode())
    return AESGCM(_key()).decrypt(raw[:12], raw[12:], b"whsec").decode()


def headers(message_id: str, body: str, secrets: list[str], *, at: datetime) -> dict[str, str]:
    """The three Standard Webhooks headers for ``body`` (the exact bytes sent) signed at ``at`` (UTC)."""
    signatures = " ".join(Webhook(s).sign(message_id, at, body) for s in secrets)
    return {"webhook-id": message_id, "webhook-timestamp": str(int(at.timestamp())), "webhook-signature": signatures,
            "content-type": "application/json", "user-agent": "VoelgoedEvents-Webhooks/1"}
