"""The charge flow of the services: outcomes, events, orders that cannot be paid, stuck ones."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.payments import services
from apps.payments.error_codes import OrderNotPayable
from apps.payments.models import Payment, SandboxCharge
from contracts.orders import OrderNotFound, OrderStatus
from tests.apps.payments.conftest import published
from tests.factories.orders import OrderFactory
from tests.factories.payments import PaymentFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def charge(order, *, token="tok_success", key="key-1", customer_id=None):
    return services.payment_charge(
        customer_id=customer_id or order.customer_id,
        order_id=order.id,
        payment_token=token,
        idempotency_key=key,
    )


def test_a_successful_charge_captures_the_amount_of_the_order_and_publishes(order):
    # given: an order of 42.50 EUR
    # when
    outcome = charge(order)
    # then
    payment = Payment.objects.get()
    assert (payment.status, payment.amount, payment.currency) == (
        "captured",
        Decimal("42.50"),
        "EUR",
    )
    assert payment.gateway_reference == SandboxCharge.objects.get().reference
    assert (outcome.status_code, outcome.replayed) == (201, False)
    assert outcome.body["id"] == str(payment.id)
    assert outcome.body["status"] == "captured"
    assert (payment.response_status, payment.response_body) == (201, outcome.body)
    (event,) = published("payments.PaymentCaptured")
    assert (event["payment_id"], event["order_id"], event["amount"], event["currency"]) == (
        str(payment.id),
        str(order.id),
        "42.50",
        "EUR",
    )


@pytest.mark.parametrize(
    ("token", "code", "status_code"),
    [
        ("tok_decline", "payments.card_declined", 402),
        ("tok_insufficient_funds", "payments.insufficient_funds", 402),
        ("tok_unknown", "payments.invalid_payment_token", 402),
    ],
)
def test_a_failed_charge_ends_failed_with_its_code_and_publishes(order, token, code, status_code):
    # when
    outcome = charge(order, token=token)
    # then
    payment = Payment.objects.get()
    assert (payment.status, payment.failure_code) == ("failed", code)
    assert payment.failure_message
    assert outcome.status_code == status_code
    assert outcome.body == {
        "code": code,
        "message": outcome.body["message"],
        "details": {"payment_id": str(payment.id), "order_id": str(order.id)},
    }
    (event,) = published("payments.PaymentFailed")
    assert (event["payment_id"], event["reason_code"]) == (str(payment.id), code)
    assert published("payments.PaymentCaptured") == []


def test_after_a_failure_the_order_can_be_paid_with_a_new_key(order):
    # given
    charge(order, token="tok_decline", key="first")
    # when
    outcome = charge(order, token="tok_success", key="second")
    # then
    assert outcome.status_code == 201
    assert sorted(Payment.objects.values_list("status", flat=True)) == ["captured", "failed"]


def test_the_order_of_another_customer_is_not_found(order):
    with pytest.raises(OrderNotFound):
        charge(order, customer_id=uuid.uuid4())
    assert Payment.objects.count() == 0


@pytest.mark.parametrize("status", [OrderStatus.PAID, OrderStatus.CANCELLED, OrderStatus.REFUNDED])
def test_an_order_that_is_not_pending_payment_is_not_payable(customer, status):
    order = OrderFactory(customer_id=customer.id, status=status.value)
    with pytest.raises(OrderNotPayable) as raised:
        charge(order)
    assert raised.value.details == {"order_id": str(order.id), "status": status.value}
    assert SandboxCharge.objects.count() == 0


def test_an_order_with_a_payment_in_flight_is_not_payable_with_another_key(order):
    # given: a claimed, unanswered payment of the order (its request is still running)
    PaymentFactory(order_id=order.id, customer_id=order.customer_id, idempotency_key="first")
    # when
    with pytest.raises(OrderNotPayable) as raised:
        charge(order, key="second")
    # then
    assert "in progress or captured" in raised.value.message
    assert SandboxCharge.objects.count() == 0


def test_resolving_a_stuck_payment_asks_the_gateway(order):
    # given: two payments left pending long ago; the gateway charged the first one
    charged = PaymentFactory(created_at=timezone.now() - timedelta(hours=1))
    lost = PaymentFactory(created_at=timezone.now() - timedelta(hours=1))
    ledger_entry = SandboxCharge.objects.create(
        reference="sbx_ch_charged",
        idempotency_key=str(charged.id),
        token="tok_success",
        amount=charged.amount,
        currency=charged.currency,
        outcome="succeeded",
    )
    # when
    captured = services.payment_resolve_stuck(payment_id=charged.id)
    abandoned = services.payment_resolve_stuck(payment_id=lost.id)
    # then
    assert (captured.status, captured.gateway_reference) == (
        "captured",
        ledger_entry.reference,
    )
    assert (abandoned.status, abandoned.failure_code) == ("failed", "payments.payment_abandoned")
    assert abandoned.response_status == 502
    assert [e["payment_id"] for e in published("payments.PaymentCaptured")] == [str(charged.id)]
    assert [e["payment_id"] for e in published("payments.PaymentFailed")] == [str(lost.id)]
