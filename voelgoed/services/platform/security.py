"""Secrets and hashes: random tokens, token hashes, password hashing (argon2 via pwdlib).

- ``new_token(nbytes=32)``: URL-safe random string with ``nbytes*8`` bits (≥128 bits required).
- ``hash_token(token)``: hex SHA-256 (tokens are high-entropy, so a fast hash is right; passwords are not).
- ``hash_password`` / ``verify_password``: argon2id through pwdlib (maintained; passlib is broken with bcrypt 5).
- ``new_code(length, alphabet)``: human codes from an alphabet without 0/O/1/I/L (pretix's practice).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from pwdlib import PasswordHash

from voelgoed.config import get_settings

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O/1/I/L
_password_hash = PasswordHash.recommended()


def new_token(nbytes: int = 32) -> str:
    """A URL-safe random token of ``nbytes * 8`` bits; ValueError below 128 bits."""
    if nbytes < 16:
        raise ValueError("tokens need at least 128 bits")
    return secrets.token_urlsafe(nbytes)


def hash_token(token: str) -> str:
    """Hex SHA-256 of a high-entropy token (how sessions, API keys, devices and invitations are stored)."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def hash_password(password: str) -> str:
    """An argon2id hash (pwdlib's recommended parameters, PHC string format)."""
    return _password_hash.hash(password)


def verify_password(password: str, password_hash: str) -> bool:
    """True when ``password`` matches ``password_hash``; False for a mismatch or an unreadable hash."""
    try:
        return _password_hash.verify(password, password_hash)
    except Exception:
        return False


def new_code(length: int = 6, alphabet: str = CODE_ALPHABET) -> str:
    """A random human code of ``length`` characters from ``alphabet`` (default: no 0/O/1/I/L)."""
    return "".join(secrets.choice(alphabet) for _ in range(length))


def hmac_sign(message: bytes, *, purpose: str) -> str:
    """Hex HMAC-SHA256 of ``message`` with a key derived from SECRET_KEY for ``purpose``."""
    key = hashlib.sha256(f"{purpose}:{get_settings().effective_secret_key}".encode()).digest()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def hmac_verify(message: bytes, signature: str, *, purpose: str) -> bool:
    """Constant-time check of a :func:`hmac_sign` signature for the same ``purpose``."""
    return hmac.compare_digest(hmac_sign(message, purpose=purpose), signature or "")
