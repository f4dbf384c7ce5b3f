"""Shared helpers for the outbox tests: a free (price 0) paid order through the real checkout, mail capture."""

from __future__ import annotations

import os
import socket

from tests.factories import make_event, make_org, make_ticket_type
from voelgoed.config import get_settings
from voelgoed.services.sales import checkout, inventory


def free_paid_order(session, *, event=None, tt=None, email="buyer@example.com", quantity=1):
    """A real free order: hold → checkout → paid in checkout's transaction (no provider involved)."""
    if tt is None:
        org = make_org(session)
        event = make_event(session, org)
        tt = make_ticket_type(session, event, price_cents=0, quantity=50)
        session.commit()
    hold = inventory.create_hold(session, event_id=event.id, items=[(tt.id, quantity)])
    order = checkout.start_checkout(session, hold_id=hold.id, buyer_name="Thandi", buyer_email=email)
    return event, tt, order


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def set_env(values: dict[str, str | None]) -> dict[str, str | None]:
    old = {k: os.environ.get(k) for k in values}
    for k, v in values.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v
    get_settings.cache_clear()
    return old
