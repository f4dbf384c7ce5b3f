"""Organisations, users, memberships (roles), invitations, sign-in sessions and API keys."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel

from .base import id_field, org_field, ts_field


class Role(StrEnum):
    owner = "owner"
    admin = "admin"
    staff = "staff"
    viewer = "viewer"
    scanner_only = "scanner_only"


class Organization(SQLModel, table=True):
    id: uuid.UUID = id_field()
    name: str = Field(max_length=200)
    slug: str = Field(max_length=80, unique=True, index=True)
    currency: str = Field(default="ZAR", max_length=3)
    # payment provider for this organisation's sales (None: the deployment's PAYMENT_PROVIDER)
    payment_provider: str | None = Field(default=None, max_length=20)
    created_at: datetime = ts_field(default_now=True)
    # branding (issue 15, docs/branding.md): None → the platform's look
    brand_primary: str | None = Field(default=None, max_length=7, description="#RRGGBB, headers and bands")
    brand_accent: str | None = Field(default=None, max_length=7, description="#RRGGBB, buttons and highlights")
    email_sender_name: str | None = Field(default=None, max_length=80, description="display name of buyer e-mails' From")
    logo_sha: str | None = Field(default=None, max_length=64, description="sha256 of the current OrganizationLogo.png")


class OrganizationLogo(SQLModel, table=True):
    """The organisation's logo as re-encoded server-side (PNG, RGBA, at most ``branding.LOGO_MAX_PX``); one per org."""
    organization_id: uuid.UUID = Field(foreign_key="organization.id", primary_key=True)
    png: bytes = Field(sa_type=LargeBinary)
    width: int
    height: int
    sha256: str = Field(max_length=64)
    updated_at: datetime = ts_field(default_now=True)


class User(SQLModel, table=True):
    id: uuid.UUID = id_field()
    email: str = Field(max_length=320, unique=True, index=True, description="stored lower-cased")
    full_name: str = Field(default="", max_length=200)
    password_hash: str = Field(max_length=255)
    is_active: bool = True
    created_at: datetime = ts_field(default_now=True)


class Membership(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("organization_id", "user_id"),)
    id: uuid.UUID = id_field()
    organization_id: uuid.UUID = org_field()
    user_id: uuid.UUID = Field(foreign_key="user.id", index=True)
    role: str = Field(default=Role.staff.value, max_length=20)
    created_at: datetime = ts_field(default_now=True)


class Invitation(SQLModel, table=True):
    id: uuid.UUID = id_field()
    organization_id: uuid.UUID = org_field()
    email: str = Field(max_length=320, index=True)
    role: str = Field(max_length=20)
    token_hash: str = Field(max_length=128, unique=True)
    invited_by_id: uuid.UUID | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = ts_field(default_now=True)
    expires_at: datetime = ts_field(nullable=False)
    accepted_at: datetime | None = ts_field()
    revoked_at: datetime | None = ts_field()


class UserSession(SQLModel, table=True):
    """A signed-in browser: the token (≥128 bits) is given to the browser, only its hash is kept."""

    id: uuid.UUID = id_field()
    user_id: uuid.UUID = Field(foreign_key="user.id", index=True)
    token_hash: str = Field(max_length=128, unique=True, index=True)
    active_organization_id: uuid.UUID | None = Field(default=None, foreign_key="organization.id")
    created_at: datetime = ts_field(default_now=True)
    expires_at: datetime = ts_field(nullable=False)
    revoked_at: datetime | None = ts_field()


class ApiKey(SQLModel, table=True):
    """An organisation's integration key: shown once, stored as a hash, revocable."""

    id: uuid.UUID = id_field()
    organization_id: uuid.UUID = org_field()
    name: str = Field(max_length=120)
    prefix: str = Field(max_length=16, description="first characters, for display")
    key_hash: str = Field(max_length=128, unique=True, index=True)
    created_by_id: uuid.UUID | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = ts_field(default_now=True)
    last_used_at: datetime | None = ts_field()
    revoked_at: datetime | None = ts_field()
    scopes: list = Field(default_factory=list, sa_type=JSON, description="e.g. ['orders:read']; see apikeys.SCOPES")
    event_ids: list | None = Field(default=None, sa_type=JSON, description="None: every event; else the only event ids allowed")
    rate_limit: str = Field(default="", max_length=40, description="limits notation, e.g. '600/minute'; empty: API_KEY_RATE_LIMIT")
