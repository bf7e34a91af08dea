"""The local implementation of ``contracts.payments.PaymentsService``."""

from __future__ import annotations

from uuid import UUID

from apps.payments import selectors
from contracts.payments import PaymentsService, PaymentStatus, PaymentStatusDTO, RefundDTO


class PaymentsProvider(PaymentsService):
    def get_payment_status(self, *, payment_id: UUID) -> PaymentStatusDTO:
        payment = selectors.payment_get(payment_id=payment_id)
        return PaymentStatusDTO(
            payment_id=payment.id,
            order_id=payment.order_id,
            status=PaymentStatus(payment.status),
            amount=payment.amount,
            currency=payment.currency,
        )

    def refund_order_payment(self, *, order_id: UUID, reason: str) -> RefundDTO:
        raise NotImplementedError("refunds arrive with the payments gateway")
