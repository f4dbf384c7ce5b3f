"""Seated events for tests: a published block layout attached to an event with a ticket type per category."""

from __future__ import annotations

from tests.factories import make_event, make_ticket_type
from tests.seating_factories import block_layout, org_venue
from voelgoed.models import EventSeating
from voelgoed.services import seating


def seated_event(db, rows=(("A", 10),), *, rule: str = "off", max_per_order: int = 10, max_per_buyer: int = 10,
                 layout=None, std_price: int = 20000, vip_price: int = 50000):
    """``(event, ctx, {category: ticket type})`` — an on-sale event with ``rows`` of ``std`` seats attached."""
    org, venue, ctx = org_venue(db)
    event = make_event(db, org, venue=venue)
    std = make_ticket_type(db, event, name="Standard", price_cents=std_price, quantity=0)
    vip = make_ticket_type(db, event, name="VIP", price_cents=vip_price, quantity=0)
    plan = seating.create_plan(db, ctx, venue_id=venue.id, name="Hall", layout_doc=layout or block_layout(rows))
    version = seating.publish(db, ctx, plan.id)["version"]
    seating.configure_seated_sales(db, ctx, event_id=event.id, version_id=version["id"],
                                   category_types={"std": str(std.id), "vip": str(vip.id)}, isolated_rule=rule,
                                   max_per_order=max_per_order, max_per_buyer=max_per_buyer)
    assert db.get(EventSeating, event.id) is not None
    return event, ctx, {"std": std, "vip": vip}
