"""The payments API: who sees what, filters, bad input in the shared error shape."""

from __future__ import annotations

import uuid

import pytest
from rest_framework.test import APIClient

from tests.apps.payments.conftest import PAYMENTS_URL
from tests.factories.orders import OrderFactory
from tests.factories.payments import PaymentFactory, RefundFactory

pytestmark = pytest.mark.django_db


def ids(response):
    return {row["id"] for row in response.json()["results"]}


def test_a_customer_lists_only_their_own_payments(customer, customer_api, other_customer):
    # given
    mine = PaymentFactory(customer_id=customer.id)
    PaymentFactory(customer_id=other_customer.id)
    # when
    response = customer_api.get(PAYMENTS_URL)
    # then
    assert response.status_code == 200
    assert ids(response) == {str(mine.id)}
    assert response.json()["count"] == 1


def test_staff_list_every_payment(staff_api, customer, other_customer):
    a, b = PaymentFactory(customer_id=customer.id), PaymentFactory(customer_id=other_customer.id)
    assert ids(staff_api.get(PAYMENTS_URL)) == {str(a.id), str(b.id)}


def test_the_list_filters_by_status_and_order(customer, customer_api):
    # given
    captured = PaymentFactory(customer_id=customer.id, captured=True)
    failed = PaymentFactory(customer_id=customer.id, status="failed")
    # when / then
    assert ids(customer_api.get(PAYMENTS_URL, {"status": "captured"})) == {str(captured.id)}
    assert ids(customer_api.get(PAYMENTS_URL, {"order_id": str(failed.order_id)})) == {
        str(failed.id)
    }
    assert ids(customer_api.get(PAYMENTS_URL, {"status": "refunded"})) == set()


def test_an_unknown_status_filter_is_a_400(customer_api):
    response = customer_api.get(PAYMENTS_URL, {"status": "stolen"})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_the_list_is_paginated(customer, customer_api):
    PaymentFactory.create_batch(3, customer_id=customer.id)
    response = customer_api.get(PAYMENTS_URL, {"limit": 2})
    assert (response.json()["count"], len(response.json()["results"])) == (3, 2)


def test_a_customer_retrieves_their_payment_with_its_refunds(customer, customer_api):
    # given
    refund = RefundFactory(payment__customer_id=customer.id)
    # when
    response = customer_api.get(f"{PAYMENTS_URL}/{refund.payment.id}")
    # then
    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["status"], body["amount"]) == (
        str(refund.payment.id),
        "refunded",
        "42.50",
    )
    assert [r["id"] for r in body["refunds"]] == [str(refund.id)]


def test_another_customers_payment_is_not_found(customer_api, other_customer):
    theirs = PaymentFactory(customer_id=other_customer.id)
    response = customer_api.get(f"{PAYMENTS_URL}/{theirs.id}")
    assert response.status_code == 404
    assert response.json()["code"] == "payments.payment_not_found"


def test_staff_retrieve_any_payment(staff_api, other_customer):
    theirs = PaymentFactory(customer_id=other_customer.id)
    assert staff_api.get(f"{PAYMENTS_URL}/{theirs.id}").status_code == 200


def test_anonymous_callers_are_refused():
    client = APIClient()
    assert client.get(PAYMENTS_URL).status_code == 401
    response = client.post(PAYMENTS_URL, {}, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"order_id": "not-a-uuid", "payment_token": "tok_success"},
        {"order_id": str(uuid.uuid4())},
        {"order_id": str(uuid.uuid4()), "payment_token": "t" * 101},
    ],
)
def test_an_invalid_body_is_a_400_with_field_details(customer_api, body):
    response = customer_api.post(PAYMENTS_URL, body, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert response.json()["details"]


def test_paying_an_unknown_order_is_a_404(pay):
    response = pay(order_id=uuid.uuid4())
    assert response.status_code == 404
    assert response.json()["code"] == "orders.order_not_found"


def test_paying_the_order_of_another_customer_is_a_404(pay, other_customer):
    theirs = OrderFactory(customer_id=other_customer.id)
    response = pay(order_id=theirs.id)
    assert response.status_code == 404


def test_paying_an_order_that_is_not_pending_is_a_409(pay, customer):
    cancelled = OrderFactory(customer_id=customer.id, status="cancelled")
    response = pay(order_id=cancelled.id)
    assert response.status_code == 409
    assert response.json()["code"] == "payments.order_not_payable"


def test_a_malformed_json_body_is_a_400(customer_api):
    response = customer_api.post(
        PAYMENTS_URL, "{nope", content_type="application/json", HTTP_IDEMPOTENCY_KEY="k"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "malformed_request"


def test_the_list_filters_by_creation_time(customer, customer_api):
    # given
    from datetime import UTC, datetime

    old = PaymentFactory(customer_id=customer.id, created_at=datetime(2026, 1, 1, tzinfo=UTC))
    new = PaymentFactory(customer_id=customer.id, created_at=datetime(2026, 6, 1, tzinfo=UTC))
    # when / then: offsets are honoured (03:00+02:00 is 01:00 UTC)
    after = customer_api.get(PAYMENTS_URL, {"created_after": "2026-03-01T03:00:00+02:00"})
    before = customer_api.get(PAYMENTS_URL, {"created_before": "2026-03-01T00:00:00Z"})
    assert ids(after) == {str(new.id)}
    assert ids(before) == {str(old.id)}


def test_an_offset_postgresql_does_not_know_is_converted_not_a_500(customer_api):
    # PostgreSQL refuses offsets beyond 15:59 that Python accepts
    response = customer_api.get(PAYMENTS_URL, {"created_after": "0164-02-14T06:40:34+20:55"})
    assert response.status_code == 200


@pytest.mark.parametrize("value", ["0001-01-01T00:00:00+05:00", "yesterday"])
def test_an_impossible_creation_time_is_a_400(customer_api, value):
    response = customer_api.get(PAYMENTS_URL, {"created_after": value})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "created_after" in response.json()["details"]
