"""Team members of an organisation: list, invite, accept, change role, remove.

- ``list_members(session, ctx)`` → ``[{"membership_id", "user_id", "email", "full_name", "role", "joined_at"}]``
- ``list_invitations(session, ctx, *, now=None)`` → pending ``[{"id", "email", "role", "expires_at"}]``
- ``invite_member(session, ctx, *, email, role, now=None)`` → ``(Invitation, token)``; owners/admins only
  (403 ``forbidden``); only an owner may invite an owner; 409 ``already_member``; the email with the
  accept link (``/invite/<token>``) is an outbox entry ``invitation.created`` written in the same
  transaction (:func:`send_invitation_email` sends it once, marker ``invitation:<id>``).
- ``revoke_invitation(session, ctx, *, invitation_id, now=None)``
- ``invitation_preview(session, *, token, now=None)`` → ``{"organization_name", "email", "role"}`` (404 ``not_found``
  for unknown, used, revoked or expired tokens)
- ``accept_invitation(session, *, token, user_id, now=None)`` → ``Membership`` (404 as above; 409
  ``invitation_email_mismatch`` when signed in as a different email than invited)
- ``accept_invitation_for_token(session, *, token, session_token, now=None)``: the same for the signed-in
  browser, which then switches to the organisation (401 ``session_expired``)
- ``change_role(session, ctx, *, membership_id, role)`` → ``Membership``; audit ``membership.role_changed``;
  409 ``last_owner`` when it would leave no owner; only owners grant or take away ``owner``.
- ``remove_member(session, ctx, *, membership_id)`` (409 ``last_owner`` likewise).

Another organisation's membership or invitation is 404 ``not_found``. Invitation tokens are 256-bit,
stored as SHA-256, valid :data:`INVITATION_TTL` (7 days). A token is HMAC-SHA256(SECRET_KEY-derived key,
invitation id) (:func:`invitation_token`), so the e-mail job can rebuild it from the id and no secret
travels in the outbox or the queue (rotating SECRET_KEY voids pending invitation links).
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlmodel import Session, select

from voelgoed.config import get_settings
from voelgoed.models import Device, Invitation, Membership, Organization, Role, User
from voelgoed.services.accounts import accounts, tenancy
from voelgoed.services.accounts.accounts import normalise_email
from voelgoed.services.accounts.tenancy import validate_role
from voelgoed.services.platform import (
    Actor,
    NotFound,
    TenantContext,
    VoelgoedError,
    audit,
    clock,
    email_templates,
    hash_token,
    hmac_sign,
    mail,
    outbox,
    rbac,
    session_scope,
)

INVITATION_TTL = timedelta(days=7)


def list_members(session: Session, ctx: TenantContext) -> list[dict]:
    """``ctx``'s members: ``[{"membership_id", "user_id", "email", "full_name", "role", "joined_at" (ISO 8601 UTC)}]``."""
    rows = session.exec(select(Membership, User).join(User, User.id == Membership.user_id)
                        .where(Membership.organization_id == ctx.organization_id).order_by(User.email)).all()
    return [{"membership_id": str(m.id), "user_id": str(u.id), "email": u.email, "full_name": u.full_name,
             "role": m.role, "joined_at": clock.aware(m.created_at).isoformat()} for m, u in rows]


def list_invitations(session: Session, ctx: TenantContext, *, now: datetime | None = None) -> list[dict]:
    """Pending (not accepted, revoked or expired at ``now``) invitations: ``[{"id", "email", "role", "expires_at"}]``."""
    now = clock.resolve(now)
    rows = session.exec(select(Invitation).where(
        Invitation.organization_id == ctx.organization_id, Invitation.accepted_at.is_(None),
        Invitation.revoked_at.is_(None), Invitation.expires_at > now).order_by(Invitation.created_at)).all()
    return [{"id": str(i.id), "email": i.email, "role": i.role, "expires_at": clock.aware(i.expires_at).isoformat()}
            for i in rows]


def _require_owner_for(ctx: TenantContext, role: str) -> None:
    if role == Role.owner.value and ctx.role != Role.owner.value:
        raise VoelgoedError("forbidden", "Only an owner can grant or remove the owner role", status=403)


def invite_member(session: Session, ctx: TenantContext, *, email: str, role: str,
                  now: datetime | None = None) -> tuple[Invitation, str]:
    """Create an invitation and enqueue its email. Errors: 403, 422 (fields email/role), 409 ``already_member``."""
    rbac.require(ctx, rbac.can_manage_members, "invite members")
    now = clock.resolve(now)
    email = normalise_email(email)
    role = validate_role(role)
    _require_owner_for(ctx, role)
    existing = session.exec(select(Membership.id).join(User, User.id == Membership.user_id).where(
        Membership.organization_id == ctx.organization_id, User.email == email)).first()
    if existing is not None:
        raise VoelgoedError("already_member", f"{email} is already a member", {"fields": {"email": "Already a member"}})
    for old in session.exec(select(Invitation).where(
            Invitation.organization_id == ctx.organization_id, Invitation.email == email,
            Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None))).all():
        old.revoked_at = now  # a new invitation replaces an older pending one
    invitation = Invitation(organization_id=ctx.organization_id, email=email, role=role, token_hash="",
                            invited_by_id=ctx.user_id, created_at=now, expires_at=now + INVITATION_TTL)
    token = invitation_token(invitation.id)
    invitation.token_hash = hash_token(token)
    session.add(invitation)
    session.flush()
    audit.record(session, ctx.actor, "membership.invited", invitation, {"email": email, "role": role})
    outbox.add_entry(session, topic="invitation.created", payload={"invitation_id": invitation.id},
                     organization_id=ctx.organization_id, now=now)
    session.commit()
    outbox.nudge()
    return invitation, token


def invitation_token(invitation_id: uuid.UUID) -> str:
    """The accept-link token of an invitation: HMAC-SHA256 (256 bits, URL-safe base64, 43 characters) of its
    id under a key derived from SECRET_KEY (purpose ``invitation-token``); only its SHA-256 is stored."""
    import base64

    digest = bytes.fromhex(hmac_sign(invitation_id.bytes, purpose="invitation-token"))
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def send_invitation_email(invitation_id: str) -> bool:
    """Outbox handler job (topic ``invitation.created``): e-mail the accept link once. Returns True when a
    message went out; False when the invitation is gone, no longer pending, or the marker
    ``invitation:<id>`` says it was already sent (written right after SMTP accepted it; a crash in between
    is the remaining at-least-once window). SMTP errors raise, so the outbox retries."""

    key = f"invitation:{invitation_id}"
    with session_scope() as session:
        invitation = session.get(Invitation, uuid.UUID(str(invitation_id)))
        if invitation is None or invitation.accepted_at or invitation.revoked_at or mail.already_sent(session, key):
            return False
        token = invitation_token(invitation.id)
        org_id = invitation.organization_id
        org = session.get(Organization, invitation.organization_id)
        inviter = session.get(User, invitation.invited_by_id) if invitation.invited_by_id else None
        to, org_name, role = invitation.email, org.name, invitation.role
        who = (inviter.full_name or inviter.email) if inviter else "A colleague"
    link = f"{get_settings().effective_base_url}/invite/{token}"
    context = {"who": who, "org_name": org_name, "role": role, "link": link}
    text = email_templates.render("email/invitation.txt", **context)
    html = email_templates.render("email/invitation.html", **context)
    message_id = mail.send_email(to, f"You're invited to {org_name} on VoelgoedEvents", text, html=html)
    with session_scope() as session:
        mail.mark_sent(session, key=key, organization_id=org_id, to=to, message_id=message_id)
        session.commit()
    return True


def revoke_invitation(session: Session, ctx: TenantContext, *, invitation_id: uuid.UUID,
                      now: datetime | None = None) -> Invitation:
    rbac.require(ctx, rbac.can_manage_members, "manage invitations")
    invitation = session.get(Invitation, invitation_id)
    if invitation is None or invitation.organization_id != ctx.organization_id:
        raise NotFound("not_found", "Invitation not found")
    if invitation.revoked_at is None and invitation.accepted_at is None:
        invitation.revoked_at = clock.resolve(now)
        audit.record(session, ctx.actor, "membership.invitation_revoked", invitation, {"email": invitation.email})
        session.commit()
    return invitation


def _pending(session: Session, token: str | None, now: datetime) -> Invitation:
    if not token or len(token) > 200:
        raise NotFound("not_found", "This invitation is not valid (any more)")
    invitation = session.exec(select(Invitation).where(Invitation.token_hash == hash_token(token))).first()
    if (invitation is None or invitation.accepted_at is not None or invitation.revoked_at is not None
            or clock.aware(invitation.expires_at) <= now):
        raise NotFound("not_found", "This invitation is not valid (any more)")
    return invitation


def invitation_preview(session: Session, *, token: str | None, now: datetime | None = None) -> dict:
    """What `/invite/<token>` shows: ``{"organization_name", "email", "role"}``. Raises 404 ``not_found``
    (unknown, used, revoked or expired token)."""
    invitation = _pending(session, token, clock.resolve(now))
    org = session.get(Organization, invitation.organization_id)
    return {"organization_name": org.name, "email": invitation.email, "role": invitation.role}


def accept_invitation(session: Session, *, token: str | None, user_id: uuid.UUID,
                      now: datetime | None = None) -> Membership:
    """``user_id`` joins with the invited role (an existing membership is kept as is); the invitation is
    used up; audited ``membership.invitation_accepted``; commits. Raises 404 ``not_found`` (invitation or
    user), 409 ``invitation_email_mismatch`` (the user's email is not the invited one)."""
    now = clock.resolve(now)
    invitation = _pending(session, token, now)
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("not_found", "User not found")
    if user.email != invitation.email:
        raise VoelgoedError("invitation_email_mismatch",
                            f"This invitation is for {invitation.email}; sign in with that address to accept it")
    membership = session.exec(select(Membership).where(Membership.organization_id == invitation.organization_id,
                                                       Membership.user_id == user.id)).first()
    if membership is None:
        membership = Membership(organization_id=invitation.organization_id, user_id=user.id, role=invitation.role)
        session.add(membership)
        session.flush()
    invitation.accepted_at = now
    audit.record(session, audit.Actor("user", str(user.id)), "membership.invitation_accepted", membership,
                 {"invitation_id": str(invitation.id), "role": membership.role})
    session.commit()
    return membership


def accept_invitation_for_token(session: Session, *, token: str | None, session_token: str | None,
                                now: datetime | None = None) -> Membership:
    """The signed-in browser (``session_token``) accepts the invitation ``token`` and switches to its
    organisation → the ``Membership``. Commits.

    Errors: 401 ``session_expired``, 404 ``not_found`` (unknown, used, revoked or expired invitation),
    409 ``invitation_email_mismatch``.
    """
    user_session = accounts.resolve_session(session, session_token, now=now)
    membership = accept_invitation(session, token=token, user_id=user_session.user_id, now=now)
    tenancy.switch_organization(session, user_session=user_session, organization_id=membership.organization_id)
    return membership


def _membership_in(session: Session, ctx: TenantContext, membership_id: uuid.UUID) -> Membership:
    membership = session.get(Membership, membership_id)
    if membership is None or membership.organization_id != ctx.organization_id:
        raise NotFound("not_found", "Member not found")
    return membership


def _owner_count(session: Session, organization_id: uuid.UUID) -> int:
    return len(session.exec(select(Membership.id).where(Membership.organization_id == organization_id,
                                                        Membership.role == Role.owner.value)).all())


def change_role(session: Session, ctx: TenantContext, *, membership_id: uuid.UUID, role: str) -> Membership:
    """A role that may not scan revokes the member's door-staff devices (same transaction, reason
    ``member_role_changed``). Errors: 403 ``forbidden``, 404 ``not_found``, 422 (fields.role), 409 ``last_owner``."""
    rbac.require(ctx, rbac.can_manage_members, "change roles")
    role = validate_role(role)
    # lock the organisation's memberships in id order so two demotions can't both pass the owner check
    session.exec(select(Membership.id).where(Membership.organization_id == ctx.organization_id)
                 .order_by(Membership.id).with_for_update()).all()
    membership = _membership_in(session, ctx, membership_id)
    if membership.role == role:
        return membership
    _require_owner_for(ctx, role)
    _require_owner_for(ctx, membership.role)
    if membership.role == Role.owner.value and _owner_count(session, ctx.organization_id) <= 1:
        raise VoelgoedError("last_owner", "An organisation needs at least one owner; make someone else owner first")
    old = membership.role
    membership.role = role
    audit.record(session, ctx.actor, "membership.role_changed", membership, {"from": old, "to": role})
    if not rbac.can_scan(TenantContext(organization_id=ctx.organization_id, actor=ctx.actor, role=role)):

        revoke_devices_of_user(session, ctx.actor, organization_id=ctx.organization_id, user_id=membership.user_id,
                               reason="member_role_changed")
    session.commit()
    return membership


def remove_member(session: Session, ctx: TenantContext, *, membership_id: uuid.UUID) -> None:
    """Remove a member; the scanner devices they registered by door-staff sign-in are revoked in the same
    transaction (audited ``device.revoked``, reason ``member_removed``).
    Errors: 403 ``forbidden``, 404 ``not_found``, 409 ``last_owner``."""
    rbac.require(ctx, rbac.can_manage_members, "remove members")
    session.exec(select(Membership.id).where(Membership.organization_id == ctx.organization_id)
                 .order_by(Membership.id).with_for_update()).all()
    membership = _membership_in(session, ctx, membership_id)
    _require_owner_for(ctx, membership.role)
    if membership.role == Role.owner.value and _owner_count(session, ctx.organization_id) <= 1:
        raise VoelgoedError("last_owner", "An organisation needs at least one owner")
    audit.record(session, ctx.actor, "membership.removed", membership, {"user_id": str(membership.user_id)})
    # their door-staff phones stop at once

    revoke_devices_of_user(session, ctx.actor, organization_id=ctx.organization_id, user_id=membership.user_id,
                           reason="member_removed")
    session.delete(membership)
    session.commit()


def sign_up_and_accept(session: Session, *, token: str | None, full_name: str, password: str,
                       client_address: str = "", now: datetime | None = None) -> str:
    """Create the invited person's account (the invitation's email), join, and sign in; returns the session token.

    Errors: 404 ``not_found`` (invitation), 409 ``email_taken`` (they already have an account: sign in instead),
    422 ``validation_failed``.
    """
    now = clock.resolve(now)
    invitation = _pending(session, token, now)
    user = accounts.create_user(session, email=invitation.email, password=password, full_name=full_name)
    membership = accept_invitation(session, token=token, user_id=user.id, now=now)
    _row, session_token = accounts.sign_in(session, email=user.email, password=password,
                                           client_address=client_address, now=now)
    _row.active_organization_id = membership.organization_id
    session.commit()
    return session_token


def revoke_devices_of_user(session: Session, actor: Actor, *, organization_id, user_id, reason: str,
                           now: datetime | None = None) -> int:
    """Revoke (no commit: the caller's transaction) every unrevoked device of the organisation that
    ``user_id`` registered by door-staff sign-in; each audited ``device.revoked`` ``{reason, user_id}``.
    Returns how many were revoked."""
    now = clock.resolve(now)
    rows = session.exec(select(Device).where(Device.organization_id == organization_id,
                                             Device.registered_by_user_id == user_id,
                                             Device.revoked_at.is_(None)).with_for_update()).all()
    for device in rows:
        device.revoked_at = now
        device.pairing_code_hash = None
        device.pairing_expires_at = None
        session.add(device)
        audit.record(session, actor, "device.revoked", device, {"reason": reason, "user_id": str(user_id)})
    return len(rows)
