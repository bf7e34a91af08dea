"""A payment and its refund move the order, by event, seen through the orders contract."""

from __future__ import annotations

import pytest

from contracts import get
from contracts.orders import OrdersService, OrderStatus
from contracts.payments import PaymentsService

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def order_status(order):
    return (
        get(OrdersService)
        .get_order_for_payment(order_id=order.id, customer_id=order.customer_id)
        .status
    )


def test_a_capture_pays_the_order_and_a_refund_refunds_it(pay, order):
    # when: the customer pays
    response = pay(key="flow")
    # then: PaymentCaptured reached the orders app after the commit
    assert response.status_code == 201
    assert order_status(order) is OrderStatus.PAID
    # when: the order's payment is refunded through the contract
    refund = get(PaymentsService).refund_order_payment(order_id=order.id, reason="flow")
    # then: PaymentRefunded did the same
    assert str(refund.payment_id) == response.json()["id"]
    assert order_status(order) is OrderStatus.REFUNDED


def test_a_declined_payment_leaves_the_order_payable(pay, order):
    response = pay(key="declined", token="tok_decline")
    assert response.status_code == 402
    assert order_status(order) is OrderStatus.PENDING_PAYMENT
    assert pay(key="second-try").status_code == 201
