"""The orders contract, resolved through ``contracts.get`` as other apps call it."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest

from apps.orders import services
from contracts import get
from contracts.orders import OrderForPayment, OrderNotFound, OrdersService, OrderStatus

pytestmark = pytest.mark.django_db


def test_get_order_for_payment_reports_the_amount_of_the_order_lines(customer, tee, mug):
    # given
    order = services.order_place(customer_id=customer.pk, lines=[("TEE", 1), ("MUG", 2)])
    # when
    answer = get(OrdersService).get_order_for_payment(order_id=order.id, customer_id=customer.pk)
    # then
    assert answer == OrderForPayment(
        order_id=order.id,
        customer_id=customer.pk,
        amount=Decimal("38.99"),
        currency="EUR",
        status=OrderStatus.PENDING_PAYMENT,
    )


def test_get_order_for_payment_follows_the_status(paid_order):
    answer = get(OrdersService).get_order_for_payment(
        order_id=paid_order.id, customer_id=paid_order.customer_id
    )
    assert answer.status is OrderStatus.PAID


@pytest.mark.parametrize("whose", ["another customer", "nobody"])
def test_get_order_for_payment_never_discloses_another_customers_order(paid_order, whose):
    order_id = paid_order.id if whose == "another customer" else uuid.uuid4()
    with pytest.raises(OrderNotFound) as refused:
        get(OrdersService).get_order_for_payment(order_id=order_id, customer_id=uuid.uuid4())
    assert refused.value.code == "orders.order_not_found"
