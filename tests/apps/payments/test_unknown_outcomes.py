"""A gateway answer that never came is not a failure: the payment stays pending, is
retried with the same key, and is settled from the gateway's own record."""

from __future__ import annotations

import pytest

from apps.orders.models import Order
from apps.payments import services, tasks
from apps.payments.error_codes import PaymentAbandoned
from apps.payments.models import Payment, Refund, SandboxCharge, SandboxRefund
from apps.payments.sandbox import SandboxGateway
from contracts.orders import OrderForPayment, OrderStatus
from tests.apps.payments.conftest import net_charged, published, resolve

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def no_retry_wait(settings):
    settings.PAYMENTS_GATEWAY_RETRY_SECONDS = 0


def test_an_answer_lost_once_is_retried_with_the_same_gateway_key(pay, order):
    # when: the gateway charged but its first answer was lost
    response = pay(key="flaky", token="tok_flaky")
    # then: the retry with the same gateway key got the charge: one charge, two attempts
    assert response.status_code == 201
    [charge] = SandboxCharge.objects.all()
    assert (charge.idempotency_key, charge.attempts) == (response.json()["id"], 2)
    order.refresh_from_db()
    assert order.status == "paid"


def test_a_charge_whose_answers_are_all_lost_is_settled_captured_from_the_gateway(
    pay, order, settings
):
    # given: the gateway charged; every answer (3 attempts) was lost
    settings.PAYMENTS_GATEWAY_ATTEMPTS = 3
    response = pay(key="lost", token="tok_timeout_after_charge")
    assert response.status_code == 202
    assert SandboxCharge.objects.get().attempts == 3
    payment = Payment.objects.get()
    assert payment.status == "pending"
    # when: the resolver asks the gateway
    assert resolve() == {"payment captured": 1}
    # then: captured, the order paid, and the same key now replays the final answer
    payment.refresh_from_db()
    assert payment.status == "captured"
    order.refresh_from_db()
    assert order.status == "paid"
    replay = pay(key="lost", token="tok_timeout_after_charge")
    assert (replay.status_code, replay.json()["status"]) == (201, "captured")
    assert SandboxCharge.objects.get().attempts == 3  # the replay did not ask the gateway


@pytest.mark.parametrize("token", ["tok_timeout", "tok_unreachable"])
def test_a_charge_never_made_is_settled_failed_and_then_the_order_is_payable(pay, order, token):
    # given: a timeout, or a connection that broke off: the outcome is unknown
    first = pay(key="first", token=token)
    assert (first.status_code, first.json()["status"]) == (202, "pending")
    assert pay(key="other", token="tok_success").status_code == 409  # still held
    # when
    assert resolve() == {"payment failed": 1}
    # then
    payment = Payment.objects.get()
    assert (payment.status, payment.failure_code) == ("failed", PaymentAbandoned.code)
    assert pay(key="first", token=token).status_code == 502  # the settled answer
    assert pay(key="second", token="tok_success").status_code == 201
    order.refresh_from_db()
    assert order.status == "paid"
    assert net_charged(order_id=order.id) == order.total


def test_the_beat_task_settles_unknown_payments(pay, order, settings):
    # given
    settings.PAYMENTS_RESOLVE_AFTER_SECONDS = 0
    pay(key="lost", token="tok_timeout_after_charge")
    # when: the Celery beat task runs (eager in the embedded default)
    counts = tasks.resolve.delay().get()
    # then
    assert counts == {"payment captured": 1}
    order.refresh_from_db()
    assert order.status == "paid"
    assert "payments.resolve" in {e["task"] for e in settings.CELERY_BEAT_SCHEDULE.values()}


def test_a_charge_that_lands_after_the_payment_was_settled_failed_is_refunded(pay, order):
    # given: the gateway answers nothing and charges only later; the resolver finds no
    # charge and settles the payment failed; the customer pays again with a new key
    assert pay(key="late", token="tok_late").status_code == 202
    assert resolve() == {"payment failed": 1}
    assert pay(key="again", token="tok_success").status_code == 201
    # when: the late charge lands, and the resolver asks about abandoned payments again
    assert SandboxGateway.land_late_charges() == 1
    counts = resolve()
    # then: the late capture was refunded automatically, with its own event and history
    assert counts == {"late capture compensated": 1}
    late = Payment.objects.get(idempotency_key="late")
    assert late.status == "refunded"
    [refund] = late.refunds.all()
    assert (refund.status, refund.compensation) == (Refund.Status.SUCCEEDED, True)
    [event] = published("payments.CaptureCompensated")
    assert event["payment_id"] == str(late.id)
    order.refresh_from_db()
    assert order.status == "paid"
    assert list(order.history.values_list("kind", "payment_id")) == [
        ("capture_compensated", late.id)
    ]
    # and the customer paid the total once
    assert net_charged(order_id=order.id) == order.total
    assert resolve() == {}  # nothing left to do


def test_a_capture_recorded_after_the_resolver_gave_up_is_refunded(order):
    # given: a request in flight (claimed, gateway not answered yet) is settled as
    # abandoned by the resolver, which finds no charge yet
    payment = services.payment_claim(
        order=_for_payment(order), idempotency_key="in-flight", request_fingerprint="x"
    )
    services.payment_resolve_stuck(payment_id=payment.id)
    # when: the request's gateway call comes back with a capture
    settled = services.payment_settle_charge(payment=payment, payment_token="tok_success")
    # then: the first outcome stands for the API, and the money went back
    assert (settled.status, settled.failure_code) == ("failed", PaymentAbandoned.code)
    settled.refresh_from_db()
    assert settled.status == "refunded"
    assert SandboxRefund.objects.get().charge.idempotency_key == str(payment.id)
    assert published("payments.PaymentCaptured") == []
    assert len(published("payments.CaptureCompensated")) == 1
    assert net_charged(order_id=order.id) == 0


def _for_payment(order: Order) -> OrderForPayment:
    return OrderForPayment(
        order_id=order.id,
        customer_id=order.customer_id,
        amount=order.total,
        currency=order.currency,
        status=OrderStatus(order.status),
    )
