"""A refund and a fulfilment of one paid order: exactly one wins, under the order's lock.

Cancelling a paid order takes ``refund_requested`` before payments is asked; a
fulfilment then loses with 409 ``orders.refund_in_progress``, and a cancel after
a fulfilment loses with 409 ``orders.illegal_transition`` with no money moved.
"""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta

import pytest
from django.db import close_old_connections
from rest_framework.test import APIClient

from apps.orders import payment_transitions, services
from apps.orders.error_codes import IllegalTransition, RefundInProgress
from apps.orders.models import Order, Product
from apps.orders.tasks import retry_refund_requests
from apps.payments import resolution
from apps.payments.models import SandboxRefund
from contracts.payments import RefundDeclined
from tests.factories.users import UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def no_retry_wait(settings):
    settings.PAYMENTS_GATEWAY_RETRY_SECONDS = 0


@pytest.fixture
def shopper(customer):
    client = APIClient()
    client.force_authenticate(customer)
    return client


@pytest.fixture
def staff_api():
    client = APIClient()
    client.force_authenticate(UserFactory(is_staff=True, is_superuser=True))
    return client


def paid(client: APIClient, token: str = "tok_success") -> Order:
    placed = client.post(
        "/api/v1/orders", {"lines": [{"sku": "TEE", "quantity": 2}]}, format="json"
    )
    order_id = placed.json()["id"]
    paid = client.post(
        "/api/v1/payments",
        {"order_id": order_id, "payment_token": token},
        format="json",
        HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
    )
    assert paid.status_code == 201, paid.content
    return Order.objects.get(pk=order_id)


def history(order: Order) -> list[str]:
    return list(order.history.values_list("kind", flat=True))


def test_a_fulfilment_after_the_refund_was_requested_loses_with_409(shopper, staff_api, tee):
    # given: a refund asked, its answer unknown (the gateway refunds, the answer is lost)
    order = paid(shopper, "tok_refund_timeout")
    cancel = shopper.post(f"/api/v1/orders/{order.id}/cancel", format="json")
    assert cancel.status_code == 202, cancel.content
    assert cancel.json()["status"] == "refund_requested"
    # when
    fulfil = staff_api.post(f"/api/v1/orders/{order.id}/fulfil")
    # then
    assert fulfil.status_code == 409
    assert fulfil.json()["code"] == "orders.refund_in_progress"
    # and once the refund is settled from the gateway's record, the order is refunded
    resolution.resolve_all(
        older_than=timedelta(0), late_capture_window=timedelta(hours=1), limit=10
    )
    order.refresh_from_db()
    assert order.status == "refunded"
    assert Product.objects.get(sku="TEE").stock == 10
    assert history(order) == ["refund_requested"]


def test_a_cancel_after_the_fulfilment_loses_with_409_and_moves_no_money(shopper, staff_api, tee):
    order = paid(shopper)
    assert staff_api.post(f"/api/v1/orders/{order.id}/fulfil").status_code == 200
    cancel = shopper.post(f"/api/v1/orders/{order.id}/cancel", format="json")
    assert cancel.status_code == 409
    assert cancel.json()["code"] == "orders.illegal_transition"
    assert SandboxRefund.objects.count() == 0
    order.refresh_from_db()
    assert order.status == "fulfilled"


def test_a_declined_refund_puts_the_order_back_to_paid_with_history(shopper, tee):
    order = paid(shopper, "tok_refund_refused")
    response = shopper.post(f"/api/v1/orders/{order.id}/cancel", format="json")
    assert response.status_code == 502
    assert response.json()["code"] == "payments.refund_declined"
    order.refresh_from_db()
    assert (order.status, order.refund_key) == ("paid", "")
    assert history(order) == ["refund_requested", "refund_declined"]
    # fulfilment is possible again
    services.order_fulfil(order_id=order.id)


def test_a_retried_cancel_asks_again_with_the_same_key_and_refunds_once(shopper, tee):
    # given: the first cancel's refund answer is unknown
    order = paid(shopper, "tok_refund_timeout")
    shopper.post(f"/api/v1/orders/{order.id}/cancel", format="json")
    order.refresh_from_db()
    key = order.refund_key
    # when: the customer presses cancel again
    again = shopper.post(f"/api/v1/orders/{order.id}/cancel", format="json")
    # then: the same refund asked again, one refund at the gateway
    assert again.status_code == 202
    order.refresh_from_db()
    assert (order.status, order.refund_key) == ("refund_requested", key)
    assert SandboxRefund.objects.count() == 1


def test_concurrent_cancel_and_fulfil_never_both_win(shopper, tee):
    # given: several paid orders, each cancelled and fulfilled at once by two threads
    for _ in range(4):
        order = paid(shopper)
        results: dict[str, object] = {}
        start = threading.Barrier(2)

        def run(name: str, action, order_id=order.id, results=results, start=start) -> None:
            try:
                start.wait()
                action(order_id)
                results[name] = "won"
            except (IllegalTransition, RefundInProgress, RefundDeclined) as exc:
                results[name] = exc.code
            finally:
                close_old_connections()

        threads = [
            threading.Thread(
                target=run,
                args=(
                    "cancel",
                    lambda oid: payment_transitions.order_request_cancellation(
                        order_id=oid, reason="race"
                    ),
                ),
            ),
            threading.Thread(
                target=run, args=("fulfil", lambda oid: services.order_fulfil(order_id=oid))
            ),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        # then: exactly one won; the order and the money agree
        order.refresh_from_db()
        refunded = SandboxRefund.objects.filter(
            charge__idempotency_key=str(order.payment_id), outcome="succeeded"
        ).exists()
        assert sorted(results.values()).count("won") == 1, results
        if results["cancel"] == "won":
            assert (order.status, refunded) == ("refunded", True)
            assert results["fulfil"] in ("orders.refund_in_progress", "orders.illegal_transition")
        else:
            assert (order.status, refunded) == ("fulfilled", False)
            assert results["cancel"] == "orders.illegal_transition"


def test_a_refund_request_lost_in_transit_is_asked_again_by_the_beat_task(shopper, tee, settings):
    # given: the order took refund_requested, but the refund call never reached payments
    order = paid(shopper)
    payment_transitions.order_refund_request(order_id=order.id, reason="lost call")
    settings.ORDERS_REFUND_RETRY_AFTER_SECONDS = 0
    # when: the beat task runs (eager in the embedded default)
    counts = retry_refund_requests.delay().get()
    # then: asked again with the order's key: refunded, once
    assert counts == {"refunded": 1}
    order.refresh_from_db()
    assert order.status == "refunded"
    assert SandboxRefund.objects.count() == 1
    assert retry_refund_requests.delay().get() == {}
