"""The export endpoints (issue 13, item 5): streamed CSV and XLSX per kind over HTTP checked row by row,
scopes, another organisation's event, and the background job driven over HTTP with a real RQ worker."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook
from rq import SimpleWorker

from tests.factories import make_event, make_org, make_ticket_type
from tests.scan_factories import make_order_with_tickets
from voelgoed.config import get_settings
from voelgoed.services.accounts import apikeys
from voelgoed.services.insights import COLUMNS, export_jobs
from voelgoed.services.platform import drain_outbox, queue


def _auth(db, org, scopes=None):
    _key, secret = apikeys.create_api_key(db, organization_id=org.id, name="test", scopes=scopes)
    db.commit()
    return {"Authorization": f"Bearer {secret}"}


def _setup(db):
    org = make_org(db)
    event = make_event(db, org)
    tt = make_ticket_type(db, event, name="Early bird", price_cents=12000)
    order, tickets = make_order_with_tickets(db, tt, quantity=3, holder_name="Lindiwe Khumalo")
    db.commit()
    return org, event, order, tickets


def test_csv_and_xlsx_over_http(client, db):
    org, event, order, tickets = _setup(db)
    h = _auth(db, org)
    r = client.get(f"/api/v1/events/{event.id}/exports/tickets.csv", headers=h)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert f'filename="{event.slug}-tickets.csv"' in r.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0] == list(COLUMNS["tickets"])
    assert sorted(r[0] for r in rows[1:]) == sorted(t.ticket_code for t in tickets)
    assert all(r[1:4] == ["valid", "Early bird", "Lindiwe Khumalo"] and r[5] == order.order_code for r in rows[1:])

    r = client.get(f"/api/v1/events/{event.id}/exports/orders.xlsx", headers=h)
    assert r.status_code == 200
    sheet = load_workbook(io.BytesIO(r.content), read_only=True)["orders"]
    got = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert got[0] == list(COLUMNS["orders"])
    assert got[1][:7] == [order.order_code, "paid", "Lindiwe Khumalo", "buyer@example.co.za", 3, 36000, "ZAR"]
    assert len(got) == 2


def test_scopes_tenants_and_errors(client, db):
    org, event, _order, _tickets = _setup(db)
    orders_only = _auth(db, org, scopes=["orders:read"])
    assert client.get(f"/api/v1/events/{event.id}/exports/orders.csv", headers=orders_only).status_code == 200
    r = client.get(f"/api/v1/events/{event.id}/exports/tickets.csv", headers=orders_only)
    assert (r.status_code, r.json()["error"]["code"]) == (403, "insufficient_scope")
    assert r.json()["error"]["details"]["missing"] == ["attendees:read"]
    other = _auth(db, make_org(db))
    for path in ("orders.csv", "refunds.xlsx"):
        r = client.get(f"/api/v1/events/{event.id}/exports/{path}", headers=other)
        assert (r.status_code, r.json()["error"]["code"]) == (404, "not_found")
    h = _auth(db, org)
    assert client.get("/api/v1/events/not-an-id/exports/orders.csv", headers=h).status_code == 404
    r = client.post(f"/api/v1/events/{event.id}/exports/orders?format=pdf", headers=h)
    assert (r.status_code, r.json()["error"]["code"]) == (422, "validation_failed")
    assert client.get("/api/v1/exports/00000000-0000-0000-0000-000000000000/download?token=1.x").status_code == 404


def test_background_job_over_http(client, db, redis_client, tmp_path, monkeypatch):
    monkeypatch.setattr(get_settings(), "media_dir", tmp_path)
    org, event, order, _tickets = _setup(db)
    h = _auth(db, org)
    r = client.post(f"/api/v1/events/{event.id}/exports/orders?format=csv", headers=h)
    assert r.status_code == 202 and r.json()["export"]["status"] == "queued"
    export_id = r.json()["export"]["id"]
    status_url = f"/api/v1/events/{event.id}/exports/orders/{export_id}"
    if client.get(status_url, headers=h).json()["export"]["status"] == "queued":
        r = client.get(f"{status_url}/file", headers=h)
        assert (r.status_code, r.json()["error"]["code"]) == (409, "export_not_ready")
    drain_outbox()
    q = queue.get_queue()
    SimpleWorker([q], connection=q.connection).work(burst=True)
    view = client.get(status_url, headers=h).json()["export"]
    assert (view["status"], view["rows_total"], view["rows_done"], view["percent"]) == ("done", 1, 1, 100)
    rows = list(csv.reader(io.StringIO(client.get(f"{status_url}/file", headers=h).content.decode("utf-8-sig"))))
    assert rows[1][:2] == [order.order_code, "paid"] and len(rows) == 2
    # the same job is not reachable under another kind (whose scope differs), nor by another organisation
    r = client.get(f"/api/v1/events/{event.id}/exports/refunds/{export_id}", headers=h)
    assert (r.status_code, r.json()["error"]["code"], r.json()["error"]["details"]) == (409, "wrong_kind", {"kind": "orders"})
    assert client.get(status_url, headers=_auth(db, make_org(db))).status_code == 404
    token = export_jobs.download_token(export_id)
    r = client.get(f"/api/v1/exports/{export_id}/download?token={token}")
    assert r.status_code == 200 and r.content.decode("utf-8-sig").splitlines()[1].startswith(order.order_code)
