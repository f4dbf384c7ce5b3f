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


def ga_layout(capacity: int = 5, rows=(("A", 6),)):
    """A block of ``std`` seats, a standing area ``floor`` (``std``, ``capacity``) and a table ``T1`` of 4 ``vip``
    seats sold whole, plus a table ``T2`` of 2 seats sold per seat."""
    doc = block_layout(rows)
    doc["standing_areas"] = [{"id": "floor", "label": "Floor", "category": "std", "capacity": capacity,
                              "points": [{"x": 100, "y": 600}, {"x": 600, "y": 600}, {"x": 600, "y": 900}]}]
    doc["tables"] = [
        {"id": "T1", "label": "T1", "x": 900, "y": 400, "book_whole": True, "category": "vip",
         "seats": [{"key": f"T1-{i}", "label": str(i), "x": 800 + 30 * i, "y": 380} for i in range(1, 5)]},
        {"id": "T2", "label": "T2", "x": 1200, "y": 400, "category": "std",
         "seats": [{"key": f"T2-{i}", "label": str(i), "x": 1100 + 30 * i, "y": 380} for i in range(1, 3)]},
    ]
    return doc


def party_layout(tables=(("T1", 6, 520), ("T2", 4, 900)), areas=(("floor", 7, 700), ("balcony", 7, 1100)),
                 rows=(("A", 2),)):
    """Best available's last steps: ``rows`` of ``std`` seats (few), tables sold whole of ``vip`` seats
    (``(key, seats, y[, x])``, x 500 by default: the farther, the farther from the focal point at (500, 50)) and standing areas of
    ``std`` (``(key, capacity, y)``)."""
    doc = block_layout(rows)
    doc["tables"] = []
    for key, n, y, *at in tables:
        x = at[0] if at else 500
        doc["tables"].append({"id": key, "label": key, "x": x, "y": y, "book_whole": True, "category": "vip",
                              "seats": [{"key": f"{key}-{i}", "label": str(i), "x": x - 20 * (n + 1) + 40 * i, "y": y}
                                        for i in range(1, n + 1)]})
    doc["standing_areas"] = [{"id": key, "label": key.title(), "category": "std", "capacity": cap,
                              "points": [{"x": 1400, "y": y}, {"x": 1900, "y": y}, {"x": 1900, "y": y + 80},
                                         {"x": 1400, "y": y + 80}]} for key, cap, y in areas]
    return doc
