"""Cancelling a paid order: a refund asked of payments by contract, the state by event.

These run the monolith for real — the orders and payments APIs, the sandbox
gateway, events delivered after each commit — so they commit (transaction=True).
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from uuid import UUID

import pytest
from django.db import transaction
from django.urls import reverse
from rest_framework.test import APIClient

from apps.orders.models import Product
from contracts.payments import (
    NothingToRefund,
    OrderRefundDTO,
    PaymentsService,
    PaymentStatusDTO,
    RefundDTO,
    RefundStatus,
)
from contracts.services import registry
from extraction.models import OutboxEvent
from tests.apps.orders.conftest import place_and_pay
from tests.factories.users import sign_in_to_admin

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def stock() -> int:
    return Product.objects.get(sku="TEE").stock


def test_a_captured_payment_pays_the_order(shopper, tee):
    order = place_and_pay(shopper, "tok_success")
    assert order.status == "paid"
    assert order.payment_id is not None
    assert OutboxEvent.objects.filter(name="orders.OrderPaid").count() == 1


def test_a_declined_payment_is_recorded_and_the_order_stays_payable(shopper, tee):
    order = place_and_pay(shopper, "tok_decline", paid_with=(402,))
    assert order.status == "pending_payment"
    assert "declined" in order.last_payment_failure_code
    assert order.last_payment_failed_at is not None
    assert shopper.get(f"/api/v1/orders/{order.id}").json()["last_payment_failure"] is not None


def test_cancelling_a_paid_order_refunds_it_and_releases_the_stock(shopper, tee):
    # given
    order = place_and_pay(shopper, "tok_success")
    assert (order.status, stock()) == ("paid", 8)
    # when
    response = shopper.post(
        f"/api/v1/orders/{order.id}/cancel", {"reason": "no longer needed"}, format="json"
    )
    # then: the refund event arrived before the answer (in-process delivery after commit)
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "refunded"
    assert stock() == 10
    assert OutboxEvent.objects.filter(name="payments.PaymentRefunded").count() == 1
    assert OutboxEvent.objects.filter(name="orders.OrderRefunded").count() == 1


def test_a_declined_refund_is_reported_to_the_customer_and_the_order_stays_paid(shopper, tee):
    # given: a card whose refunds the sandbox refuses
    order = place_and_pay(shopper, "tok_refund_refused")
    assert order.status == "paid"
    # when
    response = shopper.post(f"/api/v1/orders/{order.id}/cancel")
    # then
    assert response.status_code == 502, response.content
    assert response.json()["code"] == "payments.refund_declined"
    order.refresh_from_db()
    assert (order.status, stock()) == ("paid", 8)


def test_the_admin_cancel_action_refunds_a_paid_order(shopper, tee, staff, client):
    # given
    order = place_and_pay(shopper, "tok_success")
    sign_in_to_admin(client, staff)
    # when
    client.post(
        reverse("admin:orders_order_changelist"),
        {"action": "cancel_selected", "_selected_action": [order.pk]},
    )
    # then
    order.refresh_from_db()
    assert (order.status, stock()) == ("refunded", 10)


class RecordingPayments(PaymentsService):
    """Stands in for payments to watch how orders calls the contract."""

    calls: list[tuple[UUID, str, bool]] = []

    def get_payment_status(self, *, payment_id: UUID) -> PaymentStatusDTO:
        raise AssertionError("not used by orders")

    def refund_order_payment(self, *, order_id: UUID, reason: str) -> RefundDTO:
        raise AssertionError("orders asks version 2, with an idempotency key")

    def refund_order_payment_v2(
        self, *, order_id: UUID, reason: str, idempotency_key: str
    ) -> OrderRefundDTO:
        in_transaction = transaction.get_connection().in_atomic_block
        RecordingPayments.calls.append((order_id, reason, in_transaction))
        raise NothingToRefund(details={"order_id": str(order_id)})


@pytest.fixture
def recording_payments():
    real = type(registry.get(PaymentsService))
    RecordingPayments.calls = []
    registry.provide(PaymentsService, RecordingPayments, replace=True)
    yield RecordingPayments
    registry.provide(PaymentsService, real, replace=True)


def test_the_refund_is_asked_outside_any_transaction_and_its_error_reaches_the_caller(
    recording_payments, staff, paid_order
):
    # given
    client = APIClient()
    client.force_authenticate(staff)
    # when
    response = client.post(
        f"/api/v1/orders/{paid_order.id}/cancel", {"reason": "fraud"}, format="json"
    )
    # then
    assert response.status_code == 409
    assert response.json()["code"] == "payments.nothing_to_refund"
    assert recording_payments.calls == [(paid_order.id, "fraud", False)]
    paid_order.refresh_from_db()
    assert paid_order.status == "paid"


class AcceptingPayments(RecordingPayments):
    """Payments as a separate service: the refund is accepted, its event comes later."""

    def refund_order_payment_v2(
        self, *, order_id: UUID, reason: str, idempotency_key: str
    ) -> OrderRefundDTO:
        return OrderRefundDTO(
            refund_id=uuid.uuid4(),
            payment_id=uuid.uuid4(),
            order_id=order_id,
            amount=Decimal("39.98"),
            currency="EUR",
            status=RefundStatus.SUCCEEDED,
            gateway_reference="re_later",
        )


def test_a_refund_accepted_before_its_event_arrives_is_a_202_with_the_refund_requested(
    recording_payments, shopper, paid_order
):
    # given
    registry.provide(PaymentsService, AcceptingPayments, replace=True)
    # when
    response = shopper.post(f"/api/v1/orders/{paid_order.id}/cancel", format="json")
    # then
    assert response.status_code == 202, response.content
    assert response.json()["status"] == "refund_requested"
