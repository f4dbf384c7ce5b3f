"""void_ticket / resend: states, roles and tenancy (another organisation's ticket is not found)."""

from __future__ import annotations

import uuid

import pytest
from sqlmodel import select

from tests.factories import make_org
from tests.ticket_factories import make_order, make_paid_order_setup
from voelgoed.models import AuditLog, Ticket
from voelgoed.services.platform import Actor, Forbidden, NotFound, TenantContext, VoelgoedError
from voelgoed.services.tickets import tickets


def _ctx(org, role="owner") -> TenantContext:
    return TenantContext(org.id, Actor("user", str(uuid.uuid4())), role)


@pytest.fixture
def issued(db, redis_client):
    org, event, tt, order = make_paid_order_setup(db, quantity=2)
    ts = tickets.issue_for_order(db, order)
    db.commit()
    return org, event, tt, order, ts


def test_void_bumps_version_audits_and_second_void_conflicts(db, issued):
    org, _e, _tt, _o, ts = issued
    t = tickets.void_ticket(db, _ctx(org), ticket_id=str(ts[0].id), reason="  Chargeback  ")
    assert (t.status, t.version, t.void_reason) == ("voided", 2, "Chargeback")
    entry = db.exec(select(AuditLog).where(AuditLog.action == "ticket.voided")).one()
    assert entry.data["reason"] == "Chargeback" and entry.actor_type == "user"
    with pytest.raises(VoelgoedError) as err:
        tickets.void_ticket(db, _ctx(org), ticket_id=ts[0].id, reason="again")
    assert err.value.code == "already_voided" and err.value.status == 409
    assert db.get(Ticket, ts[1].id).status == "valid"  # the other ticket is untouched


def test_void_other_org_garbage_and_roles(db, issued):
    org, _e, _tt, _o, ts = issued
    other = make_org(db)
    for ticket_id in (ts[0].id, "garbage", None, "", uuid.uuid4(), "x" * 10_000):
        with pytest.raises(NotFound):
            tickets.void_ticket(db, _ctx(other), ticket_id=ticket_id)
    with pytest.raises(Forbidden):
        tickets.void_ticket(db, _ctx(org, "viewer"), ticket_id=ts[0].id)
    with pytest.raises(Forbidden):
        tickets.void_ticket(db, _ctx(org, "scanner_only"), ticket_id=ts[0].id)
    assert tickets.void_ticket(db, _ctx(org, "staff"), ticket_id=ts[0].id).status == "voided"


def test_refunded_ticket_cannot_be_voided(db, issued):
    org, _e, _tt, _o, ts = issued
    ts[1].status = "refunded"
    db.add(ts[1])
    db.commit()
    with pytest.raises(VoelgoedError) as err:
        tickets.void_ticket(db, _ctx(org), ticket_id=ts[1].id)
    assert err.value.code == "invalid_state"


def test_resend_rules(db, issued):
    org, _e, tt, order, _ts = issued
    other = make_org(db)
    with pytest.raises(NotFound):
        tickets.resend_order_email(db, _ctx(other), order_id=order.id)
    with pytest.raises(Forbidden):
        tickets.resend_order_email(db, _ctx(org, "viewer"), order_id=order.id)
    pending = make_order(db, tt, status="pending")
    with pytest.raises(VoelgoedError) as err:
        tickets.resend_order_email(db, _ctx(org), order_id=pending.id)
    assert err.value.code == "invalid_state"
    assert tickets.resend_order_email(db, _ctx(org), order_id=str(order.id)).id == order.id


def test_buyer_resend_is_rate_limited_and_token_checked(db, issued):
    _org, _e, _tt, order, _ts = issued
    for bad in ("", "nope", order.access_token[:-1], None):
        with pytest.raises(NotFound):
            tickets.resend_order_email_for_buyer(db, order_code=order.order_code, access_token=bad)
    with pytest.raises(NotFound):
        tickets.resend_order_email_for_buyer(db, order_code="VG-NOPE", access_token=order.access_token)
    for _ in range(3):
        tickets.resend_order_email_for_buyer(db, order_code=order.order_code.lower(), access_token=order.access_token)
    with pytest.raises(VoelgoedError) as err:
        tickets.resend_order_email_for_buyer(db, order_code=order.order_code, access_token=order.access_token)
    assert err.value.code == "rate_limited"
