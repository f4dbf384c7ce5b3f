"""Marketing endpoints (issue 15): promo codes, campaigns, tracked links and their QR codes, the campaign
dashboard (JSON and CSV), order attribution (API key); ``GET /go/{code}`` and the buyer's funnel step (public).

Organiser routes hang under the event (``/api/v1/events/{event_id}/…``) so event-limited keys work as
everywhere else. Routes parse, call one service and present.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import AwareDatetime, BaseModel, Field, StrictBool, StrictInt, StrictStr

from voelgoed.api.deps import client_address, require_scope
from voelgoed.config import get_settings
from voelgoed.services.marketing import (
    TOUCH_COOKIE,
    campaign_public,
    create_campaign,
    create_link,
    create_promo_code,
    dashboard_csv,
    event_dashboard,
    funnel,
    get_campaign,
    get_link,
    last_code,
    link_view,
    list_campaigns,
    list_links,
    list_promo_codes,
    promo_public,
    qr_png,
    qr_svg,
    should_track,
    touch_cookie,
    update_link,
    update_promo_code,
    visit,
)
from voelgoed.services.platform import NotFound, TenantContext, parse_id, ratelimit, session_scope
from voelgoed.services.sales import orders_admin

router = APIRouter(tags=["marketing"])
EventsRead = Depends(require_scope("events:read"))
EventsWrite = Depends(require_scope("events:write"))
OrdersRead = Depends(require_scope("orders:read"))


class PromoIn(BaseModel):
    code: StrictStr = Field(max_length=40)
    percent_off: StrictInt = Field(0, ge=0, le=100)
    amount_off_cents: StrictInt = Field(0, ge=0, le=100_000_000)
    ticket_type_ids: list[StrictStr] = Field(default_factory=list, max_length=100)
    unlocks_hidden: bool = False
    automatic: bool = False
    min_quantity: StrictInt = Field(1, ge=1, le=10_000)
    max_uses: StrictInt | None = Field(None, ge=0, le=10_000_000)
    per_buyer_limit: StrictInt | None = Field(None, ge=0, le=10_000)
    valid_from: AwareDatetime | None = None
    valid_until: AwareDatetime | None = None
    campaign_id: StrictStr | None = Field(None, max_length=64)


class PromoPatch(BaseModel):
    """Only the fields sent change; ``null`` clears a limit or a bound."""

    percent_off: StrictInt = Field(None, ge=0, le=100)
    amount_off_cents: StrictInt = Field(None, ge=0, le=100_000_000)
    min_quantity: StrictInt = Field(None, ge=1, le=10_000)
    max_uses: StrictInt | None = Field(None, ge=0, le=10_000_000)
    per_buyer_limit: StrictInt | None = Field(None, ge=0, le=10_000)
    valid_from: AwareDatetime | None = None
    valid_until: AwareDatetime | None = None
    is_active: StrictBool = Field(None)


class LinkPatch(BaseModel):
    """Only the fields sent change. An inactive link still redirects but counts nothing."""

    label: StrictStr = Field(None, max_length=120)
    partner_name: StrictStr = Field(None, max_length=120)
    is_active: StrictBool = Field(None)


class CampaignIn(BaseModel):
    name: StrictStr = Field(max_length=120)
    channel: Literal["email", "social", "print", "partner", "ads", "radio", "other"] = "other"
    budget_cents: StrictInt | None = Field(None, ge=0, le=10_000_000_000)


class LinkIn(BaseModel):
    label: StrictStr = Field("", max_length=120)
    partner_name: StrictStr = Field("", max_length=120)
    utm_source: StrictStr = Field("", max_length=100)
    utm_medium: StrictStr = Field("", max_length=100)
    utm_campaign: StrictStr = Field("", max_length=100)
    utm_content: StrictStr = Field("", max_length=100)
    utm_term: StrictStr = Field("", max_length=100)


class TrackIn(BaseModel):
    step: Literal["page_view", "ticket_selection"]


@router.post("/api/v1/events/{event_id}/promo-codes", status_code=201, summary="Create a promo, access or group code")
def create_promo(event_id: str, body: PromoIn, ctx: TenantContext = EventsWrite) -> dict:
    with session_scope() as s:
        return promo_public(create_promo_code(s, ctx, event_id=event_id, **body.model_dump()))


@router.get("/api/v1/events/{event_id}/promo-codes", summary="The event's promo codes with their use counts")
def get_promos(event_id: str, ctx: TenantContext = EventsRead) -> dict:
    with session_scope() as s:
        return {"promo_codes": [promo_public(p) for p in list_promo_codes(s, ctx, event_id=parse_id(event_id, "event"))]}


@router.patch("/api/v1/events/{event_id}/promo-codes/{promo_id}",
              summary="Edit a code's discount, limits or window, or (de)activate it")
def patch_promo(event_id: str, promo_id: str, body: PromoPatch, ctx: TenantContext = EventsWrite) -> dict:
    with session_scope() as s:
        return promo_public(update_promo_code(s, ctx, event_id=event_id, promo_id=promo_id,
                                              changes=_sent(body, ("percent_off", "amount_off_cents", "min_quantity", "is_active"))))


def _sent(body: BaseModel, not_null: tuple) -> dict:
    """The fields the client sent; ``null`` for a field that cannot be cleared is a 422 from the service."""
    changes = body.model_dump(exclude_unset=True)
    return {k: ("" if v is None and k in not_null else v) for k, v in changes.items()}


@router.post("/api/v1/events/{event_id}/campaigns", status_code=201, summary="Create a campaign for the event")
def post_campaign(event_id: str, body: CampaignIn, ctx: TenantContext = EventsWrite) -> dict:
    with session_scope() as s:
        return campaign_public(create_campaign(s, ctx, event_id=event_id, **body.model_dump()))


@router.get("/api/v1/events/{event_id}/campaigns", summary="The event's campaigns")
def get_campaigns(event_id: str, ctx: TenantContext = EventsRead) -> dict:
    with session_scope() as s:
        return {"campaigns": [campaign_public(c) for c in list_campaigns(s, ctx, event_id=parse_id(event_id, "event"))]}


@router.post("/api/v1/events/{event_id}/campaigns/{campaign_id}/links", status_code=201,
             summary="A tracked link (UTM parameters, short code, optional partner) of the campaign to the event")
def post_link(event_id: str, campaign_id: str, body: LinkIn, ctx: TenantContext = EventsWrite) -> dict:
    with session_scope() as s:
        eid = parse_id(event_id, "event")
        if get_campaign(s, ctx, campaign_id).event_id not in (None, eid):
            raise NotFound("not_found", "Campaign not found")
        link = create_link(s, ctx, campaign_id=campaign_id, event_id=eid, **body.model_dump())
        return link_view(s, link)


@router.get("/api/v1/events/{event_id}/links", summary="The event's tracked links with their visit counts")
def get_links(event_id: str, ctx: TenantContext = EventsRead) -> dict:
    with session_scope() as s:
        return {"links": [link_view(s, lk) for lk in list_links(s, ctx, event_id=parse_id(event_id, "event"))]}


@router.patch("/api/v1/events/{event_id}/links/{link_id}",
              summary="Rename a tracked link or (de)activate it (an inactive link redirects without counting)")
def patch_link(event_id: str, link_id: str, body: LinkPatch, ctx: TenantContext = EventsWrite) -> dict:
    with session_scope() as s:
        link = update_link(s, ctx, event_id=event_id, link_id=link_id,
                           changes=_sent(body, ("label", "partner_name", "is_active")))
        return link_view(s, link)


@router.get("/api/v1/events/{event_id}/links/{link_id}/qr.svg", summary="The link's QR code as SVG (posters)",
            response_class=Response, responses={200: {"content": {"image/svg+xml": {}}}})
def get_qr_svg(event_id: str, link_id: str, ctx: TenantContext = EventsRead) -> Response:
    return _qr(event_id, link_id, ctx, "svg")


@router.get("/api/v1/events/{event_id}/links/{link_id}/qr.png", summary="The link's QR code as PNG",
            response_class=Response, responses={200: {"content": {"image/png": {}}}})
def get_qr_png(event_id: str, link_id: str, ctx: TenantContext = EventsRead) -> Response:
    return _qr(event_id, link_id, ctx, "png")


def _qr(event_id: str, link_id: str, ctx: TenantContext, fmt: str) -> Response:
    with session_scope() as s:
        link = get_link(s, ctx, link_id)
        if link.event_id != parse_id(event_id, "event"):
            raise NotFound("not_found", "Link not found")
        url = link_view(s, link)["short_url"]
    data, media = (qr_svg(url), "image/svg+xml") if fmt == "svg" else (qr_png(url), "image/png")
    return Response(data, media_type=media, headers={
        "Content-Disposition": f'attachment; filename="qr-{link.short_code}.{fmt}"'})


@router.get("/api/v1/events/{event_id}/marketing", summary="The campaign dashboard of the event")
def get_dashboard(event_id: str, ctx: TenantContext = OrdersRead) -> dict:
    with session_scope() as s:
        return event_dashboard(s, ctx, event_id=event_id)


@router.get("/api/v1/events/{event_id}/marketing.csv", summary="The campaign dashboard's link rows as CSV",
            response_class=Response, responses={200: {"content": {"text/csv": {}}}})
def get_dashboard_csv(event_id: str, ctx: TenantContext = OrdersRead) -> Response:
    with session_scope() as s:
        data = dashboard_csv(event_dashboard(s, ctx, event_id=event_id))
    return Response(data, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="marketing-{event_id[:36]}.csv"'})


@router.get("/api/v1/orders/{order_id}/attribution", summary="The order's first and last touch, campaign, partner, code")
def get_attribution(order_id: str, ctx: TenantContext = OrdersRead) -> dict:
    with session_scope() as s:
        order = orders_admin.order_detail(s, ctx, order_id)  # 404 for another organisation's order
        empty = {k: None for k in ("first_link", "last_link", "first_campaign", "last_campaign", "channel",
                                   "partner_name", "promo_code", "first_touch_at", "last_touch_at")}
        return {"order_id": order["id"], **(order["attribution"] or empty)}


# ----------------------------------------------------------------------------- public


@router.get("/go/{code}", include_in_schema=True, summary="A tracked link: counts a visit, sets the touch cookie, redirects")
def go(code: str, request: Request, address: Annotated[str, Depends(client_address)]) -> Response:
    ratelimit.hit("public", address, get_settings().public_rate_limit)
    track = should_track(request.headers)
    with session_scope() as s:
        link, target = visit(s, code[:32], count=track)
    response = RedirectResponse(target, status_code=302)
    if track and link.is_active:
        funnel.record(event_id=link.event_id, step="visit", link_code=link.short_code, client_key=address)
        response.set_cookie(TOUCH_COOKIE, touch_cookie(request.cookies.get(TOUCH_COOKIE), link.short_code),
                            max_age=get_settings().attribution_window_days * 86400, httponly=True, samesite="lax",
                            secure=get_settings().effective_base_url.startswith("https://"), path="/")
    return response


@router.post("/api/v1/public/events/{event_id}/funnel", status_code=204,
             summary="The buyer's page view or ticket selection (first-party, no personal data)")
def track(event_id: str, body: TrackIn, request: Request, address: Annotated[str, Depends(client_address)]) -> Response:
    record_step(request, parse_id(event_id, "event"), body.step, address)
    return Response(status_code=204)


def record_step(request: Request, event_id, step: str, address: str) -> None:
    """Count a funnel step for this request when allowed (DNT / GPC / bots: nothing). Never raises."""
    if should_track(request.headers):
        funnel.record(event_id=event_id, step=step, link_code=last_code(request.cookies.get(TOUCH_COOKIE)),
                      client_key=address)
