"""Safe start-up in every process (issue 9 item 2): real subprocesses with a production environment.

Each unsafe environment makes the worker, the CLI and the web app factory exit non-zero with a
message naming the variable to fix; a safe one starts.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import TEST_DATABASE_URL, TEST_REDIS_URL
from voelgoed.config import DEV_SECRET
from voelgoed.services.demo import seed

ROOT = Path(__file__).resolve().parents[1]
GOOD_SECRET = "prod-secret-" + "k" * 40
APP_FACTORY = "from voelgoed.api import create_api; create_api(); print('app built')"
_DROP = ("VOELGOED_ENV", "SECRET_KEY", "SANDBOX_ENABLED", "DEMO_MODE", "PAYMENT_PROVIDER", "PAYSTACK_SECRET_KEY",
         "WEBHOOKS_ALLOW_PRIVATE")


def _env(**overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _DROP}
    env.update(DATABASE_URL=TEST_DATABASE_URL, REDIS_URL=TEST_REDIS_URL, PYTHONPATH=str(ROOT), VOELGOED_ENV="prod")
    env.update(overrides)
    return env


def _run(args: list[str], **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=ROOT, env=_env(**env), capture_output=True, text=True, timeout=120)


def cli(*args: str, **env: str) -> subprocess.CompletedProcess:
    return _run([sys.executable, "-m", "voelgoed", *args], **env)


def app_factory(**env: str) -> subprocess.CompletedProcess:
    return _run([sys.executable, "-c", APP_FACTORY], **env)


BAD_ENVIRONMENTS = [
    pytest.param({}, "SECRET_KEY is not set", id="secret-missing"),
    pytest.param({"SECRET_KEY": "too-short-secret"}, "SECRET_KEY is shorter than 32", id="secret-short"),
    pytest.param({"SECRET_KEY": DEV_SECRET}, "SECRET_KEY is the published development value", id="secret-dev"),
    pytest.param({"SECRET_KEY": GOOD_SECRET, "SANDBOX_ENABLED": "1", "PAYSTACK_SECRET_KEY": "sk_live_x"},
                 "SANDBOX_ENABLED", id="sandbox-next-to-paystack-key"),
    pytest.param({"SECRET_KEY": GOOD_SECRET, "SANDBOX_ENABLED": "true", "PAYMENT_PROVIDER": "paystack",
                  "PAYSTACK_SECRET_KEY": "sk_live_x"}, "SANDBOX_ENABLED", id="sandbox-next-to-paystack-provider"),
    pytest.param({"SECRET_KEY": GOOD_SECRET, "DEMO_MODE": "1", "PAYSTACK_SECRET_KEY": "sk_live_x"},
                 "DEMO_MODE", id="demo-next-to-paystack"),
    pytest.param({"SECRET_KEY": GOOD_SECRET, "WEBHOOKS_ALLOW_PRIVATE": "1", "PAYSTACK_SECRET_KEY": "sk_live_x"},
                 "WEBHOOKS_ALLOW_PRIVATE", id="private-webhooks-next-to-paystack"),
]


@pytest.mark.parametrize(("env", "message"), BAD_ENVIRONMENTS)
def test_worker_refuses_an_unsafe_production_start(env, message):
    out = cli("worker", **env)
    assert out.returncode == 3, out.stdout + out.stderr
    assert "Production start-up refused" in out.stderr and message in out.stderr
    assert "Traceback" not in out.stderr


@pytest.mark.parametrize(("env", "message"), BAD_ENVIRONMENTS[:4])
def test_cli_refuses_an_unsafe_production_start(env, message):
    out = cli("db", "upgrade", **env)
    assert out.returncode == 3 and message in out.stderr, out.stdout + out.stderr


@pytest.mark.parametrize(("env", "message"), [BAD_ENVIRONMENTS[0], BAD_ENVIRONMENTS[2], BAD_ENVIRONMENTS[3]])
def test_web_app_factory_refuses_an_unsafe_production_start(env, message):
    out = app_factory(**env)
    assert out.returncode != 0 and "app built" not in out.stdout
    assert "Production start-up refused" in out.stderr and message in out.stderr


def test_demo_seed_and_demo_passwords_refused_outside_demo_mode(committed_db):
    # the demo seed itself refuses in production outside demo mode
    out = cli("seed", "demo", SECRET_KEY=GOOD_SECRET)
    assert out.returncode == 2 and "demo_mode_required" in out.stderr and "DEMO_MODE=1" in out.stderr
    assert app_factory(SECRET_KEY=GOOD_SECRET).returncode == 0  # nothing seeded: a safe start

    # a demo deployment may seed (and start)
    out = cli("seed", "demo", SECRET_KEY=GOOD_SECRET, DEMO_MODE="1", SANDBOX_ENABLED="1")
    assert out.returncode == 0 and "Demo seeded" in out.stdout, out.stderr
    assert app_factory(SECRET_KEY=GOOD_SECRET, DEMO_MODE="1", SANDBOX_ENABLED="1").returncode == 0

    # the same database outside demo mode: web and worker refuse, naming the accounts
    for out in (app_factory(SECRET_KEY=GOOD_SECRET), cli("worker", SECRET_KEY=GOOD_SECRET)):
        assert out.returncode != 0 and "demo account" in out.stderr and "DEMO_MODE" in out.stderr
        assert seed.DEMO_OWNER_EMAIL in out.stderr and seed.DEMO_DOOR_EMAIL in out.stderr

    # once the operator replaced the published passwords, production starts
    for email in (seed.DEMO_OWNER_EMAIL, seed.DEMO_DOOR_EMAIL):
        out = cli("user", "set-password", "--email", email, "--password", "a-private-password-1", SECRET_KEY=GOOD_SECRET)
        assert out.returncode == 0, out.stderr
    out = app_factory(SECRET_KEY=GOOD_SECRET)
    assert out.returncode == 0 and "app built" in out.stdout, out.stderr


def test_demo_banner_says_demo_sandbox_and_published_passwords(tmp_path):
    out = cli("urls", SECRET_KEY=GOOD_SECRET, DEMO_MODE="1", SANDBOX_ENABLED="1")
    assert out.returncode == 0, out.stderr
    assert "NOT FOR PRODUCTION" in out.stdout and "published demo passwords" in out.stdout
    assert "sandbox payment provider ON" in out.stdout and seed.DEMO_OWNER_PASSWORD in out.stdout
    run_sh = (ROOT / "scripts/run.sh").read_text()
    assert "export DEMO_MODE=1 SANDBOX_ENABLED=1" in run_sh and "not for production" in run_sh
