"""Concurrent payment requests on PostgreSQL: threads, each with its own connection."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from rest_framework.test import APIClient

from apps.payments.models import Payment, SandboxCharge
from tests.apps.payments.conftest import PAYMENTS_URL

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

REQUESTS = 20


def post_concurrently(user, bodies_and_keys):
    """POST every (body, key) at the same moment from its own thread and connection."""
    barrier = threading.Barrier(len(bodies_and_keys))

    def post(body_and_key):
        body, key = body_and_key
        client = APIClient()
        client.force_authenticate(user)
        try:
            barrier.wait(timeout=30)
            response = client.post(PAYMENTS_URL, body, format="json", HTTP_IDEMPOTENCY_KEY=key)
            return (
                response.status_code,
                response.json(),
                response.headers.get("Idempotent-Replayed"),
            )
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(bodies_and_keys)) as pool:
        return list(pool.map(post, bodies_and_keys))


def test_twenty_concurrent_requests_with_one_key_charge_once_and_get_one_answer(customer, order):
    # given: a slow charge (0.5 s), so the duplicates arrive while the first is in flight
    body = {"order_id": str(order.id), "payment_token": "tok_slow"}
    # when
    answers = post_concurrently(customer, [(body, "one-key")] * REQUESTS)
    # then: one payment, one gateway charge, asked for once
    payment = Payment.objects.get()
    charge = SandboxCharge.objects.get()
    assert (payment.status, charge.attempts) == ("captured", 1)
    assert payment.gateway_reference == charge.reference
    # and every request got the same answer, the first one and 19 replays of it
    assert {status for status, _, _ in answers} == {201}
    assert all(answer_body == answers[0][1] for _, answer_body, _ in answers)
    assert answers[0][1]["id"] == str(payment.id)
    assert sorted(str(replayed) for _, _, replayed in answers) == ["None"] + ["true"] * 19


def test_twenty_concurrent_requests_with_different_keys_charge_the_order_once(customer, order):
    # given
    body = {"order_id": str(order.id), "payment_token": "tok_slow"}
    # when
    answers = post_concurrently(customer, [(body, f"key-{n}") for n in range(REQUESTS)])
    # then
    statuses = sorted(status for status, _, _ in answers)
    assert statuses == [201] + [409] * (REQUESTS - 1)
    assert {answer_body["code"] for status, answer_body, _ in answers if status == 409} == {
        "payments.order_not_payable"
    }
    assert Payment.objects.get().status == "captured"
    assert SandboxCharge.objects.count() == 1
