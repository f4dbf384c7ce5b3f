"""Outbound webhook endpoints over the API (issue 14; docs/webhooks.md). Every route needs ``webhooks:write``."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel, Field

from voelgoed.services import integrations
from voelgoed.services.platform import TenantContext, session_scope, webhook_events

from .deps import require_scope

router = APIRouter(prefix="/api/v1/webhooks", tags=["webhooks"])
Hooks = Depends(require_scope("webhooks:write"))
EventType = Literal[webhook_events.EVENT_TYPES]  # type: ignore[valid-type]


class EndpointIn(BaseModel):
    url: str = Field(max_length=2000, examples=["https://crm.example.com/hooks/voelgoed"])
    event_types: list[EventType] = Field(min_length=1, max_length=20, examples=[["order.paid", "ticket.checked_in"]])
    description: str = Field("", max_length=200)
    enabled: bool = True


class EndpointPatch(BaseModel):
    url: str | None = Field(None, max_length=2000)
    event_types: list[EventType] | None = Field(None, min_length=1, max_length=20)
    description: str | None = Field(None, max_length=200)
    enabled: bool | None = None


class ReplayIn(BaseModel):
    since: datetime
    until: datetime
    only_failed: bool = False


@router.get("/event-types", summary="The event types an endpoint can subscribe to")
def event_types(ctx: TenantContext = Hooks) -> dict:
    return {"event_types": list(webhook_events.EVENT_TYPES)}


@router.post("/endpoints", status_code=201, summary="Create an endpoint; the whsec_ secret is in this answer only")
def create_endpoint(body: EndpointIn, ctx: TenantContext = Hooks) -> dict:
    with session_scope() as s:
        ep, secret = integrations.create_endpoint(s, ctx, url=body.url, event_types=body.event_types,
                                                  description=body.description, enabled=body.enabled)
        return {**integrations.endpoint_dict(ep), "secret": secret}


@router.get("/endpoints", summary="The organisation's endpoints")
def list_endpoints(ctx: TenantContext = Hooks) -> dict:
    with session_scope() as s:
        return {"endpoints": [integrations.endpoint_dict(e) for e in integrations.list_endpoints(s, ctx)]}


@router.get("/endpoints/{endpoint_id}", summary="One endpoint")
def get_endpoint(endpoint_id: str, ctx: TenantContext = Hooks) -> dict:
    with session_scope() as s:
        integrations.list_endpoints(s, ctx)
        return integrations.endpoint_dict(integrations.get_endpoint(s, ctx, endpoint_id))


@router.patch("/endpoints/{endpoint_id}", summary="Edit, enable or disable an endpoint")
def patch_endpoint(endpoint_id: str, body: EndpointPatch, ctx: TenantContext = Hooks) -> dict:
    with session_scope() as s:
        ep = integrations.update_endpoint(s, ctx, endpoint_id, **body.model_dump(exclude_unset=True))
        return integrations.endpoint_dict(ep)


@router.delete("/endpoints/{endpoint_id}", status_code=204, summary="Delete an endpoint (pending deliveries are cancelled)")
def delete_endpoint(endpoint_id: str, ctx: TenantContext = Hooks) -> Response:
    with session_scope() as s:
        integrations.delete_endpoint(s, ctx, endpoint_id)
    return Response(status_code=204)


@router.post("/endpoints/{endpoint_id}/rotate-secret",
             summary="New secret (in this answer only); the old one also signs during the overlap window")
def rotate_secret(endpoint_id: str, ctx: TenantContext = Hooks) -> dict:
    with session_scope() as s:
        ep, secret = integrations.rotate_secret(s, ctx, endpoint_id)
        return {**integrations.endpoint_dict(ep), "secret": secret}


@router.post("/endpoints/{endpoint_id}/test", status_code=202, summary="Send a webhook.test message")
def send_test(endpoint_id: str, ctx: TenantContext = Hooks) -> dict:
    with session_scope() as s:
        return integrations.send_test(s, ctx, endpoint_id)


@router.get("/endpoints/{endpoint_id}/deliveries", summary="Recent deliveries of an endpoint, newest first")
def deliveries(endpoint_id: str, status: Literal["pending", "delivered", "dead", "cancelled"] | None = None,
               limit: int = Query(50, ge=1, le=200), ctx: TenantContext = Hooks) -> dict:
    with session_scope() as s:
        return {"deliveries": integrations.recent_deliveries(s, ctx, endpoint_id=endpoint_id, status=status, limit=limit)}


@router.post("/endpoints/{endpoint_id}/replay", status_code=202,
             summary="Deliver again every message of the endpoint created in [since, until)")
def replay(endpoint_id: str, body: ReplayIn, ctx: TenantContext = Hooks) -> dict:
    with session_scope() as s:
        return {"replayed": integrations.replay(s, ctx, endpoint_id, since=body.since, until=body.until,
                                                only_failed=body.only_failed)}


@router.get("/deliveries/{delivery_id}/attempts", summary="Every attempt of one delivery, newest first")
def attempts(delivery_id: str, ctx: TenantContext = Hooks) -> dict:
    with session_scope() as s:
        return {"attempts": integrations.attempts_of(s, ctx, delivery_id)}


@router.post("/deliveries/{delivery_id}/redeliver", status_code=202, summary="Send one message again (same webhook-id)")
def redeliver(delivery_id: str, ctx: TenantContext = Hooks) -> dict:
    with session_scope() as s:
        return integrations.redeliver(s, ctx, delivery_id)


@router.post("/dead-letters/retry", status_code=202, summary="Retry every dead delivery of the organisation")
def retry_dead(ctx: TenantContext = Hooks) -> dict:
    with session_scope() as s:
        return {"retried": integrations.retry_all_dead(s, ctx)}
