def test_health_reports_stores(client):
    r = client.get("/api/health")
    assert r.status_code == 200
    body = r.json()
    assert body["database"] == "ok"
    assert body["redis"] == "ok"
    assert body["worker"] in ("ok", "unavailable")


def test_openapi_is_served(client):
    r = client.get("/api/v1/openapi.json")
    assert r.status_code == 200
    assert r.json()["info"]["title"] == "VoelgoedEvents API"


def test_unknown_path_has_error_body(client):
    r = client.get("/api/v1/nope")
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "not_found"


def test_undecodable_body_is_malformed_not_500(client):
    r = client.post("/api/v1/public/events/x/holds", content=b"\xff\xfe not json", headers={"content-type": "application/json"})
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "malformed"


def test_wrong_method_has_error_body(client):
    r = client.delete("/api/health")
    assert r.status_code == 405
    assert r.json()["error"]["code"] == "method_not_allowed"
