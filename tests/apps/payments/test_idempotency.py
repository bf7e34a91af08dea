"""Idempotency-Key: one charge per key, the same answer to every retry, a clash refused."""

from __future__ import annotations

import pytest

from apps.orders import selectors as orders_selectors
from apps.payments.idempotency import request_fingerprint
from apps.payments.models import Payment, SandboxCharge
from contracts.errors import ServiceUnavailable
from tests.factories.orders import OrderFactory
from tests.factories.payments import PaymentFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_the_same_key_and_body_get_the_same_answer_and_one_charge(pay):
    # given
    first = pay(key="retry-me")
    # when
    second = pay(key="retry-me")
    # then
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert "Idempotent-Replayed" not in first.headers
    assert second.headers["Idempotent-Replayed"] == "true"
    assert Payment.objects.count() == 1
    charge = SandboxCharge.objects.get()
    assert charge.attempts == 1  # the gateway was asked once


def test_a_failed_answer_is_replayed_too_and_never_charged_again(pay):
    first = pay(key="declined", token="tok_decline")
    second = pay(key="declined", token="tok_decline")
    assert first.status_code == second.status_code == 402
    assert second.json() == first.json()
    assert first.json()["code"] == "payments.card_declined"
    assert SandboxCharge.objects.get().attempts == 1


def test_a_timeout_answers_202_pending_replayed_and_a_new_key_cannot_charge_again(pay, order):
    # when: the gateway never answers (three attempts with the same key)
    response = pay(key="slow-gateway", token="tok_timeout")
    # then: not a failure; the payment still holds the order
    assert response.status_code == 202
    assert response.json()["status"] == "pending"
    assert Payment.objects.get().status == "pending"
    # a retry with the same key gets the same answer, without another charge
    again = pay(key="slow-gateway", token="tok_timeout")
    assert (again.status_code, again.json()) == (202, response.json())
    assert again["Idempotent-Replayed"] == "true"
    # a new key cannot charge the order while the outcome is unknown
    other = pay(key="another-key", token="tok_success")
    assert other.status_code == 409
    assert other.json()["code"] == "payments.order_not_payable"
    assert SandboxCharge.objects.count() == 0


def test_a_retry_replays_even_after_the_order_was_paid(pay, order):
    # given: the first request paid the order (its status no longer allows a payment)
    first = pay(key="paid")
    order.refresh_from_db()
    type(order).objects.filter(id=order.id).update(status="paid")
    # when
    again = pay(key="paid")
    # then
    assert (again.status_code, again.json()) == (201, first.json())


def test_a_retry_is_answered_from_its_key_while_orders_is_unavailable(pay, order, monkeypatch):
    # given: the first request paid; then the orders service stops answering
    first = pay(key="paid-then-down")

    def unavailable(**kwargs):
        raise ServiceUnavailable(details={"retry_after_seconds": 7})

    # (behind OrdersService.get_order_for_payment, as a remote call failing would)
    monkeypatch.setattr(orders_selectors, "order_get", unavailable)
    # when: the client retries with the same key, and another client with a new key
    again = pay(key="paid-then-down")
    fresh = pay(key="new-key")
    # then: the retry gets the stored answer; a first request cannot go on without orders
    assert (again.status_code, again.json()) == (201, first.json())
    assert again.headers["Idempotent-Replayed"] == "true"
    assert (fresh.status_code, fresh.json()["code"]) == (503, "service_unavailable")
    assert fresh.headers["Retry-After"] == "7"
    assert Payment.objects.count() == 1


@pytest.mark.parametrize("change", ["token", "order"])
def test_the_same_key_with_another_body_is_refused_with_422(pay, customer, change):
    # given
    pay(key="reused")
    other_order = OrderFactory(customer_id=customer.id)
    # when
    response = (
        pay(key="reused", token="tok_visa")
        if change == "token"
        else pay(key="reused", order_id=other_order.id)
    )
    # then
    assert response.status_code == 422
    assert response.json()["code"] == "payments.idempotency_key_reused"
    assert Payment.objects.count() == 1
    assert SandboxCharge.objects.count() == 1


@pytest.mark.parametrize("key", [None, "", "   ", "k" * 256])
def test_a_missing_or_invalid_key_is_a_400(pay, key):
    response = pay(key=key)
    assert response.status_code == 400
    assert response.json()["code"] == "payments.idempotency_key_required"
    assert Payment.objects.count() == 0


def test_a_retry_while_the_first_request_is_in_flight_gets_409_after_waiting(pay, order, settings):
    # given: the first request claimed the key and has not answered yet
    settings.PAYMENTS_IDEMPOTENCY_WAIT_SECONDS = 0.2
    PaymentFactory(
        order_id=order.id,
        customer_id=order.customer_id,
        idempotency_key="in-flight",
        request_fingerprint=request_fingerprint(order_id=order.id, payment_token="tok_success"),
    )
    # when
    response = pay(key="in-flight")
    # then
    assert response.status_code == 409
    assert response.json()["code"] == "payments.request_in_progress"
    assert SandboxCharge.objects.count() == 0


def test_keys_belong_to_one_customer(pay, other_customer):
    # given: another customer's order, paid with the same key text
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(other_customer)
    other_order = OrderFactory(customer_id=other_customer.id)
    # when
    mine = pay(key="shared-text")
    theirs = pay(key="shared-text", order_id=other_order.id, client=client)
    # then
    assert mine.status_code == theirs.status_code == 201
    assert mine.json()["id"] != theirs.json()["id"]
    assert SandboxCharge.objects.count() == 2


def test_the_same_body_written_differently_is_the_same_request(pay, customer_api, order):
    # given
    first = pay(key="canonical")
    # when: the order id in upper case, the keys in another order, extra whitespace
    raw = f'{{ "payment_token": "tok_success",  "order_id": "{str(order.id).upper()}" }}'
    again = customer_api.post(
        "/api/v1/payments", raw, content_type="application/json", HTTP_IDEMPOTENCY_KEY="canonical"
    )
    # then
    assert (again.status_code, again.json()) == (201, first.json())
    assert SandboxCharge.objects.get().attempts == 1
