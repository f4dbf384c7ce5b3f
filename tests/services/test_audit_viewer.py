"""The audit log viewer (issue 13, item 6): every filter (who, what, when, object), links and labels, paging,
tenancy, roles, and per-order / per-ticket history."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.factories import make_event, make_org, make_ticket_type, make_user
from tests.scan_factories import make_device, make_order_with_tickets
from voelgoed.models import ApiKey
from voelgoed.services.insights import object_history, search_audit
from voelgoed.services.platform import Actor, TenantContext, VoelgoedError, audit

T0 = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)


def ctx(org, user=None, role="owner"):
    return TenantContext(organization_id=org.id, actor=Actor("user", str(user.id) if user else ""), role=role)


@pytest.fixture
def world(db):
    org = make_org(db)
    owner = make_user(db, org=org, email="owner@example.co.za")
    staff = make_user(db, org=org, role="staff", email="sipho@example.co.za")
    event = make_event(db, org)
    event.name = "Jazz on the Lawn"
    tt = make_ticket_type(db, event)
    order, tickets = make_order_with_tickets(db, tt, quantity=2)
    device, _ = make_device(db, event, name="North gate")
    key = ApiKey(organization_id=org.id, name="Quicket sync", prefix="vg_live_x", key_hash="h" * 64, scopes=[])
    db.add(key)
    db.flush()
    e = {}
    e["created"] = audit.record(db, Actor("user", str(owner.id)), "event.created", event, created_at=T0)
    e["paid"] = audit.record(db, Actor("provider", "sandbox"), "order.paid", order, created_at=T0 + timedelta(hours=1))
    e["issued"] = audit.record(db, Actor.system(), "ticket.issued", tickets[0], created_at=T0 + timedelta(hours=1, minutes=1))
    e["voided"] = audit.record(db, Actor("user", str(staff.id)), "ticket.voided", tickets[1], {"reason": "dup"},
                               created_at=T0 + timedelta(days=1))
    e["scan_dev"] = audit.record(db, Actor("device", str(device.id)), "device.revoked", device,
                                 created_at=T0 + timedelta(days=2))
    e["key"] = audit.record(db, Actor("api_key", str(key.id)), "order.confirmation_resent", order,
                            created_at=T0 + timedelta(days=3))
    other = make_org(db)
    audit.record(db, Actor("user", str(owner.id)), "order.paid", other, created_at=T0 + timedelta(hours=2))
    db.flush()
    return {"org": org, "owner": owner, "staff": staff, "event": event, "order": order, "tickets": tickets,
            "device": device, "key": key, "entries": e}


def actions(result):
    return [x["action"] for x in result["entries"]]


def test_unfiltered_newest_first_with_labels_and_links(db, world):
    w = world
    got = search_audit(db, ctx(w["org"], w["owner"]))
    assert actions(got) == ["order.confirmation_resent", "device.revoked", "ticket.voided", "ticket.issued",
                            "order.paid", "event.created"]
    by_action = {x["action"]: x for x in got["entries"]}
    paid = by_action["order.paid"]
    assert (paid["target"], paid["link"], paid["actor"]) == (w["order"].order_code, f"/dashboard/orders/{w['order'].id}",
                                                            "provider")
    voided = by_action["ticket.voided"]
    assert (voided["target"], voided["link"], voided["actor"], voided["data"]) == (
        w["tickets"][1].ticket_code, f"/dashboard/orders/{w['order'].id}", "sipho@example.co.za", {"reason": "dup"})
    assert by_action["event.created"]["target"] == "Jazz on the Lawn"
    assert by_action["event.created"]["link"] == f"/events/{w['event'].id}"
    assert by_action["device.revoked"]["actor"] == "Scanner North gate"
    assert by_action["order.confirmation_resent"]["actor"] == "API key Quicket sync"
    # the other organisation's entry (same actor!) never shows
    assert sum(1 for x in got["entries"] if x["action"] == "order.paid") == 1


def test_filters(db, world):
    w, c = world, ctx(world["org"], world["owner"])
    assert actions(search_audit(db, c, who="SIPHO@example")) == ["ticket.voided"]
    assert actions(search_audit(db, c, who="Owner@Example.co.za")) == ["event.created"]
    assert actions(search_audit(db, c, who="provider")) == ["order.paid"]
    assert actions(search_audit(db, c, who="quicket")) == ["order.confirmation_resent"]
    assert actions(search_audit(db, c, who="north gate")) == ["device.revoked"]
    assert actions(search_audit(db, c, who="nobody@example.com")) == []
    assert actions(search_audit(db, c, what="ticket.voided")) == ["ticket.voided"]
    assert actions(search_audit(db, c, what="ticket")) == ["ticket.voided", "ticket.issued"]
    assert actions(search_audit(db, c, what="order.")) == ["order.confirmation_resent", "order.paid"]
    assert actions(search_audit(db, c, what="order.pa")) == []  # not a family: exact actions only
    assert actions(search_audit(db, c, target=w["order"].order_code.lower())) == ["order.confirmation_resent", "order.paid"]
    assert actions(search_audit(db, c, target=w["tickets"][0].ticket_code)) == ["ticket.issued"]
    assert actions(search_audit(db, c, target=str(w["event"].id))) == ["event.created"]
    assert actions(search_audit(db, c, target="ticket")) == ["ticket.voided", "ticket.issued"]
    assert actions(search_audit(db, c, since=T0 + timedelta(hours=1), until=T0 + timedelta(days=2))) == [
        "ticket.voided", "ticket.issued", "order.paid"]
    assert actions(search_audit(db, c, what="order", since=T0 + timedelta(days=1))) == ["order.confirmation_resent"]
    assert actions(search_audit(db, c, who="sipho", what="order")) == []


def test_paging_with_cursor(db, world):
    c = ctx(world["org"], world["owner"])
    everything = [x["id"] for x in search_audit(db, c, since=T0 - timedelta(days=1), until=T0 + timedelta(days=9))["entries"]]
    assert len(everything) == 6
    seen, before = [], None
    while True:
        page = search_audit(db, c, since=T0 - timedelta(days=1), until=T0 + timedelta(days=9), before=before, limit=4)
        seen += [x["id"] for x in page["entries"]]
        before = page["next_before"]
        if before is None:
            break
    assert seen == everything
    with pytest.raises(VoelgoedError) as err:
        search_audit(db, c, before="garbage")
    assert err.value.code == "bad_cursor"


def test_only_owners_and_admins_read_the_log(db, world):
    org = world["org"]
    assert search_audit(db, ctx(org, role="admin"))["entries"]
    for role in ("staff", "viewer", "scanner_only"):
        with pytest.raises(VoelgoedError) as err:
            search_audit(db, ctx(org, role=role))
        assert err.value.code == "forbidden"


def test_order_and_ticket_history(db, world):
    w, c = world, ctx(world["org"], world["owner"])
    history = object_history(db, c, "order", w["order"].id)
    assert [x["action"] for x in history] == ["order.paid", "ticket.issued", "ticket.voided", "order.confirmation_resent"]
    assert [x["action"] for x in object_history(db, c, "ticket", w["tickets"][1].id)] == ["ticket.voided"]
    assert object_history(db, ctx(w["org"], role="staff"), "ticket", w["tickets"][0].id)[0]["action"] == "ticket.issued"
    with pytest.raises(VoelgoedError) as err:
        object_history(db, ctx(w["org"], role="viewer"), "order", w["order"].id)
    assert err.value.code == "forbidden"
    with pytest.raises(VoelgoedError) as err:
        object_history(db, ctx(make_org(db)), "order", w["order"].id)
    assert err.value.code == "not_found"
    with pytest.raises(VoelgoedError) as err:
        object_history(db, c, "venue", w["order"].id)
    assert err.value.code == "bad_target"
