"""The ``client`` fixture runs the API as production does: each route's own engine-bound session, real
commits. A route that forgot to commit, or a fast path that commits elsewhere, would show here: what the
API answered must be visible to a brand-new connection. (It found that a free checkout over HTTP answered
503: the route called a helper that had moved to `platform`.)"""

from __future__ import annotations

import uuid

from sqlalchemy import text
from sqlmodel import Session

from tests.factories import make_event, make_org, make_ticket_type
from voelgoed.services.platform import db as dbmod


def test_api_changes_are_committed_for_other_connections(client, db, engine):
    org = make_org(db)
    event = make_event(db, org)
    tt = make_ticket_type(db, event, quantity=5, price_cents=0)  # free: checkout pays at once
    assert dbmod._session_override is None  # the routes do not share the test's session
    r = client.post(f"/api/v1/public/events/{event.slug}/holds", json={"items": [{"ticket_type_id": str(tt.id), "quantity": 2}]})
    assert r.status_code == 201, r.text
    hold_id = uuid.UUID(r.json()["hold_id"])
    with engine.connect() as other:  # PostgreSQL autocommit fast path: committed on the server
        assert other.execute(text("SELECT held_count FROM tickettype WHERE id = :i"), {"i": tt.id}).scalar() == 2
        assert other.execute(text("SELECT status FROM hold WHERE id = :i"), {"i": hold_id}).scalar() == "active"
    r = client.post(f"/api/v1/public/holds/{hold_id}/checkout", json={"buyer_name": "Thandi", "buyer_email": "t@example.co.za"})
    assert r.status_code == 201 and r.json()["status"] == "paid", r.text
    with Session(engine) as other:
        row = other.execute(text('SELECT status FROM "order" WHERE order_code = :c'), {"c": r.json()["order_code"]}).scalar()
        assert row == "paid"
        assert other.execute(text("SELECT sold_count, held_count FROM tickettype WHERE id = :i"), {"i": tt.id}).one() == (2, 0)
