"""Users, passwords and sign-in sessions.

- ``create_user(session, *, email, password, full_name="")`` → ``User`` (409 ``email_taken``,
  422 ``validation_failed`` with ``details.fields.email`` / ``details.fields.password``).
- ``sign_up(session, *, email, password, full_name, organization_name, organization_slug=None,
  client_address="")`` → ``(User, Organization, UserSession, token)``: a new user owning a new organisation,
  signed in.
- ``authenticate(session, *, email, password, client_address)`` → ``User`` (the credential check alone,
  same rate limit and errors as ``sign_in``; door staff sign-in on ``/scan`` uses it).
- ``sign_in(session, *, email, password, client_address, now=None)`` → ``(UserSession, token)``;
  401 ``invalid_credentials`` (never says which part was wrong), 429 ``rate_limited`` per
  email + client address (``settings.signin_rate_limit``) and per account for failures from any
  address (``settings.signin_account_rate_limit``), `limits` fixed window on Redis.
- ``sign_out(session, *, token, now=None)``; ``resolve_session(session, token, now=None)`` →
  ``UserSession`` (401 ``session_expired`` when unknown, expired or revoked).
- ``change_password(session, *, user_id, current_password, new_password, keep_session_id=None, now=None)``
  (401 ``invalid_credentials`` for a wrong current password; revokes the user's other sessions).

Session tokens are 256-bit URL-safe random strings (``security.new_token``); only their SHA-256 is
stored, with ``expires_at = now + settings.session_ttl_seconds``. Passwords: argon2id (pwdlib),
at least :data:`MIN_PASSWORD_LENGTH` characters (NIST SP 800-63B §5.1.1.2 favours length over rules).
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from voelgoed.config import get_settings
from voelgoed.models import Membership, User, UserSession
from voelgoed.services.platform import (
    Actor,
    Unauthenticated,
    ValidationFailed,
    VoelgoedError,
    audit,
    clock,
    hash_password,
    hash_token,
    new_token,
    ratelimit,
    verify_password,
)

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256
_EMAIL_RE = re.compile(r"^[^@\s<>\"',;]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$")
# a valid hash to verify against when the email is unknown, so timing doesn't reveal which part was wrong
_DUMMY_HASH: str | None = None


def normalise_email(email: str | None) -> str:
    """Strip and lower-case; 422 ``validation_failed`` (fields.email) unless it looks like an address."""
    value = (email or "").strip().lower()
    if not value or len(value) > 320 or not _EMAIL_RE.match(value):
        raise ValidationFailed({"email": "Enter a valid email address"})
    return value


def validate_password(password: str | None, field: str = "password") -> str:
    """422 ``validation_failed`` (fields.<field>) for empty, short (< 10) or overlong passwords."""
    if not password or not password.strip():
        raise ValidationFailed({field: "Choose a password"})
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed({field: f"Use at least {MIN_PASSWORD_LENGTH} characters"})
    if len(password) > MAX_PASSWORD_LENGTH:
        raise ValidationFailed({field: f"Use at most {MAX_PASSWORD_LENGTH} characters"})
    return password


def get_user_by_email(session: Session, email: str) -> User | None:
    return session.exec(select(User).where(User.email == (email or "").strip().lower())).first()


def create_user(session: Session, *, email: str, password: str, full_name: str = "", commit: bool = True) -> User:
    """Create an active user. Errors: 422 ``validation_failed``; 409 ``email_taken``."""
    email = normalise_email(email)
    validate_password(password)
    full_name = (full_name or "").strip()
    if len(full_name) > 200:
        raise ValidationFailed({"full_name": "Use at most 200 characters"})
    if get_user_by_email(session, email) is not None:
        raise VoelgoedError("email_taken", "An account with this email already exists", {"fields": {"email": "Already registered"}})
    user = User(email=email, full_name=full_name, password_hash=hash_password(password))
    try:
        with session.begin_nested():
            session.add(user)
            session.flush()
    except IntegrityError:
        raise VoelgoedError("email_taken", "An account with this email already exists", {"fields": {"email": "Already registered"}}) from None
    audit.record(session, Actor("user", str(user.id)), "user.created", user, {"email": email})
    if commit:
        session.commit()
    return user


def new_session(session: Session, user: User, *, organization_id: uuid.UUID | None, now: datetime) -> tuple[UserSession, str]:
    token = new_token(32)
    if organization_id is None:
        membership = session.exec(
            select(Membership).where(Membership.user_id == user.id).order_by(Membership.created_at)
        ).first()
        organization_id = membership.organization_id if membership else None
    row = UserSession(user_id=user.id, token_hash=hash_token(token), active_organization_id=organization_id,
                      created_at=now, expires_at=now + timedelta(seconds=get_settings().session_ttl_seconds))
    session.add(row)
    session.flush()
    return row, token


def sign_in(session: Session, *, email: str, password: str, client_address: str, now: datetime | None = None
            ) -> tuple[UserSession, str]:
    """Check the credentials and open a session; returns ``(UserSession, token)``.

    Errors: 429 ``rate_limited`` (per lower-cased email + address), 401 ``invalid_credentials``.
    """
    now = clock.resolve(now)
    user = authenticate(session, email=email, password=password, client_address=client_address)
    row, token = new_session(session, user, organization_id=None, now=now)
    audit.record(session, Actor("user", str(user.id)), "user.signed_in", row, {"address": client_address},
                 organization_id=row.active_organization_id)
    session.commit()
    return row, token


def authenticate(session: Session, *, email: str, password: str, client_address: str) -> User:
    """The active user with these credentials (no session is opened; used by ``sign_in`` and door sign-in).

    Errors: 429 ``rate_limited`` (``settings.signin_rate_limit`` per lower-cased email + address, and
    ``settings.signin_account_rate_limit`` failed attempts per account from any address),
    401 ``invalid_credentials`` (never says which part was wrong; constant-ish time for unknown emails).
    """
    global _DUMMY_HASH
    settings = get_settings()
    key_email = (email or "").strip().lower()[:320]
    ratelimit.hit("signin", f"{key_email}|{client_address or 'unknown'}", settings.signin_rate_limit)
    # failures per account from any address (an attacker rotating addresses); unknown e-mails count
    # the same way, so the limit does not reveal which accounts exist
    ratelimit.check("signin-account", key_email, settings.signin_account_rate_limit)
    lookup = key_email and "\x00" not in key_email and len(password or "") <= MAX_PASSWORD_LENGTH  # NUL: PostgreSQL refuses it
    user = get_user_by_email(session, key_email) if lookup else None
    if user is None:
        if _DUMMY_HASH is None:
            _DUMMY_HASH = hash_password("not-a-real-password-0000")
        verify_password(password or "", _DUMMY_HASH)
        ratelimit.count("signin-account", key_email, settings.signin_account_rate_limit)
        raise Unauthenticated("invalid_credentials", "Email or password is incorrect")
    if not verify_password(password or "", user.password_hash) or not user.is_active:
        ratelimit.count("signin-account", key_email, settings.signin_account_rate_limit)
        raise Unauthenticated("invalid_credentials", "Email or password is incorrect")
    return user


def resolve_session(session: Session, token: str | None, now: datetime | None = None) -> UserSession:
    """The live session for ``token``; 401 ``session_expired`` if unknown, expired, revoked or the user is inactive."""
    now = clock.resolve(now)
    if not token or len(token) > 200:
        raise Unauthenticated("session_expired", "Please sign in again")
    row = session.exec(select(UserSession).where(UserSession.token_hash == hash_token(token))).first()
    if row is None or row.revoked_at is not None or clock.aware(row.expires_at) <= now:
        raise Unauthenticated("session_expired", "Please sign in again")
    user = session.get(User, row.user_id)
    if user is None or not user.is_active:
        raise Unauthenticated("session_expired", "Please sign in again")
    return row


def sign_out(session: Session, *, token: str | None, now: datetime | None = None) -> None:
    """Revoke the session of ``token`` (no error if it is already gone)."""
    now = clock.resolve(now)
    if not token or len(token) > 200:
        return
    row = session.exec(select(UserSession).where(UserSession.token_hash == hash_token(token))).first()
    if row is None or row.revoked_at is not None:
        return
    row.revoked_at = now
    audit.record(session, Actor("user", str(row.user_id)), "user.signed_out", row,
                 organization_id=row.active_organization_id)
    session.commit()


def change_password(session: Session, *, user_id: uuid.UUID, current_password: str, new_password: str,
                    keep_session_id: uuid.UUID | None = None, now: datetime | None = None) -> int:
    """Replace the password; revokes every other session of the user. Returns how many were revoked.

    Errors: 401 ``invalid_credentials`` (wrong current password), 422 ``validation_failed`` (fields.new_password).
    """
    now = clock.resolve(now)
    user = session.get(User, user_id)
    if user is None or not verify_password(current_password or "", user.password_hash):
        raise Unauthenticated("invalid_credentials", "The current password is incorrect",
                              {"fields": {"current_password": "Incorrect password"}})
    validate_password(new_password, field="new_password")
    user.password_hash = hash_password(new_password)
    others = session.exec(select(UserSession).where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))).all()
    revoked = 0
    for row in others:
        if row.id != keep_session_id:
            row.revoked_at = now
            revoked += 1
    audit.record(session, Actor("user", str(user.id)), "user.password_changed", user, {"sessions_revoked": revoked})
    session.commit()
    return revoked


def set_password(session: Session, *, email: str, new_password: str, now: datetime | None = None) -> User:
    """Operator reset (CLI ``user set-password``): replace the password and revoke every session of the user.

    Errors: 404 ``not_found`` (no such user), 422 ``validation_failed`` (fields.password).
    Audit ``user.password_reset`` (actor system).
    """
    from voelgoed.services.platform import NotFound

    now = clock.resolve(now)
    user = get_user_by_email(session, email)
    if user is None:
        raise NotFound("not_found", "No user with this email")
    validate_password(new_password)
    user.password_hash = hash_password(new_password)
    for row in session.exec(select(UserSession).where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))).all():
        row.revoked_at = now
    audit.record(session, Actor("system", "cli"), "user.password_reset", user)
    session.commit()
    return user
