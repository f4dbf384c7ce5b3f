"""accounts service: users, sign-in sessions, passwords, rate limits (real PostgreSQL + Redis)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from tests.factories import make_org, make_user
from voelgoed.config import get_settings
from voelgoed.models import AuditLog, Membership, Organization, User, UserSession
from voelgoed.services.accounts import accounts, tenancy
from voelgoed.services.platform import VoelgoedError, clock, hash_token

PW = "correct horse battery"


def test_create_user_normalises_email_and_hashes_password(db):
    user = accounts.create_user(db, email="  Thandi@Example.CO.ZA ", password="a-long-password", full_name=" Thandi ")
    assert user.email == "thandi@example.co.za"
    assert user.full_name == "Thandi"
    assert user.password_hash.startswith("$argon2")
    assert "a-long-password" not in user.password_hash


def test_duplicate_email_is_email_taken_case_insensitively(db):
    accounts.create_user(db, email="dup@example.com", password="a-long-password")
    with pytest.raises(VoelgoedError) as exc:
        accounts.create_user(db, email="DUP@example.com", password="another-long-one")
    assert exc.value.code == "email_taken" and exc.value.status == 409


@pytest.mark.parametrize("password", ["", "   ", "short", "123456789", None, "x" * 257])
def test_weak_or_empty_password_is_rejected(db, password):
    with pytest.raises(VoelgoedError) as exc:
        accounts.create_user(db, email="weak@example.com", password=password)
    assert exc.value.code == "validation_failed" and exc.value.status == 422
    assert "password" in exc.value.details["fields"]
    assert db.exec(select(User).where(User.email == "weak@example.com")).first() is None


@pytest.mark.parametrize("email", ["", "no-at-sign", "a@b", "two@@example.com", "sp ace@example.com", None,
                                   "x" * 320 + "@example.com", "<script>@example.com"])
def test_bad_email_is_rejected(db, email):
    with pytest.raises(VoelgoedError) as exc:
        accounts.create_user(db, email=email, password="a-long-password")
    assert exc.value.code == "validation_failed" and "email" in exc.value.details["fields"]


def test_sign_up_creates_user_owned_org_and_session(db):
    user, org, row, token = tenancy.sign_up(db, email="new@example.com", password="a-long-password",
                                             full_name="New Person", organization_name="Kaapstad Klanke")
    assert org.slug == "kaapstad-klanke"
    membership = db.exec(select(Membership).where(Membership.user_id == user.id)).one()
    assert membership.organization_id == org.id and membership.role == "owner"
    assert row.active_organization_id == org.id
    assert accounts.resolve_session(db, token).id == row.id


def test_sign_up_reports_all_bad_fields_and_creates_nothing(db):
    before = len(db.exec(select(Organization)).all())
    with pytest.raises(VoelgoedError) as exc:
        tenancy.sign_up(db, email="nope", password="short", full_name="", organization_name="  ")
    assert set(exc.value.details["fields"]) == {"email", "password", "organization_name"}
    assert len(db.exec(select(Organization)).all()) == before


def test_sign_up_with_taken_slug_leaves_no_user(db):
    make_org(db, slug="taken-slug")
    with pytest.raises(VoelgoedError) as exc:
        tenancy.sign_up(db, email="slug@example.com", password="a-long-password", full_name="S",
                         organization_name="Taken", organization_slug="taken-slug")
    assert exc.value.code == "slug_taken"
    assert accounts.get_user_by_email(db, "slug@example.com") is None


def test_sign_in_returns_hashed_session_with_expiry(db, redis_client):
    org = make_org(db)
    user = make_user(db, org=org, email="signin@example.com")
    now = clock.utcnow()
    row, token = accounts.sign_in(db, email=" SignIn@Example.com", password=PW, client_address="10.0.0.1", now=now)
    assert len(token) >= 22  # ≥128 bits url-safe
    assert row.token_hash == hash_token(token) and token not in row.token_hash
    assert row.user_id == user.id and row.active_organization_id == org.id
    assert row.expires_at == now + timedelta(seconds=get_settings().session_ttl_seconds)
    assert db.exec(select(AuditLog).where(AuditLog.action == "user.signed_in", AuditLog.actor_id == str(user.id))).first()


@pytest.mark.parametrize("email,password", [("signin2@example.com", "wrong password!"), ("nobody@example.com", PW),
                                            ("", ""), ("signin2@example.com", ""), ("signin2@example.com", "x" * 5000)])
def test_wrong_credentials_do_not_say_which_part(db, redis_client, email, password):
    make_user(db, email="signin2@example.com")
    with pytest.raises(VoelgoedError) as exc:
        accounts.sign_in(db, email=email, password=password, client_address="10.0.0.2")
    assert exc.value.code == "invalid_credentials" and exc.value.status == 401
    assert exc.value.message == "Email or password is incorrect"


def test_inactive_user_cannot_sign_in(db, redis_client):
    user = make_user(db, email="inactive@example.com")
    user.is_active = False
    db.flush()
    with pytest.raises(VoelgoedError) as exc:
        accounts.sign_in(db, email="inactive@example.com", password=PW, client_address="x")
    assert exc.value.code == "invalid_credentials"


def test_sign_in_is_rate_limited_per_email_and_address(db, redis_client, monkeypatch):
    monkeypatch.setattr(get_settings(), "signin_rate_limit", "3/minute")
    make_user(db, email="limited@example.com")
    for _ in range(3):
        with pytest.raises(VoelgoedError) as exc:
            accounts.sign_in(db, email="limited@example.com", password="wrong password!", client_address="1.2.3.4")
        assert exc.value.code == "invalid_credentials"
    with pytest.raises(VoelgoedError) as exc:  # even the right password is refused now
        accounts.sign_in(db, email="LIMITED@example.com", password=PW, client_address="1.2.3.4")
    assert exc.value.code == "rate_limited" and exc.value.status == 429
    assert exc.value.details["retry_after"] >= 1
    # another address is a different bucket
    row, _ = accounts.sign_in(db, email="limited@example.com", password=PW, client_address="5.6.7.8")
    assert row.id is not None


def test_expired_session_is_rejected(db, redis_client):
    make_user(db, email="exp@example.com")
    now = clock.utcnow()
    _, token = accounts.sign_in(db, email="exp@example.com", password=PW, client_address="x", now=now)
    ttl = get_settings().session_ttl_seconds
    assert accounts.resolve_session(db, token, now=now + timedelta(seconds=ttl - 1))
    with pytest.raises(VoelgoedError) as exc:
        accounts.resolve_session(db, token, now=now + timedelta(seconds=ttl))
    assert exc.value.code == "session_expired" and exc.value.status == 401


@pytest.mark.parametrize("token", [None, "", "garbage", "x" * 10_000, "\x00\udcff"])
def test_unknown_tokens_are_session_expired(db, token):
    with pytest.raises(VoelgoedError) as exc:
        accounts.resolve_session(db, token)
    assert exc.value.code == "session_expired"


def test_sign_out_revokes_the_session(db, redis_client):
    make_user(db, email="out@example.com")
    _, token = accounts.sign_in(db, email="out@example.com", password=PW, client_address="x")
    accounts.sign_out(db, token=token)
    with pytest.raises(VoelgoedError) as exc:
        accounts.resolve_session(db, token)
    assert exc.value.code == "session_expired"
    accounts.sign_out(db, token=token)  # twice is harmless
    accounts.sign_out(db, token="garbage")


def test_change_password_requires_current_and_revokes_other_sessions(db, redis_client):
    user = make_user(db, email="pw@example.com")
    keep, keep_token = accounts.sign_in(db, email="pw@example.com", password=PW, client_address="a")
    _, other_token = accounts.sign_in(db, email="pw@example.com", password=PW, client_address="b")
    with pytest.raises(VoelgoedError) as exc:
        accounts.change_password(db, user_id=user.id, current_password="not it at all", new_password="brand-new-password")
    assert exc.value.code == "invalid_credentials"
    with pytest.raises(VoelgoedError) as exc:
        accounts.change_password(db, user_id=user.id, current_password=PW, new_password="short")
    assert exc.value.code == "validation_failed" and "new_password" in exc.value.details["fields"]
    revoked = accounts.change_password(db, user_id=user.id, current_password=PW, new_password="brand-new-password",
                                       keep_session_id=keep.id)
    assert revoked == 1
    assert accounts.resolve_session(db, keep_token).id == keep.id
    with pytest.raises(VoelgoedError):
        accounts.resolve_session(db, other_token)
    with pytest.raises(VoelgoedError):
        accounts.sign_in(db, email="pw@example.com", password=PW, client_address="c")
    row, _ = accounts.sign_in(db, email="pw@example.com", password="brand-new-password", client_address="c")
    assert db.get(UserSession, row.id) is not None


def test_sign_up_is_rate_limited_per_address(db, redis_client, monkeypatch):
    monkeypatch.setattr(get_settings(), "signin_rate_limit", "2/minute")
    for i in range(2):
        tenancy.sign_up(db, email=f"burst{i}@example.com", password="a-long-password", full_name="B",
                         organization_name=f"Burst {i}", client_address="9.9.9.9")
    with pytest.raises(VoelgoedError) as exc:
        tenancy.sign_up(db, email="burst9@example.com", password="a-long-password", full_name="B",
                         organization_name="Burst 9", client_address="9.9.9.9")
    assert exc.value.code == "rate_limited"
    assert accounts.get_user_by_email(db, "burst9@example.com") is None


def test_a_user_without_organisation_is_signed_in_without_a_tenant(db, redis_client):
    from voelgoed.services.accounts import tenancy

    accounts.create_user(db, email="loner@example.com", password="a-long-password")
    row, token = accounts.sign_in(db, email="loner@example.com", password="a-long-password", client_address="x")
    assert row.active_organization_id is None
    overview = tenancy.session_overview(db, token=token)
    assert overview["user_email"] == "loner@example.com" and overview["org_id"] == "" and overview["organizations"] == []
