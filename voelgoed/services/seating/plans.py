"""Seating plans of a venue: the editable draft and its immutable published versions.

Every function takes a :class:`~voelgoed.services.platform.TenantContext`; another organisation's venue or
plan is 404 ``not_found``. Reading needs ``can_view_events``; creating, saving and publishing need
``can_manage_events`` (venue managers: owner/admin/staff), else 403 ``forbidden``. Changes are audited
(``seating_plan.created|draft_saved|renamed|published``) and committed here.

Errors: 413 ``layout_too_large``, 400 ``malformed``, 422 ``layout_invalid`` (schema, see :mod:`.layout`),
409 ``stale_draft`` (``base_revision`` is not the current draft revision: another tab saved meanwhile),
409 ``plan_invalid`` (publishing with problems; ``details.problems`` as :func:`.checks.problems`),
409 ``unchanged`` (the draft equals the latest version), 409 ``invalid_state`` (archived venue/plan).

Seat keys are never reused: a key that was in an earlier version but not in the latest one is *retired*;
a draft bringing it back has the problem ``retired_seat_key`` (ids = those keys), so publishing refuses it
(a booking made on the old seat must never point at a different new one).
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session, select

from voelgoed.models import SeatingArea, SeatingCategory, SeatingPlan, SeatingPlanVersion, SeatingSeat, Venue
from voelgoed.services.platform import (
    Conflict,
    TenantContext,
    ValidationFailed,
    VoelgoedError,
    audit,
    clock,
    get_owned,
    iso,
    rbac,
)
from voelgoed.services.seating import checks, diff, layout


def _clean_name(name: Any) -> str:
    text = "" if name is None else str(name).strip()
    if not text:
        raise ValidationFailed({"name": "Give the plan a name, e.g. Main hall"})
    if len(text) > 120:
        raise ValidationFailed({"name": "At most 120 characters"})
    return text


def _plan(session: Session, ctx: TenantContext, plan_id: Any, *, write: bool = False) -> SeatingPlan:
    if write:
        rbac.require(ctx, rbac.can_manage_events, "edit seating plans")
    else:
        rbac.require(ctx, rbac.can_view_events, "view seating plans")
    plan = get_owned(session, ctx, SeatingPlan, plan_id, "seating plan", lock=write)
    if write and plan.archived_at is not None:
        raise VoelgoedError("invalid_state", "This seating plan is archived")
    return plan


def create_plan(session: Session, ctx: TenantContext, *, venue_id: Any, name: Any, layout_doc: Any = None,
                now=None) -> SeatingPlan:
    """A new plan at the venue, its draft ``layout_doc`` (validated) or an empty layout. Raises 403, 404
    (venue), 409 ``invalid_state`` (archived venue), 422 (name, ``layout_invalid``), 413."""
    rbac.require(ctx, rbac.can_manage_events, "create seating plans")
    venue = get_owned(session, ctx, Venue, venue_id, "venue")
    if venue.archived_at is not None:
        raise VoelgoedError("invalid_state", "This venue is archived")
    name = _clean_name(name)
    doc = layout.validate_layout(layout_doc) if layout_doc is not None else layout.empty_layout(name)
    now = clock.resolve(now)
    plan = SeatingPlan(organization_id=ctx.organization_id, venue_id=venue.id, name=name, draft_layout=doc,
                       created_at=now, updated_at=now)
    session.add(plan)
    session.flush()
    audit.record(session, ctx.actor, "seating_plan.created", plan, {"venue_id": str(venue.id), "name": name,
                                                                     **layout.summary(doc)})
    session.commit()
    return plan


def get_plan(session: Session, ctx: TenantContext, plan_id: Any) -> SeatingPlan:
    """One plan (403 without ``can_view_events``, 404 for another organisation's or an unknown id)."""
    return _plan(session, ctx, plan_id)


def list_plans(session: Session, ctx: TenantContext, *, venue_id: Any, include_archived: bool = False) -> list[SeatingPlan]:
    """The venue's plans by name (404 for another organisation's venue)."""
    rbac.require(ctx, rbac.can_view_events, "view seating plans")
    venue = get_owned(session, ctx, Venue, venue_id, "venue")
    stmt = select(SeatingPlan).where(SeatingPlan.organization_id == ctx.organization_id, SeatingPlan.venue_id == venue.id)
    if not include_archived:
        stmt = stmt.where(SeatingPlan.archived_at.is_(None))
    return list(session.exec(stmt.order_by(SeatingPlan.name, SeatingPlan.created_at)))


def plans_by_venue(session: Session, ctx: TenantContext) -> dict[str, list[dict[str, Any]]]:
    """``{venue_id: [{id, name, latest_version}]}`` of the organisation's live plans (for the venues page)."""
    rbac.require(ctx, rbac.can_view_events, "view seating plans")
    rows = session.exec(select(SeatingPlan.id, SeatingPlan.venue_id, SeatingPlan.name, SeatingPlan.latest_version)
                        .where(SeatingPlan.organization_id == ctx.organization_id, SeatingPlan.archived_at.is_(None))
                        .order_by(SeatingPlan.name, SeatingPlan.created_at))
    out: dict[str, list[dict[str, Any]]] = {}
    for plan_id, venue_id, name, latest in rows:
        out.setdefault(str(venue_id), []).append({"id": str(plan_id), "name": name, "latest_version": latest})
    return out


def rename_plan(session: Session, ctx: TenantContext, plan_id: Any, *, name: Any) -> SeatingPlan:
    """Change the plan's name (versions keep theirs). Raises 403, 404, 409 ``invalid_state``, 422."""
    plan = _plan(session, ctx, plan_id, write=True)
    name = _clean_name(name)
    if name != plan.name:
        audit.record(session, ctx.actor, "seating_plan.renamed", plan, {"from": plan.name, "to": name})
        plan.name = name
    session.commit()
    return plan


def save_draft(session: Session, ctx: TenantContext, plan_id: Any, layout_doc: Any, *,
               base_revision: int | None = None, now=None) -> SeatingPlan:
    """Replace the draft with ``layout_doc`` (schema-checked, not problem-checked: drafts may be unfinished).

    ``base_revision``: the ``draft_revision`` the client started from; a different current revision is 409
    ``stale_draft`` (nothing saved). Increments ``draft_revision``. Raises 403, 404, 409, 413, 422."""
    plan = _plan(session, ctx, plan_id, write=True)
    if base_revision is not None and base_revision != plan.draft_revision:
        raise Conflict("stale_draft", "This plan was saved elsewhere meanwhile; reload it before saving",
                       {"draft_revision": plan.draft_revision})
    doc = layout.validate_layout(layout_doc)
    plan.draft_layout = doc
    plan.draft_revision += 1
    plan.updated_at = clock.resolve(now)
    audit.record(session, ctx.actor, "seating_plan.draft_saved", plan,
                 {"draft_revision": plan.draft_revision, "bytes": len(layout.canonical_json(doc)), **layout.summary(doc)})
    session.commit()
    return plan


def _latest_version(session: Session, plan: SeatingPlan) -> SeatingPlanVersion | None:
    return session.exec(select(SeatingPlanVersion).where(SeatingPlanVersion.plan_id == plan.id)
                        .order_by(SeatingPlanVersion.number.desc()).limit(1)).first()


def _retired_keys_problem(session: Session, plan: SeatingPlan, doc: dict[str, Any],
                          latest: SeatingPlanVersion | None) -> list[dict[str, Any]]:
    """``[problem]`` when ``doc`` brings back seat keys retired in an earlier version, else ``[]``."""
    if latest is None:
        return []
    ever = set(session.exec(select(SeatingSeat.seat_key).distinct()
                            .join(SeatingPlanVersion, SeatingSeat.version_id == SeatingPlanVersion.id)
                            .where(SeatingPlanVersion.plan_id == plan.id)).all())
    current = {seat["key"] for seat in layout.iter_seats(latest.layout)}
    back = sorted({seat["key"] for seat in layout.iter_seats(doc)} & (ever - current))
    if not back:
        return []
    return [{"code": "retired_seat_key", "ids": back[:checks.MAX_IDS], "count": len(back),
             "message": f"{len(back)} seat{'s' if len(back) != 1 else ''} reuse the permanent key of a seat removed "
                        f"in an earlier version; delete and redraw them (keys are never reused)"}]


def validate_draft(session: Session, ctx: TenantContext, plan_id: Any) -> dict[str, Any]:
    """``{"publishable": bool, "problems": [...], "summary": {...}, "diff": {...}, "draft_revision": int}``: what
    publishing now would do (the diff is against the latest version; the builder's confirmation shows it)."""
    plan = _plan(session, ctx, plan_id)
    doc = plan.draft_layout
    latest = _latest_version(session, plan)
    found = checks.problems(doc) + _retired_keys_problem(session, plan, doc, latest)
    return {"publishable": not found, "problems": found, "summary": layout.summary(doc),
            "diff": diff.layout_diff(latest.layout if latest else None, doc), "draft_revision": plan.draft_revision,
            "unchanged": latest is not None and latest.layout_hash == layout.layout_hash(doc)}


def publish(session: Session, ctx: TenantContext, plan_id: Any, *, base_revision: int | None = None,
            now=None) -> dict[str, Any]:
    """Freeze the draft as version ``latest_version + 1`` with its seat, category and area rows.

    Returns ``{"version": version_dict, "diff": layout_diff(previous, new)}``. Refuses (409, nothing written)
    ``plan_invalid`` with ``details.problems``, ``unchanged``, ``stale_draft``. The plan row is locked for the
    transaction, so two publishes of one plan are serialised (the unique (plan, number) is the backstop)."""
    plan = _plan(session, ctx, plan_id, write=True)
    if base_revision is not None and base_revision != plan.draft_revision:
        raise Conflict("stale_draft", "This plan was saved elsewhere meanwhile; reload it before publishing",
                       {"draft_revision": plan.draft_revision})
    doc = layout.validate_layout(plan.draft_layout)
    latest = _latest_version(session, plan)
    found = checks.problems(doc) + _retired_keys_problem(session, plan, doc, latest)
    if found:
        raise Conflict("plan_invalid", f"Fix {len(found)} problem{'s' if len(found) != 1 else ''} before publishing: "
                       f"{found[0]['message']}", {"problems": found})
    digest = layout.layout_hash(doc)
    if latest is not None and latest.layout_hash == digest:
        raise Conflict("unchanged", f"Nothing changed since version {latest.number}", {"version": latest.number})
    now = clock.resolve(now)
    summary = layout.summary(doc)
    version = SeatingPlanVersion(organization_id=plan.organization_id, plan_id=plan.id, number=plan.latest_version + 1,
                                 layout=doc, layout_hash=digest, seat_count=summary["seats"],
                                 standing_capacity=summary["standing_capacity"], published_at=now,
                                 published_by=f"{ctx.actor.type}:{ctx.actor.id}"[:80])
    session.add(version)
    session.flush()
    base = {"organization_id": plan.organization_id, "version_id": version.id}
    seats = [{"id": uuid.uuid4(), **base, **row} for row in layout.seat_rows(doc)]
    if seats:
        session.execute(insert(SeatingSeat), seats)
    cats = [{"id": uuid.uuid4(), **base, "key": c["key"], "label": c["label"], "color": c["color"],
             "accessible": bool(c.get("accessible", False))} for c in doc.get("categories") or ()]
    if cats:
        session.execute(insert(SeatingCategory), cats)
    areas = [{"id": uuid.uuid4(), **base, **row} for row in layout.area_rows(doc)]
    if areas:
        session.execute(insert(SeatingArea), areas)
    plan.latest_version = version.number
    plan.updated_at = now
    changes = diff.layout_diff(latest.layout if latest else None, doc)
    audit.record(session, ctx.actor, "seating_plan.published", plan,
                 {"version": version.number, "layout_hash": digest, **changes["counts"]})
    session.commit()
    return {"version": version_dict(version), "diff": changes}


def duplicate_plan(session: Session, ctx: TenantContext, plan_id: Any, *, name: Any = None, venue_id: Any = None,
                   version: Any = None, now=None) -> SeatingPlan:
    """A new plan (at ``venue_id``, default the same venue) whose draft is a copy of the plan's draft, or of
    published ``version`` N: a variant or the same room at another venue. Seat keys are kept (keys are
    unique per plan; the copy has no versions yet). ``name`` defaults to ``"<name> (copy)"``. Audited as
    ``seating_plan.created`` with ``duplicated_from``. Raises 403, 404 (plan, version, venue), 409, 422."""
    source = _plan(session, ctx, plan_id)
    doc = get_version(session, ctx, plan_id, version).layout if version is not None else source.draft_layout
    copy = create_plan(session, ctx, venue_id=venue_id or source.venue_id,
                       name=name if name not in (None, "") else f"{source.name} (copy)"[:120], layout_doc=doc, now=now)
    audit.record(session, ctx.actor, "seating_plan.duplicated", copy,
                 {"duplicated_from": str(source.id), "version": version})
    session.commit()
    return copy


def list_versions(session: Session, ctx: TenantContext, plan_id: Any) -> list[SeatingPlanVersion]:
    """The plan's versions, newest first."""
    plan = _plan(session, ctx, plan_id)
    return list(session.exec(select(SeatingPlanVersion).where(SeatingPlanVersion.plan_id == plan.id)
                             .order_by(SeatingPlanVersion.number.desc())))


def get_version(session: Session, ctx: TenantContext, plan_id: Any, number: Any) -> SeatingPlanVersion:
    """Version ``number`` of the plan (404 ``not_found`` if there is none)."""
    plan = _plan(session, ctx, plan_id)
    try:
        num = int(number)
    except (TypeError, ValueError):
        num = -1
    version = session.exec(select(SeatingPlanVersion).where(SeatingPlanVersion.plan_id == plan.id,
                                                            SeatingPlanVersion.number == num)).first()
    if version is None:
        raise VoelgoedError("not_found", "Seating plan version not found", status=404)
    return version


def export_layout(session: Session, ctx: TenantContext, plan_id: Any, *, version: Any = None) -> tuple[dict[str, Any], str]:
    """``(document, etag)`` of the draft (``version`` None; etag ``draft-<revision>-<hash prefix>``) or of a
    published version (etag = its ``layout_hash``). The document re-imports unchanged (``save_draft``)."""
    if version is None:
        plan = _plan(session, ctx, plan_id)
        return plan.draft_layout, f"draft-{plan.draft_revision}-{layout.layout_hash(plan.draft_layout)[:16]}"
    row = get_version(session, ctx, plan_id, version)
    return row.layout, row.layout_hash


def version_seats(session: Session, ctx: TenantContext, version: SeatingPlanVersion) -> list[SeatingSeat]:
    """The seat rows of a version (already authorised through :func:`get_version`), by key."""
    rbac.require(ctx, rbac.can_view_events, "view seating plans")
    if version.organization_id != ctx.organization_id:
        raise VoelgoedError("not_found", "Seating plan version not found", status=404)
    return list(session.exec(select(SeatingSeat).where(SeatingSeat.version_id == version.id).order_by(SeatingSeat.seat_key)))


def plan_dict(plan: SeatingPlan, *, with_layout: bool = False) -> dict[str, Any]:
    """``{id, venue_id, name, draft_revision, latest_version, summary, created_at, updated_at, archived_at[, layout]}``."""
    out = {"id": str(plan.id), "venue_id": str(plan.venue_id), "name": plan.name, "draft_revision": plan.draft_revision,
           "latest_version": plan.latest_version, "summary": layout.summary(plan.draft_layout),
           "created_at": iso(plan.created_at), "updated_at": iso(plan.updated_at), "archived_at": iso(plan.archived_at)}
    if with_layout:
        out["layout"] = plan.draft_layout
    return out


def version_dict(version: SeatingPlanVersion) -> dict[str, Any]:
    """``{id, plan_id, number, layout_hash, seat_count, standing_capacity, published_at, published_by}``."""
    return {"id": str(version.id), "plan_id": str(version.plan_id), "number": version.number,
            "layout_hash": version.layout_hash, "seat_count": version.seat_count,
            "standing_capacity": version.standing_capacity, "published_at": iso(version.published_at),
            "published_by": version.published_by}
