"""Reading the audit log (issue 13, item 6): the `/settings/audit` viewer and per-object history.

- ``search_audit(session, ctx, *, who="", what="", target="", since=None, until=None, before=None, limit=50)``
  → ``{"entries": [entry], "next_before": str | None}``, newest first, only ``ctx``'s organisation.
  Filters (all optional, combined with AND):
  ``who`` — an actor: a member's e-mail or name (case-insensitive substring), an API key's or device's name,
  an actor type (``user``, ``api_key``, ``device``, ``system``, ``buyer``, ``provider``) or an exact actor id;
  ``what`` — an action (``order.paid``) or its family (``order`` or ``order.``: every ``order.*``);
  ``target`` — an object: an order code (``VG-…``), a ticket code, an object id, or an object type
  (``order``, ``ticket``, ``event``, …);
  ``since`` / ``until`` — UTC datetimes (``since <= created_at < until``);
  ``before`` — the ``next_before`` cursor of the previous page (``<created_at iso>|<id>``).
  Owners and admins only (``can_manage_members``): others 403 ``forbidden``. ``limit`` is clamped to 1–200.
- ``object_history(session, ctx, target_type, target_id, *, limit=100)`` → ``[entry]`` oldest first: an
  order's history includes its tickets' and payments' entries; roles with ``can_manage_orders``.
- entry = ``{"id", "created_at" (RFC 3339), "actor_type", "actor_id", "actor" (label), "action", "target_type",
  "target_id", "target" (label: order code, ticket code, event name…), "link" (page path or ""), "data"}``.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import and_, or_
from sqlmodel import Session, select

from voelgoed.models import (
    ApiKey,
    AuditLog,
    Device,
    Event,
    ExportJob,
    Membership,
    Order,
    Payment,
    Refund,
    Ticket,
    TicketType,
    User,
)
from voelgoed.services.platform import BadRequest, TenantContext, as_uuid, clock, get_owned, rbac

ACTOR_TYPES = ("user", "api_key", "device", "system", "buyer", "provider")
# target_type → (model, label attribute, link builder from the row)
_LINKS = {
    "order": (Order, "order_code", lambda r: f"/dashboard/orders/{r.id}"),
    "ticket": (Ticket, "ticket_code", lambda r: f"/dashboard/orders/{r.order_id}"),
    "payment": (Payment, "reference", lambda r: f"/dashboard/orders/{r.order_id}"),
    "refund": (Refund, "status", lambda r: f"/dashboard/orders/{r.order_id}"),
    "event": (Event, "name", lambda r: f"/events/{r.id}"),
    "tickettype": (TicketType, "name", lambda r: f"/events/{r.event_id}"),
    "device": (Device, "name", lambda r: f"/events/{r.event_id}"),
    "exportjob": (ExportJob, "kind", lambda r: f"/events/{r.event_id}/exports"),
}
_STATIC_LINKS = {"venue": "/venues", "gate": "/venues", "seatingplan": "/venues", "membership": "/settings",
                 "invitation": "/settings", "organization": "/settings", "apikey": "/settings",
                 "outboxentry": "/settings", "webhookendpoint": "/settings/webhooks",
                 "endpointdelivery": "/settings/webhooks"}


def _actor_ids(session: Session, ctx: TenantContext, who: str) -> list[str]:
    """Actor ids whose label matches ``who`` (members of ``ctx``'s organisation, its keys and devices)."""
    like = f"%{who}%"
    org = ctx.organization_id
    users = session.exec(select(User.id).join(Membership, Membership.user_id == User.id).where(
        Membership.organization_id == org, or_(User.email.ilike(like), User.full_name.ilike(like)))).all()
    keys = session.exec(select(ApiKey.id).where(ApiKey.organization_id == org, ApiKey.name.ilike(like))).all()
    devices = session.exec(select(Device.id).where(Device.organization_id == org, Device.name.ilike(like))).all()
    return [str(i) for i in (*users, *keys, *devices)]


def _target_clause(session: Session, ctx: TenantContext, target: str):
    if target in _LINKS or target in _STATIC_LINKS or target == "hold":
        return AuditLog.target_type == target
    org = ctx.organization_id
    ids = [target]
    order = session.exec(select(Order.id).where(Order.organization_id == org, Order.order_code == target.upper())).first()
    ticket = session.exec(select(Ticket.id).where(Ticket.organization_id == org,
                                                  Ticket.ticket_code == target.upper())).first()
    ids += [str(i) for i in (order, ticket) if i is not None]
    return AuditLog.target_id.in_(ids)


def _cursor(before: str):
    try:
        stamp, entry_id = before.split("|", 1)
        return datetime.fromisoformat(stamp), uuid.UUID(entry_id)
    except ValueError:
        raise BadRequest("bad_cursor", "The page cursor is not valid") from None


def search_audit(session: Session, ctx: TenantContext, *, who: str = "", what: str = "", target: str = "",
                 since: datetime | None = None, until: datetime | None = None, before: str | None = None,
                 limit: int = 50) -> dict:
    """The filtered audit log page (module docstring). Errors: 403 ``forbidden``, 400 ``bad_cursor``."""
    rbac.require(ctx, rbac.can_manage_members, "read the audit log")
    limit = max(1, min(int(limit), 200))
    q = select(AuditLog).where(AuditLog.organization_id == ctx.organization_id)
    who, what, target = (who or "").strip()[:200], (what or "").strip()[:80], (target or "").strip()[:100]
    if who:
        if who in ACTOR_TYPES:
            q = q.where(AuditLog.actor_type == who)
        else:
            q = q.where(AuditLog.actor_id.in_([who, *_actor_ids(session, ctx, who)]))
    if what:
        if what.endswith("."):
            q = q.where(AuditLog.action.startswith(what, autoescape=True))
        elif "." not in what:  # "order" means every order.* action
            q = q.where(AuditLog.action.startswith(what + ".", autoescape=True))
        else:
            q = q.where(AuditLog.action == what)
    if target:
        q = q.where(_target_clause(session, ctx, target))
    if since is not None:
        q = q.where(AuditLog.created_at >= clock.aware(since))
    if until is not None:
        q = q.where(AuditLog.created_at < clock.aware(until))
    if before:
        stamp, entry_id = _cursor(before)
        q = q.where(or_(AuditLog.created_at < stamp, and_(AuditLog.created_at == stamp, AuditLog.id < entry_id)))
    rows = list(session.exec(q.order_by(AuditLog.created_at.desc(), AuditLog.id.desc()).limit(limit + 1)).all())
    more = len(rows) > limit
    rows = rows[:limit]
    nxt = f"{clock.aware(rows[-1].created_at).isoformat()}|{rows[-1].id}" if more and rows else None
    return {"entries": present(session, ctx, rows), "next_before": nxt}


def object_history(session: Session, ctx: TenantContext, target_type: str, target_id, *, limit: int = 100) -> list[dict]:
    """Entries about one order (with its tickets, payments) or one ticket, oldest first. 403 without
    ``can_manage_orders``; 404 ``not_found`` for another organisation's object; 400 ``bad_target`` otherwise."""
    rbac.require(ctx, rbac.can_manage_orders, "read an order's history")
    if target_type == "order":
        order = get_owned(session, ctx, Order, target_id, "order")
        ids = [str(order.id)]
        ids += [str(i) for i in session.exec(select(Ticket.id).where(Ticket.order_id == order.id)).all()]
        ids += [str(i) for i in session.exec(select(Payment.id).where(Payment.order_id == order.id)).all()]
    elif target_type == "ticket":
        ids = [str(get_owned(session, ctx, Ticket, target_id, "ticket").id)]
    else:
        raise BadRequest("bad_target", "History is kept for orders and tickets")
    rows = session.exec(select(AuditLog).where(AuditLog.organization_id == ctx.organization_id,
                                               AuditLog.target_id.in_(ids))
                        .order_by(AuditLog.created_at, AuditLog.id).limit(max(1, min(limit, 500)))).all()
    return present(session, ctx, list(rows))


def present(session: Session, ctx: TenantContext, rows: list[AuditLog]) -> list[dict]:
    """Entries with actor and target labels and links, a handful of batched look-ups per page."""
    actors = _actor_labels(session, ctx, rows)
    targets: dict[tuple[str, str], tuple[str, str]] = {}
    by_type: dict[str, set[uuid.UUID]] = {}
    for r in rows:
        if r.target_type in _LINKS and as_uuid(r.target_id):
            by_type.setdefault(r.target_type, set()).add(as_uuid(r.target_id))
    for kind, ids in by_type.items():
        model, label, link = _LINKS[kind]
        for obj in session.exec(select(model).where(model.id.in_(ids), model.organization_id == ctx.organization_id)):
            targets[(kind, str(obj.id))] = (str(getattr(obj, label)), link(obj))
    out = []
    for r in rows:
        label, link = targets.get((r.target_type, r.target_id), ("", _STATIC_LINKS.get(r.target_type, "")))
        out.append({"id": str(r.id), "created_at": clock.aware(r.created_at).isoformat(), "actor_type": r.actor_type,
                    "actor_id": r.actor_id, "actor": actors.get(r.actor_id) or r.actor_type, "action": r.action,
                    "target_type": r.target_type, "target_id": r.target_id, "target": label, "link": link,
                    "data": r.data or {}})
    return out


def _actor_labels(session: Session, ctx: TenantContext, rows: list[AuditLog]) -> dict[str, str]:
    ids = {as_uuid(r.actor_id) for r in rows if as_uuid(r.actor_id)}
    if not ids:
        return {}
    labels = {str(u.id): u.email for u in session.exec(select(User).where(User.id.in_(ids)))}
    labels.update({str(k.id): f"API key {k.name}" for k in session.exec(
        select(ApiKey).where(ApiKey.id.in_(ids), ApiKey.organization_id == ctx.organization_id))})
    labels.update({str(d.id): f"Scanner {d.name}" for d in session.exec(
        select(Device).where(Device.id.in_(ids), Device.organization_id == ctx.organization_id))})
    return labels
