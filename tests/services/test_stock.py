"""The stock interface (sales/stock) on its own: reserve / release / sell / release_sold / available, typed
conflicts, all-or-nothing, event capacity, and the seat extension point."""

from __future__ import annotations

import pytest

from tests.factories import make_event, make_org, make_ticket_type
from voelgoed.models import Event, TicketType
from voelgoed.services.platform import VoelgoedError
from voelgoed.services.sales import seat_keeper, stock


@pytest.fixture
def shop(db):
    org = make_org(db)
    event = make_event(db, org, capacity=None)
    a = make_ticket_type(db, event, name="A", quantity=5)
    b = make_ticket_type(db, event, name="B", quantity=3)
    db.commit()
    return event, a, b


def _counts(db, *types):
    db.expire_all()
    return [(db.get(TicketType, t.id).held_count, db.get(TicketType, t.id).sold_count) for t in types]


def test_reserve_release_sell_release_sold_round_trip(db, shop):
    event, a, b = shop
    lines = stock.lines_of({a.id: 2, b.id: 1})
    stock.reserve(db, event.id, lines)
    assert _counts(db, a, b) == [(2, 0), (1, 0)]
    assert stock.available(db, event)["types"] == {a.id: 3, b.id: 2}
    stock.release(db, event.id, stock.lines_of({b.id: 1}))
    assert stock.sell(db, event.id, stock.lines_of({a.id: 2}), from_held=True)
    assert _counts(db, a, b) == [(0, 2), (0, 0)]
    stock.release_sold(db, event.id, stock.lines_of({a.id: 1}))  # a refunded ticket goes back on sale
    assert _counts(db, a, b) == [(0, 1), (0, 0)]
    assert stock.available(db, event)["types"][a.id] == 4
    with pytest.raises(ValueError):
        stock.release_sold(db, event.id, stock.lines_of({a.id: 2}))  # only 1 sold


def test_reserve_is_all_or_nothing_with_a_typed_reason(db, shop):
    event, a, b = shop
    with pytest.raises(stock.Short) as exc:
        stock.reserve(db, event.id, stock.lines_of({a.id: 1, b.id: 4}))
    assert exc.value.reason == stock.TICKET_TYPE and exc.value.ticket_type_id == b.id
    db.rollback()  # the caller's rollback undoes the part already reserved
    assert _counts(db, a, b) == [(0, 0), (0, 0)]


def test_event_capacity_short_and_sell_without_hold_respects_it(db, shop):
    event, a, b = shop
    db.get(Event, event.id).capacity = 4
    db.commit()
    stock.reserve(db, event.id, stock.lines_of({a.id: 3}))
    with pytest.raises(stock.Short) as exc:
        stock.reserve(db, event.id, stock.lines_of({b.id: 2}))
    assert exc.value.reason == stock.EVENT_CAPACITY
    db.rollback()
    stock.reserve(db, event.id, stock.lines_of({a.id: 3}))
    db.commit()
    assert not stock.sell(db, event.id, stock.lines_of({b.id: 2}), from_held=False)  # late payment: no room
    assert stock.sell(db, event.id, stock.lines_of({b.id: 1}), from_held=False)
    db.commit()
    db.expire_all()
    ev = db.get(Event, event.id)
    assert (ev.held_count, ev.sold_count) == (3, 1) and stock.available(db, ev)["event"] == 0
    stock.release_sold(db, event.id, stock.lines_of({b.id: 1}))
    db.expire_all()
    assert db.get(Event, event.id).sold_count == 0


def test_seated_lines_need_a_registered_keeper(db, shop, monkeypatch):
    event, a, _ = shop
    # issue 12 registers the seat keeper (sales.seat_keeper) on import; without one, seated lines are refused
    assert stock._KEEPERS["seat"] is seat_keeper.SEATS
    monkeypatch.delitem(stock._KEEPERS, "seat")
    with pytest.raises(VoelgoedError) as exc:
        stock.reserve(db, event.id, [stock.Line(a.id, 1, seat_key="A-1-7")])
    assert exc.value.code == "seating_unavailable"

    class SeatKeeperStandIn:  # what issue 12 plugs in: gets only the seated lines, sorted by seat key
        kind = "seat"
        calls: list = []

        def reserve(self, session, event_id, lines):
            self.calls.append([ln.seat_key for ln in lines])

    monkeypatch.setitem(stock._KEEPERS, "seat", SeatKeeperStandIn())
    stock.reserve(db, event.id, [stock.Line(a.id, 1, seat_key="B-2"), stock.Line(a.id, 2), stock.Line(a.id, 1, seat_key="A-9")])
    assert SeatKeeperStandIn.calls == [["A-9", "B-2"]]
    assert _counts(db, a) == [(2, 0)]  # the GA line went to the GA keeper
