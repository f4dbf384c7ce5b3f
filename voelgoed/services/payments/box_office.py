"""The box office as a "provider" (issue 12 item 5): seats sold at the desk are paid there (cash or a card
machine), so there is no checkout page, no webhook and nothing to verify — the payment is ``succeeded`` when
the order is made (``seating.box_office_sale``). This adapter exists for the money going back: a refund of a
box-office order is paid back at the desk, so :meth:`BoxOfficeProvider.refund` answers ``processed`` at once
(reference ``desk_<refund id>``) and the refund path records the ledger's ``-amount`` like any other refund.

Never chosen for an online sale: it is not in :data:`~.selection.PROVIDER_NAMES` and
:func:`~.selection.provider_available` is False for it.
"""

from __future__ import annotations

from voelgoed.models import Payment
from voelgoed.services.payments.base import RefundResult, VerifyResult
from voelgoed.services.platform import VoelgoedError

NAME = "box_office"


class BoxOfficeProvider:
    name = NAME

    def create_checkout(self, order, payment):
        raise VoelgoedError("invalid_state", "Box-office orders are paid at the desk", status=409)

    def verify_webhook(self, headers, raw_body):
        raise VoelgoedError("bad_signature", "The box office sends no webhooks", status=401)

    def verify(self, reference: str) -> VerifyResult:
        """Box-office payments are settled when made: never ``initiated``, so never reconciled."""
        return VerifyResult(reference=reference, status="pending")

    def refund(self, payment: Payment, *, amount_cents: int, refund_id: str, reason: str = "") -> RefundResult:
        """Paid back at the desk: ``processed`` at once, reference ``desk_<refund id>``."""
        ref = f"desk_{refund_id}"[:100]
        return RefundResult("processed", ref, amount_cents, payment.currency,
                            {"id": ref, "status": "processed", "message": "paid back at the box office"})
