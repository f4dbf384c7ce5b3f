"""Payment provider webhooks: ``POST /api/v1/payments/{provider}/webhook`` (api-v1.md "Payment webhooks").

The raw body is verified with the provider's signature scheme before anything is parsed.
Answers: 200 ``{"received": true, "outcome"}`` (outcomes: paid, already_paid, refund_required,
amount_mismatch, unconfirmed (the provider's verify disagreed: order unpaid and flagged),
unknown_reference (acknowledged and ignored), failed, ignored, duplicate);
401 ``bad_signature`` (nothing changes); 404 ``not_found`` for an unknown provider (and for
``sandbox`` where the sandbox does not exist); 503 ``provider_unavailable`` when the charge could not
be verified with the provider (nothing recorded, the provider retries).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from voelgoed.services.platform import session_scope
from voelgoed.services.sales import process_webhook

router = APIRouter(prefix="/api/v1/payments", tags=["payments"])
MAX_BODY = 256 * 1024


@router.post("/{provider}/webhook")
async def webhook(provider: str, request: Request) -> dict[str, Any]:
    raw = await request.body()
    if len(raw) > MAX_BODY:
        from voelgoed.services.platform import VoelgoedError

        raise VoelgoedError("malformed", "Body too large", status=400)
    headers = dict(request.headers)
    from starlette.concurrency import run_in_threadpool

    def _run():
        with session_scope() as session:
            return process_webhook(session, provider=provider[:20], headers=headers, raw_body=raw)

    result = await run_in_threadpool(_run)
    return {"received": True, **result}
