"""Integrations (issue 14): signed outbound webhooks following the Standard Webhooks specification.

Layer: above ``insights`` (it reads orders, tickets, events and scans), below ``demo`` and ``runtime``.
Modules: ``signing`` (secrets, signatures), ``ssrf`` (address guard) < ``endpoints``, ``payloads`` <
< ``delivery`` < ``fanout`` < ``admin``. Fed by the outbox (``platform.webhook_events``); handlers are
registered in ``runtime/outbox_handlers.py``. See docs/webhooks.md.
"""

from . import admin, delivery, endpoints, fanout, payloads, signing, ssrf
from .admin import (
    attempts_of,
    dead_letters,
    notify_endpoint_disabled,
    recent_deliveries,
    redeliver,
    replay,
    retry_all_dead,
    send_test,
)
from .delivery import MAX_ATTEMPTS, SCHEDULE_SECONDS, deliver_due, deliver_due_job, retry_delay
from .endpoints import (
    create_endpoint,
    delete_endpoint,
    endpoint_dict,
    get_endpoint,
    list_endpoints,
    rotate_secret,
    update_endpoint,
)
from .fanout import fan_out
from .payloads import SCHEMAS
from .ssrf import BlockedAddress, GuardedTransport, check_url, is_public

__all__ = [
    "admin", "delivery", "endpoints", "fanout", "payloads", "signing", "ssrf",
    "attempts_of", "dead_letters", "notify_endpoint_disabled", "recent_deliveries", "redeliver", "replay",
    "retry_all_dead", "send_test",
    "MAX_ATTEMPTS", "SCHEDULE_SECONDS", "deliver_due", "deliver_due_job", "retry_delay",
    "create_endpoint", "delete_endpoint", "endpoint_dict", "get_endpoint", "list_endpoints", "rotate_secret",
    "update_endpoint", "fan_out", "SCHEMAS", "BlockedAddress", "GuardedTransport", "check_url", "is_public",
]
