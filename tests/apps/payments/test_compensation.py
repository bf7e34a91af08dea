"""A capture landing on an order that was cancelled meanwhile is given back
automatically: orders rejects it (``CaptureRejected``), payments refunds it outside
any transaction (a task queued on commit) and announces ``CaptureCompensated``;
both steps are written in the order's history."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from apps.orders import services as order_services
from apps.orders.models import Order
from apps.payments import services
from apps.payments.models import Payment, SandboxRefund
from apps.users import services as user_services
from contracts.events import subscriptions
from contracts.orders import CaptureRejected, OrderForPayment, OrderStatus
from extraction.events.delivery import apply_once
from tests.apps.payments.conftest import net_charged, published
from tests.factories.orders import ProductFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def order(customer):
    ProductFactory(sku="TEE", price=Decimal("19.99"), stock=10)
    return order_services.order_place(customer_id=customer.pk, lines=[("TEE", 2)])


def claim(order: Order) -> Payment:
    """A payment request in flight: claimed, the gateway not answered yet."""
    return services.payment_claim(
        order=OrderForPayment(
            order_id=order.id,
            customer_id=order.customer_id,
            amount=order.total,
            currency=order.currency,
            status=OrderStatus.PENDING_PAYMENT,
        ),
        idempotency_key="in-flight",
        request_fingerprint="x",
    )


def assert_compensated(order: Order, payment: Payment) -> None:
    payment.refresh_from_db()
    order.refresh_from_db()
    assert order.status == "cancelled"
    assert payment.status == "refunded"
    assert net_charged(payment_id=payment.id) == 0
    [event] = published("payments.CaptureCompensated")
    assert event["payment_id"] == str(payment.id)
    assert list(order.history.values_list("kind", "payment_id")) == [
        ("capture_rejected", payment.id),
        ("capture_compensated", payment.id),
    ]


def test_a_capture_after_the_customer_cancelled_is_refunded(order):
    # given: the payment request is in flight when the customer cancels
    payment = claim(order)
    order_services.order_cancel(order_id=order.id, reason="changed my mind")
    # when: the gateway's capture comes back
    services.payment_settle_charge(payment=payment, payment_token="tok_success")
    # then
    assert_compensated(order, payment)


def test_a_capture_after_cancel_stale_orders_is_refunded(order):
    payment = claim(order)
    Order.objects.filter(pk=order.pk).update(created_at=order.created_at.replace(year=2000))
    call_command("cancel_stale_orders", "--older-than-hours", "1", stdout=StringIO())
    services.payment_settle_charge(payment=payment, payment_token="tok_success")
    assert_compensated(order, payment)


def test_a_capture_after_the_customer_was_deactivated_is_refunded(order, customer):
    payment = claim(order)
    user_services.user_deactivate(user_id=customer.pk, actor_id=customer.pk)
    services.payment_settle_charge(payment=payment, payment_token="tok_success")
    assert_compensated(order, payment)


def test_a_redelivered_rejection_refunds_once(order):
    # given: a compensated capture
    payment = claim(order)
    order_services.order_cancel(order_id=order.id, reason="r")
    services.payment_settle_charge(payment=payment, payment_token="tok_success")
    [rejected] = published("orders.CaptureRejected")
    # when: the same fact arrives again under a new event id
    [handler] = [s for s in subscriptions(CaptureRejected) if s.service == "payments"]
    assert apply_once(
        handler,
        CaptureRejected(
            order_id=order.id,
            payment_id=payment.id,
            order_status=rejected["order_status"],
            reason=rejected["reason"],
        ),
    )
    # then
    assert SandboxRefund.objects.count() == 1
    assert net_charged(payment_id=payment.id) == 0
