"""Event handlers of the orders app: each event, redelivery, events that do not fit."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from django.db import transaction

from apps.orders import services
from apps.orders.models import Order, Product
from contracts import publish
from contracts.events import Event, Subscription, subscriptions
from contracts.payments import PaymentCaptured, PaymentFailed, PaymentRefunded
from contracts.users import UserDeactivated
from extraction.events.delivery import apply_once
from extraction.models import InboxEntry
from tests.factories.orders import OrderFactory

pytestmark = pytest.mark.django_db


def handler_of(event_type: type[Event]) -> Subscription:
    [subscription] = [
        s
        for s in subscriptions(event_type)
        if s.service == "orders" and s.key.startswith("apps.orders.")
    ]
    return subscription


def deliver(event: Event) -> bool:
    return apply_once(handler_of(type(event)), event)


@pytest.fixture
def pending(customer, tee):
    return services.order_place(customer_id=customer.pk, lines=[("TEE", 2)])


def captured(order: Order, **fields) -> PaymentCaptured:
    return PaymentCaptured(
        payment_id=fields.get("payment_id", uuid.uuid4()),
        order_id=order.id,
        amount=fields.get("amount", order.total),
        currency=fields.get("currency", order.currency),
    )


def test_payment_captured_marks_the_order_paid_once_on_redelivery(pending, published):
    # given
    event = captured(pending)
    # when
    first, again = deliver(event), deliver(event)
    # then
    assert (first, again) == (True, False)
    pending.refresh_from_db()
    assert (pending.status, pending.payment_id) == ("paid", event.payment_id)
    assert len(published("orders.OrderPaid")) == 1
    assert InboxEntry.objects.filter(event_id=event.event_id).count() == 1


def test_a_second_capture_event_for_the_same_payment_is_a_quiet_no_op(pending, published, caplog):
    payment_id = uuid.uuid4()
    deliver(captured(pending, payment_id=payment_id))
    caplog.clear()
    deliver(captured(pending, payment_id=payment_id))  # a new event id, the same fact
    assert len(published("orders.OrderPaid")) == 1
    # quiet: nothing asks a person to look at it, unlike a capture for a cancelled order
    assert [r for r in caplog.records if r.levelname in ("WARNING", "ERROR")] == []


def test_a_capture_for_a_cancelled_order_is_rejected_for_compensation(pending, published):
    # given
    services.order_cancel(order_id=pending.id, reason="too slow")
    event = captured(pending)
    # when
    ran = deliver(event)
    # then: the order untouched, the capture sent back to payments and written in its history
    assert ran is True
    pending.refresh_from_db()
    assert pending.status == "cancelled"
    [rejected] = published("orders.CaptureRejected")
    assert rejected["payment_id"] == str(event.payment_id)
    assert rejected["order_status"] == "cancelled"
    assert list(pending.history.values_list("kind", "payment_id")) == [
        ("capture_rejected", event.payment_id)
    ]


def test_a_capture_of_the_wrong_amount_is_rejected_for_compensation(pending, published):
    deliver(captured(pending, amount=Decimal("0.01")))
    pending.refresh_from_db()
    assert pending.status == "pending_payment"
    [rejected] = published("orders.CaptureRejected")
    assert "0.01" in rejected["reason"]


def test_a_capture_for_an_unknown_order_is_rejected_for_compensation(published):
    ghost = OrderFactory.build()
    assert deliver(captured(ghost)) is True
    [rejected] = published("orders.CaptureRejected")
    assert (rejected["order_id"], rejected["order_status"]) == (str(ghost.id), "unknown")


def test_payment_failed_records_the_failure_and_keeps_the_order_payable(pending):
    event = PaymentFailed(
        payment_id=uuid.uuid4(),
        order_id=pending.id,
        reason_code="card_declined",
        message="Your card was declined.",
    )
    assert (deliver(event), deliver(event)) == (True, False)
    pending.refresh_from_db()
    assert pending.status == "pending_payment"
    assert pending.last_payment_failure_code == "card_declined"
    assert pending.last_payment_failure_message == "Your card was declined."
    assert pending.last_payment_failed_at is not None


def test_payment_failed_for_a_paid_order_is_recorded_without_a_transition(paid_order):
    # An attempt that failed before another was captured may arrive after it: the
    # order ends the same whatever the order of the two events.
    deliver(
        PaymentFailed(
            payment_id=uuid.uuid4(), order_id=paid_order.id, reason_code="late", message="late"
        )
    )
    paid_order.refresh_from_db()
    assert (paid_order.status, paid_order.last_payment_failure_code) == ("paid", "late")


def refunded(order: Order) -> PaymentRefunded:
    return PaymentRefunded(
        payment_id=order.payment_id,
        order_id=order.id,
        amount=order.total,
        currency=order.currency,
    )


def test_payment_refunded_marks_the_order_refunded_and_releases_stock_once(
    paid_order, tee, published, caplog
):
    event = refunded(paid_order)
    assert (deliver(event), deliver(event)) == (True, False)
    paid_order.refresh_from_db()
    assert paid_order.status == "refunded"
    assert Product.objects.get(pk=tee.pk).stock == 10  # 8 + 2, not 12
    assert len(published("orders.OrderRefunded")) == 1
    # the same refund announced by a second event changes nothing either, quietly
    caplog.clear()
    deliver(refunded(paid_order))
    assert Product.objects.get(pk=tee.pk).stock == 10
    assert [r for r in caplog.records if r.levelname in ("WARNING", "ERROR")] == []


def test_payment_refunded_for_a_fulfilled_order_refunds_it_without_restocking(paid_order, tee):
    # Staff refunded a shipped order at payments (goods returned): the money went back,
    # so the order says so; the goods had left, so the stock stays as it is.
    services.order_fulfil(order_id=paid_order.id)
    deliver(refunded(paid_order))
    paid_order.refresh_from_db()
    assert paid_order.status == "refunded"
    assert Product.objects.get(pk=tee.pk).stock == 8


def test_user_deactivated_cancels_pending_orders_and_releases_their_stock(
    customer, pending, tee, published
):
    # given
    assert Product.objects.get(pk=tee.pk).stock == 8
    event = UserDeactivated(user_id=customer.pk)
    # when
    assert (deliver(event), deliver(event)) == (True, False)
    # then
    pending.refresh_from_db()
    assert pending.status == "cancelled"
    assert Product.objects.get(pk=tee.pk).stock == 10
    assert [e["order_id"] for e in published("orders.OrderCancelled")] == [str(pending.id)]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_through_the_bus_a_committed_capture_pays_the_order(customer, tee):
    # given
    order = services.order_place(customer_id=customer.pk, lines=[("TEE", 1)])
    # when: payments publishes in its transaction; delivery follows the commit
    with transaction.atomic():
        publish(captured(order))
        assert Order.objects.get(pk=order.pk).status == "pending_payment"
    # then
    assert Order.objects.get(pk=order.pk).status == "paid"
