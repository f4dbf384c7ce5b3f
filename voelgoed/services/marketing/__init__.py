"""Marketing (issue 15): promo codes and pricing rules, campaigns and tracked links, funnel counts, attribution.

Rank: just below ``sales`` (tests/test_architecture.py). Sales calls down into it at two points — pricing a
hold (:func:`price_hold`, :func:`record_hold`) and taking a code's use in the checkout transaction
(:func:`redeem_for_order`) — and marketing reads orders, holds and events through the models only, never
through sales or catalog services, so one package holds all of it without an upward import.
"""

from voelgoed.services.marketing import promo, redemption
from voelgoed.services.marketing.promo import (
    Offer,
    create_promo_code,
    list_promo_codes,
    normalise_code,
    price_hold,
    promo_public,
    unit_discount,
)
from voelgoed.services.marketing.redemption import buyer_hash, record_hold, redeem_for_order, release_lapsed_uses

__all__ = [
    "Offer", "buyer_hash", "create_promo_code", "list_promo_codes", "normalise_code", "price_hold", "promo",
    "promo_public", "record_hold", "redeem_for_order", "redemption", "release_lapsed_uses", "unit_discount",
]
