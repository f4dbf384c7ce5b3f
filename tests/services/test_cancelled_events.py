"""Cancelled events (issue 9, item 7): scanners answer ``event_cancelled`` online, in uploads and offline
(the manifest says so); the public view shows the event as cancelled; holds and checkouts are refused."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from tests.factories import make_event, make_org, make_ticket_type
from tests.scan_factories import make_device, make_scan_setup, owner_ctx
from tests.services.test_scanner_js import _decide
from voelgoed.models import Scan, Ticket
from voelgoed.services.catalog import events
from voelgoed.services.gate import scan_sync, scanning
from voelgoed.services.platform import VoelgoedError
from voelgoed.services.sales import checkout, inventory, storefront


def _cancelled_setup(db, quantity=3):
    org, event, tt, tickets = make_scan_setup(db, quantity=quantity)
    device, token = make_device(db, event)
    # one ticket was admitted before the cancellation
    assert scanning.scan(db, device, qr=tickets[2].qr_payload, client_scan_id="before")["result"] == "accepted"
    events.cancel(db, owner_ctx(org), event.id, reason="storm")
    return org, event, tt, tickets, device, token


def test_online_scan_of_a_cancelled_events_ticket_is_event_cancelled_and_never_admits(db):
    _org, _event, _tt, tickets, device, _ = _cancelled_setup(db)
    for csid, qr in (("a", tickets[0].qr_payload), ("b", tickets[1].ticket_code), ("c", tickets[2].qr_payload)):
        out = scanning.scan(db, device, qr=qr, client_scan_id=csid)
        assert out["result"] == "event_cancelled", qr
        assert out["ticket"]["ticket_code"] in (tickets[0].ticket_code, tickets[1].ticket_code, tickets[2].ticket_code)
    assert scanning.scan(db, device, qr="garbage", client_scan_id="d")["result"] == "invalid"
    db.expire_all()  # cancelling the event voided every live ticket (issue 13); a scan changes nothing
    assert db.get(Ticket, tickets[0].id).status == "voided" and db.get(Ticket, tickets[1].id).status == "voided"
    stored = {s.client_scan_id: s.result for s in db.exec(select(Scan).where(Scan.device_id == device.id)).all()}
    assert stored == {"before": "accepted", "a": "event_cancelled", "b": "event_cancelled", "c": "event_cancelled",
                      "d": "invalid"}
    # a retry answers what was stored
    assert scanning.scan(db, device, qr=tickets[0].qr_payload, client_scan_id="a")["result"] == "event_cancelled"


def test_sync_of_a_cancelled_events_tickets_is_event_cancelled(db):
    _org, _event, _tt, tickets, device, _ = _cancelled_setup(db)
    now = datetime.now(UTC)
    results = scan_sync.sync(db, device, scans=[
        {"client_scan_id": "o1", "qr": tickets[0].qr_payload, "scanned_at": now - timedelta(minutes=1), "local_result": "accepted"},
        {"client_scan_id": "o2", "qr": tickets[1].ticket_code, "scanned_at": now - timedelta(minutes=1)},
        {"client_scan_id": "o3", "qr": "nonsense", "scanned_at": now - timedelta(minutes=1)},
    ])
    assert [r["result"] for r in results] == ["event_cancelled", "event_cancelled", "invalid"]
    db.expire_all()
    assert db.get(Ticket, tickets[0].id).status == "voided" and db.get(Ticket, tickets[0].id).checked_in_at is None


def test_manifest_says_cancelled_and_the_offline_engine_answers_event_cancelled(db):
    _org, event, _tt, tickets, device, _ = _cancelled_setup(db)
    manifest = json.loads(json.dumps(scanning.manifest(db, device), default=str))
    assert manifest["event"]["status"] == "cancelled"
    cases = [{"qr": tickets[0].qr_payload}, {"qr": tickets[1].ticket_code}, {"qr": "hello"},
             {"qr": tickets[2].qr_payload, "seen": [str(tickets[2].id)]}]
    assert _decide(manifest, cases) == ["event_cancelled", "event_cancelled", "invalid", "event_cancelled"]
    # control: the same manifest with the event live answers otherwise (the offline rule depends on the
    # status): its tickets were voided by the cancellation, so they are in ``revoked``
    assert str(tickets[0].id) in manifest["revoked"]
    manifest["event"]["status"] = "live"
    assert _decide(manifest, cases[:1]) == ["revoked"]
    manifest["revoked"] = []
    for t in manifest["tickets"]:
        t["status"] = "valid"
    assert _decide(manifest, cases[:1]) == ["accepted"]


def test_manifest_status_of_a_live_event(db):
    _org, _event, _tt, _tickets = make_scan_setup(db, quantity=1)
    device, _ = make_device(db, _event)
    assert scanning.manifest(db, device)["event"]["status"] == "live"


def test_public_view_shows_cancelled_with_nothing_to_buy_and_holds_are_refused(db):
    org = make_org(db)
    event = make_event(db, org)
    tt = make_ticket_type(db, event, quantity=10)
    hold = inventory.create_hold(db, event_slug=event.slug, items=[(tt.id, 2)])
    assert storefront.public_event_view(db, event.slug)["cancelled"] is False
    events.cancel(db, owner_ctx(org), event.id)
    view = storefront.public_event_view(db, event.slug)
    assert (view["status"], view["cancelled"], view["on_sale"], view["ticket_types"]) == ("cancelled", True, False, [])
    with pytest.raises(VoelgoedError) as exc:
        inventory.create_hold(db, event_slug=event.slug, items=[(tt.id, 1)])
    assert (exc.value.code, exc.value.status) == ("event_cancelled", 409)
    with pytest.raises(VoelgoedError) as exc:  # a hold taken before the cancellation can't be checked out
        checkout.start_checkout(db, hold_id=hold.id, buyer_name="Ann", buyer_email="ann@example.com")
    assert exc.value.code == "event_cancelled"


def test_public_api_cancelled_event_is_200_cancelled_and_hold_409(client, db):
    org = make_org(db)
    event = make_event(db, org)
    tt = make_ticket_type(db, event)
    events.cancel(db, owner_ctx(org), event.id)
    r = client.get(f"/api/v1/public/events/{event.slug}")
    assert r.status_code == 200 and r.json()["status"] == "cancelled" and r.json()["ticket_types"] == []
    r = client.post(f"/api/v1/public/events/{event.slug}/holds", json={"items": [{"ticket_type_id": str(tt.id), "quantity": 1}]})
    assert r.status_code == 409 and r.json()["error"]["code"] == "event_cancelled"
    draft = make_event(db, org, status="draft")
    assert client.get(f"/api/v1/public/events/{draft.slug}").status_code == 404  # drafts stay unknown


def test_scanner_api_answers_event_cancelled(client, db):
    _org, _event, _tt, tickets, _device, token = _cancelled_setup(db)
    h = {"Authorization": f"Bearer {token}"}
    r = client.post("/api/v1/scanner/scans", json={"qr": tickets[0].qr_payload, "client_scan_id": uuid.uuid4().hex}, headers=h)
    assert r.status_code == 200 and r.json()["result"] == "event_cancelled"
    r = client.post("/api/v1/scanner/sync", headers=h, json={"scans": [
        {"client_scan_id": "s1", "qr": tickets[1].qr_payload, "scanned_at": datetime.now(UTC).isoformat()}]})
    assert r.json()["results"][0]["result"] == "event_cancelled"
    assert client.get("/api/v1/scanner/manifest", headers=h).json()["event"]["status"] == "cancelled"
