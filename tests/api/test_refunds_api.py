"""The refund endpoints: error envelope codes for bad input, another organisation's order, and a refund
driven end to end over HTTP (request → Paystack webhook → processed, reconciliation sums)."""

from __future__ import annotations

from sqlmodel import select

from tests import refund_helpers
from tests.factories import make_org
from tests.refund_helpers import buy, new_event, standin_refund_id, tickets_of
from voelgoed.models import Payment
from voelgoed.services.accounts import apikeys

standin, paystack_env = refund_helpers.standin, refund_helpers.paystack_env  # fixtures


def _auth(db, org):
    _key, secret = apikeys.create_api_key(db, organization_id=org.id, name="test")
    db.commit()
    return {"Authorization": f"Bearer {secret}"}


def test_refund_over_http(client, db, paystack_env):
    org, event, tt = new_event(db)
    order = buy(client, db, paystack_env, event, tt, quantity=2)
    h = _auth(db, org)
    url = f"/api/v1/orders/{order.id}/refunds"
    for body, status, code in (({"amount_cents": 70001}, 409, "refund_exceeds_balance"),
                               ({"amount_cents": 0}, 422, "validation_failed"),
                               ({"amount_cents": "12"}, 422, "validation_failed"),
                               ({"amount_cents": 1e30}, 422, "validation_failed"),
                               ({"ticket_ids": ["nope"]}, 404, "not_found"),
                               ({"reason": "x" * 501}, 422, "validation_failed")):
        r = client.post(url, json=body, headers=h)
        assert (r.status_code, r.json()["error"]["code"]) == (status, code), (body, r.text)
    other = _auth(db, make_org(db))
    assert client.post(url, json={}, headers=other).status_code == 404
    assert client.get(url, headers=other).status_code == 404
    assert client.post(url, json={}).status_code == 401

    t1 = tickets_of(db, order)[0]
    r = client.post(url, json={"ticket_ids": [str(t1.id)], "reason": "Sick", "request_key": "k1"}, headers=h)
    assert r.status_code == 201 and r.json()["refund"]["status"] == "pending"
    again = client.post(url, json={"ticket_ids": [str(t1.id)], "reason": "Sick", "request_key": "k1"}, headers=h)
    assert again.json()["refund"]["id"] == r.json()["refund"]["id"]
    ref = db.exec(select(Payment).where(Payment.order_id == order.id)).one().reference
    headers, raw = paystack_env.refund_webhook(standin_refund_id(paystack_env, ref))
    assert client.post("/api/v1/payments/paystack/webhook", content=raw, headers=headers).json()["outcome"] == "refund_processed"
    view = client.get(url, headers=h).json()
    assert (view["balance_cents"], view["refundable_cents"]) == (35000, 35000)
    assert [e["amount_cents"] for e in view["ledger"]] == [70000, -35000]
    recon = client.get(f"/api/v1/events/{event.id}/reconciliation", headers=h).json()
    assert (recon["sold_cents"], recon["refunded_cents"], recon["net_cents"]) == (70000, 35000, 35000)
    assert client.get(f"/api/v1/events/{event.id}/reconciliation", headers=other).status_code == 404
    r = client.post(f"/api/v1/orders/{order.id}/cancel", json={"reason": "Fraud"}, headers=h)
    assert r.status_code == 200 and r.json()["refund_status"] == "pending"
    assert client.post(f"/api/v1/refunds/{r.json()['refund_id']}/retry", headers=h).json()["error"]["code"] == "invalid_state"
