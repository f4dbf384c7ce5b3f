"""Outbound webhooks end to end (issue 14, item 1): real PostgreSQL, a real local HTTP receiver that verifies
signatures with the ``standardwebhooks`` library, the real outbox drain and delivery code, a real process
killed mid-delivery."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import uuid
from datetime import timedelta
from pathlib import Path

import jsonschema
import pytest
from sqlmodel import select
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from tests.factories import make_event, make_org, make_user
from tests.outbox_helpers import free_paid_order, set_env
from tests.scan_factories import make_device, make_scan_setup, owner_ctx
from tests.services.webhook_receiver import Receiver
from voelgoed.models import DeliveryAttempt, EndpointDelivery, OutboxEntry, SentEmail, WebhookEndpoint
from voelgoed.services import integrations
from voelgoed.services.catalog import events as events_svc
from voelgoed.services.gate import scanning
from voelgoed.services.integrations import delivery
from voelgoed.services.platform import ValidationFailed, clock, drain_outbox

ROOT = Path(__file__).resolve().parents[2]
ORDER_TYPES = ["order.created", "order.paid", "ticket.issued"]


@pytest.fixture
def private_ok():
    old = set_env({"WEBHOOKS_ALLOW_PRIVATE": "true", "WEBHOOKS_TIMEOUT_SECONDS": "2"})
    yield
    set_env(old)


def _org_with_endpoint(session, url, types=ORDER_TYPES):
    org = make_org(session)
    make_user(session, org=org, role="owner", email=f"owner-{uuid.uuid4().hex[:6]}@example.com")
    session.commit()
    ctx = owner_ctx(org)
    ep, secret = integrations.create_endpoint(session, ctx, url=url, event_types=types)
    return org, ctx, ep, secret


def _run(now=None, passes=5):
    """Drain the outbox (fan-out) and deliver what is due at ``now``."""
    now = clock.resolve(now)
    drain_outbox(now=now)
    total = {"delivered": 0, "retried": 0, "dead": 0}
    for _ in range(passes):
        result = delivery.deliver_due(now=now)
        for k in total:
            total[k] += result[k]
        if not any(result.values()):
            break
    return total


def _free_order_for(session, org):
    from tests.factories import make_ticket_type

    event = make_event(session, org)
    tt = make_ticket_type(session, event, price_cents=0, quantity=50)
    session.commit()
    return free_paid_order(session, event=event, tt=tt, quantity=2)


def test_deliveries_are_signed_and_verify_with_the_standardwebhooks_library(committed_db, redis_client, private_ok):
    with Receiver() as rx:
        org, _ctx, _ep, secret = _org_with_endpoint(committed_db, rx.url)
        _event, _tt, order = _free_order_for(committed_db, org)
        assert _run()["delivered"] == 4  # order.created, order.paid, 2 × ticket.issued

        verifier = Webhook(secret)
        types = []
        for _path, headers, body in rx.requests:
            payload = verifier.verify(body, headers)  # raises unless the signature and timestamp are right
            jsonschema.validate(payload, integrations.SCHEMAS[payload["type"]])
            types.append(payload["type"])
            assert headers["webhook-id"].startswith("msg_")
        assert sorted(types) == ["order.created", "order.paid", "ticket.issued", "ticket.issued"]
        paid = next(json.loads(b) for _p, _h, b in rx.requests if json.loads(b)["type"] == "order.paid")
        assert paid["data"]["order_code"] == order.order_code and paid["data"]["status"] == "paid"

        _path, headers, body = rx.requests[0]
        with pytest.raises(WebhookVerificationError):  # tampered body
            verifier.verify(body.replace(b'"data"', b'"dAta"'), headers)
        with pytest.raises(WebhookVerificationError):  # another endpoint's secret
            Webhook(integrations.signing.new_secret()).verify(body, headers)
        # a second drain/delivery pass sends nothing again
        assert _run() == {"delivered": 0, "retried": 0, "dead": 0}
        assert len(rx.requests) == 4


def test_receiver_failing_n_times_then_recovering_gets_every_event_once_in_order(committed_db, redis_client, private_ok):
    with Receiver(plan=lambda n: (500, {}, b"boom") if n < 5 else (200, {}, b"ok")) as rx:
        org, _ctx, ep, secret = _org_with_endpoint(committed_db, rx.url)
        _free_order_for(committed_db, org)
        now = clock.utcnow()
        for _ in range(12):
            _run(now)
            now += timedelta(hours=1)  # past every retry delay up to the 4th (64 min × 1.2)
        rows = committed_db.exec(select(EndpointDelivery).where(EndpointDelivery.endpoint_id == ep.id)).all()
        assert {r.status for r in rows} == {"delivered"}
        ids = [h["webhook-id"] for _s, h, _b in rx.answered]
        assert sorted(ids) == sorted(r.message_id for r in rows)  # each message exactly once with a 2xx
        verifier = Webhook(secret)
        order_types = [verifier.verify(b, h)["type"] for _s, h, b in rx.answered if b"order." in b[:30]]
        assert order_types == ["order.created", "order.paid"]  # in order for the one object
        failures = committed_db.exec(select(DeliveryAttempt).where(DeliveryAttempt.endpoint_id == ep.id,
                                                                   DeliveryAttempt.success.is_(False))).all()
        assert len(failures) == 5 and {a.status_code for a in failures} == {500}
        assert all(a.response_excerpt == "boom" for a in failures)


def test_worker_killed_mid_delivery_loses_nothing(committed_db, redis_client, private_ok):
    with Receiver(plan=lambda n: ("hang", {}, b"") if n == 0 else (200, {}, b"ok")) as rx:
        org, ctx, ep, secret = _org_with_endpoint(committed_db, rx.url, types=["event.published"])
        event = make_event(committed_db, org, status="draft")
        from tests.factories import make_ticket_type

        make_ticket_type(committed_db, event, quantity=10)
        committed_db.commit()
        events_svc.publish(committed_db, ctx, event.id)
        drain_outbox()  # fan-out only
        env = {**os.environ, "WEBHOOKS_ALLOW_PRIVATE": "true", "WEBHOOKS_TIMEOUT_SECONDS": "2"}
        worker = subprocess.Popen([sys.executable, "-c", "from voelgoed.services.integrations import deliver_due; deliver_due()"],
                                  cwd=ROOT, env=env)
        try:
            assert rx.got_request.wait(60), "the worker never reached the receiver"
            worker.send_signal(signal.SIGKILL)  # dies while the receiver holds the request open
            worker.wait(30)
        finally:
            if worker.poll() is None:
                worker.kill()
        rx.release.set()
        row = committed_db.exec(select(EndpointDelivery).where(EndpointDelivery.endpoint_id == ep.id)).one()
        committed_db.refresh(row)
        assert row.status == "pending" and row.attempts == 1
        assert delivery.deliver_due() == {"delivered": 0, "retried": 0, "dead": 0}  # still leased: no double send
        later = clock.utcnow() + timedelta(seconds=delivery.lease_seconds() + 1)
        assert delivery.deliver_due(now=later)["delivered"] == 1
        committed_db.refresh(row)
        assert row.status == "delivered" and row.attempts == 2
        assert [h["webhook-id"] for _s, h, _b in rx.answered] == [row.message_id]
        assert Webhook(secret).verify(rx.answered[0][2], rx.answered[0][1])["type"] == "event.published"


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080/x", "https://169.254.169.254/latest/meta-data",
                                 "https://localhost/hook", "https://10.1.2.3/hook", "https://[::1]/hook",
                                 "ftp://example.com/x", "https://user:pw@example.com/x"])
def test_endpoint_urls_to_internal_addresses_are_refused(committed_db, url):
    org = make_org(committed_db)
    committed_db.commit()
    with pytest.raises(ValidationFailed) as refused:
        integrations.create_endpoint(committed_db, owner_ctx(org), url=url, event_types=["order.paid"])
    assert "url" in refused.value.details["fields"]


def test_the_guard_is_checked_again_at_connect_time(committed_db, redis_client, private_ok):
    with Receiver() as rx:
        org, ctx, ep, _secret = _org_with_endpoint(committed_db, rx.url, types=["event.published"])
        integrations.send_test(committed_db, ctx, ep.id)
        old = set_env({"WEBHOOKS_ALLOW_PRIVATE": None})  # the operator switch goes off after the endpoint was saved
        try:
            assert delivery.deliver_due()["retried"] == 1
        finally:
            set_env(old)
        assert rx.requests == []
        attempt = committed_db.exec(select(DeliveryAttempt).where(DeliveryAttempt.endpoint_id == ep.id)).one()
        assert "non-public" in attempt.error and attempt.status_code is None


@pytest.mark.parametrize("answer", ["timeout", "500", "redirect"])
def test_timeouts_errors_and_redirects_are_recorded_and_retried_without_a_storm(committed_db, redis_client, private_ok, answer):
    plans = {"timeout": lambda n: ("hang", {}, b""), "500": lambda n: (500, {}, b"internal error"),
             "redirect": lambda n: (302, {"location": "http://127.0.0.1:1/elsewhere"}, b"")}
    with Receiver(plan=plans[answer]) as rx:
        org, ctx, ep, _secret = _org_with_endpoint(committed_db, rx.url, types=["event.published"])
        integrations.send_test(committed_db, ctx, ep.id)
        now = clock.utcnow()
        assert delivery.deliver_due(now=now)["retried"] == 1
        rx.release.set()
        row = committed_db.exec(select(EndpointDelivery).where(EndpointDelivery.endpoint_id == ep.id)).one()
        committed_db.refresh(row)
        attempt = committed_db.exec(select(DeliveryAttempt).where(DeliveryAttempt.delivery_id == row.id)).one()
        expected = {"timeout": "timeout", "500": "HTTP 500", "redirect": "redirect to http://127.0.0.1:1/elsewhere (not followed)"}
        assert expected[answer] in attempt.error
        assert attempt.status_code == {"timeout": None, "500": 500, "redirect": 302}[answer]
        assert row.status == "pending" and row.attempts == 1
        delay = (clock.aware(row.next_attempt_at) - now).total_seconds()
        assert delivery.SCHEDULE_SECONDS[0] * 0.8 <= delay <= delivery.SCHEDULE_SECONDS[0] * 1.2
        # no storm: nothing more is sent before the retry is due, and the redirect target was never called
        assert delivery.deliver_due(now=now + timedelta(seconds=5)) == {"delivered": 0, "retried": 0, "dead": 0}
        assert len(rx.requests) == 1


def test_retry_schedule_spans_about_a_day():
    low = sum(s * delivery.JITTER[0] for s in delivery.SCHEDULE_SECONDS) / 3600
    high = sum(s * delivery.JITTER[1] for s in delivery.SCHEDULE_SECONDS) / 3600
    assert 18 <= low < 24 < high <= 30
    assert delivery.MAX_ATTEMPTS == 10


def test_exhausted_endpoint_is_disabled_and_the_owners_are_emailed(committed_db, redis_client, private_ok, tmp_path):
    old = set_env({"MAIL_DIR": str(tmp_path), "SMTP_HOST": None})
    try:
        with Receiver(plan=lambda n: (503, {}, b"down")) as rx:
            org, ctx, ep, _secret = _org_with_endpoint(committed_db, rx.url, types=["event.published"])
            integrations.send_test(committed_db, ctx, ep.id)
            now = clock.utcnow()
            for _ in range(delivery.MAX_ATTEMPTS):
                delivery.deliver_due(now=now)
                now += timedelta(hours=8)
            assert len(rx.requests) == delivery.MAX_ATTEMPTS
            row = committed_db.exec(select(EndpointDelivery).where(EndpointDelivery.endpoint_id == ep.id)).one()
            committed_db.refresh(row)
            endpoint = committed_db.get(WebhookEndpoint, ep.id)
            committed_db.refresh(endpoint)
            assert row.status == "dead" and not endpoint.enabled and "Disabled after failing" in endpoint.disabled_reason
            drain_outbox(now=now)
            assert committed_db.exec(select(SentEmail).where(SentEmail.organization_id == org.id)).all()
            assert any("disabled" in p.read_text() for p in tmp_path.glob("*.eml"))
            # dead letters: listed, and "retry all" after the organiser enabled the endpoint again delivers
            assert [d["id"] for d in integrations.dead_letters(committed_db, ctx)] == [str(row.id)]
            rx.plan = lambda n: (200, {}, b"ok")
            integrations.update_endpoint(committed_db, ctx, ep.id, enabled=True)
            assert integrations.retry_all_dead(committed_db, ctx) == 1
            assert delivery.deliver_due()["delivered"] == 1
    finally:
        set_env(old)


def test_rotation_sends_both_signatures_during_the_overlap(committed_db, redis_client, private_ok):
    with Receiver() as rx:
        _org, ctx, ep, old_secret = _org_with_endpoint(committed_db, rx.url, types=["event.published"])
        _ep, new_secret = integrations.rotate_secret(committed_db, ctx, ep.id)
        integrations.send_test(committed_db, ctx, ep.id)
        delivery.deliver_due()
        _path, headers, body = rx.requests[-1]
        assert len(headers["webhook-signature"].split(" ")) == 2
        Webhook(old_secret).verify(body, headers)
        Webhook(new_secret).verify(body, headers)
        # after the overlap only the new secret signs
        later = clock.utcnow() + timedelta(hours=25)
        integrations.send_test(committed_db, ctx, ep.id, now=later)
        delivery.deliver_due(now=later)
        _path, headers, body = rx.requests[-1]
        Webhook(new_secret).verify(body, headers)
        with pytest.raises(WebhookVerificationError):
            Webhook(old_secret).verify(body, headers)


def test_per_endpoint_concurrency_limit(committed_db, redis_client, private_ok):
    old = set_env({"WEBHOOKS_MAX_IN_FLIGHT": "2"})
    try:
        org = make_org(committed_db)
        committed_db.commit()
        ctx = owner_ctx(org)
        ep, _ = integrations.create_endpoint(committed_db, ctx, url="http://127.0.0.1:9/x", event_types=["event.published"])
        for _ in range(5):
            integrations.send_test(committed_db, ctx, ep.id)
        now = clock.utcnow()
        assert len(delivery._claim(now, 50)) == 2
        assert delivery._claim(now, 50) == []  # both still in flight: nothing more for this endpoint
        assert len(delivery._claim(now + timedelta(seconds=delivery.lease_seconds() + 1), 50)) == 2
    finally:
        set_env(old)


def test_scan_writes_a_checked_in_row_only_when_someone_listens(committed_db, redis_client, private_ok):
    org, event, _tt, tickets = make_scan_setup(committed_db, quantity=2)
    device, _token = make_device(committed_db, event)
    committed_db.commit()

    def rows():
        return committed_db.exec(select(OutboxEntry).where(OutboxEntry.organization_id == org.id,
                                                           OutboxEntry.topic == "ticket.checked_in")).all()

    assert scanning.scan(committed_db, device, qr=tickets[0].qr_payload, client_scan_id=uuid.uuid4().hex)["result"] == "accepted"
    assert rows() == []
    ctx = owner_ctx(org)
    with Receiver() as rx:
        integrations.create_endpoint(committed_db, ctx, url=rx.url, event_types=["ticket.checked_in"])
        assert scanning.scan(committed_db, device, qr=tickets[1].qr_payload, client_scan_id=uuid.uuid4().hex)["result"] == "accepted"
        assert len(rows()) == 1
        assert _run()["delivered"] == 1
        payload = json.loads(rx.requests[0][2])
        jsonschema.validate(payload, integrations.SCHEMAS["ticket.checked_in"])
        assert payload["data"]["id"] == str(tickets[1].id) and payload["data"]["status"] == "checked_in"


def test_every_event_type_has_a_schema_that_its_payloads_match(committed_db, redis_client, private_ok):
    """event.published / event.cancelled / ticket.voided / order.cancelled / order.refunded bodies built
    from real rows validate against their schema; docs/webhooks.md documents every type."""
    org, event, tt, tickets = make_scan_setup(committed_db, quantity=1)
    committed_db.commit()
    now = clock.utcnow()
    cases = {"event.published": {"event_id": event.id}, "event.cancelled": {"event_id": event.id},
             "ticket.voided": {"ticket_id": tickets[0].id, "order_id": tickets[0].order_id, "event_id": event.id},
             "order.cancelled": {"order_id": tickets[0].order_id, "event_id": event.id},
             "order.refunded": {"order_id": tickets[0].order_id, "event_id": event.id, "refund_id": "rf_1",
                                "amount_cents": 25000, "currency": "ZAR"}}
    for event_type, payload in cases.items():
        ((_key, body),) = integrations.payloads.messages(event_type, payload, now, org.id)
        jsonschema.validate(body, integrations.SCHEMAS[event_type])
    from voelgoed.services.platform import webhook_events

    assert set(webhook_events.EVENT_TYPES) <= set(integrations.SCHEMAS)
    docs = (ROOT / "docs/webhooks.md").read_text()
    for event_type in webhook_events.EVENT_TYPES:
        assert f"`{event_type}`" in docs, event_type
