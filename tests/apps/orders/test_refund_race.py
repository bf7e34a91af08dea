"""A refund and a fulfilment of one paid order: exactly one wins, under the order's lock.

Cancelling a paid order takes ``refund_requested`` before payments is asked; a
fulfilment then loses with 409 ``orders.refund_in_progress``, and a cancel after
a fulfilment loses with 409 ``orders.illegal_transition`` with no money moved.
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection, transaction
from rest_framework.test import APIClient

from apps.orders import payment_transitions, services
from apps.orders.error_codes import IllegalTransition, RefundInProgress
from apps.orders.models import Order, Product
from apps.orders.tasks import retry_refund_requests
from apps.payments import resolution
from apps.payments.models import SandboxRefund
from contracts.payments import RefundDeclined
from tests.apps.orders.conftest import place_and_pay
from tests.factories.users import UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def no_retry_wait(settings):
    settings.PAYMENTS_GATEWAY_RETRY_SECONDS = 0


@pytest.fixture
def staff_api():
    client = APIClient()
    client.force_authenticate(UserFactory(is_staff=True, is_superuser=True))
    return client


def history(order: Order) -> list[str]:
    return list(order.history.values_list("kind", flat=True))


def test_a_fulfilment_after_the_refund_was_requested_loses_with_409(shopper, staff_api, tee):
    # given: a refund asked, its answer unknown (the gateway refunds, the answer is lost)
    order = place_and_pay(shopper, "tok_refund_timeout")
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
    order = place_and_pay(shopper)
    assert staff_api.post(f"/api/v1/orders/{order.id}/fulfil").status_code == 200
    cancel = shopper.post(f"/api/v1/orders/{order.id}/cancel", format="json")
    assert cancel.status_code == 409
    assert cancel.json()["code"] == "orders.illegal_transition"
    assert SandboxRefund.objects.count() == 0
    order.refresh_from_db()
    assert order.status == "fulfilled"


def test_a_declined_refund_puts_the_order_back_to_paid_with_history(shopper, tee):
    order = place_and_pay(shopper, "tok_refund_refused")
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
    order = place_and_pay(shopper, "tok_refund_timeout")
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


def _hold_the_row_lock(order_id, *, held: threading.Event, release: threading.Event) -> None:
    try:
        with transaction.atomic():
            services.order_lock(order_id)
            held.set()
            assert release.wait(timeout=30), "never released"
    finally:
        connection.close()


def _wait_until_waiting_on_a_lock(count: int) -> None:
    """Until ``count`` sessions of this database wait on a lock (the row lock held by another)."""
    for _ in range(3000):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0] >= count:
                return
        time.sleep(0.01)
    raise AssertionError(f"fewer than {count} sessions ever waited on the order's row lock")


ACTIONS = {
    "cancel": lambda order_id: payment_transitions.order_request_cancellation(
        order_id=order_id, reason="race"
    ),
    "fulfil": lambda order_id: services.order_fulfil(order_id=order_id),
}


@pytest.mark.parametrize("first", ["cancel", "fulfil"])
def test_concurrent_cancel_and_fulfil_never_both_win(shopper, tee, first):
    # given: a paid order whose row lock a third session holds
    order = place_and_pay(shopper)
    second = "fulfil" if first == "cancel" else "cancel"
    results: dict[str, object] = {}
    held, release = threading.Event(), threading.Event()
    holder = threading.Thread(
        target=_hold_the_row_lock, args=(order.id,), kwargs={"held": held, "release": release}
    )
    holder.start()
    assert held.wait(timeout=30)

    def run(name: str) -> None:
        try:
            ACTIONS[name](order.id)
            results[name] = "won"
        except (IllegalTransition, RefundInProgress, RefundDeclined) as exc:
            results[name] = exc.code
        finally:
            connection.close()

    # when: the cancel and the fulfilment both wait on that lock, ``first`` queued
    # first, and then it is released
    threads = [threading.Thread(target=run, args=(name,)) for name in (first, second)]
    try:
        for waiting, thread in enumerate(threads, start=1):
            thread.start()
            _wait_until_waiting_on_a_lock(waiting)
    finally:
        release.set()
    for thread in [holder, *threads]:
        thread.join(timeout=30)
    # then: the first in the queue won, the other lost; the order and the money agree
    order.refresh_from_db()
    refunded = SandboxRefund.objects.filter(
        charge__idempotency_key=str(order.payment_id), outcome="succeeded"
    ).exists()
    assert (results[first], sorted(results.values()).count("won")) == ("won", 1), results
    if first == "cancel":
        assert (order.status, refunded) == ("refunded", True)
        assert results["fulfil"] in ("orders.refund_in_progress", "orders.illegal_transition")
    else:
        assert (order.status, refunded) == ("fulfilled", False)
        assert results["cancel"] == "orders.illegal_transition"


def test_a_refund_request_lost_in_transit_is_asked_again_by_the_beat_task(shopper, tee, settings):
    # given: the order took refund_requested, but the refund call never reached payments
    order = place_and_pay(shopper)
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
