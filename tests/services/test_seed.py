import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlmodel import select

from voelgoed.models import (
    AuditLog,
    Event,
    EventSeat,
    EventSeating,
    Gate,
    Membership,
    Organization,
    SeatingPlan,
    SeatingPlanVersion,
    SeatingSeat,
    TicketType,
    User,
    Venue,
)
from voelgoed.services import seating
from voelgoed.services.catalog import events
from voelgoed.services.demo import ARENA_SEATS, ARENA_SLUG, seed
from voelgoed.services.platform import verify_password

ROOT = Path(__file__).resolve().parents[2]


def _counts(db):
    return {m.__name__: len(db.exec(select(m)).all()) for m in (Organization, User, Membership, Venue, Gate, Event, TicketType, AuditLog,
                                                      SeatingPlan, SeatingPlanVersion, SeatingSeat)}


def test_seed_demo_is_complete_and_idempotent_on_postgres(db):
    now = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)
    first = seed.seed_demo(db, now=now)
    assert first.startswith("Demo seeded")
    org = db.exec(select(Organization).where(Organization.slug == seed.DEMO_ORG_SLUG)).one()
    assert org.name == "Jozi Live Events"
    roles = {u.email: m.role for m, u in db.exec(select(Membership, User).join(User, User.id == Membership.user_id)
                                                 .where(Membership.organization_id == org.id))}
    assert roles == {seed.DEMO_OWNER_EMAIL: "owner", seed.DEMO_DOOR_EMAIL: "scanner_only"}
    owner = db.exec(select(User).where(User.email == seed.DEMO_OWNER_EMAIL)).one()
    assert verify_password(seed.DEMO_OWNER_PASSWORD, owner.password_hash)
    venue = db.exec(select(Venue).where(Venue.organization_id == org.id, Venue.name == seed.DEMO_VENUE["name"])).one()
    assert venue.timezone == "Africa/Johannesburg" and venue.city == "Johannesburg"
    assert sorted(db.exec(select(Gate.gate_code).where(Gate.venue_id == venue.id)).all()) == ["MAIN", "VIP"]
    event = db.exec(select(Event).where(Event.slug == seed.DEMO_EVENT_SLUG)).one()
    assert event.status == "published" and events.effective_status(event, now) == "published"
    assert timedelta(days=18) < event.starts_at - now < timedelta(days=26)
    assert event.sale_starts_at <= now < event.sale_ends_at <= event.ends_at
    types = {t.name: (t.price_cents, t.currency, t.is_active) for t in db.exec(select(TicketType).where(TicketType.event_id == event.id))}
    assert types == {"Early Bird": (25000, "ZAR", True), "General": (35000, "ZAR", True), "VIP": (95000, "ZAR", True)}

    # a published seating plan at the venue (the theatre starter): a new user opens a real plan
    plan = db.exec(select(SeatingPlan).where(SeatingPlan.venue_id == venue.id)).one()
    assert plan.name == seed.DEMO_SEATING_PLAN and plan.latest_version == 1
    version = db.exec(select(SeatingPlanVersion).where(SeatingPlanVersion.plan_id == plan.id)).one()
    seats = db.exec(select(SeatingSeat).where(SeatingSeat.version_id == version.id)).all()
    assert version.seat_count == len(seats) > 500 and {s.section_label for s in seats} == {"Stalls", "Balcony"}
    assert sum(s.wheelchair for s in seats) == 2

    # the seated event sells that version: every seat free, every category mapped to a ticket type, on sale
    seated = db.exec(select(Event).where(Event.slug == seed.DEMO_SEATED_SLUG)).one()
    assert seated.status == "published" and seated.seating_plan_version_id == version.id
    assert seated.sale_starts_at <= now < seated.sale_ends_at <= seated.starts_at
    settings = db.get(EventSeating, seated.id)
    names = {str(t.id): (t.name, t.price_cents, t.quantity) for t in db.exec(select(TicketType).where(TicketType.event_id == seated.id))}
    assert {k: names[v] for k, v in settings.category_types.items()} == {
        "premium": ("Premium", 45000, 0), "standard": ("Standard", 30000, 0), "balcony": ("Balcony", 20000, 0)}
    statuses = db.exec(select(EventSeat.status).where(EventSeat.event_id == seated.id)).all()
    assert len(statuses) == version.seat_count and set(statuses) == {"free"}
    assert seating.status_snapshot(db, seed.DEMO_SEATED_SLUG, now=now)["held"] == []

    # the 18 504-seat arena (issue 12 "Done when"): its own venue, plan and seated event, on sale, all seats free
    arena = db.exec(select(Event).where(Event.slug == ARENA_SLUG)).one()
    assert arena.status == "published" and arena.venue_id != venue.id
    assert arena.sale_starts_at <= now < arena.sale_ends_at <= arena.starts_at
    arena_version = db.get(SeatingPlanVersion, arena.seating_plan_version_id)
    assert arena_version.seat_count == ARENA_SEATS >= 18000
    arena_settings = db.get(EventSeating, arena.id)
    assert arena_settings.isolated_rule == "strict"
    arena_names = {str(t.id): (t.name, t.price_cents) for t in db.exec(select(TicketType).where(TicketType.event_id == arena.id))}
    assert {k: arena_names[v] for k, v in arena_settings.category_types.items()} == {
        "lower": ("Lower tier", 65000), "upper": ("Upper tier", 38000), "floor": ("Floor (standing)", 45000)}
    arena_statuses = db.exec(select(EventSeat.status).where(EventSeat.event_id == arena.id)).all()
    assert len(arena_statuses) == ARENA_SEATS and set(arena_statuses) == {"free"}
    assert sorted(db.exec(select(Gate.gate_code).where(Gate.venue_id == arena.venue_id)).all()) == ["NORTH", "SOUTH"]

    before = _counts(db)
    second = seed.seed_demo(db, now=now + timedelta(minutes=5))
    assert second == "Demo data already present; nothing changed."
    assert _counts(db) == before


def test_seed_demo_on_sqlite_twice_via_cli(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'demo.db'}", REDIS_URL="", VAR_DIR=str(tmp_path), PYTHONPATH=str(ROOT))

    def run(*args):
        return subprocess.run([sys.executable, "-m", "voelgoed", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)

    up = run("db", "upgrade")
    assert up.returncode == 0, up.stderr
    first = run("seed", "demo")
    assert first.returncode == 0, first.stderr
    assert "Demo seeded" in first.stdout and "published the event" in first.stdout
    second = run("seed", "demo")
    assert second.returncode == 0, second.stderr
    assert "nothing changed" in second.stdout
    urls = run("urls")
    assert urls.returncode == 0 and f"/e/{seed.DEMO_EVENT_SLUG}" in urls.stdout and seed.DEMO_OWNER_EMAIL in urls.stdout
