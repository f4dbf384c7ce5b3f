"""`python -m voelgoed org create / user create / apikey create` in a subprocess against the test database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlmodel import select

from tests.conftest import TEST_DATABASE_URL, TEST_REDIS_URL
from voelgoed.models import Membership, Organization, User
from voelgoed.services.accounts import apikeys
from voelgoed.services.platform import verify_password

ROOT = Path(__file__).resolve().parents[1]


def run_cli(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, DATABASE_URL=TEST_DATABASE_URL, REDIS_URL=TEST_REDIS_URL, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "voelgoed", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


def test_org_create_then_apikey_create_prints_a_working_key(committed_db):
    out = run_cli("org", "create", "--name", "Kaap Klanke", "--slug", "kaap-klanke", "--owner-email", "Boss@Example.com",
                  "--owner-password", "a-long-password")
    assert out.returncode == 0, out.stderr
    assert "kaap-klanke" in out.stdout
    org = committed_db.exec(select(Organization).where(Organization.slug == "kaap-klanke")).one()
    owner = committed_db.exec(select(User).where(User.email == "boss@example.com")).one()
    assert verify_password("a-long-password", owner.password_hash)
    assert committed_db.exec(select(Membership).where(Membership.user_id == owner.id)).one().role == "owner"

    out = run_cli("apikey", "create", "--org", "kaap-klanke", "--name", "box office")
    assert out.returncode == 0, out.stderr
    secret = out.stdout.strip().splitlines()[-1]
    assert secret.startswith("vg_live_")
    ctx = apikeys.authenticate(committed_db, secret)
    assert ctx.organization_id == org.id
    assert ctx.scopes == frozenset(apikeys.SCOPES)  # no --scope: every scope, as before scoped keys

    out = run_cli("apikey", "create", "--org", "kaap-klanke", "--name", "reader", "--scope", "orders:read",
                  "--scope", "events:read")
    assert out.returncode == 0, out.stderr
    assert apikeys.authenticate(committed_db, out.stdout.strip().splitlines()[-1]).scopes == {"orders:read", "events:read"}
    bad = run_cli("apikey", "create", "--org", "kaap-klanke", "--name", "typo", "--scope", "orders:raed")
    assert bad.returncode != 0 and "orders:raed" in (bad.stdout + bad.stderr)


def test_user_create_with_org_and_cli_errors(committed_db):
    assert run_cli("org", "create", "--name", "One", "--slug", "cli-one", "--owner-email", "one@example.com",
                   "--owner-password", "a-long-password").returncode == 0
    out = run_cli("user", "create", "--email", "door@example.com", "--password", "door-password-1", "--name", "Door",
                  "--org", "cli-one", "--role", "scanner_only")
    assert out.returncode == 0, out.stderr
    user = committed_db.exec(select(User).where(User.email == "door@example.com")).one()
    assert committed_db.exec(select(Membership).where(Membership.user_id == user.id)).one().role == "scanner_only"

    dup = run_cli("org", "create", "--name", "Two", "--slug", "cli-one", "--owner-email", "two@example.com",
                  "--owner-password", "a-long-password")
    assert dup.returncode == 2 and "slug_taken" in dup.stderr and "Traceback" not in dup.stderr
    weak = run_cli("user", "create", "--email", "weak@example.com", "--password", "short")
    assert weak.returncode == 2 and "validation_failed" in weak.stderr
    missing = run_cli("apikey", "create", "--org", "no-such-org", "--name", "x")
    assert missing.returncode == 2 and "not_found" in missing.stderr
    assert committed_db.exec(select(User).where(User.email == "two@example.com")).first() is None
