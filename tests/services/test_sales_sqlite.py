"""The embedded default (`make run` without DATABASE_URL) is SQLite: the money path must work there too."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session

from tests.factories import make_event, make_org, make_ticket_type
from voelgoed.models import Order, TicketType
from voelgoed.services.payments import sandbox
from voelgoed.services.platform import VoelgoedError
from voelgoed.services.sales import checkout, inventory, sandbox_checkout, storefront


@pytest.fixture
def sqlite_session(tmp_path, engine):
    from voelgoed.cli import db_upgrade
    from voelgoed.services.platform import make_engine

    url = f"sqlite:///{tmp_path / 'embedded.db'}"
    db_upgrade(url)
    eng = make_engine(url)
    with Session(eng, expire_on_commit=False) as session:
        yield session
    eng.dispose()


def test_hold_checkout_pay_and_read_time_expiry_on_sqlite(sqlite_session, redis_client):
    s = sqlite_session
    org = make_org(s)
    event = make_event(s, org, capacity=3)
    tt = make_ticket_type(s, event, quantity=5, price_cents=1000)
    s.commit()
    past = datetime.now(UTC) - timedelta(minutes=10)
    inventory.create_hold(s, event_slug=event.slug, items=[(tt.id, 3)], now=past)
    assert storefront.public_event_view(s, event.slug)["ticket_types"][0]["available"] == 3  # lapsed hold ignored
    hold = inventory.create_hold(s, event_slug=event.slug, items=[(tt.id, 3)])
    with pytest.raises(VoelgoedError) as exc:
        inventory.create_hold(s, event_slug=event.slug, items=[(tt.id, 1)])
    assert exc.value.code == "sold_out"
    order = checkout.start_checkout(s, hold_id=hold.id, buyer_name="Embedded", buyer_email="e@example.com")
    payment = checkout.payment_for_order(s, order)
    assert sandbox_checkout.complete(s, reference=payment.reference, outcome="success")["status"] == "paid"
    headers, raw = sandbox.build_webhook(payment, "success")
    from voelgoed.services.sales import process_webhook

    assert process_webhook(s, provider="sandbox", headers=headers, raw_body=raw)["outcome"] == "already_paid"
    assert process_webhook(s, provider="sandbox", headers=headers, raw_body=raw)["outcome"] == "duplicate"
    s.expire_all()
    fresh = s.get(TicketType, tt.id)
    assert (fresh.held_count, fresh.sold_count) == (0, 3) and s.get(Order, order.id).status == "paid"
