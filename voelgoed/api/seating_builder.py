"""The builder's own routes (signed-in organiser, ``vg_session`` cookie): the layout travels over HTTP, never
through Reflex state (docs/seating.md, "Fitting it into Reflex").

- ``GET  /api/builder/seating-plans/{plan_id}`` → plan with ``layout`` and ``may_edit``
- ``PUT  /api/builder/seating-plans/{plan_id}/draft?base_revision=N`` (raw layout body) → plan
- ``POST /api/builder/seating-plans/{plan_id}/validate`` → as the API's validate
- ``POST /api/builder/seating-plans/{plan_id}/publish`` ``{base_revision}`` → ``201 {version, diff}``

Writes require the header ``X-Voelgoed-Builder: 1`` (a cross-site form cannot set it, and a cross-site
``fetch`` with it needs a CORS preflight we never grant) on top of the ``SameSite=Lax`` cookie. Errors as
api-v1 (401 ``session_expired`` when signed out, 404 for another organisation's plan).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Header, Query, Request
from pydantic import BaseModel, Field

from voelgoed.services.accounts import resolve_session, tenant_context_for
from voelgoed.services.platform import Forbidden, TenantContext, Unauthenticated, can_manage_events, session_scope
from voelgoed.services.seating import get_plan, parse_layout, plan_dict, publish, save_draft, validate_draft

from .seating import read_limited_body

router = APIRouter(prefix="/api/builder", tags=["seating builder"], include_in_schema=False)
COOKIE = "vg_session"


def builder_context(request: Request) -> TenantContext:
    """The signed-in user's context in their active organisation (401 ``session_expired`` otherwise)."""
    token = request.cookies.get(COOKIE, "")
    with session_scope() as s:
        user_session = resolve_session(s, token)
        if user_session.active_organization_id is None:
            raise Unauthenticated("session_expired", "Please sign in again")
        return tenant_context_for(s, user_id=user_session.user_id, organization_id=user_session.active_organization_id)


def builder_write_context(request: Request, x_voelgoed_builder: str | None = Header(default=None)) -> TenantContext:
    if x_voelgoed_builder != "1":
        raise Forbidden("forbidden", "Builder writes need the X-Voelgoed-Builder header")
    return builder_context(request)


Ctx = Depends(builder_context)
WriteCtx = Depends(builder_write_context)


class PublishIn(BaseModel):
    base_revision: int | None = Field(None, ge=0)


@router.get("/seating-plans/{plan_id}")
def builder_plan(plan_id: str, ctx: TenantContext = Ctx) -> dict:
    with session_scope() as s:
        return {**plan_dict(get_plan(s, ctx, plan_id), with_layout=True), "may_edit": can_manage_events(ctx)}


@router.put("/seating-plans/{plan_id}/draft")
async def builder_save(plan_id: str, request: Request, base_revision: int | None = Query(None, ge=0),
                       ctx: TenantContext = WriteCtx) -> dict:
    doc = parse_layout(await read_limited_body(request))
    with session_scope() as s:
        return plan_dict(save_draft(s, ctx, plan_id, doc, base_revision=base_revision))


@router.post("/seating-plans/{plan_id}/validate")
def builder_validate(plan_id: str, ctx: TenantContext = Ctx) -> dict:
    with session_scope() as s:
        return validate_draft(s, ctx, plan_id)


@router.post("/seating-plans/{plan_id}/publish", status_code=201)
def builder_publish(plan_id: str, body: PublishIn | None = None, ctx: TenantContext = WriteCtx) -> dict:
    with session_scope() as s:
        return publish(s, ctx, plan_id, base_revision=body.base_revision if body else None)
