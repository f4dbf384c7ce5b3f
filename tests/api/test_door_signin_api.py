"""POST /api/v1/scanner/sign-in: door staff turn their own phone into a scanner (rolled-back db, test Redis)."""

from __future__ import annotations

import pytest

from tests.factories import make_user
from tests.scan_factories import make_scan_setup
from voelgoed.services.gate import door_signin

PW = "correct horse battery"
URL = "/api/v1/scanner/sign-in"


def _door(db, role="scanner_only"):
    org, event, _tt, tickets = make_scan_setup(db)
    user = make_user(db, org=org, role=role)
    db.commit()  # a savepoint here: an error answer's rollback must not undo the arrangement
    return org, event, tickets, user


def test_list_events_then_register_and_scan(db, client):
    _org, event, tickets, user = _door(db)
    r = client.post(URL, json={"email": user.email.upper(), "password": PW})
    assert r.status_code == 200, r.text
    events = r.json()["events"]
    assert [(e["id"], e["gates"]) for e in events] == [(str(event.id), ["MAIN"])]
    assert set(events[0]) >= {"id", "name", "starts_at", "gates"}

    r = client.post(URL, json={"email": user.email, "password": PW, "event_id": events[0]["id"], "gate_code": "MAIN"})
    assert r.status_code == 201, r.text
    body = r.json()
    assert set(body) == {"token", "device", "event", "gate_code"}  # the same shape as /scanner/pair
    assert body["gate_code"] == "MAIN" and body["event"]["id"] == str(event.id)
    auth = {"Authorization": f"Bearer {body['token']}"}
    m = client.get("/api/v1/scanner/manifest", headers=auth)
    assert m.status_code == 200 and m.json()["device"]["gate_code"] == "MAIN"
    s = client.post("/api/v1/scanner/scans", headers=auth, json={"qr": tickets[0].ticket_code, "client_scan_id": "d1"})
    assert s.status_code == 200 and s.json()["result"] == "accepted"


def test_error_codes(db, client):
    _org, event, _tickets, user = _door(db)
    _o2, foreign, *_ = make_scan_setup(db)
    viewer = make_user(db, org=_org, role="viewer")
    db.commit()
    cases = [
        ({"email": user.email, "password": "wrong password!"}, 401, "invalid_credentials"),
        ({"email": viewer.email, "password": PW}, 403, "forbidden"),
        ({"email": user.email, "password": PW, "event_id": str(foreign.id)}, 404, "not_found"),
        ({"email": user.email, "password": PW, "event_id": "nope"}, 404, "not_found"),
        ({"email": user.email, "password": PW, "event_id": str(event.id), "gate_code": "NOPE"}, 422, "validation_failed"),
    ]
    for body, status, code in cases:
        r = client.post(URL, json=body)
        assert (r.status_code, r.json()["error"]["code"]) == (status, code), (body, r.text)


@pytest.mark.parametrize(("payload", "status"), [
    (None, 422), ([], 400), ("x", 400), ({}, 422), ({"email": 1, "password": 2}, 422), ({"email": None, "password": None}, 422),
    ({"email": "a@b.co", "password": "x", "event_id": ["x"]}, 422), ({"email": "a" * 1000, "password": "b"}, 422),
    ({"email": "\x00", "password": "\x00"}, 401), ({"email": "a@b.co", "password": "p" * 2000}, 422),
])
def test_garbage_never_500(db, client, payload, status):
    r = client.post(URL, json=payload)
    assert r.status_code == status, r.text
    assert "error" in r.json()


def test_rate_limited_per_address_with_retry_after(db, client, monkeypatch):
    _org, _event, _tickets, user = _door(db)
    monkeypatch.setattr(door_signin, "ADDRESS_RATE", "1/minute")
    assert client.post(URL, json={"email": user.email, "password": PW}).status_code == 200
    r = client.post(URL, json={"email": user.email, "password": PW})
    assert r.status_code == 429 and r.json()["error"]["code"] == "rate_limited" and int(r.headers["Retry-After"]) >= 1


def test_in_openapi(client):
    spec = client.get("/api/v1/openapi.json").json()
    op = spec["paths"]["/api/v1/scanner/sign-in"]["post"]
    assert "201" in op["responses"] and "200" in op["responses"]
