"""Each contract method, called through ``get(...)`` against its local provider."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest

from contracts import get
from contracts.orders import OrderForPayment, OrderNotFound, OrdersService, OrderStatus
from contracts.payments import PaymentNotFound, PaymentsService, PaymentStatus
from contracts.users import UserDTO, UserNotFound, UsersService

pytestmark = pytest.mark.django_db


def test_get_user(customer):
    user = get(UsersService).get_user(user_id=customer.id)
    assert isinstance(user, UserDTO)
    assert (user.id, user.email, user.is_active) == (customer.id, customer.email, True)


def test_get_user_unknown_raises_the_contract_error():
    with pytest.raises(UserNotFound) as raised:
        get(UsersService).get_user(user_id=uuid.uuid4())
    assert raised.value.code == "users.user_not_found"


def test_get_users_keeps_the_order_asked_for_and_skips_unknown_ids(django_user_model):
    from tests.factories import UserFactory

    a, b = UserFactory(), UserFactory()
    users = get(UsersService).get_users(user_ids=(b.id, uuid.uuid4(), a.id))
    assert [u.id for u in users] == [b.id, a.id]


def test_get_order_for_payment(order_factory):
    order = order_factory(total=Decimal("19.99"), currency="USD")
    result = get(OrdersService).get_order_for_payment(
        order_id=order.id, customer_id=order.customer_id
    )
    assert result == OrderForPayment(
        order_id=order.id,
        customer_id=order.customer_id,
        amount=Decimal("19.99"),
        currency="USD",
        status=OrderStatus.PENDING_PAYMENT,
    )


def test_get_order_for_payment_of_another_customer_is_not_found(order_factory):
    order = order_factory()
    with pytest.raises(OrderNotFound):
        get(OrdersService).get_order_for_payment(order_id=order.id, customer_id=uuid.uuid4())


def test_get_payment_status(payment_factory):
    payment = payment_factory(status=PaymentStatus.CAPTURED.value)
    result = get(PaymentsService).get_payment_status(payment_id=payment.id)
    assert (result.payment_id, result.status, result.amount) == (
        payment.id,
        PaymentStatus.CAPTURED,
        payment.amount,
    )


def test_get_payment_status_unknown():
    with pytest.raises(PaymentNotFound):
        get(PaymentsService).get_payment_status(payment_id=uuid.uuid4())
