"""Marketing (issue 15): promo codes and their redemptions, campaigns, tracked links, funnel roll-ups,
order attribution."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import JSON, UniqueConstraint
from sqlmodel import Field, SQLModel

from .base import id_field, org_field, ts_field


class Campaign(SQLModel, table=True):
    id: uuid.UUID = id_field()
    organization_id: uuid.UUID = org_field()
    event_id: uuid.UUID | None = Field(default=None, foreign_key="event.id", index=True)
    name: str = Field(max_length=120)
    channel: str = Field(default="other", max_length=40, description="email, social, print, partner, ads, other")
    budget_cents: int | None = None
    currency: str = Field(default="ZAR", max_length=3)
    created_at: datetime = ts_field(default_now=True)


class TrackedLink(SQLModel, table=True):
    id: uuid.UUID = id_field()
    organization_id: uuid.UUID = org_field()
    campaign_id: uuid.UUID = Field(foreign_key="campaign.id", index=True)
    event_id: uuid.UUID = Field(foreign_key="event.id", index=True)
    short_code: str = Field(max_length=16, unique=True, index=True)
    label: str = Field(default="", max_length=120)
    utm_source: str = Field(default="", max_length=100)
    utm_medium: str = Field(default="", max_length=100)
    utm_campaign: str = Field(default="", max_length=100)
    utm_content: str = Field(default="", max_length=100)
    utm_term: str = Field(default="", max_length=100)
    partner_name: str = Field(default="", max_length=120)
    visit_count: int = 0
    is_active: bool = Field(default=True, description="inactive: /go still redirects but counts nothing, sets no touch")
    created_at: datetime = ts_field(default_now=True)


class PromoCode(SQLModel, table=True):
    """A discount / access code, or (``automatic``) a group-discount rule applied without a code.

    Discount: ``percent_off`` (0-100) or ``amount_off_cents`` per ticket, on ``ticket_type_ids`` (empty: all).
    ``used_count`` only changes through the conditional UPDATE in ``marketing.redemption``."""

    __table_args__ = (UniqueConstraint("event_id", "code"),)
    id: uuid.UUID = id_field()
    organization_id: uuid.UUID = org_field()
    event_id: uuid.UUID = Field(foreign_key="event.id", index=True)
    campaign_id: uuid.UUID | None = Field(default=None, foreign_key="campaign.id", index=True)
    code: str = Field(max_length=40, description="upper case; for automatic rules a label")
    automatic: bool = False
    percent_off: int = 0
    amount_off_cents: int = 0
    ticket_type_ids: list = Field(default_factory=list, sa_type=JSON)
    unlocks_hidden: bool = False
    min_quantity: int = 1
    max_uses: int | None = None
    used_count: int = 0
    per_buyer_limit: int | None = None
    valid_from: datetime | None = ts_field()
    valid_until: datetime | None = ts_field()
    is_active: bool = True
    created_at: datetime = ts_field(default_now=True)


class PromoRedemption(SQLModel, table=True):
    """One code applied to one hold; ``redeemed`` when its checkout took a use, ``released`` when that use
    came back (the order expired or was cancelled)."""

    id: uuid.UUID = id_field()
    organization_id: uuid.UUID = org_field()
    promo_code_id: uuid.UUID = Field(foreign_key="promocode.id", index=True)
    hold_id: uuid.UUID = Field(foreign_key="hold.id", unique=True)
    order_id: uuid.UUID | None = Field(default=None, foreign_key="order.id", index=True)
    buyer_hash: str | None = Field(default=None, max_length=64, index=True)
    quantity: int = 0
    discount_cents: int = 0
    status: str = Field(default="held", max_length=20, index=True)
    created_at: datetime = ts_field(default_now=True)
    redeemed_at: datetime | None = ts_field()


class FunnelCount(SQLModel, table=True):
    """Daily funnel counts per event and link ('' = direct), rolled up from Redis by the worker."""

    __table_args__ = (UniqueConstraint("event_id", "link_key", "day", "step"),)
    id: uuid.UUID = id_field()
    organization_id: uuid.UUID = org_field()
    event_id: uuid.UUID = Field(foreign_key="event.id", index=True)
    link_key: str = Field(default="", max_length=40)
    day: date
    step: str = Field(max_length=30)
    count: int = 0


class OrderAttribution(SQLModel, table=True):
    """A hold's (then its order's) first and last touch (tracked links) within the attribution window, and
    its promo code; written at hold time, ``order_id`` set in the checkout transaction."""

    id: uuid.UUID = id_field()
    organization_id: uuid.UUID = org_field()
    hold_id: uuid.UUID = Field(foreign_key="hold.id", unique=True)
    order_id: uuid.UUID | None = Field(default=None, foreign_key="order.id", unique=True)
    event_id: uuid.UUID = Field(foreign_key="event.id", index=True)
    first_link_id: uuid.UUID | None = Field(default=None, foreign_key="trackedlink.id", index=True)
    last_link_id: uuid.UUID | None = Field(default=None, foreign_key="trackedlink.id", index=True)
    first_touch_at: datetime | None = ts_field()
    last_touch_at: datetime | None = ts_field()
    promo_code_id: uuid.UUID | None = Field(default=None, foreign_key="promocode.id", index=True)
    created_at: datetime = ts_field(default_now=True)
