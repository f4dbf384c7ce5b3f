"""The money ledger (issue 13 item 3): every payment, refund and fee of an order as an append-only
:class:`~voelgoed.models.LedgerEntry`, written in the transaction of the state change it records.

- ``amount_cents`` is signed: a payment is ``+amount``, a refund ``-amount``, a provider fee ``-fee``.
- ``source_key`` is unique (``payment:<payment id>``, ``refund:<refund id>``, ``fee:<payment id>``):
  :func:`record` of the same movement twice writes nothing the second time (``INSERT … ON CONFLICT DO
  NOTHING`` inside a savepoint-free statement), so a replayed webhook can never count money twice.
- Fees: :func:`record_fee` writes the provider's fee on a charge (Paystack's verify ``data.fees``) with the
  payment, in the same transaction. An order's balance (:func:`order_balance`, the refundable money) leaves
  fees out; the reconciliation's ``net_cents`` = sold − refunded − fees (the payout).
- Nothing here updates or deletes a ledger row. An order's balance, an event's reconciliation and a
  payout report are sums of these rows (:func:`order_balance`, :func:`event_reconciliation`), never
  recomputed from order or ticket statuses.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import case, func
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, select

from voelgoed.models import Event, LedgerEntry, LedgerKind, Order, Payment, Refund
from voelgoed.services.platform import TenantContext, clock, get_owned, rbac

_LE = LedgerEntry.__table__


def record(session: Session, *, order: Order, kind: str, amount_cents: int, currency: str, source_key: str,
           provider: str = "", provider_reference: str = "", now: datetime | None = None) -> bool:
    """Append one entry to the caller's transaction (no commit). ``amount_cents`` signed, in cents.
    Returns False when ``source_key`` was already recorded (nothing written)."""
    dialect = session.get_bind().dialect.name
    ins = pg_insert(_LE) if dialect == "postgresql" else sqlite_insert(_LE)
    stmt = ins.values(
        id=uuid.uuid4(), organization_id=order.organization_id, event_id=order.event_id, order_id=order.id,
        kind=kind, amount_cents=int(amount_cents), currency=currency, provider=provider[:20],
        provider_reference=(provider_reference or "")[:100], source_key=source_key[:120],
        created_at=clock.resolve(now),
    ).on_conflict_do_nothing(index_elements=["source_key"]).returning(_LE.c.id)
    return session.execute(stmt).scalar() is not None


def record_payment(session: Session, order: Order, payment: Payment, *, now: datetime | None = None) -> bool:
    """``+payment.amount_cents`` for a succeeded charge (key ``payment:<id>``); free (0) payments write nothing."""
    if payment.amount_cents <= 0:
        return False
    return record(session, order=order, kind=LedgerKind.payment.value, amount_cents=payment.amount_cents,
                  currency=payment.currency, source_key=f"payment:{payment.id}", provider=payment.provider,
                  provider_reference=payment.reference, now=now)


def record_fee(session: Session, order: Order, payment: Payment, fees_cents: int | None, *,
               now: datetime | None = None) -> bool:
    """``-fees_cents`` for the provider's fee on a succeeded charge (key ``fee:<payment id>``, so once per
    payment); nothing for ``None`` / 0 / a fee larger than the charge (not believable: ignored)."""
    if not fees_cents or fees_cents < 0 or fees_cents > payment.amount_cents:
        return False
    return record(session, order=order, kind=LedgerKind.fee.value, amount_cents=-int(fees_cents),
                  currency=payment.currency, source_key=f"fee:{payment.id}", provider=payment.provider,
                  provider_reference=payment.reference, now=now)


def record_refund(session: Session, order: Order, refund: Refund, *, now: datetime | None = None) -> bool:
    """``-refund.amount_cents`` for a processed refund (key ``refund:<id>``)."""
    return record(session, order=order, kind=LedgerKind.refund.value, amount_cents=-refund.amount_cents,
                  currency=refund.currency, source_key=f"refund:{refund.id}", provider=refund.provider,
                  provider_reference=refund.provider_reference or "", now=now)


def order_balance(session: Session, order_id: uuid.UUID) -> int:
    """The buyer's money held for the order, in cents: the sum of its payment and refund entries (what can
    still be refunded). Provider fees are the organiser's cost, not the buyer's: they lower the payout
    (``net_cents``), never what the buyer can get back."""
    return int(session.exec(select(func.coalesce(func.sum(LedgerEntry.amount_cents), 0))
                            .where(LedgerEntry.order_id == order_id, LedgerEntry.kind != LedgerKind.fee.value)).one())


def order_entries(session: Session, order_id: uuid.UUID) -> list[dict[str, Any]]:
    """``[{kind, amount_cents, currency, provider, provider_reference, created_at}]`` oldest first."""
    rows = session.exec(select(LedgerEntry).where(LedgerEntry.order_id == order_id)
                        .order_by(LedgerEntry.created_at, LedgerEntry.id)).all()
    return [{"kind": e.kind, "amount_cents": e.amount_cents, "currency": e.currency, "provider": e.provider,
             "provider_reference": e.provider_reference, "created_at": clock.aware(e.created_at).isoformat()}
            for e in rows]


def _sums(session: Session, *where) -> dict[str, int]:
    amount = LedgerEntry.amount_cents
    row = session.exec(select(
        func.coalesce(func.sum(case((LedgerEntry.kind == LedgerKind.payment.value, amount), else_=0)), 0),
        func.coalesce(func.sum(case((LedgerEntry.kind == LedgerKind.refund.value, -amount), else_=0)), 0),
        func.coalesce(func.sum(case((LedgerEntry.kind == LedgerKind.fee.value, -amount), else_=0)), 0),
        func.coalesce(func.sum(amount), 0),
    ).where(*where)).one()
    return {"sold_cents": int(row[0]), "refunded_cents": int(row[1]), "fees_cents": int(row[2]), "net_cents": int(row[3])}


def event_reconciliation(session: Session, ctx: TenantContext, event_id: Any) -> dict[str, Any]:
    """Sold, refunded, fees and net of an event from its ledger, plus refunds still in flight.

    ``{event_id, event_name, currency, sold_cents, refunded_cents, fees_cents, net_cents, entries,
    pending_refunds_cents, failed_refunds: int}`` (cents; ``net = sold − refunded − fees``, the payout).
    Raises 403 ``forbidden`` (role may not view financials), 404 ``not_found``."""
    rbac.require(ctx, rbac.can_view_financials, "view financials")
    event = get_owned(session, ctx, Event, event_id, "event")
    where = (LedgerEntry.event_id == event.id, LedgerEntry.organization_id == ctx.organization_id)
    out: dict[str, Any] = {"event_id": str(event.id), "event_name": event.name, "currency": event.currency,
                           **_sums(session, *where)}
    out["entries"] = int(session.exec(select(func.count()).select_from(LedgerEntry).where(*where)).one())
    out["pending_refunds_cents"] = int(session.exec(select(func.coalesce(func.sum(Refund.amount_cents), 0)).where(
        Refund.event_id == event.id, Refund.status == "pending")).one())
    out["failed_refunds"] = int(session.exec(select(func.count()).select_from(Refund).where(
        Refund.event_id == event.id, Refund.status == "failed")).one())
    return out


def payout_report(session: Session, ctx: TenantContext, *, since: datetime | None = None,
                  until: datetime | None = None) -> list[dict[str, Any]]:
    """Per event of the organisation: ``[{event_id, event_name, currency, sold_cents, refunded_cents,
    fees_cents, net_cents}]`` summed from ledger entries created in ``[since, until)`` (UTC). 403 as above."""
    rbac.require(ctx, rbac.can_view_financials, "view financials")
    where = [LedgerEntry.organization_id == ctx.organization_id]
    if since is not None:
        where.append(LedgerEntry.created_at >= since)
    if until is not None:
        where.append(LedgerEntry.created_at < until)
    events = session.exec(select(Event.id, Event.name, Event.currency).where(
        Event.id.in_(select(LedgerEntry.event_id).where(*where).distinct())).order_by(Event.starts_at)).all()
    return [{"event_id": str(eid), "event_name": name, "currency": cur,
             **_sums(session, *where, LedgerEntry.event_id == eid)} for eid, name, cur in events]
