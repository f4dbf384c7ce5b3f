"""Ticket API: void (200 / 409 / 404 cross-tenant), PDF download by token, resend, garbage inputs."""

from __future__ import annotations

import os

import pypdfium2 as pdfium
import pytest
import zxingcpp
from sqlmodel import select

from tests.factories import make_org
from tests.ticket_factories import make_paid_order_setup
from voelgoed.config import get_settings
from voelgoed.models import AuditLog, Ticket
from voelgoed.services.accounts import apikeys
from voelgoed.services.tickets import ticket_identity, tickets


@pytest.fixture
def media(tmp_path):
    old = os.environ.get("MEDIA_DIR")
    os.environ["MEDIA_DIR"] = str(tmp_path)
    get_settings.cache_clear()
    yield tmp_path
    if old is None:
        os.environ.pop("MEDIA_DIR", None)
    else:
        os.environ["MEDIA_DIR"] = old
    get_settings.cache_clear()


@pytest.fixture
def issued(db):
    org, event, tt, order = make_paid_order_setup(db, quantity=2)
    ts = tickets.issue_for_order(db, order)
    db.commit()
    _key, secret = apikeys.create_api_key(db, organization_id=org.id, name="test")
    return {"org": org, "event": event, "order": order, "tickets": ts, "auth": {"Authorization": f"Bearer {secret}"}}


def test_void_then_void_again_conflicts(client, db, issued):
    t = issued["tickets"][0]
    r = client.post(f"/api/v1/tickets/{t.id}/void", json={"reason": "Chargeback"}, headers=issued["auth"])
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "voided" and r.json()["version"] == 2
    db.refresh(t)
    assert t.status == "voided" and t.void_reason == "Chargeback"
    assert db.exec(select(AuditLog).where(AuditLog.action == "ticket.voided", AuditLog.target_id == str(t.id))).first()
    r = client.post(f"/api/v1/tickets/{t.id}/void", headers=issued["auth"])
    assert r.status_code == 409 and r.json()["error"]["code"] == "already_voided"


def test_void_other_org_is_not_found_and_changes_nothing(client, db, issued):
    other = make_org(db)
    _key, secret = apikeys.create_api_key(db, organization_id=other.id, name="other")
    t = issued["tickets"][0]
    r = client.post(f"/api/v1/tickets/{t.id}/void", json={}, headers={"Authorization": f"Bearer {secret}"})
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    assert db.exec(select(Ticket.status).where(Ticket.id == t.id)).one() == "valid"


@pytest.mark.parametrize("path,body", [
    ("/api/v1/tickets/not-a-uuid/void", {}),
    ("/api/v1/tickets/00000000-0000-0000-0000-000000000000/void", None),
    ("/api/v1/tickets/" + "x" * 500 + "/void", {"reason": "x"}),
])
def test_void_garbage_ids(client, issued, path, body):
    r = client.post(path, json=body, headers=issued["auth"])
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"


def test_void_garbage_bodies(client, issued):
    url = f"/api/v1/tickets/{issued['tickets'][0].id}/void"
    assert client.post(url, content=b"{not json", headers={**issued["auth"], "Content-Type": "application/json"}).status_code == 400
    assert client.post(url, json={"reason": "x" * 501}, headers=issued["auth"]).status_code == 422
    assert client.post(url, json={"reason": 12}, headers=issued["auth"]).status_code == 422
    assert client.post(url, json=[1, 2], headers=issued["auth"]).status_code == 400
    assert client.post(url, json={}).status_code == 401
    assert client.post(url, json={}, headers={"Authorization": "Bearer nope"}).status_code == 401


def test_pdf_download_needs_the_right_token(client, db, issued, media):
    order, t = issued["order"], issued["tickets"][0]
    base = f"/api/v1/public/orders/{order.order_code}/tickets/{t.id}.pdf"
    r = client.get(base, params={"access_token": order.access_token})
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    image = pdfium.PdfDocument(r.content)[0].render(scale=2).to_pil()
    (found,) = zxingcpp.read_barcodes(image)
    assert found.text == t.qr_payload
    verified = ticket_identity.verify(found.text, ticket_identity.public_key_map(db, issued["event"].id))
    assert verified is not None and verified.ticket_id == t.id
    for params in ({}, {"access_token": "wrong"}, {"access_token": order.access_token + "x"}, {"access_token": ""}):
        r = client.get(base, params=params)
        assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    assert client.get(f"/api/v1/public/orders/VG-NOPE00/tickets/{t.id}.pdf",
                      params={"access_token": order.access_token}).status_code == 404
    assert client.get(f"/api/v1/public/orders/{order.order_code}/tickets/garbage.pdf",
                      params={"access_token": order.access_token}).status_code == 404
    assert client.get(base, params={"access_token": "x" * 5000}).status_code == 422  # over the query max_length


def test_pdf_of_a_ticket_from_another_order_is_not_found(client, db, issued, media):
    _org, _event, _tt, other_order = make_paid_order_setup(db, quantity=1)
    (other_ticket,) = tickets.issue_for_order(db, other_order)
    db.commit()
    order = issued["order"]
    r = client.get(f"/api/v1/public/orders/{order.order_code}/tickets/{other_ticket.id}.pdf",
                   params={"access_token": order.access_token})
    assert r.status_code == 404


def test_resend_endpoints(client, db, issued):
    order = issued["order"]
    r = client.post(f"/api/v1/orders/{order.id}/resend-email", headers=issued["auth"])
    assert r.status_code == 202 and r.json() == {"status": "queued"}
    r = client.post(f"/api/v1/public/orders/{order.order_code}/resend-email", params={"access_token": order.access_token})
    assert r.status_code == 202
    assert client.post(f"/api/v1/public/orders/{order.order_code}/resend-email",
                       params={"access_token": "nope"}).status_code == 404
    assert client.post("/api/v1/orders/garbage/resend-email", headers=issued["auth"]).status_code == 404
    other = make_org(db)
    _key, secret = apikeys.create_api_key(db, organization_id=other.id, name="other")
    assert client.post(f"/api/v1/orders/{order.id}/resend-email",
                       headers={"Authorization": f"Bearer {secret}"}).status_code == 404
    assert db.exec(select(AuditLog).where(AuditLog.action == "order.confirmation_resent")).all()


def test_public_order_view_lists_tickets_with_pdf_urls(client, issued, media):
    order = issued["order"]
    r = client.get(f"/api/v1/public/orders/{order.order_code}", params={"access_token": order.access_token})
    assert r.status_code == 200, r.text
    listed = r.json()["tickets"]
    assert {t["id"] for t in listed} == {str(t.id) for t in issued["tickets"]}
    for t in listed:
        assert t["qr_payload"].startswith("VG1:") and t["status"] == "valid" and t["ticket_type"] == "General Admission"
        path = t["pdf_url"].split("://", 1)[1].split("/", 1)[1]
        assert client.get("/" + path).headers["content-type"] == "application/pdf"
    assert client.get(f"/api/v1/public/orders/{order.order_code}", params={"access_token": "bad"}).status_code == 404
