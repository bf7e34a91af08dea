"""PaymentsService: every method and every error, in each mode (direct, codec, http)."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest

from apps.payments.models import Payment, Refund
from contracts import get
from contracts.payments import (
    NothingToRefund,
    OrderRefundDTO,
    PaymentNotFound,
    PaymentsService,
    PaymentStatus,
    PaymentStatusDTO,
    RefundDeclined,
    RefundDTO,
    RefundStatus,
)
from tests.factories import PaymentFactory

pytestmark = pytest.mark.django_db


def test_get_payment_status(mode):
    payment = PaymentFactory(captured=True, amount=Decimal("12.30"))
    result = get(PaymentsService).get_payment_status(payment_id=payment.id)
    assert result == PaymentStatusDTO(
        payment_id=payment.id,
        order_id=payment.order_id,
        status=PaymentStatus.CAPTURED,
        amount=Decimal("12.30"),
        currency="EUR",
    )


def test_get_payment_status_unknown_raises_payment_not_found(mode):
    with pytest.raises(PaymentNotFound) as raised:
        get(PaymentsService).get_payment_status(payment_id=uuid.uuid4())
    assert raised.value.code == "payments.payment_not_found"


# The gateway refuses to be called inside a transaction: no test-case transaction here.
@pytest.mark.django_db(transaction=True)
def test_refund_order_payment_refunds_the_captured_payment(mode):
    # given
    payment = PaymentFactory(captured=True, amount=Decimal("39.98"))
    # when
    refund = get(PaymentsService).refund_order_payment(order_id=payment.order_id, reason="fraud")
    # then
    assert type(refund) is RefundDTO
    assert (refund.payment_id, refund.order_id, refund.amount, refund.currency) == (
        payment.id,
        payment.order_id,
        Decimal("39.98"),
        "EUR",
    )
    assert refund.gateway_reference.startswith("sbx_re_")
    stored = Refund.objects.get(id=refund.refund_id)
    assert (stored.status, stored.reason) == (Refund.Status.SUCCEEDED, "fraud")
    assert Payment.objects.get(id=payment.id).status == PaymentStatus.REFUNDED.value


def test_refund_of_an_order_without_captured_payment_raises_nothing_to_refund(mode):
    order_id = uuid.uuid4()
    PaymentFactory(order_id=order_id)  # pending, not captured
    with pytest.raises(NothingToRefund) as raised:
        get(PaymentsService).refund_order_payment(order_id=order_id, reason="fraud")
    assert raised.value.code == "payments.nothing_to_refund"
    assert raised.value.http_status == 409
    assert raised.value.details == {"order_id": str(order_id)}


@pytest.mark.django_db(transaction=True)
def test_a_refund_the_gateway_refuses_raises_refund_declined(mode):
    payment = PaymentFactory(captured=True, sandbox_charge__token="tok_refund_refused")
    with pytest.raises(RefundDeclined) as raised:
        get(PaymentsService).refund_order_payment(order_id=payment.order_id, reason="fraud")
    assert raised.value.code == "payments.refund_declined"
    assert raised.value.details["payment_id"] == str(payment.id)
    assert Payment.objects.get(id=payment.id).status == PaymentStatus.CAPTURED.value
    assert Refund.objects.get(payment_id=payment.id).status == Refund.Status.FAILED


@pytest.mark.django_db(transaction=True)
def test_refund_order_payment_v2_refunds_once_per_key(mode):
    # given
    payment = PaymentFactory(captured=True, amount=Decimal("39.98"))
    payments = get(PaymentsService)
    # when: asked twice with the same key (a retry after a lost answer)
    first = payments.refund_order_payment_v2(
        order_id=payment.order_id, reason="fraud", idempotency_key="refund-key-1"
    )
    again = payments.refund_order_payment_v2(
        order_id=payment.order_id, reason="fraud", idempotency_key="refund-key-1"
    )
    # then: one refund, the same answer
    assert type(first) is OrderRefundDTO
    assert first == again
    assert (first.payment_id, first.amount, first.status) == (
        payment.id,
        Decimal("39.98"),
        RefundStatus.SUCCEEDED,
    )
    assert Refund.objects.filter(payment_id=payment.id).count() == 1
    assert Payment.objects.get(id=payment.id).status == PaymentStatus.REFUNDED.value


def test_refund_order_payment_v2_without_captured_payment_raises_nothing_to_refund(mode):
    with pytest.raises(NothingToRefund):
        get(PaymentsService).refund_order_payment_v2(
            order_id=uuid.uuid4(), reason="fraud", idempotency_key="refund-key-2"
        )


@pytest.mark.django_db(transaction=True)
def test_refund_order_payment_v2_the_gateway_refuses_raises_refund_declined(mode):
    payment = PaymentFactory(captured=True, sandbox_charge__token="tok_refund_refused")
    for _ in range(2):  # the same key: the same refusal, no second attempt at the gateway
        with pytest.raises(RefundDeclined):
            get(PaymentsService).refund_order_payment_v2(
                order_id=payment.order_id, reason="fraud", idempotency_key="refund-key-3"
            )
    assert Refund.objects.filter(payment_id=payment.id).count() == 1
