"""The payments contract through ``contracts.get`` (refunds: see test_refunds.py)."""

from __future__ import annotations

import uuid

import pytest

from apps.payments.provider import PaymentsProvider
from contracts import get
from contracts.payments import PaymentNotFound, PaymentsService, PaymentStatus, PaymentStatusDTO
from tests.factories.payments import PaymentFactory

pytestmark = pytest.mark.django_db


def test_the_local_provider_serves_the_contract():
    assert isinstance(get(PaymentsService), PaymentsProvider)


def test_get_payment_status_maps_the_payment():
    payment = PaymentFactory(captured=True)
    assert get(PaymentsService).get_payment_status(payment_id=payment.id) == PaymentStatusDTO(
        payment_id=payment.id,
        order_id=payment.order_id,
        status=PaymentStatus.CAPTURED,
        amount=payment.amount,
        currency=payment.currency,
    )


def test_get_payment_status_of_an_unknown_payment():
    with pytest.raises(PaymentNotFound):
        get(PaymentsService).get_payment_status(payment_id=uuid.uuid4())
