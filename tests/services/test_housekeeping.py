from datetime import timedelta

from tests.factories import make_event, make_org, make_ticket_type
from voelgoed.models import Event, Hold, TicketType
from voelgoed.services.platform import clock
from voelgoed.services.runtime import housekeeping
from voelgoed.services.sales import inventory


def test_sweep_reclaims_lapsed_holds_and_moves_event_status(db):
    org = make_org(db)
    event = make_event(db, org, starts_in=timedelta(hours=1))
    tt = make_ticket_type(db, event, quantity=10)
    db.commit()
    now = clock.utcnow()
    hold = inventory.create_hold(db, event_id=event.id, items=[(tt.id, 3)], now=now)
    db.refresh(tt)
    assert tt.held_count == 3

    later = hold.expires_at + timedelta(seconds=1)
    result = housekeeping.sweep(db, now=later)
    assert result["tickets_released"] == 3
    db.expire_all()
    assert db.get(Hold, hold.id).status == "expired"
    assert db.get(TicketType, tt.id).held_count == 0
    assert housekeeping.sweep(db, now=later) == {"events_changed": 0, "tickets_released": 0}

    during = clock.aware(event.starts_at) + timedelta(minutes=5)
    assert housekeeping.sweep(db, now=during)["events_changed"] == 1
    db.expire_all()
    assert db.get(Event, event.id).status == "live"
