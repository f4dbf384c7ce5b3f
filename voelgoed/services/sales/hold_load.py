"""The one read that starts a hold: the event plus the requested ticket types, in one round trip.

``load_for_hold(conn_or_session, *, event_slug=None, event_id=None, type_ids) -> (event, types)`` returns
plain namespaces (no ORM objects, so it works on an autocommit connection): ``event`` has
:data:`EVENT_FIELDS`, ``types`` maps ticket type id → a namespace with :data:`TT_FIELDS`. Draft,
unknown or garbage ids/slugs → 404 ``not_found``. The statements are built once (the IN list expands
at execution).
"""

from __future__ import annotations

import uuid
from types import SimpleNamespace

from sqlalchemy import bindparam, select
from sqlmodel import Session

from voelgoed.models import Event, TicketType
from voelgoed.services.platform import NotFound, clean_key

_TT, _EVENT = TicketType.__table__, Event.__table__
EVENT_FIELDS = ("id", "organization_id", "status", "ends_at", "sale_starts_at", "sale_ends_at", "currency", "capacity",
                 "waiting_room_enabled")
TT_FIELDS = ("id", "name", "price_cents", "max_per_order", "sale_starts_at", "sale_ends_at", "is_active", "is_hidden")


def _load_stmt(by_id: bool):
    # built once (not per request; the IN list expands at execution): the event plus the requested ticket types
    ev, tt = _EVENT, _TT
    cond = ev.c.id == bindparam("key", type_=ev.c.id.type) if by_id else ev.c.slug == bindparam("key", type_=ev.c.slug.type)
    return (select(*[ev.c[n] for n in EVENT_FIELDS], *[tt.c[n].label("tt_" + n) for n in TT_FIELDS])
            .select_from(ev.outerjoin(tt, (tt.c.event_id == ev.c.id) & tt.c.id.in_(bindparam("ids", expanding=True))))
            .where(cond))


_LOAD_BY_ID, _LOAD_BY_SLUG = _load_stmt(True), _load_stmt(False)


def load_for_hold(session: Session, *, event_slug, event_id, type_ids: list[uuid.UUID]):
    """One round trip, plain columns (no ORM objects): the event plus the requested ticket types of that event."""
    if event_id is not None:
        try:
            event_id = uuid.UUID(str(event_id))
        except ValueError:
            raise NotFound("not_found", "Event not found") from None
    elif not clean_key(event_slug, 120):
        raise NotFound("not_found", "Event not found")
    if event_id is not None:
        rows = session.execute(_LOAD_BY_ID, {"key": event_id, "ids": type_ids}).all()
    else:
        rows = session.execute(_LOAD_BY_SLUG, {"key": clean_key(event_slug, 120), "ids": type_ids}).all()
    if not rows or rows[0].status in ("draft",):
        raise NotFound("not_found", "Event not found")
    event = SimpleNamespace(**{n: getattr(rows[0], n) for n in EVENT_FIELDS})
    types = {r.tt_id: SimpleNamespace(**{n: getattr(r, "tt_" + n) for n in TT_FIELDS}) for r in rows if r.tt_id is not None}
    return event, types
