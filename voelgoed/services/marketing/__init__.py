"""Marketing (issue 15): promo codes and pricing rules, campaigns and tracked links, funnel counts, attribution.

Rank: just below ``sales`` (tests/test_architecture.py). Sales calls down into it at two points — pricing a
hold (:func:`price_hold`, :func:`record_hold`) and taking a code's use in the checkout transaction
(:func:`redeem_for_order`) — and marketing reads orders, holds and events through the models only, never
through sales or catalog services, so one package holds all of it without an upward import.
"""

from voelgoed.services.marketing import attribution, campaigns, dashboard, editing, funnel, promo, redemption
from voelgoed.services.marketing.attribution import COOKIE as TOUCH_COOKIE
from voelgoed.services.marketing.attribution import last_code, order_attribution, parse_touch, touch_cookie
from voelgoed.services.marketing.campaigns import (
    campaign_public,
    create_campaign,
    create_link,
    get_campaign,
    get_link,
    link_public,
    link_view,
    list_campaigns,
    list_links,
    qr_png,
    qr_svg,
    visit,
)
from voelgoed.services.marketing.dashboard import dashboard_csv, event_dashboard
from voelgoed.services.marketing.editing import update_link, update_promo_code
from voelgoed.services.marketing.funnel import STEPS, is_bot, rollup, should_track
from voelgoed.services.marketing.jobs import marketing_job
from voelgoed.services.marketing.promo import (
    Offer,
    check_code,
    create_promo_code,
    list_promo_codes,
    normalise_code,
    price_hold,
    promo_public,
    unit_discount,
)
from voelgoed.services.marketing.redemption import buyer_hash, record_hold, redeem_for_order, release_lapsed_uses

__all__ = [
    "STEPS", "TOUCH_COOKIE", "dashboard", "dashboard_csv", "event_dashboard", "attribution", "campaign_public", "campaigns", "create_campaign", "create_link", "funnel",
    "get_campaign", "get_link", "is_bot", "last_code", "link_public", "link_view", "list_campaigns", "list_links", "marketing_job",
    "order_attribution", "parse_touch", "qr_png", "qr_svg", "rollup", "should_track", "touch_cookie", "visit",
    "Offer", "buyer_hash", "create_promo_code", "list_promo_codes", "normalise_code", "price_hold", "promo",
    "promo_public", "record_hold", "redeem_for_order", "redemption", "release_lapsed_uses", "unit_discount",
    "check_code", "editing", "update_link", "update_promo_code",
]
