"""The seat changes feed's sequence numbers and their after-commit signal (issue 12; docs/seated-sales.md).

- :func:`bump_seq` ``(session, event_id, seat_ids)`` — a transaction changed these seats (or, with no ids,
  only an event's standing-area places). Just before it commits (``before_commit``) the event's
  ``event_seating.seq`` is bumped — its row lock is the transaction's very last, taken after every seat and
  area lock, so sequence order is commit order — and stamped on the changed seats: the changes feed reads
  ``seq > since`` and never skips a committed change.
- After the commit (``after_commit``) the event id and its new seq are published
  (``platform.seat_signals.publish``, which never raises: a lost signal is logged and maps catch up from the
  feed at the next change or their periodic snapshot). A rolled-back transaction publishes nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import event as sa_event
from sqlalchemy import update
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session

from voelgoed.models import EventSeat, EventSeating
from voelgoed.services.platform import seat_signals

_SEAT, _SETTINGS = EventSeat.__table__, EventSeating.__table__


def bump_seq(session: Session, event_id: uuid.UUID, seat_ids: Iterable[uuid.UUID] = ()) -> None:
    """Remember changed seats (none: places only); the seq is taken and stamped at commit (module docstring)."""
    session.info.setdefault(_CHANGES, {}).setdefault(event_id, set()).update(seat_ids)


def _stamp_changes(session) -> None:
    if session.in_nested_transaction():  # a savepoint "commit": the transaction goes on
        return
    changes = session.info.pop(_CHANGES, None)
    for event_id in sorted(changes or {}, key=str):
        ids = list(changes[event_id])
        seq = session.execute(update(_SETTINGS).where(_SETTINGS.c.event_id == event_id)
                              .values(seq=_SETTINGS.c.seq + 1).returning(_SETTINGS.c.seq)).scalar_one()
        if ids:
            session.execute(update(_SEAT).where(_SEAT.c.id.in_(ids)).values(seq=seq))
        session.info.setdefault(_SIGNALS, []).append((event_id, seq))


def _signal_changes(session) -> None:
    """After the commit: tell open seat maps (Redis pub/sub; ``seat_signals.publish`` never raises)."""
    for event_id, seq in session.info.pop(_SIGNALS, None) or ():
        seat_signals.publish(event_id, seq)


def _forget_changes(session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(_CHANGES, None)
        session.info.pop(_SIGNALS, None)


_CHANGES, _SIGNALS = "voelgoed.seat_changes", "voelgoed.seat_signals"
sa_event.listen(OrmSession, "before_commit", _stamp_changes)
sa_event.listen(OrmSession, "after_commit", _signal_changes)
sa_event.listen(OrmSession, "after_transaction_end", _forget_changes)
