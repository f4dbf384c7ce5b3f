"""The sandbox provider's automation endpoint (exists only where the sandbox is available).

``POST /api/v1/sandbox/payments/{reference}/complete`` ``{outcome: "success"|"failure"}`` does what
the hosted page's Pay / Decline buttons do: a signed webhook is delivered to the platform's own
webhook processing. → ``200 {outcome, order_code, status}``; 404 unknown reference; 422 bad outcome.

Where the sandbox is not available (``SANDBOX_ENABLED`` off, or a real provider configured) every
route here answers 404 ``not_found`` before the body is even looked at (router dependency).
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from voelgoed.services.payments import sandbox
from voelgoed.services.platform import session_scope
from voelgoed.services.sales import sandbox_checkout


class CompleteIn(BaseModel):
    outcome: Literal["success", "failure"]


router = APIRouter(prefix="/api/v1/sandbox", tags=["sandbox"], dependencies=[Depends(sandbox.require_available)])


@router.post("/payments/{reference}/complete")
def complete(reference: str, body: CompleteIn) -> dict[str, Any]:
    with session_scope() as session:
        result = sandbox_checkout.complete(session, reference=reference, outcome=body.outcome)
    return {"outcome": result["outcome"], "order_code": result["order_code"], "status": result["status"]}
