"""Seating plan endpoints (API key, scope ``events:write``; reading needs ``events:read``) — docs/seating.md.

- ``POST /api/v1/venues/{venue_id}/seating-plans`` ``{name, layout?}`` → ``201`` plan
- ``GET  /api/v1/venues/{venue_id}/seating-plans`` → ``{items: [plan]}``
- ``GET  /api/v1/seating-plans/{plan_id}`` → plan with ``layout`` (the draft)
- ``PUT  /api/v1/seating-plans/{plan_id}/draft[?base_revision=N]`` body = the layout document → plan
- ``POST /api/v1/seating-plans/{plan_id}/validate`` → ``{publishable, problems, summary, diff, unchanged, draft_revision}``
- ``POST /api/v1/seating-plans/{plan_id}/publish`` ``{base_revision?}`` → ``201 {version, diff}``;
  ``409 plan_invalid`` (``details.problems``), ``409 unchanged``, ``409 stale_draft``
- ``GET  /api/v1/seating-plans/{plan_id}/versions`` → ``{items: [version]}`` (newest first)
- ``GET  /api/v1/seating-plans/{plan_id}/export[?version=N]`` → the layout JSON with an ``ETag``
  (``If-None-Match`` → ``304``); a version's layout is immutable (``Cache-Control: private, max-age=31536000, immutable``)

Layouts are read from the raw body, at most ``MAX_LAYOUT_BYTES`` (413 ``layout_too_large`` before parsing);
schema errors are 422 ``layout_invalid`` with ``details.errors``. Another organisation's plan is 404.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, Field

from voelgoed.services.platform import BadRequest, TenantContext, VoelgoedError, session_scope
from voelgoed.services.seating import (
    MAX_LAYOUT_BYTES,
    attach_version,
    canonical_json,
    create_plan,
    duplicate_plan,
    event_seating,
    export_layout,
    get_plan,
    list_plans,
    list_versions,
    parse_layout,
    plan_dict,
    publish,
    rename_plan,
    save_draft,
    starter_layout,
    validate_draft,
    version_dict,
)

from .deps import require_scope
from .edges import register_body_limit

router = APIRouter(prefix="/api/v1", tags=["seating"])
Write = Depends(require_scope("events:write"))
Read = Depends(require_scope("events:read"))
# layouts may exceed MAX_BODY_BYTES (an 18 000-seat arena is ~2 MB): these routes get the layout limit
register_body_limit(r"/api/(v1|builder)/seating-plans/[^/]+/draft|/api/v1/venues/[^/]+/seating-plans", MAX_LAYOUT_BYTES)


class PlanIn(BaseModel):
    name: str = Field(max_length=120)
    layout: dict[str, Any] | None = None
    template: str | None = Field(None, max_length=40, description="a starter plan: theatre, arena, cabaret or stadium")


class RenameIn(BaseModel):
    name: str = Field(max_length=120)


class DuplicateIn(BaseModel):
    name: str | None = Field(None, max_length=120)
    venue_id: str | None = Field(None, max_length=64, description="default: the same venue")
    version: int | None = Field(None, ge=1, description="copy published version N instead of the draft")


class AttachIn(BaseModel):
    version_id: str | None = Field(None, max_length=64, description="a published version id; null detaches")


class PublishIn(BaseModel):
    base_revision: int | None = Field(None, ge=0)


async def read_limited_body(request: Request, limit: int = MAX_LAYOUT_BYTES) -> bytes:
    """The raw body, refusing more than ``limit`` bytes (413 ``layout_too_large``) without buffering the rest."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise VoelgoedError("layout_too_large", f"A layout may be at most {limit // 1_000_000} MB",
                            {"max_bytes": limit, "bytes": int(declared)}, status=413)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise VoelgoedError("layout_too_large", f"A layout may be at most {limit // 1_000_000} MB",
                                {"max_bytes": limit}, status=413)
        chunks.append(chunk)
    if not size:
        raise BadRequest("malformed", "Send the layout document as the JSON body")
    return b"".join(chunks)


def layout_response(request: Request, doc: dict, etag: str, *, immutable: bool, filename: str = "") -> Response:
    """The layout as JSON with ``ETag``; ``304`` when ``If-None-Match`` matches."""
    quoted = f'"{etag}"'
    headers = {"ETag": quoted, "Cache-Control": "private, max-age=31536000, immutable" if immutable else "private, no-cache"}
    if filename:
        headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    if quoted in [t.strip() for t in request.headers.get("if-none-match", "").split(",")]:
        return Response(status_code=304, headers=headers)
    return Response(canonical_json(doc), media_type="application/json", headers=headers)


@router.post("/venues/{venue_id}/seating-plans", status_code=201, summary="Create a seating plan (empty, or from a layout)")
def create_seating_plan(venue_id: str, body: PlanIn, ctx: TenantContext = Write) -> dict:
    if body.template is not None and body.layout is not None:
        raise BadRequest("bad_request", "Give either a layout or a template, not both")
    doc = starter_layout(body.template, name=body.name) if body.template is not None else body.layout
    with session_scope() as s:
        return plan_dict(create_plan(s, ctx, venue_id=venue_id, name=body.name, layout_doc=doc))


@router.patch("/seating-plans/{plan_id}", summary="Rename a seating plan")
def rename_seating_plan(plan_id: str, body: RenameIn, ctx: TenantContext = Write) -> dict:
    with session_scope() as s:
        return plan_dict(rename_plan(s, ctx, plan_id, name=body.name))


@router.post("/seating-plans/{plan_id}/duplicate", status_code=201,
             summary="Copy a plan's draft (or a published version) into a new plan, at this or another venue")
def duplicate_seating_plan(plan_id: str, body: DuplicateIn | None = None, ctx: TenantContext = Write) -> dict:
    body = body or DuplicateIn()
    with session_scope() as s:
        return plan_dict(duplicate_plan(s, ctx, plan_id, name=body.name, venue_id=body.venue_id, version=body.version))


@router.get("/events/{event_id}/seating-plan", summary="The event's seating-plan version and the versions it may use")
def get_event_seating(event_id: str, ctx: TenantContext = Read) -> dict:
    with session_scope() as s:
        return event_seating(s, ctx, event_id)


@router.put("/events/{event_id}/seating-plan",
            summary="Choose the published seating-plan version the event sells (null detaches); refuses dropping sold/held seats")
def put_event_seating(event_id: str, body: AttachIn, ctx: TenantContext = Write) -> dict:
    with session_scope() as s:
        attach_version(s, ctx, event_id, body.version_id)
        return event_seating(s, ctx, event_id)


@router.get("/venues/{venue_id}/seating-plans", summary="The venue's seating plans")
def list_seating_plans(venue_id: str, ctx: TenantContext = Read) -> dict:
    with session_scope() as s:
        return {"items": [plan_dict(p) for p in list_plans(s, ctx, venue_id=venue_id)]}


@router.get("/seating-plans/{plan_id}", summary="A seating plan with its draft layout")
def get_seating_plan(plan_id: str, ctx: TenantContext = Read) -> dict:
    with session_scope() as s:
        return plan_dict(get_plan(s, ctx, plan_id), with_layout=True)


@router.put("/seating-plans/{plan_id}/draft", summary="Replace the draft layout (raw JSON body, schema-checked)",
            openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
                "schema": {"type": "object", "description": "a seating layout document: the JSON Schema is "
                           "docs/seating-layout.schema.json ($id https://voelgoed.events/schemas/seating-layout-1.json)"}}}}})
async def put_seating_draft(plan_id: str, request: Request, base_revision: int | None = Query(None, ge=0),
                            ctx: TenantContext = Write) -> dict:
    doc = parse_layout(await read_limited_body(request))
    with session_scope() as s:
        return plan_dict(save_draft(s, ctx, plan_id, doc, base_revision=base_revision))


@router.post("/seating-plans/{plan_id}/validate", summary="Problems that block publishing, and the diff publishing would make")
def validate_seating_plan(plan_id: str, ctx: TenantContext = Read) -> dict:
    with session_scope() as s:
        return validate_draft(s, ctx, plan_id)


@router.post("/seating-plans/{plan_id}/publish", status_code=201, summary="Freeze the draft as a new immutable version")
def publish_seating_plan(plan_id: str, body: PublishIn | None = None, ctx: TenantContext = Write) -> dict:
    with session_scope() as s:
        return publish(s, ctx, plan_id, base_revision=body.base_revision if body else None)


@router.get("/seating-plans/{plan_id}/versions", summary="Published versions, newest first")
def list_seating_versions(plan_id: str, ctx: TenantContext = Read) -> dict:
    with session_scope() as s:
        return {"items": [version_dict(v) for v in list_versions(s, ctx, plan_id)]}


@router.get("/seating-plans/{plan_id}/export", summary="The layout JSON (draft, or ?version=N), with an ETag")
def export_seating_layout(plan_id: str, request: Request, version: int | None = Query(None, ge=1),
                          ctx: TenantContext = Read) -> Response:
    with session_scope() as s:
        doc, etag = export_layout(s, ctx, plan_id, version=version)
    name = f"seating-plan-{plan_id[:8]}-{'v' + str(version) if version else 'draft'}.json"
    return layout_response(request, doc, etag, immutable=version is not None, filename=name)
