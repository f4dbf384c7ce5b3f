import uuid
from datetime import UTC, datetime

import pytest

from tests.factories import make_org, make_venue
from voelgoed.services.catalog import event_forms
from voelgoed.services.platform import Actor, TenantContext, VoelgoedError

YEAR = datetime.now(UTC).year + 1  # always next year: the events stay in the future whatever the calendar says


def ctx_for(org, role="owner"):
    return TenantContext(organization_id=org.id, actor=Actor("user", str(uuid.uuid4())), role=role)


def test_money_and_int_parsing():
    fields = {}
    assert event_forms.parse_money_cents(fields, "p", "350") == 35000
    assert event_forms.parse_money_cents(fields, "p", "R 99,5") == 9950
    assert event_forms.parse_money_cents(fields, "p", "0") == 0
    assert fields == {}
    assert event_forms.parse_money_cents(fields, "p", "-5") is None and "p" in fields
    assert event_forms.parse_money_cents({}, "p", "1.234") is None
    assert event_forms.parse_int({}, "q", " 1 500 ") == 1500
    f = {}
    assert event_forms.parse_int(f, "q", "ten") is None and f["q"]


def test_create_event_from_form_reads_times_in_venue_timezone(db):
    org = make_org(db)
    venue = make_venue(db, org)
    venue.timezone = "Europe/London"
    db.flush()
    ctx = ctx_for(org)
    event = event_forms.create_event_from_form(db, ctx, {
        "venue_id": str(venue.id), "name": "Winter Lights", "starts_at": f"{YEAR}-01-15T19:00", "ends_at": f"{YEAR}-01-15T23:30",
        "sale_ends_at": f"{YEAR}-01-15T18:00", "capacity": ""})
    assert event.starts_at == datetime(YEAR, 1, 15, 19, 0, tzinfo=UTC)  # London = UTC in January
    venue.timezone = "Africa/Johannesburg"
    db.flush()
    event_forms.update_event_from_form(db, ctx, event.id, {
        "venue_id": str(venue.id), "name": "Winter Lights", "slug": event.slug, "starts_at": f"{YEAR}-01-15T19:00",
        "ends_at": f"{YEAR}-01-15T23:30", "sale_ends_at": f"{YEAR}-01-15T18:00", "capacity": "900"})
    assert event.starts_at == datetime(YEAR, 1, 15, 17, 0, tzinfo=UTC) and event.capacity == 900
    view = event_forms.event_editor_view(db, ctx, event.id)
    assert view["event"]["starts_at"] == f"{YEAR}-01-15T19:00" and view["event"]["timezone"] == "Africa/Johannesburg"
    assert view["problems"] and view["can_publish"] and view["can_edit"]


def test_form_errors_are_field_errors(db):
    org = make_org(db)
    venue = make_venue(db, org)
    with pytest.raises(VoelgoedError) as exc:
        event_forms.create_event_from_form(db, ctx_for(org), {"venue_id": str(venue.id), "name": "x",
                                                             "starts_at": "tomorrow", "ends_at": "", "capacity": "lots"})
    assert set(exc.value.details["fields"]) == {"starts_at", "ends_at", "capacity"}
    with pytest.raises(VoelgoedError) as exc:
        event_forms.create_event_from_form(db, ctx_for(org), {"name": "x"})
    assert "venue_id" in exc.value.details["fields"]


def test_ticket_type_form_create_and_edit(db):
    org = make_org(db)
    venue = make_venue(db, org)
    ctx = ctx_for(org)
    event = event_forms.create_event_from_form(db, ctx, {"venue_id": str(venue.id), "name": "Braai Fest",
                                                         "starts_at": f"{YEAR}-03-06T12:00", "ends_at": f"{YEAR}-03-06T20:00"})
    tt = event_forms.save_ticket_type_from_form(db, ctx, event.id, {"name": "General", "price": "350", "quantity": "1500",
                                                                   "max_per_order": "10", "is_active": "on"})
    assert (tt.price_cents, tt.quantity, tt.is_active, tt.is_hidden) == (35000, 1500, True, False)
    event_forms.save_ticket_type_from_form(db, ctx, event.id, {"id": str(tt.id), "name": "General", "price": "0",
                                                              "quantity": "10", "max_per_order": "4", "is_hidden": "on"})
    assert (tt.price_cents, tt.quantity, tt.is_active, tt.is_hidden) == (0, 10, False, True)
    with pytest.raises(VoelgoedError) as exc:
        event_forms.save_ticket_type_from_form(db, ctx, event.id, {"name": "VIP", "price": "abc", "quantity": ""})
    assert {"price", "quantity"} <= set(exc.value.details["fields"])
    rows = event_forms.events_overview(db, ctx)
    assert rows[0]["quantity"] == 10 and rows[0]["ticket_types"] == 1


def test_venue_form_and_overview(db):
    org = make_org(db)
    ctx = ctx_for(org)
    v = event_forms.save_venue_from_form(db, ctx, {"name": "Zoo Lake", "city": "Johannesburg", "country": "za",
                                                   "timezone": "Africa/Johannesburg", "capacity": "1200"})
    assert v.country == "ZA" and v.capacity == 1200
    with pytest.raises(VoelgoedError) as exc:
        event_forms.save_venue_from_form(db, ctx, {"id": str(v.id), "name": "Zoo Lake", "timezone": "Moon/Base", "capacity": "x"})
    assert "capacity" in exc.value.details["fields"]
    overview = event_forms.venues_overview(db, ctx)
    assert overview[0]["name"] == "Zoo Lake" and overview[0]["gates"] == [] and overview[0]["events"] == 0
