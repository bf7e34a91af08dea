"""Refunds: one service behind the contract, the staff API and the admin action."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext

from apps.payments import refunds
from apps.payments.models import Payment, Refund, SandboxRefund
from contracts import get
from contracts.payments import (
    NothingToRefund,
    PaymentNotFound,
    PaymentsService,
    RefundDeclined,
    RefundDTO,
)
from tests.apps.payments.conftest import PAYMENTS_URL, published
from tests.factories.payments import PaymentFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def captured():
    return PaymentFactory(captured=True, amount=Decimal("30.00"))


def test_a_refund_returns_the_money_and_publishes(captured):
    # when
    refund = refunds.payment_refund(payment_id=captured.id, reason="damaged")
    # then
    captured.refresh_from_db()
    assert captured.status == "refunded"
    assert (refund.status, refund.amount, refund.currency, refund.reason) == (
        "succeeded",
        Decimal("30.00"),
        "EUR",
        "damaged",
    )
    ledger = SandboxRefund.objects.get()
    assert (ledger.reference, ledger.charge.reference) == (
        refund.gateway_reference,
        captured.gateway_reference,
    )
    (event,) = published("payments.PaymentRefunded")
    assert (event["payment_id"], event["order_id"], event["amount"]) == (
        str(captured.id),
        str(captured.order_id),
        "30.00",
    )


def test_the_contract_refunds_the_captured_payment_of_an_order(captured):
    # given: an earlier failed attempt on the same order does not count
    PaymentFactory(order_id=captured.order_id, status="failed")
    # when
    result = get(PaymentsService).refund_order_payment(order_id=captured.order_id, reason="cancel")
    # then
    refund = Refund.objects.get()
    assert result == RefundDTO(
        refund_id=refund.id,
        payment_id=captured.id,
        order_id=captured.order_id,
        amount=Decimal("30.00"),
        currency="EUR",
        gateway_reference=refund.gateway_reference,
    )
    assert Payment.objects.get(id=captured.id).status == "refunded"


@pytest.mark.parametrize("status", ["pending", "failed", "refunded"])
def test_an_order_without_a_captured_payment_has_nothing_to_refund(status):
    payment = PaymentFactory(status=status)
    with pytest.raises(NothingToRefund) as raised:
        get(PaymentsService).refund_order_payment(order_id=payment.order_id, reason="x")
    assert raised.value.code == "payments.nothing_to_refund"
    with pytest.raises(NothingToRefund):
        refunds.payment_refund(payment_id=payment.id, reason="x")
    assert Refund.objects.count() == 0


def test_an_unknown_order_has_nothing_to_refund():
    with pytest.raises(NothingToRefund):
        get(PaymentsService).refund_order_payment(order_id=uuid.uuid4(), reason="x")


def test_refunding_twice_refunds_once(captured):
    refunds.payment_refund(payment_id=captured.id, reason="first")
    with pytest.raises(NothingToRefund):
        refunds.payment_refund(payment_id=captured.id, reason="second")
    assert SandboxRefund.objects.count() == 1
    assert len(published("payments.PaymentRefunded")) == 1


def test_a_refund_the_gateway_refuses_is_reported_and_kept():
    # given: a card whose refunds the processor refuses
    refused = PaymentFactory(captured=True, sandbox_charge__token="tok_refund_refused")
    # when
    with pytest.raises(RefundDeclined) as raised:
        get(PaymentsService).refund_order_payment(order_id=refused.order_id, reason="x")
    # then
    assert raised.value.http_status == 502
    assert raised.value.details["decline_code"] == "refund_refused"
    attempt = Refund.objects.get()
    assert (attempt.status, attempt.failure_code) == ("failed", "refund_refused")
    refused.refresh_from_db()
    assert refused.status == "captured"
    assert published("payments.PaymentRefunded") == []


def test_after_a_refused_refund_another_attempt_may_succeed(captured):
    # given: the ledger lost the charge once (the processor refused), then it is back
    reference = captured.gateway_reference
    Payment.objects.filter(id=captured.id).update(gateway_reference="sbx_ch_unknown")
    with pytest.raises(RefundDeclined):
        refunds.payment_refund(payment_id=captured.id, reason="first try")
    Payment.objects.filter(id=captured.id).update(gateway_reference=reference)
    # when
    refund = refunds.payment_refund(payment_id=captured.id, reason="second try")
    # then
    assert refund.status == "succeeded"
    assert sorted(Refund.objects.values_list("status", flat=True)) == ["failed", "succeeded"]


def test_staff_refund_through_the_api(staff_api, captured):
    # when
    response = staff_api.post(
        f"{PAYMENTS_URL}/{captured.id}/refund", {"reason": "goodwill"}, format="json"
    )
    # then
    assert response.status_code == 201
    body = response.json()
    assert (body["payment_id"], body["status"], body["amount"], body["reason"]) == (
        str(captured.id),
        "succeeded",
        "30.00",
        "goodwill",
    )
    again = staff_api.post(f"{PAYMENTS_URL}/{captured.id}/refund", {}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "payments.nothing_to_refund")


def test_a_refused_refund_through_the_api_is_a_502(staff_api):
    refused = PaymentFactory(captured=True, sandbox_charge__token="tok_refund_refused")
    response = staff_api.post(f"{PAYMENTS_URL}/{refused.id}/refund", {}, format="json")
    assert response.status_code == 502
    assert response.json()["code"] == "payments.refund_declined"


def test_refunding_an_unknown_payment_through_the_api_is_a_404(staff_api):
    response = staff_api.post(f"{PAYMENTS_URL}/{uuid.uuid4()}/refund", {}, format="json")
    assert (response.status_code, response.json()["code"]) == (404, "payments.payment_not_found")


def test_customers_cannot_refund_even_their_own_payment(customer, customer_api, other_customer):
    mine = PaymentFactory(captured=True, customer_id=customer.id)
    theirs = PaymentFactory(captured=True, customer_id=other_customer.id)
    for payment in (mine, theirs):
        response = customer_api.post(f"{PAYMENTS_URL}/{payment.id}/refund", {}, format="json")
        assert (response.status_code, response.json()["code"]) == (403, "permission_denied")
    assert Refund.objects.count() == 0


def test_refund_of_an_unknown_payment_is_not_found():
    with pytest.raises(PaymentNotFound):
        refunds.payment_refund(payment_id=uuid.uuid4(), reason="x")


def test_a_keyless_refund_that_loses_the_claim_race_has_nothing_to_refund(captured, monkeypatch):
    # given: an earlier keyless refund of another payment, and a claim that loses to a
    # concurrent one (the partial unique constraint of pending refunds)
    refunds.payment_refund(payment_id=PaymentFactory(captured=True).id, reason="earlier")

    def lose(**kwargs):
        raise IntegrityError("refund_one_pending_per_payment")

    monkeypatch.setattr(refunds, "refund_claim", lose)
    # when
    with CaptureQueriesContext(connection) as queries, pytest.raises(NothingToRefund):
        refunds.payment_refund(payment_id=captured.id, reason="race")
    # then: no refund is looked up by a missing key (IS NULL would match the earlier one)
    assert [q["sql"] for q in queries.captured_queries] == []


def test_a_refund_for_an_order_with_a_new_key_looks_the_key_up_once(captured):
    # when
    with CaptureQueriesContext(connection) as queries:
        refund = refunds.payment_refund_for_order(
            order_id=captured.order_id, reason="cancel", idempotency_key="order-refund-1"
        )
    # then
    assert refund.status == "succeeded"
    by_key = [
        q["sql"]
        for q in queries.captured_queries
        if '"payments_refund"."idempotency_key" =' in q["sql"]
    ]
    assert len(by_key) == 1, by_key
