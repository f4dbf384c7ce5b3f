"""Secrets in production (issue 9 items 2 and 10): no development key, no forged passes, no demo seed,
no bound parameters in database errors, no full e-mail addresses in logs."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from tests.factories import make_event, make_org
from voelgoed.config import DEV_SECRET, ConfigurationError, Settings, get_settings
from voelgoed.services.demo import seed
from voelgoed.services.platform import VoelgoedError
from voelgoed.services.platform.logmask import install_log_masking, mask_email, mask_emails
from voelgoed.services.sales import waiting_room as wr

OPENS = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
REAL_SECRET = "a-real-deployment-secret-" + "x" * 32


def _settings(**env) -> Settings:
    return Settings(_env_file=None, **env)


@pytest.mark.parametrize("secret", ["", DEV_SECRET, "short"])
def test_effective_secret_key_never_returns_a_weak_key_in_prod(secret):
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        _ = _settings(VOELGOED_ENV="prod", SECRET_KEY=secret).effective_secret_key
    assert _settings(VOELGOED_ENV="prod", SECRET_KEY=REAL_SECRET).effective_secret_key == REAL_SECRET
    assert _settings(VOELGOED_ENV="dev", SECRET_KEY="").effective_secret_key == DEV_SECRET


def test_real_provider_detection_and_problems():
    ok = _settings(VOELGOED_ENV="prod", SECRET_KEY=REAL_SECRET, DEMO_MODE="1", SANDBOX_ENABLED="1")
    assert ok.real_payment_provider == "" and not __import__("voelgoed.config").config.production_problems(ok)
    assert _settings(PAYSTACK_SECRET_KEY="sk_live").real_payment_provider == "paystack"
    assert _settings(PAYMENT_PROVIDER="paystack").real_payment_provider == "paystack"
    assert _settings(PAYMENT_PROVIDER="sandbox").real_payment_provider == ""


@pytest.fixture
def room_event(db, redis_client):
    event = make_event(db, make_org(db))
    event.waiting_room_enabled, event.waiting_room_opens_at, event.waiting_room_rate_per_minute = True, OPENS, 60
    db.add(event)
    db.flush()
    return event


def _admitted_pass(event) -> str:
    token = wr.join(event, now=OPENS - timedelta(minutes=1))["visitor_token"]
    st = wr.status(event, token, now=OPENS + timedelta(minutes=1))
    assert st["admitted"] and st["pass"]
    return st["pass"]


def test_a_pass_forged_with_the_development_key_is_rejected(room_event, monkeypatch):
    settings = get_settings()
    now = OPENS + timedelta(minutes=1)
    # the attacker runs the published code with its development key and mints a pass
    monkeypatch.setattr(settings, "secret_key", "")
    forged = _admitted_pass(room_event)
    # the deployment has a real secret: its own passes work, the forged one does not
    monkeypatch.setattr(settings, "secret_key", REAL_SECRET)
    wr.require_pass_for_hold(room_event, _admitted_pass(room_event), now=now)
    with pytest.raises(VoelgoedError) as exc:
        wr.require_pass_for_hold(room_event, forged, now=now)
    assert exc.value.code == "waiting_room_pass_required" and exc.value.details["reason"] == "invalid"
    # a production deployment whose SECRET_KEY went missing never falls back to the development key
    monkeypatch.setattr(settings, "env", "prod")
    monkeypatch.setattr(settings, "secret_key", "")
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        wr.require_pass_for_hold(room_event, forged, now=now)


def test_demo_seed_refuses_in_prod_outside_demo_mode(db, monkeypatch):
    settings = get_settings()
    monkeypatch.setattr(settings, "env", "prod")
    monkeypatch.setattr(settings, "demo_mode", False)
    with pytest.raises(VoelgoedError) as exc:
        seed.seed_demo(db)
    assert exc.value.code == "demo_mode_required" and exc.value.status == 409
    assert seed.accounts.get_user_by_email(db, seed.DEMO_OWNER_EMAIL) is None
    monkeypatch.setattr(settings, "demo_mode", True)
    assert seed.seed_demo(db).startswith("Demo seeded")


def test_database_errors_carry_no_bound_parameters(db):
    secret_email = "private.buyer@example.co.za"
    with pytest.raises(DBAPIError) as exc:
        with db.begin_nested():
            db.execute(text("SELECT CAST(:v AS text), 1 / 0"), {"v": secret_email})
    assert "division by zero" in str(exc.value) and secret_email not in str(exc.value)
    assert "hidden due to hide_parameters" in str(exc.value)


def test_email_addresses_are_masked_in_logs(caplog):
    assert mask_email("Thandi@Example.com") == "T***@Example.com" and mask_email("") == "" and mask_email("x") == "***"
    assert mask_emails("to a.b@c.co.za and z@y.org") == "to a***@c.co.za and z***@y.org"
    install_log_masking()
    with caplog.at_level(logging.INFO):
        logging.getLogger("some.library").warning("could not deliver to %s", "sipho.dlamini@example.co.za")
    assert "sipho.dlamini@example.co.za" not in caplog.text and "s***@example.co.za" in caplog.text


def test_mail_log_masks_the_recipient(tmp_path, monkeypatch, caplog):
    from voelgoed.services.platform import mail

    monkeypatch.setattr(get_settings(), "mail_dir", tmp_path)
    monkeypatch.setattr(get_settings(), "smtp_host", "")
    with caplog.at_level(logging.INFO, logger="voelgoed.services.platform.mail"):
        mail.send_email("nomsa.khumalo@example.co.za", "Hi", "text")
    assert "nomsa.khumalo" not in caplog.text and "n***@example.co.za" in caplog.text
