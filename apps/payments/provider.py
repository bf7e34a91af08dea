"""The local implementation of ``contracts.payments.PaymentsService``."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from apps.payments import refunds, selectors
from apps.payments.models import Refund
from contracts.payments import (
    OrderRefundDTO,
    PaymentsService,
    PaymentStatus,
    PaymentStatusDTO,
    RefundDTO,
    RefundStatus,
)


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
        refund = refunds.payment_refund_for_order(order_id=order_id, reason=reason)
        return RefundDTO(**_refund_fields(refund))

    def refund_order_payment_v2(
        self, *, order_id: UUID, reason: str, idempotency_key: str
    ) -> OrderRefundDTO:
        refund = refunds.payment_refund_for_order(
            order_id=order_id, reason=reason, idempotency_key=idempotency_key
        )
        return OrderRefundDTO(
            **_refund_fields(refund),
            status=(
                RefundStatus.SUCCEEDED
                if refund.status == Refund.Status.SUCCEEDED
                else RefundStatus.PENDING
            ),
        )


def _refund_fields(refund: Refund) -> dict[str, Any]:
    """What both refund answers of the contract (``RefundDTO``, ``OrderRefundDTO``) say."""
    return {
        "refund_id": refund.id,
        "payment_id": refund.payment.id,
        "order_id": refund.payment.order_id,
        "amount": refund.amount,
        "currency": refund.currency,
        "gateway_reference": refund.gateway_reference,
    }
