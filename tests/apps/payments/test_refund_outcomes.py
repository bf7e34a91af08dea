"""Refunds whose answer is unknown, refunds left pending by a crash, and the
retry-safe contract call (``refund_order_payment_v2``)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from apps.payments import refunds
from apps.payments.gateway import RefundRefused, get_gateway
from apps.payments.models import Refund, SandboxRefund
from contracts import get
from contracts.payments import PaymentsService, RefundDeclined, RefundStatus
from tests.apps.payments.conftest import PAYMENTS_URL, published, resolve
from tests.factories.payments import PaymentFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def no_retry_wait(settings):
    settings.PAYMENTS_GATEWAY_RETRY_SECONDS = 0


def captured_with(token: str):
    return PaymentFactory(captured=True, amount=Decimal("30.00"), sandbox_charge__token=token)


def test_a_refund_timeout_is_not_a_decline_and_is_settled_from_the_gateway(staff_api):
    # given: the gateway refunds, but its answers are lost
    payment = captured_with("tok_refund_timeout")
    # when
    response = staff_api.post(f"{PAYMENTS_URL}/{payment.id}/refund", {}, format="json")
    # then: accepted, pending, the payment still captured; nothing published yet
    assert response.status_code == 202, response.content
    assert response.json()["status"] == "pending"
    refund = Refund.objects.get()
    assert (refund.status, refund.failure_code) == ("pending", "")
    payment.refresh_from_db()
    assert payment.status == "captured"
    assert published("payments.RefundFailed") == []
    # when: the resolver asks the gateway for the refund by its key
    assert resolve() == {"refund succeeded": 1}
    # then
    refund.refresh_from_db()
    payment.refresh_from_db()
    assert (refund.status, payment.status) == ("succeeded", "refunded")
    assert len(published("payments.PaymentRefunded")) == 1
    assert SandboxRefund.objects.count() == 1


def test_a_refund_left_pending_by_a_crash_is_made_once_by_the_resolver():
    # given: the claim committed, then the process died before asking the gateway
    payment = captured_with("tok_success")
    refund = refunds.refund_claim(payment_id=payment.id, reason="crash")
    # when
    assert resolve() == {"refund succeeded": 1}
    # then: asked with the refund's own key, once
    ledger = SandboxRefund.objects.get()
    assert (ledger.idempotency_key, ledger.attempts) == (str(refund.id), 1)
    payment.refresh_from_db()
    assert payment.status == "refunded"


def test_a_refund_refused_before_a_crash_is_settled_failed_and_announced():
    # given: the gateway refused, and the process died before recording it
    payment = captured_with("tok_refund_refused")
    refund = refunds.refund_claim(payment_id=payment.id, reason="crash", idempotency_key="k-1")
    with pytest.raises(RefundRefused):
        get_gateway().refund(
            charge_reference=payment.gateway_reference,
            amount=refund.amount,
            currency=refund.currency,
            idempotency_key=str(refund.id),
        )
    # when
    assert resolve() == {"refund failed": 1}
    # then
    refund.refresh_from_db()
    assert (refund.status, refund.failure_code) == ("failed", "refund_refused")
    [event] = published("payments.RefundFailed")
    assert (event["refund_id"], event["idempotency_key"]) == (str(refund.id), "k-1")
    payment.refresh_from_db()
    assert payment.status == "captured"


def test_a_retried_contract_call_with_the_same_key_refunds_once():
    # given
    payment = captured_with("tok_success")
    service = get(PaymentsService)
    # when: the call is repeated (its answer was lost on the way back)
    first = service.refund_order_payment_v2(
        order_id=payment.order_id, reason="cancel", idempotency_key="cancel-1"
    )
    again = service.refund_order_payment_v2(
        order_id=payment.order_id, reason="cancel", idempotency_key="cancel-1"
    )
    # then: the same refund, money moved once, one event
    assert again == first
    assert first.status is RefundStatus.SUCCEEDED
    ledger = SandboxRefund.objects.get()
    assert ledger.attempts == 1
    assert Refund.objects.count() == 1
    assert len(published("payments.PaymentRefunded")) == 1


def test_a_retried_call_while_the_answer_is_unknown_asks_the_gateway_with_the_same_key(settings):
    # given: three attempts per call at the gateway
    settings.PAYMENTS_GATEWAY_ATTEMPTS = 3
    payment = captured_with("tok_refund_timeout")
    service = get(PaymentsService)
    first = service.refund_order_payment_v2(
        order_id=payment.order_id, reason="cancel", idempotency_key="cancel-1"
    )
    again = service.refund_order_payment_v2(
        order_id=payment.order_id, reason="cancel", idempotency_key="cancel-1"
    )
    assert first.status is again.status is RefundStatus.PENDING
    assert again.refund_id == first.refund_id
    ledger = SandboxRefund.objects.get()  # one refund at the gateway, asked 2 x 3 times
    assert ledger.attempts == 6


def test_a_retried_declined_call_is_declined_again_without_asking_the_gateway():
    payment = captured_with("tok_refund_refused")
    service = get(PaymentsService)
    for _ in range(2):
        with pytest.raises(RefundDeclined):
            service.refund_order_payment_v2(
                order_id=payment.order_id, reason="cancel", idempotency_key="cancel-1"
            )
    assert SandboxRefund.objects.get().attempts == 1
    assert len(published("payments.RefundFailed")) == 1
