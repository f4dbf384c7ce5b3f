"""Edge middleware around the whole app: request-body size limit and security headers.

``install_edge_middleware(api)`` adds both to the FastAPI app. Reflex mounts its own backend (pages,
``/_event``, the compiled frontend) *inside* that FastAPI app (``api_transformer`` in
``voelgoed/voelgoed.py``), so every page, asset and API answer passes through them.

- :class:`BodySizeLimit`: a request whose ``Content-Length`` exceeds ``MAX_BODY_BYTES`` (default
  1 MB) is answered ``413 too_large`` (api-v1 error envelope, ``details.max_bytes``) before the app
  runs or a byte of the body is read. Bodies without a length (chunked) are counted as they stream;
  the first chunk past the limit ends the request with the same 413, the app sees a disconnect and
  nothing it sends afterwards reaches the client. A ``Content-Length`` that is not a number is
  ``400 malformed``.
- :func:`security_headers`: the `secure` library's ASGI middleware (secure.py, MIT) with a
  Content-Security-Policy fit for the Reflex frontend (its websocket ``/_event``, inline scripts,
  the ``eval`` behind ``rx.call_script``, inline styles of Radix), the scanner's self-hosted zxing wasm (``'wasm-unsafe-eval'``) and service worker;
  ``frame-ancestors 'none'`` (+ ``X-Frame-Options: DENY``), ``Referrer-Policy: no-referrer`` (order
  access tokens travel in URLs) and ``X-Content-Type-Options: nosniff``. HSTS
  (``max-age=31536000; includeSubDomains``) only on requests that arrived over HTTPS: the ASGI scheme,
  or ``X-Forwarded-Proto: https`` when ``TRUSTED_PROXY_HOPS`` > 0.
"""

from __future__ import annotations

import json
import re

from fastapi import FastAPI
from secure import (
    ContentSecurityPolicy,
    ReferrerPolicy,
    Secure,
    StrictTransportSecurity,
    XContentTypeOptions,
    XFrameOptions,
)
from secure.middleware import SecureASGIMiddleware

from voelgoed.config import get_settings

HSTS_MAX_AGE = 31_536_000  # one year (RFC 6797 §6.1.1; the value browsers' preload lists ask for)


def _websocket_origins() -> list[str]:
    """``ws(s)://host`` of BASE_URL and REFLEX_API_URL (where the frontend opens ``/_event``)."""
    import os
    from urllib.parse import urlsplit

    origins = []
    for url in (get_settings().effective_base_url, os.environ.get("REFLEX_API_URL", "")):
        parts = urlsplit(url)
        if parts.scheme in ("http", "https") and parts.netloc:
            origin = f"{'wss' if parts.scheme == 'https' else 'ws'}://{parts.netloc}"
            if origin not in origins:
                origins.append(origin)
    return origins


def content_security_policy() -> ContentSecurityPolicy:
    """The CSP of every answer. Reflex's compiled frontend needs inline scripts (hydration data),
    ``'unsafe-eval'`` (its ``rx.call_script`` and event callbacks run through ``eval`` in
    ``.web/utils/state.js``; the event and hold pages use them) and inline styles (Radix/emotion);
    the scanner compiles zxing's wasm (``'wasm-unsafe-eval'``, kept explicit should eval ever go)."""
    return (ContentSecurityPolicy()
            .default_src("'self'")
            .script_src("'self'", "'unsafe-inline'", "'unsafe-eval'", "'wasm-unsafe-eval'")
            .style_src("'self'", "'unsafe-inline'")
            .img_src("'self'", "data:", "blob:")
            .font_src("'self'", "data:")
            .connect_src("'self'", *_websocket_origins())
            .worker_src("'self'", "blob:")
            .manifest_src("'self'")
            .media_src("'self'", "blob:")
            .object_src("'none'")
            .base_uri("'self'")
            .form_action("'self'")
            .frame_ancestors("'none'"))


def _secure(with_hsts: bool) -> Secure:
    return Secure(
        csp=content_security_policy(),
        referrer=ReferrerPolicy().no_referrer(),
        xcto=XContentTypeOptions(),
        xfo=XFrameOptions().deny(),
        hsts=StrictTransportSecurity().max_age(HSTS_MAX_AGE).include_subdomains() if with_hsts else None,
    )


def _header(scope, name: bytes) -> bytes | None:
    for key, value in scope.get("headers") or ():
        if key.lower() == name:
            return value
    return None


def served_over_https(scope) -> bool:
    """True for an HTTPS request: the ASGI scheme, or a trusted proxy's ``X-Forwarded-Proto``."""
    if scope.get("scheme") in ("https", "wss"):
        return True
    if get_settings().trusted_proxy_hops > 0:
        proto = (_header(scope, b"x-forwarded-proto") or b"").decode("latin-1").split(",")[0].strip().lower()
        return proto == "https"
    return False


class SecurityHeaders:
    """Two `secure` middlewares, with and without HSTS, chosen per request by :func:`served_over_https`."""

    def __init__(self, app) -> None:
        self.app = app
        self._plain = SecureASGIMiddleware(app, secure=_secure(False))
        self._tls = SecureASGIMiddleware(app, secure=_secure(True))

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await (self._tls if served_over_https(scope) else self._plain)(scope, receive, send)


async def _send_error(send, status: int, code: str, message: str, details: dict) -> None:
    body = json.dumps({"error": {"code": code, "message": message, "details": details}}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


# Routes that take larger bodies (seating layouts): (compiled path regex, byte limit); see register_body_limit.
BODY_LIMIT_OVERRIDES: list[tuple[re.Pattern[str], int]] = []


def register_body_limit(path_regex: str, max_bytes: int) -> None:
    """Let requests whose path fully matches ``path_regex`` carry up to ``max_bytes`` (instead of ``MAX_BODY_BYTES``)."""
    BODY_LIMIT_OVERRIDES.append((re.compile(path_regex), max_bytes))


class BodySizeLimit:
    """413 for request bodies above ``max_bytes`` (declared or streamed); see the module doc."""

    def __init__(self, app, max_bytes: int | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes

    def _limit(self) -> int:
        return self.max_bytes if self.max_bytes is not None else get_settings().max_body_bytes

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self._limit()
        path = scope.get("path", "")
        limit = next((n for rx_, n in BODY_LIMIT_OVERRIDES if rx_.fullmatch(path)), limit)
        too_large = ("too_large", f"The request body is larger than {limit} bytes", {"max_bytes": limit})
        declared = _header(scope, b"content-length")
        if declared is not None:
            text = declared.decode("latin-1").strip()
            if not text.isdigit():
                await _send_error(send, 400, "malformed", "Content-Length is not a number", {})
                return
            if int(text) > limit:
                await _send_error(send, 413, *too_large)
                return

        state = {"received": 0, "started": False, "refused": False}

        async def limited_receive():
            if state["refused"]:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                state["received"] += len(message.get("body", b""))
                if state["received"] > limit:
                    state["refused"] = True
                    if not state["started"]:
                        state["started"] = True
                        await _send_error(send, 413, *too_large)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message):
            if state["refused"]:
                return  # the 413 already went out; whatever the app says afterwards is dropped
            if message["type"] == "http.response.start":
                state["started"] = True
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except Exception:
            if not state["refused"]:
                raise  # a refused body surfaces in the app as a disconnect; anything else is real


def install_edge_middleware(api: FastAPI) -> None:
    """Body limit inside, security headers outside (so the 413 carries the headers too)."""
    api.add_middleware(BodySizeLimit)
    api.add_middleware(SecurityHeaders)
