"""The demo history (issue 13, item 7): weeks of sales and an evening of scans through the real services, so the
overview's charts are not empty for a new user; once, and without draining the outbox after every order."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import func, select

from voelgoed.models import Event, EventSeat, Order, OutboxEntry, Scan, Ticket
from voelgoed.services.demo import ARENA_NAME, PAST_EVENT_NAME, PAST_EVENT_SLUG, seed, seed_history
from voelgoed.services.insights import compute_overview

NOW = datetime(datetime.now(UTC).year + 1, 5, 20, 9, 0, tzinfo=UTC)


def _count(db, model, *where):
    return db.exec(select(func.count()).select_from(model).where(*where)).one()


def test_seed_history_gives_the_overview_real_charts(db):
    assert seed_history(db, now=NOW) == ""  # before the demo organisation exists: nothing to do
    seed.seed_demo(db, now=NOW)
    summary = seed_history(db, now=NOW)
    past = db.exec(select(Event).where(Event.slug == PAST_EVENT_SLUG)).one()
    paid = _count(db, Order, Order.status == "paid")
    assert summary.startswith(f"Demo history: {PAST_EVENT_NAME} with ")
    assert _count(db, Order, Order.event_id == past.id, Order.status == "paid") >= 40  # of 45 (a sold-out type may refuse)
    assert paid - _count(db, Order, Order.event_id == past.id) >= 25
    tickets = _count(db, Ticket, Ticket.event_id == past.id)
    checked = _count(db, Ticket, Ticket.event_id == past.id, Ticket.status == "checked_in")
    assert 0.6 * tickets < checked < tickets
    assert _count(db, Scan, Scan.event_id == past.id, Scan.result == "accepted") == checked
    # the outbox was not drained after every order: the PDFs and e-mails wait for the worker
    assert _count(db, OutboxEntry, OutboxEntry.topic == "order.paid", OutboxEntry.status == "pending") == paid

    org_id = past.organization_id
    s = compute_overview(db, org_id, days=30, now=NOW)
    busy_days = [d for d in s["sales_by_day"] if any(d[x["key"]] for x in s["sales_series"])]
    assert len(busy_days) >= 10 and s["range"]["revenue_cents"] > 0
    wide = compute_overview(db, org_id, days=90, now=NOW)
    assert wide["range"]["tickets"] == _count(db, Ticket)  # every ticket ever sold in the demo is in the 90 days
    assert {g["label"] for g in s["gate_series"]} == {"MAIN", "VIP"}
    assert sum(sum(b.get(g["key"], 0) for g in s["gate_series"]) for b in s["checkins_by_5min"]) == checked
    [no_show] = s["no_shows"]
    assert no_show["name"] == PAST_EVENT_NAME and 0 < no_show["pct"] < 40
    assert {e["name"] for e in s["sell_through"]} == {PAST_EVENT_NAME, seed.DEMO_EVENT_NAME, seed.DEMO_SEATED_NAME, ARENA_NAME}
    seated = next(e for e in s["sell_through"] if e["name"] == seed.DEMO_SEATED_NAME)
    seated_id = db.exec(select(Event.id).where(Event.slug == seed.DEMO_SEATED_SLUG)).one()
    assert seated["capacity"] == db.exec(select(func.count()).select_from(EventSeat)
                                         .where(EventSeat.event_id == seated_id)).one() > 0  # its seats

    before = (_count(db, Order), _count(db, Scan))
    assert seed_history(db, now=NOW) == ""  # once
    assert (_count(db, Order), _count(db, Scan)) == before
