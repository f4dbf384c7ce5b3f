"""Sign-in throttled per account (issue 9 item 9e): an attacker rotating addresses is still stopped."""

from __future__ import annotations

import pytest

from tests.factories import make_user
from voelgoed.config import get_settings
from voelgoed.services.accounts import accounts
from voelgoed.services.platform import VoelgoedError

PW = "correct horse battery"


def _attempt(db, email, password, address):
    try:
        accounts.sign_in(db, email=email, password=password, client_address=address)
        return "ok"
    except VoelgoedError as exc:
        return exc.code


def test_failures_from_rotating_addresses_lock_the_account(db, redis_client, monkeypatch):
    monkeypatch.setattr(get_settings(), "signin_rate_limit", "3/minute")  # per address: never reached below
    monkeypatch.setattr(get_settings(), "signin_account_rate_limit", "5/hour")
    make_user(db, email="target@example.com")
    results = [_attempt(db, "target@example.com", f"guess number {i}!", f"198.51.100.{i}") for i in range(8)]
    assert results == ["invalid_credentials"] * 5 + ["rate_limited"] * 3
    # even the right password from a fresh address is refused until the window passes
    assert _attempt(db, "Target@Example.com", PW, "203.0.113.50") == "rate_limited"
    # other accounts are not affected
    make_user(db, email="bystander@example.com")
    assert _attempt(db, "bystander@example.com", PW, "198.51.100.1") == "ok"


def test_successful_sign_ins_do_not_count(db, redis_client, monkeypatch):
    monkeypatch.setattr(get_settings(), "signin_account_rate_limit", "2/hour")
    make_user(db, email="busy@example.com")
    assert [_attempt(db, "busy@example.com", PW, f"10.0.0.{i}") for i in range(5)] == ["ok"] * 5


def test_unknown_accounts_are_throttled_the_same_way(db, redis_client, monkeypatch):
    monkeypatch.setattr(get_settings(), "signin_account_rate_limit", "2/hour")
    results = [_attempt(db, "nobody@example.com", "whatever-password", f"10.1.0.{i}") for i in range(3)]
    assert results == ["invalid_credentials", "invalid_credentials", "rate_limited"]


def test_door_staff_sign_in_shares_the_account_limit(db, redis_client, monkeypatch):
    from voelgoed.services.gate import door_signin

    monkeypatch.setattr(get_settings(), "signin_account_rate_limit", "2/hour")
    make_user(db, email="door@example.com")
    codes = []
    for i in range(3):
        with pytest.raises(VoelgoedError) as exc:
            door_signin.sign_in_scanner(db, email="door@example.com", password="not the password", client_address=f"10.2.0.{i}")
        codes.append(exc.value.code)
    assert codes == ["invalid_credentials", "invalid_credentials", "rate_limited"]
