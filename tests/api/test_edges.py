"""Edges (issue 9 item 9): body size limit, qr cap, security headers, trusted proxy hops."""

from __future__ import annotations

import asyncio
import json
import select
import socket
import threading
import time

import pytest

from tests.factories import make_event, make_org
from voelgoed.api.deps import forwarded_client_address
from voelgoed.api.edges import BodySizeLimit
from voelgoed.config import get_settings

FIFTY_MB = 50 * 1024 * 1024


def _error(r):
    body = r.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}
    return body["error"]


# --- body size ----------------------------------------------------------------------------------

def test_declared_50_mb_body_is_413_before_anything_runs(client):
    r = client.post("/api/v1/scanner/scans", content=b"{}", headers={"Content-Length": str(FIFTY_MB),
                                                                     "Content-Type": "application/json"})
    assert r.status_code == 413
    err = _error(r)
    assert err["code"] == "too_large" and err["details"]["max_bytes"] == get_settings().max_body_bytes
    assert r.headers["x-content-type-options"] == "nosniff"  # the refusal carries the security headers too


def test_body_just_over_the_limit_is_413_and_at_the_limit_is_parsed(client, monkeypatch):
    monkeypatch.setattr(get_settings(), "max_body_bytes", 2048)
    over = json.dumps({"qr": "x", "client_scan_id": "a", "pad": "p" * 2100}).encode()
    assert client.post("/api/v1/scanner/scans", content=over, headers={"Content-Type": "application/json"}).status_code == 413
    under = json.dumps({"qr": "x", "client_scan_id": "a"}).encode()
    assert client.post("/api/v1/scanner/scans", content=under, headers={"Content-Type": "application/json"}).status_code == 401


def test_non_numeric_content_length_is_400(client):
    r = client.post("/api/v1/scanner/scans", content=b"{}", headers={"Content-Length": "lots"})
    assert r.status_code == 400 and _error(r)["code"] == "malformed"


def test_streamed_body_is_cut_off_at_the_limit_not_read_in_full():
    """ASGI level: a chunked body is counted as it streams; reading stops right after the limit."""
    chunk, pulled, app_saw = b"x" * 65536, [0], []

    async def receive():
        pulled[0] += 1
        return {"type": "http.request", "body": chunk, "more_body": pulled[0] * len(chunk) < FIFTY_MB}

    async def app(scope, receive_, send):
        total = 0
        while True:
            message = await receive_()
            if message["type"] == "http.disconnect":
                app_saw.append(total)
                raise RuntimeError("client went away")  # what a framework does; must not surface
            total += len(message["body"])
            if not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"read it all"})

    sent = []

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/x", "headers": [(b"transfer-encoding", b"chunked")]}
    asyncio.run(BodySizeLimit(app, max_bytes=1_000_000)(scope, receive, send))
    assert sent[0]["status"] == 413 and json.loads(sent[1]["body"])["error"]["code"] == "too_large"
    assert len(sent) == 2  # nothing the app said afterwards went out
    assert pulled[0] * len(chunk) <= 1_000_000 + len(chunk)  # stopped at the first chunk past the limit
    assert app_saw and app_saw[0] <= 1_000_000


def test_real_server_answers_413_to_a_chunked_50_mb_upload(db):
    """Over a real socket (uvicorn): the 413 arrives while the client is still streaming."""
    import uvicorn

    from voelgoed.api import create_api

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_api(), log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        while not server.started:
            time.sleep(0.05)
        conn = socket.create_connection(("127.0.0.1", port))
        conn.sendall(b"POST /api/v1/public/events/x/holds HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                     b"Transfer-Encoding: chunked\r\n\r\n")
        piece = b"10000\r\n" + b"x" * 0x10000 + b"\r\n"
        streamed, answered = 0, False
        try:
            while streamed < FIFTY_MB:
                if select.select([conn], [], [], 0)[0]:
                    answered = True
                    break
                conn.sendall(piece)
                streamed += 0x10000
        except (BrokenPipeError, ConnectionResetError):
            answered = True
        conn.settimeout(30)
        reply = b""
        try:
            while b"\r\n\r\n" not in reply:
                data = conn.recv(65536)
                if not data:
                    break
                reply += data
        except ConnectionResetError:
            pass
        conn.close()
        assert answered and streamed < FIFTY_MB
        assert reply.startswith(b"HTTP/1.1 413"), reply[:200]
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def test_a_100_kb_qr_is_422(db, client):
    from tests.scan_factories import make_scan_setup
    from voelgoed.services.gate import devices
    from voelgoed.services.platform import Actor, TenantContext

    org, event, *_rest = make_scan_setup(db, quantity=1)
    ctx = TenantContext(organization_id=org.id, actor=Actor("system", "test"), role="owner")
    _device, token, _code = devices.create_device(db, ctx, event_id=str(event.id), name="door")
    dev = {"Authorization": f"Bearer {token}"}
    big = "V" * 100_000
    r = client.post("/api/v1/scanner/scans", json={"qr": big, "client_scan_id": "big"}, headers=dev)
    assert r.status_code == 422 and "qr" in _error(r)["details"]["fields"]
    r = client.post("/api/v1/scanner/sync", headers=dev, json={"scans": [
        {"client_scan_id": "big", "qr": big, "scanned_at": "2026-01-01T00:00:00Z"}]})
    assert r.status_code == 422
    r = client.post("/api/v1/scanner/scans", json={"qr": "V" * 1024, "client_scan_id": "ok"}, headers=dev)
    assert r.status_code == 200 and r.json()["result"] == "invalid"


# --- security headers ---------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/api/health", "/api/v1/public/events/no-such-event", "/api/v1/openapi.json"])
def test_security_headers_on_every_answer(client, path):
    r = client.get(path)
    csp = r.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp and "'wasm-unsafe-eval'" in csp
    assert "object-src 'none'" in csp
    assert r.headers["referrer-policy"] == "no-referrer"
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"
    assert "strict-transport-security" not in r.headers  # plain HTTP: no HSTS


def test_hsts_only_over_https(db, redis_client, monkeypatch):
    from fastapi.testclient import TestClient

    from voelgoed.api import create_api

    with TestClient(create_api(), base_url="https://testserver") as tls:
        assert tls.get("/api/health").headers["strict-transport-security"].startswith("max-age=31536000")
    with TestClient(create_api()) as plain:
        # a client cannot claim HTTPS through a header unless a trusted proxy sets it
        assert "strict-transport-security" not in plain.get("/api/health", headers={"X-Forwarded-Proto": "https"}).headers
        monkeypatch.setattr(get_settings(), "trusted_proxy_hops", 1)
        assert "strict-transport-security" in plain.get("/api/health", headers={"X-Forwarded-Proto": "https"}).headers


# --- client address -----------------------------------------------------------------------------

def test_forwarded_client_address_rule():
    assert forwarded_client_address("10.0.0.1", "6.6.6.6", 0) == "10.0.0.1"
    assert forwarded_client_address("10.0.0.1", "6.6.6.6, 203.0.113.9", 1) == "203.0.113.9"
    assert forwarded_client_address("10.0.0.1", "6.6.6.6, 203.0.113.9, 10.0.0.2", 2) == "203.0.113.9"
    assert forwarded_client_address("10.0.0.1", "203.0.113.9", 2) == "10.0.0.1"  # fewer hops than trusted
    assert forwarded_client_address("10.0.0.1", "", 1) == "10.0.0.1"


def test_spoofed_forwarded_for_does_not_escape_the_rate_limit(db, client, monkeypatch):
    event = make_event(db, make_org(db))
    db.commit()
    monkeypatch.setattr(get_settings(), "public_rate_limit", "3/minute")
    url = f"/api/v1/public/events/{event.slug}"
    # no trusted proxy: X-Forwarded-For is ignored, so rotating it does not give new buckets
    codes = [client.get(url, headers={"X-Forwarded-For": f"198.51.100.{i}"}).status_code for i in range(5)]
    assert codes == [200, 200, 200, 429, 429]

    # one trusted proxy: only the address it appended counts, not what the client wrote before it
    monkeypatch.setattr(get_settings(), "trusted_proxy_hops", 1)
    codes = [client.get(url, headers={"X-Forwarded-For": f"198.51.100.{i}, 203.0.113.7"}).status_code for i in range(5)]
    assert codes == [200, 200, 200, 429, 429]
    assert client.get(url, headers={"X-Forwarded-For": "203.0.113.8"}).status_code == 200  # another real client
