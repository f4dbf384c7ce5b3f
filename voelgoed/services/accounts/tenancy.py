"""Organisations and who belongs to them (row-based tenancy, architecture decision 3).

- ``create_organization_with_owner(session, *, name, slug, owner_email, owner_password)`` → ``(Organization, User)``
  (CLI ``org create``; the owner account is created, or re-used when the email/password match an existing one).
- ``create_organization(session, *, user_id, name, slug=None)`` → ``Organization`` owned by ``user_id``.
- ``list_memberships(session, *, user_id)`` → ``[(Membership, Organization)]`` ordered by organisation name.
- ``tenant_context_for(session, *, user_id, organization_id)`` → ``TenantContext`` (404 ``not_found`` if not a member).
- ``switch_organization(session, *, user_session, organization_id)`` → ``TenantContext`` (404 unless a member).
- ``switch_organization_for_token`` / ``create_organization_for_token(session, *, token, …)``: the same for
  the organiser UI, starting from the browser's session token (401 ``session_expired``).
- ``add_member_by_slug(session, *, org_slug, user_id, role)`` (CLI ``user create --org``).

Invitations and role changes live in :mod:`voelgoed.services.accounts.members`.
Errors: 422 ``validation_failed`` (fields name/slug/role), 409 ``slug_taken``, 404 ``not_found``.
Slugs: 3–80 characters of ``a-z 0-9 -``, starting and ending with a letter or digit.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from voelgoed.config import get_settings
from voelgoed.models import Membership, Organization, Role, User, UserSession
from voelgoed.services.accounts import accounts
from voelgoed.services.platform import (
    Actor,
    NotFound,
    TenantContext,
    Unauthenticated,
    ValidationFailed,
    VoelgoedError,
    audit,
    clock,
    ratelimit,
    verify_password,
)

SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{1,78})[a-z0-9]$")
ROLES = tuple(r.value for r in Role)


def validate_org_name(name: str | None) -> str:
    """The trimmed name (1–200 characters); 422 ``validation_failed`` with ``fields.organization_name``."""
    value = (name or "").strip()
    if not value or len(value) > 200:
        raise ValidationFailed({"organization_name": "Give the organisation a name of 1–200 characters"})
    return value


def validate_slug(slug: str | None) -> str:
    """The lower-cased slug (:data:`SLUG_RE`, no ``--``); 422 ``validation_failed`` with ``fields.slug``."""
    value = (slug or "").strip().lower()
    if not SLUG_RE.match(value) or "--" in value:
        raise ValidationFailed({"slug": "Use 3–80 lower-case letters, digits and single dashes"})
    return value


def validate_role(role: str | None) -> str:
    """``role`` if it is one of :data:`ROLES`; 422 ``validation_failed`` with ``fields.role``."""
    if role not in ROLES:
        raise ValidationFailed({"role": f"Role must be one of: {', '.join(ROLES)}"})
    return role


def slugify(name: str) -> str:
    """``"Jozi Live!"`` → ``"jozi-live"`` (≤ 60 characters; short names get ``-org``); uniqueness is not checked."""
    base = re.sub(r"[^a-z0-9]+", "-", (name or "").lower()).strip("-")[:60].strip("-")
    return base if len(base) >= 3 else (base + "-org").strip("-")


def _unique_slug(session: Session, name: str) -> str:
    base = slugify(name)
    candidate = base
    while session.exec(select(Organization.id).where(Organization.slug == candidate)).first() is not None:
        candidate = f"{base}-{uuid.uuid4().hex[:4]}"
    return candidate


def create_organization(session: Session, *, user_id: uuid.UUID, name: str, slug: str | None = None,
                        commit: bool = True) -> Organization:
    """Create an organisation with ``user_id`` as owner. ``slug=None`` derives a free slug from the name.

    Errors: 422 ``validation_failed``, 409 ``slug_taken``, 404 ``not_found`` (unknown user).
    """
    name = validate_org_name(name)
    if session.get(User, user_id) is None:
        raise NotFound("not_found", "User not found")
    slug = validate_slug(slug) if slug else _unique_slug(session, name)
    if session.exec(select(Organization.id).where(Organization.slug == slug)).first() is not None:
        raise VoelgoedError("slug_taken", "That address is already taken", {"fields": {"slug": "Already taken"}})
    org = Organization(name=name, slug=slug)
    try:
        with session.begin_nested():
            session.add(org)
            session.flush()
    except IntegrityError:
        raise VoelgoedError("slug_taken", "That address is already taken", {"fields": {"slug": "Already taken"}}) from None
    membership = Membership(organization_id=org.id, user_id=user_id, role=Role.owner.value)
    session.add(membership)
    session.flush()
    actor = Actor("user", str(user_id))
    audit.record(session, actor, "organization.created", org, {"name": name, "slug": slug})
    audit.record(session, actor, "membership.created", membership, {"role": membership.role})
    if commit:
        session.commit()
    return org


def create_organization_with_owner(session: Session, *, name: str, slug: str, owner_email: str,
                                   owner_password: str) -> tuple[Organization, User]:
    """CLI: a new organisation and its owner. An existing user is re-used only with the right password.

    Errors: 422 ``validation_failed``, 409 ``slug_taken`` / ``email_taken`` (existing email, other password).
    """
    slug = validate_slug(slug)
    validate_org_name(name)
    try:
        user = accounts.get_user_by_email(session, accounts.normalise_email(owner_email))
        if user is not None:
            if not verify_password(owner_password or "", user.password_hash):
                raise VoelgoedError("email_taken", "An account with this email already exists")
        else:
            user = accounts.create_user(session, email=owner_email, password=owner_password, commit=False)
        org = create_organization(session, user_id=user.id, name=name, slug=slug, commit=False)
        session.commit()
    except Exception:
        session.rollback()
        raise
    return org, user


def sign_up(session: Session, *, email: str, password: str, full_name: str, organization_name: str,
            organization_slug: str | None = None, client_address: str = "", now: datetime | None = None
            ) -> tuple[User, Organization, UserSession, str]:
    """Create the user, their organisation (they own it) and a signed-in session, in one transaction.

    Errors: 429 ``rate_limited`` (per client address, ``settings.signin_rate_limit``), 422 ``validation_failed``
    (fields email/password/full_name/organization_name/slug), 409 ``email_taken`` / ``slug_taken``.
    Nothing is created when any of them is raised.
    """
    now = clock.resolve(now)
    ratelimit.hit("signup", client_address or "unknown", get_settings().signin_rate_limit)
    fields: dict[str, str] = {}
    for check in (lambda: accounts.normalise_email(email), lambda: accounts.validate_password(password),
                  lambda: validate_org_name(organization_name)):
        try:
            check()
        except ValidationFailed as exc:
            fields.update(exc.details["fields"])
    if fields:
        raise ValidationFailed(fields)
    try:
        user = accounts.create_user(session, email=email, password=password, full_name=full_name, commit=False)
        org = create_organization(session, user_id=user.id, name=organization_name,
                                   slug=organization_slug, commit=False)
        row, token = accounts.new_session(session, user, organization_id=org.id, now=now)
        audit.record(session, Actor("user", str(user.id)), "user.signed_in", row,
                     {"address": client_address}, organization_id=org.id)
        session.commit()
    except Exception:
        session.rollback()
        raise
    return user, org, row, token


def list_memberships(session: Session, *, user_id: uuid.UUID) -> list[tuple[Membership, Organization]]:
    """The user's ``(Membership, Organization)`` pairs ordered by organisation name."""
    rows = session.exec(
        select(Membership, Organization).join(Organization, Organization.id == Membership.organization_id)
        .where(Membership.user_id == user_id).order_by(Organization.name)
    ).all()
    return [(m, o) for m, o in rows]


def get_membership(session: Session, *, user_id: uuid.UUID, organization_id: uuid.UUID) -> Membership | None:
    """The user's membership in the organisation, or None."""
    return session.exec(select(Membership).where(Membership.user_id == user_id,
                                                 Membership.organization_id == organization_id)).first()


def tenant_context_for(session: Session, *, user_id: uuid.UUID, organization_id: uuid.UUID | None) -> TenantContext:
    """The user's context in the organisation; 404 ``not_found`` unless they are a member."""
    membership = get_membership(session, user_id=user_id, organization_id=organization_id) if organization_id else None
    if membership is None:
        raise NotFound("not_found", "Organisation not found")
    return TenantContext(organization_id=membership.organization_id, actor=Actor("user", str(user_id)),
                         role=membership.role)


def switch_organization(session: Session, *, user_session: UserSession, organization_id: uuid.UUID) -> TenantContext:
    """Make ``organization_id`` the session's active organisation (404 ``not_found`` unless a member)."""
    ctx = tenant_context_for(session, user_id=user_session.user_id, organization_id=organization_id)
    if user_session.active_organization_id != organization_id:
        user_session.active_organization_id = organization_id
        session.add(user_session)
        audit.record(session, ctx.actor, "user.switched_organization", user_session,
                     organization_id=organization_id)
        session.commit()
    return ctx


def switch_organization_for_token(session: Session, *, token: str | None, organization_id: Any) -> TenantContext:
    """The signed-in browser (opaque session ``token``) makes ``organization_id`` (UUID or its string) its
    active organisation → the new ``TenantContext``.

    Errors: 401 ``session_expired`` (see ``accounts.resolve_session``), 404 ``not_found`` (not a member,
    or not a UUID).
    """
    user_session = accounts.resolve_session(session, token)
    try:
        org_id = organization_id if isinstance(organization_id, uuid.UUID) else uuid.UUID(str(organization_id))
    except ValueError:
        raise NotFound("not_found", "Organisation not found") from None
    return switch_organization(session, user_session=user_session, organization_id=org_id)


def create_organization_for_token(session: Session, *, token: str | None, name: str) -> Organization:
    """The signed-in browser's user creates an organisation (owner) and switches to it. Commits.

    Errors: 401 ``session_expired``, 422 ``validation_failed`` (``fields.organization_name``), 409 ``slug_taken``.
    """
    user_session = accounts.resolve_session(session, token)
    org = create_organization(session, user_id=user_session.user_id, name=name)
    switch_organization(session, user_session=user_session, organization_id=org.id)
    return org


def get_organization(session: Session, ctx: TenantContext) -> Organization:
    """``ctx``'s organisation; 404 ``not_found`` if it no longer exists."""
    org = session.get(Organization, ctx.organization_id)
    if org is None:
        raise NotFound("not_found", "Organisation not found")
    return org


def add_member_by_slug(session: Session, *, org_slug: str, user_id: uuid.UUID, role: str) -> Membership:
    """CLI: add (or re-role) ``user_id`` in the organisation ``org_slug``. 404 unknown org/user; 422 bad role."""
    role = validate_role(role)
    org = session.exec(select(Organization).where(Organization.slug == (org_slug or "").strip().lower())).first()
    if org is None:
        raise NotFound("not_found", f"No organisation with slug '{org_slug}'")
    if session.get(User, user_id) is None:
        raise NotFound("not_found", "User not found")
    membership = get_membership(session, user_id=user_id, organization_id=org.id)
    if membership is None:
        membership = Membership(organization_id=org.id, user_id=user_id, role=role)
        session.add(membership)
    else:
        membership.role = role
    session.flush()
    audit.record(session, Actor("system", "cli"), "membership.created", membership, {"role": role})
    session.commit()
    return membership


def session_overview(session: Session, *, token: str | None, now=None) -> dict | None:
    """What the organiser UI shows about a browser session, or None when it is not (or no longer) signed in.

    Shape: ``{"session_id", "user_id", "user_email", "user_name", "org_id", "org_name", "org_slug", "role",
    "organizations": [{"id", "name", "role"}]}`` (ids as strings; org fields empty without a membership).
    If the active organisation is no longer one of the user's, the first membership is used instead.
    """
    try:
        user_session = accounts.resolve_session(session, token, now=now)
    except Unauthenticated:
        return None
    user = session.get(User, user_session.user_id)
    memberships = list_memberships(session, user_id=user.id)
    active = next((pair for pair in memberships if pair[1].id == user_session.active_organization_id), None)
    if active is None and memberships:
        active = memberships[0]
        user_session.active_organization_id = active[1].id
        session.add(user_session)
        session.commit()
    return {
        "session_id": str(user_session.id), "user_id": str(user.id),
        "user_email": user.email, "user_name": user.full_name or user.email.split("@")[0],
        "org_id": str(active[1].id) if active else "", "org_name": active[1].name if active else "",
        "org_slug": active[1].slug if active else "", "role": active[0].role if active else "",
        "organizations": [{"id": str(o.id), "name": o.name, "role": m.role} for m, o in memberships],
    }

__all__ = ["add_member_by_slug", "create_organization",
           "create_organization_for_token", "create_organization_with_owner", "list_memberships", "session_overview", "sign_up",
           "switch_organization", "switch_organization_for_token", "tenant_context_for"]
