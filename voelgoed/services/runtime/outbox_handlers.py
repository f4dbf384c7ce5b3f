"""The built-in outbox topics and their handlers (registered on import by :mod:`voelgoed.services.platform.outbox`).

Each handler takes ids from the payload, opens its own sessions and is idempotent, so running it again
(a retry, or a second drainer after a lease ran out) changes nothing that already happened:

| topic | payload | effect |
| --- | --- | --- |
| ``order.paid`` | ``order_id``, ``event_id`` | missing ticket PDFs, the confirmation e-mail (marker ``order:<id>:confirmation``), stats signal |
| ``ticket.voided`` | ``ticket_id``, ``order_id``, ``event_id`` | re-render the outdated PDF, stats signal |
| ``ticket.reissued`` | ``ticket_id``, ``order_id``, ``event_id`` | re-render the outdated PDF (a new holder) |
| ``tickets.resend`` | ``order_id`` | the confirmation again, once per request (marker ``order:<id>:resend:<entry id>``) |
| ``invitation.created`` | ``invitation_id`` | the invitation e-mail (marker ``invitation:<id>``) |
| ``refund.processed`` | ``refund_id``, ``order_id`` | the buyer's refund e-mail (marker ``refund:<id>``), stats signal |
| ``refund.event_order`` | ``order_id``, ``event_id``, ``actor_type``, ``actor_id`` | refund one order of a cancelled event (idempotent per event) |
| ``event.cancelled.buyer_mail`` | ``order_id``, ``event_id``, ``refund_cents`` | the buyer's cancellation e-mail (marker ``event-cancelled:<order id>``) |
| every webhook event type (``platform.webhook_events.EVENT_TYPES``) | see ``webhook_events`` | fan out to the endpoints that want it (``integrations.fan_out``; idempotent by message id) |
| ``webhook.endpoint_disabled`` | ``endpoint_id`` | e-mail the organisation's owners once |
| ``export.requested`` | ``export_id`` | enqueue the export's RQ job (``insights.export_jobs.run_export_job``; the job is idempotent) |

``order.paid`` and ``ticket.voided`` fan out first, so a failing mail step never holds webhooks back
(the retry's fan-out adds nothing: the deliveries already exist).
"""

from __future__ import annotations

from voelgoed.services.insights import export_jobs
from voelgoed.services.integrations import fan_out, notify_endpoint_disabled
from voelgoed.services.platform import queue, stats_feed, webhook_events
from voelgoed.services.platform.outbox import Claimed, register
from voelgoed.services.sales import refund_order_for_event, send_event_cancelled_email, send_refund_email
from voelgoed.services.tickets import ticket_jobs


@register("order.paid")
def order_paid(entry: Claimed) -> None:
    if entry.payload.get("event_id"):  # first: live dashboards show the sale before the PDFs and the e-mail are done
        stats_feed.touch(entry.payload["event_id"], entry.organization_id)
    fan_out(entry)
    ticket_jobs.render_ticket_pdfs(entry.payload["order_id"])
    ticket_jobs.send_order_confirmation(entry.payload["order_id"])


@register("ticket.voided")
def ticket_voided(entry: Claimed) -> None:
    fan_out(entry)
    ticket_jobs.render_ticket_pdfs(entry.payload["order_id"])
    if entry.payload.get("event_id"):
        stats_feed.touch(entry.payload["event_id"], entry.organization_id)


@register("ticket.reissued")
def ticket_reissued(entry: Claimed) -> None:
    # a new holder: the outdated PDF (older than the ticket's version) is rendered again
    ticket_jobs.render_ticket_pdfs(entry.payload["order_id"])


@register("tickets.resend")
def tickets_resend(entry: Claimed) -> None:
    ticket_jobs.send_order_confirmation(entry.payload["order_id"], force=True, request_key=str(entry.id))


@register("invitation.created")
def invitation_created(entry: Claimed) -> None:
    from voelgoed.services.accounts import send_invitation_email

    send_invitation_email(entry.payload["invitation_id"])


@register("refund.processed")
def refund_processed(entry: Claimed) -> None:
    send_refund_email(entry.payload["refund_id"])
    stats_feed.touch_org(entry.organization_id)  # the overview's revenue moved


@register("refund.event_order")
def refund_event_order(entry: Claimed) -> None:
    p = entry.payload
    refund_order_for_event(p["order_id"], p["event_id"], actor_type=str(p.get("actor_type") or "system"),
                           actor_id=str(p.get("actor_id") or "event-cancel"))
    stats_feed.touch(p["event_id"], entry.organization_id)


@register("event.cancelled.buyer_mail")
def event_cancelled_buyer_mail(entry: Claimed) -> None:
    send_event_cancelled_email(entry.payload["order_id"], int(entry.payload.get("refund_cents") or 0))


def webhook_only(entry: Claimed) -> None:
    fan_out(entry)


for _topic in webhook_events.EVENT_TYPES:
    if _topic not in ("order.paid", "ticket.voided"):
        register(_topic)(webhook_only)


@register("webhook.endpoint_disabled")
def webhook_endpoint_disabled(entry: Claimed) -> None:
    notify_endpoint_disabled(entry.payload["endpoint_id"])


@register("export.requested")
def export_requested(entry: Claimed) -> None:
    # the file is written by its own RQ job (a large export must not hold the drain); inline without Redis
    queue.enqueue(export_jobs.run_export_job, entry.payload["export_id"], job_id=f"export-{entry.payload['export_id']}")
