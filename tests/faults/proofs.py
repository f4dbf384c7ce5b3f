"""What every fault test proves afterwards, on the database the app used."""

from __future__ import annotations

import email
import time
from collections import Counter
from email import policy

from sqlmodel import Session, func, select

from voelgoed.models import Hold, HoldItem, Order, OrderItem, OutboxEntry, Scan, SentEmail, Ticket, TicketType


def wait_until_delivered(session: Session, stack, deadline_s: float = 90) -> None:
    """Until every outbox entry is done and every paid order has its confirmation marker (worker supervised)."""
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        stack.ensure_worker()
        session.expire_all()
        paid = session.exec(select(func.count()).select_from(Order).where(Order.status == "paid")).one()
        sent = session.exec(select(func.count()).select_from(SentEmail)).one()
        pending = session.exec(select(func.count()).select_from(OutboxEntry).where(OutboxEntry.status != "done")).one()
        if pending == 0 and sent >= paid:
            return
        time.sleep(0.3)
    raise AssertionError(f"not delivered in {deadline_s}s: paid={paid} sent={sent} outbox not done={pending}\n"
                         + stack.log("worker.log"))


def assert_sale_consistent(session: Session, tt: TicketType, rec, mail_dir) -> int:
    """Every paid order has its tickets and its e-mail — one message: a copy re-sent after a crash between
    SMTP's answer and the marker's commit (the documented at-least-once window) carries the same
    Message-ID; nothing sold twice; counters equal the rows.
    Returns the number of tickets sold."""
    session.expire_all()
    assert rec.errors == [], rec.errors
    orders = session.exec(select(Order).where(Order.event_id == tt.event_id)).all()
    paid = [o for o in orders if o.status == "paid"]
    assert set(rec.paid) <= {o.order_code for o in paid}, "a buyer was told 'paid' for an order that is not"
    mails = Counter()
    message_ids: dict[str, set[str]] = {}
    for path in mail_dir.glob("*.eml"):
        m = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        message_ids.setdefault(m["To"], set()).add(m["Message-ID"])
    for to, ids in message_ids.items():
        mails[to] = len(ids)  # distinct messages (a re-sent copy has the same Message-ID)
    for o in paid:
        wanted = session.exec(select(func.sum(OrderItem.quantity)).where(OrderItem.order_id == o.id)).one()
        tix = session.exec(select(Ticket).where(Ticket.order_id == o.id)).all()
        assert len(tix) == wanted and all(t.qr_payload for t in tix), o.order_code
        assert session.exec(select(SentEmail).where(SentEmail.dedupe_key == f"order:{o.id}:confirmation")).one()
        assert mails[o.buyer_email] == 1, (o.buyer_email, mails[o.buyer_email])
    assert sum(mails.values()) == len(paid)
    fresh = session.get(TicketType, tt.id)
    sold_rows = session.exec(select(func.count()).select_from(Ticket).where(Ticket.ticket_type_id == tt.id)).one()
    sold_items = session.exec(select(func.coalesce(func.sum(OrderItem.quantity), 0)).join(Order, Order.id == OrderItem.order_id)
                              .where(OrderItem.ticket_type_id == tt.id, Order.status == "paid")).one()
    held_rows = session.exec(select(func.coalesce(func.sum(HoldItem.quantity), 0)).join(Hold, Hold.id == HoldItem.hold_id)
                             .where(HoldItem.ticket_type_id == tt.id, Hold.status.in_(("active", "converted")))).one()
    assert fresh.sold_count == sold_rows == sold_items
    assert fresh.held_count == held_rows
    assert fresh.sold_count + fresh.held_count <= fresh.quantity
    assert {e.status for e in session.exec(select(OutboxEntry))} <= {"done"}
    return fresh.sold_count


def assert_scans_kept(session: Session, rec, device_ids: dict[str, object]) -> None:
    """Every scan a client got a 200 for is stored exactly once (same result for online scans); every
    client_scan_id a client sent (retried after errors) is stored exactly once; one admission per ticket."""
    session.expire_all()
    assert rec.errors == [], rec.errors
    rows = session.exec(select(Scan)).all()
    by_key = Counter((r.device_id, r.client_scan_id) for r in rows)
    assert max(by_key.values()) == 1
    stored = {(r.device_id, r.client_scan_id): r for r in rows}
    for key, answer in rec.scans_ok.items():
        tail, csid = key.split(":", 1)
        row = stored.get((device_ids[tail], csid))
        assert row is not None, f"accepted scan lost: {key} {answer}"
        if answer.get("_online") and not answer.get("replayed"):  # sync labels may change later
            assert row.result == answer["result"], (row.result, answer)
    wanted = {(device_ids[k.split(":", 1)[0]], k.split(":", 1)[1]) for k in rec.sent}
    assert set(stored) == wanted  # each sent scan once: nothing lost, nothing invented
    admitted = Counter(r.ticket_id for r in rows if r.result == "accepted")
    assert admitted and max(admitted.values()) == 1
    for ticket_id in {r.ticket_id for r in rows if r.ticket_id}:
        t = session.get(Ticket, ticket_id)
        assert t.status == "checked_in" and admitted[ticket_id] == 1
