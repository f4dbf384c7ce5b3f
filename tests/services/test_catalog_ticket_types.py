import uuid
from datetime import timedelta

import pytest

from tests.factories import make_event, make_org
from voelgoed.models import AuditLog
from voelgoed.services.catalog import ticket_types as tts
from voelgoed.services.platform import Actor, TenantContext, VoelgoedError


def ctx_for(org, role="owner"):
    return TenantContext(organization_id=org.id, actor=Actor("user", str(uuid.uuid4())), role=role)


def raises(code, fn):
    with pytest.raises(VoelgoedError) as exc:
        fn()
    assert exc.value.code == code, exc.value
    return exc.value


def test_create_with_event_currency_and_availability(db):
    org = make_org(db)
    e = make_event(db, org, status="draft")
    tt = tts.create_ticket_type(db, ctx_for(org), e.id, name="Early Bird", price_cents=25000, quantity=300)
    free = tts.create_ticket_type(db, ctx_for(org), e.id, name="Kids", price_cents=0, quantity=50, max_per_order=4)
    assert tt.currency == "ZAR" and tt.max_per_order == 10 and (tt.sort_order, free.sort_order) == (0, 1)
    assert tts.availability(tt) == 300
    tt.sold_count, tt.held_count = 290, 20
    assert tts.availability(tt) == 0
    assert [t.name for t in tts.list_ticket_types(db, ctx_for(org), e.id)] == ["Early Bird", "Kids"]
    assert db.query(AuditLog).filter(AuditLog.target_id == str(tt.id), AuditLog.action == "ticket_type.created").count() == 1
    d = tts.ticket_type_dict(free)
    assert d["price_cents"] == 0 and d["available"] == 50 and d["currency"] == "ZAR"


@pytest.mark.parametrize("kwargs,field", [
    ({"price_cents": -1}, "price_cents"),
    ({"price_cents": 12.5}, "price_cents"),
    ({"quantity": -5}, "quantity"),
    ({"max_per_order": 0}, "max_per_order"),
    ({"max_per_order": 101}, "max_per_order"),
    ({"name": ""}, "name"),
    ({"currency": "USD"}, "currency"),
])
def test_bad_inputs(db, kwargs, field):
    org = make_org(db)
    e = make_event(db, org, status="draft")
    args = dict(name="General", price_cents=100, quantity=10) | kwargs
    err = raises("validation_failed", lambda: tts.create_ticket_type(db, ctx_for(org), e.id, **args))
    assert field in err.details["fields"]


def test_sale_window_within_event(db):
    org = make_org(db)
    e = make_event(db, org, status="draft")
    raises("validation_failed", lambda: tts.create_ticket_type(
        db, ctx_for(org), e.id, name="x", price_cents=1, quantity=1, sale_ends_at=e.ends_at + timedelta(minutes=1)))
    raises("validation_failed", lambda: tts.create_ticket_type(
        db, ctx_for(org), e.id, name="x", price_cents=1, quantity=1,
        sale_starts_at=e.starts_at, sale_ends_at=e.starts_at - timedelta(hours=1)))
    ok = tts.create_ticket_type(db, ctx_for(org), e.id, name="x", price_cents=1, quantity=1, sale_ends_at=e.starts_at)
    assert ok.sale_ends_at == e.starts_at


def test_quantity_cannot_go_below_sold_plus_held(db):
    org = make_org(db)
    e = make_event(db, org)
    tt = tts.create_ticket_type(db, ctx_for(org), e.id, name="General", price_cents=35000, quantity=100)
    tt.sold_count, tt.held_count = 40, 5
    db.flush()
    err = raises("quantity_below_sold", lambda: tts.update_ticket_type(db, ctx_for(org), tt.id, quantity=44))
    assert err.status == 409 and err.details["sold"] == 40
    tts.update_ticket_type(db, ctx_for(org), tt.id, quantity=45, price_cents=30000, is_hidden=True)
    assert (tt.quantity, tt.price_cents, tt.is_hidden) == (45, 30000, True)
    assert tts.availability(tt) == 0


def test_rbac_and_cross_tenant(db):
    org, other = make_org(db), make_org(db)
    e = make_event(db, org)
    raises("forbidden", lambda: tts.create_ticket_type(db, ctx_for(org, "viewer"), e.id, name="x", price_cents=1, quantity=1))
    raises("not_found", lambda: tts.create_ticket_type(db, ctx_for(other), e.id, name="x", price_cents=1, quantity=1))
    tt = tts.create_ticket_type(db, ctx_for(org, "staff"), e.id, name="x", price_cents=1, quantity=1)
    raises("not_found", lambda: tts.update_ticket_type(db, ctx_for(other), tt.id, quantity=5))
    raises("not_found", lambda: tts.list_ticket_types(db, ctx_for(other), e.id))
    raises("not_found", lambda: tts.update_ticket_type(db, ctx_for(org), "garbage", quantity=5))


def test_cancelled_event_ticket_types_frozen(db):
    org = make_org(db)
    e = make_event(db, org, status="cancelled")
    raises("invalid_state", lambda: tts.create_ticket_type(db, ctx_for(org), e.id, name="x", price_cents=1, quantity=1))
