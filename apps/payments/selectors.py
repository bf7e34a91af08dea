"""Reads of the payments app."""

from __future__ import annotations

from uuid import UUID

from apps.payments.models import Payment
from contracts.payments import PaymentNotFound


def payment_get(*, payment_id: UUID, customer_id: UUID | None = None) -> Payment:
    payments = Payment.objects.filter(id=payment_id)
    if customer_id is not None:
        payments = payments.filter(customer_id=customer_id)
    payment = payments.first()
    if payment is None:
        raise PaymentNotFound(details={"payment_id": str(payment_id)})
    return payment
