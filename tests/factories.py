"""Factories that insert rows directly (flush, no commit) for arranging tests. Extend, don't rewrite."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from voelgoed.models import Event, Gate, Membership, Organization, TicketType, User, Venue
from voelgoed.services.platform import hash_password

_FAST_HASH = None


def _password_hash(password: str) -> str:
    global _FAST_HASH
    if password == "correct horse battery":
        if _FAST_HASH is None:
            _FAST_HASH = hash_password(password)
        return _FAST_HASH
    return hash_password(password)


def make_org(session: Session, *, name: str | None = None, slug: str | None = None) -> Organization:
    suffix = uuid.uuid4().hex[:8]
    org = Organization(name=name or f"Org {suffix}", slug=slug or f"org-{suffix}")
    session.add(org)
    session.flush()
    return org


def make_user(session: Session, *, org: Organization | None = None, role: str = "owner", email: str | None = None,
              password: str = "correct horse battery") -> User:
    user = User(email=email or f"user-{uuid.uuid4().hex[:8]}@example.co.za", full_name="Test User",
                password_hash=_password_hash(password))
    session.add(user)
    session.flush()
    if org is not None:
        session.add(Membership(organization_id=org.id, user_id=user.id, role=role))
        session.flush()
    return user


def make_venue(session: Session, org: Organization, *, gates: tuple[str, ...] = ("MAIN",)) -> Venue:
    venue = Venue(organization_id=org.id, name="Test Venue", city="Cape Town", timezone="Africa/Johannesburg")
    session.add(venue)
    session.flush()
    for code in gates:
        session.add(Gate(organization_id=org.id, venue_id=venue.id, gate_code=code, name=f"Gate {code}"))
    session.flush()
    return venue


def make_event(session: Session, org: Organization, *, venue: Venue | None = None, status: str = "published",
               starts_in: timedelta = timedelta(days=30), capacity: int | None = None, slug: str | None = None) -> Event:
    venue = venue or make_venue(session, org)
    now = datetime.now(UTC)
    event = Event(organization_id=org.id, venue_id=venue.id, name="Test Event",
                  slug=slug or f"event-{uuid.uuid4().hex[:8]}", status=status,
                  starts_at=now + starts_in, ends_at=now + starts_in + timedelta(hours=5),
                  sale_starts_at=now - timedelta(days=1), sale_ends_at=now + starts_in, capacity=capacity)
    session.add(event)
    session.flush()
    return event


def make_ticket_type(session: Session, event: Event, *, name: str = "General", price_cents: int = 25000,
                     quantity: int = 100, max_per_order: int = 10, **kwargs) -> TicketType:
    tt = TicketType(organization_id=event.organization_id, event_id=event.id, name=name, price_cents=price_cents,
                    currency=event.currency, quantity=quantity, max_per_order=max_per_order, **kwargs)
    session.add(tt)
    session.flush()
    return tt
