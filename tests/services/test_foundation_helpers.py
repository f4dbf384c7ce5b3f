import pytest

from tests.factories import make_org
from voelgoed.services.accounts import apikeys
from voelgoed.services.platform import (
    CODE_ALPHABET,
    Unauthenticated,
    hash_password,
    new_code,
    new_token,
    verify_password,
)


def test_tokens_have_at_least_128_bits():
    assert len(new_token()) >= 43
    with pytest.raises(ValueError):
        new_token(8)


def test_codes_avoid_confusable_characters():
    code = new_code(200)
    assert not set(code) & set("01OIL")
    assert set(code) <= set(CODE_ALPHABET)


def test_password_hash_roundtrip():
    h = hash_password("s3cret-passphrase")
    assert h.startswith("$argon2")
    assert verify_password("s3cret-passphrase", h)
    assert not verify_password("wrong", h)
    assert not verify_password("x", "not-a-hash")


def test_api_key_shown_once_and_authenticates(db):
    org = make_org(db)
    key, secret = apikeys.create_api_key(db, organization_id=org.id, name="box office")
    assert secret not in key.key_hash
    ctx = apikeys.authenticate(db, secret)
    assert ctx.organization_id == org.id and ctx.role == "admin"
    apikeys.revoke(db, ctx, key.id)
    with pytest.raises(Unauthenticated):
        apikeys.authenticate(db, secret)
    with pytest.raises(Unauthenticated):
        apikeys.authenticate(db, "garbage")
