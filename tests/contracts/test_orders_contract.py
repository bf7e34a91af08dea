"""OrdersService: every method and every error, in each mode (direct, codec, http)."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest

from contracts import get
from contracts.orders import OrderForPayment, OrderNotFound, OrdersService, OrderStatus
from tests.factories import OrderFactory

pytestmark = pytest.mark.django_db


def test_get_order_for_payment(mode):
    # given
    order = OrderFactory(total=Decimal("19.99"), currency="USD")
    # when
    result = get(OrdersService).get_order_for_payment(
        order_id=order.id, customer_id=order.customer_id
    )
    # then
    assert result == OrderForPayment(
        order_id=order.id,
        customer_id=order.customer_id,
        amount=Decimal("19.99"),
        currency="USD",
        status=OrderStatus.PENDING_PAYMENT,
    )
    assert type(result.amount) is Decimal and type(result.status) is OrderStatus


def test_get_order_for_payment_reports_the_status(mode):
    order = OrderFactory(status=OrderStatus.PAID.value)
    result = get(OrdersService).get_order_for_payment(
        order_id=order.id, customer_id=order.customer_id
    )
    assert result.status is OrderStatus.PAID


def test_an_order_of_another_customer_is_not_found(mode):
    order = OrderFactory()
    with pytest.raises(OrderNotFound) as raised:
        get(OrdersService).get_order_for_payment(order_id=order.id, customer_id=uuid.uuid4())
    assert raised.value.code == "orders.order_not_found"
    assert raised.value.http_status == 404


def test_an_unknown_order_is_not_found(mode):
    with pytest.raises(OrderNotFound):
        get(OrdersService).get_order_for_payment(order_id=uuid.uuid4(), customer_id=uuid.uuid4())
