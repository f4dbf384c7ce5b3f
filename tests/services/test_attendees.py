"""Attendees (issue 13, item 4, the parts built so far): changing a ticket's holder (audited, PDF re-issued through
the outbox, the QR still valid) and the attendee search across events."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from pypdfium2 import PdfDocument
from sqlmodel import select

from tests.factories import make_event, make_org, make_ticket_type
from tests.scan_factories import make_order_with_tickets
from voelgoed.config import get_settings
from voelgoed.models import AuditLog, OutboxEntry, Ticket
from voelgoed.services.platform import Actor, TenantContext, VoelgoedError, drain_outbox
from voelgoed.services.tickets import change_holder, documents, search_attendees, ticket_identity


def ctx(org, role="owner"):
    return TenantContext(organization_id=org.id, actor=Actor("user", str(uuid.uuid4())), role=role)


def test_change_holder_audited_and_queued(db):
    org = make_org(db)
    event = make_event(db, org)
    _order, (ticket, voided) = make_order_with_tickets(db, make_ticket_type(db, event), quantity=2)
    qr = ticket.qr_payload
    changed = change_holder(db, ctx(org), ticket_id=ticket.id, name="  Naledi Mahlangu ", email="Naledi@Example.co.za")
    assert (changed.holder_name, changed.holder_email, changed.version) == ("Naledi Mahlangu", "naledi@example.co.za", 2)
    # the QR carries no personal data: the printed code stays the same and still verifies
    assert changed.qr_payload == qr
    assert ticket_identity.verify(qr, ticket_identity.public_key_map(db, event.id)).ticket_id == ticket.id
    [entry] = db.exec(select(AuditLog).where(AuditLog.action == "ticket.holder_changed")).all()
    assert entry.target_id == str(ticket.id)
    assert entry.data["from"] == {"name": "Thandi Mokoena", "email": ""}
    assert entry.data["to"] == {"name": "Naledi Mahlangu", "email": "naledi@example.co.za"}
    [box] = db.exec(select(OutboxEntry).where(OutboxEntry.topic == "ticket.reissued")).all()
    assert box.payload["ticket_id"] == str(ticket.id)
    # the same holder again changes nothing
    assert change_holder(db, ctx(org), ticket_id=ticket.id, name="Naledi Mahlangu", email="naledi@example.co.za").version == 2
    assert len(db.exec(select(AuditLog).where(AuditLog.action == "ticket.holder_changed")).all()) == 1

    for kwargs, code in (({"name": ""}, "validation_failed"), ({"name": "x" * 201}, "validation_failed"),
                         ({"name": "Ok", "email": "not-an-address"}, "validation_failed")):
        with pytest.raises(VoelgoedError) as err:
            change_holder(db, ctx(org), ticket_id=ticket.id, **kwargs)
        assert err.value.code == code
    with pytest.raises(VoelgoedError) as err:
        change_holder(db, ctx(org, "viewer"), ticket_id=ticket.id, name="Someone")
    assert err.value.code == "forbidden"
    with pytest.raises(VoelgoedError) as err:
        change_holder(db, ctx(make_org(db)), ticket_id=ticket.id, name="Someone")
    assert err.value.code == "not_found"
    voided.status = "voided"
    db.flush()
    with pytest.raises(VoelgoedError) as err:
        change_holder(db, ctx(org), ticket_id=voided.id, name="Someone")
    assert err.value.code == "invalid_state"


def test_new_holder_pdf_is_rendered_by_the_outbox(committed_db, tmp_path, monkeypatch):
    monkeypatch.setattr(get_settings(), "media_dir", tmp_path)
    db = committed_db
    org = make_org(db)
    event = make_event(db, org)
    _order, (ticket,) = make_order_with_tickets(db, make_ticket_type(db, event), quantity=1)
    db.commit()
    change_holder(db, ctx(org), ticket_id=ticket.id, name="Johannes van der Merwe")
    drain_outbox()  # (the nudge may already have drained it inline)
    db.expire_all()
    fresh = db.get(Ticket, ticket.id)
    assert documents.is_current(fresh) and fresh.pdf_path.endswith("-v2.pdf")
    text = PdfDocument(str(documents.media_path(fresh.pdf_path)))[0].get_textpage().get_text_range()
    assert "Johannes van der Merwe" in text


def test_attendee_search_across_events(db):
    org = make_org(db)
    first = make_event(db, org, starts_in=timedelta(days=5))
    second = make_event(db, org, starts_in=timedelta(days=40))
    o1, t1 = make_order_with_tickets(db, make_ticket_type(db, first), quantity=1, holder_name="Lerato Molefe")
    o2, t2 = make_order_with_tickets(db, make_ticket_type(db, second), quantity=2, holder_name="Pieter Botha")
    t2[1].holder_name, t2[1].holder_email = "Lerato Molefe", "lerato@example.co.za"
    other_org = make_org(db)
    make_order_with_tickets(db, make_ticket_type(db, make_event(db, other_org)), quantity=1, holder_name="Lerato Molefe")
    db.flush()
    c = ctx(org)
    hits = search_attendees(db, c, "lerato")
    assert [(h["ticket_code"], h["event_id"]) for h in hits] == [(t2[1].ticket_code, str(second.id)),
                                                                (t1[0].ticket_code, str(first.id))]
    assert hits[0]["holder_email"] == "lerato@example.co.za" and hits[0]["order_code"] == o2.order_code
    assert [h["ticket_code"] for h in search_attendees(db, c, "LERATO@example")] == [t2[1].ticket_code]
    assert sorted(h["ticket_code"] for h in search_attendees(db, c, o2.order_code.lower())) == sorted(
        t.ticket_code for t in t2)
    assert [h["ticket_code"] for h in search_attendees(db, c, t1[0].ticket_code)] == [t1[0].ticket_code]
    # the buyer's name matches every ticket of the order, also the one given to Lerato
    assert sorted(h["ticket_code"] for h in search_attendees(db, c, "pieter")) == sorted(t.ticket_code for t in t2)
    assert search_attendees(db, c, "l") == [] and search_attendees(db, c, "nobody here") == []
    assert o1.order_code not in {h["order_code"] for h in search_attendees(db, c, "pieter")}
    with pytest.raises(VoelgoedError) as err:
        search_attendees(db, ctx(org, "scanner_only"), "lerato")
    assert err.value.code == "forbidden"
