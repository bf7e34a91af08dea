"""Events that arrive out of order converge.

In broker mode, events of different transactions can arrive in any order (a
retried ``PaymentCaptured`` after ``PaymentRefunded``). Every pair of the events
that affect an order is delivered in both orders to two identical orders, and the
two must end the same: status, payment, stock, failure recorded, history (the
bookkeeping note of a refund seen before its capture aside), and what was sent
back to payments. ``UserDeactivated`` cancels only an order still pending, so its
pairs may end in different states; there the money must agree with the state.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable
from decimal import Decimal

import pytest

from apps.orders import services
from apps.orders.models import Order, Product
from contracts.events import Event, subscriptions
from contracts.payments import (
    CaptureCompensated,
    PaymentCaptured,
    PaymentFailed,
    PaymentRefunded,
    RefundFailed,
)
from contracts.users import UserDeactivated
from extraction.events.delivery import apply_once
from extraction.models import OutboxEvent
from tests.factories.orders import ProductFactory
from tests.factories.users import UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

PAID_BY = uuid.uuid4()  # the captured payment
FAILED_ATTEMPT = uuid.uuid4()  # an earlier attempt that failed
LATE_ATTEMPT = uuid.uuid4()  # an attempt captured late and given back by payments

EventFor = Callable[[Order], Event]

PAYMENT_EVENTS: dict[str, EventFor] = {
    "captured": lambda o: PaymentCaptured(
        payment_id=PAID_BY, order_id=o.id, amount=o.total, currency=o.currency
    ),
    "refunded": lambda o: PaymentRefunded(
        payment_id=PAID_BY, order_id=o.id, amount=o.total, currency=o.currency
    ),
    "failed": lambda o: PaymentFailed(
        payment_id=FAILED_ATTEMPT, order_id=o.id, reason_code="payments.card_declined", message="x"
    ),
    "compensated": lambda o: CaptureCompensated(
        payment_id=LATE_ATTEMPT,
        order_id=o.id,
        refund_id=uuid.uuid4(),
        amount=o.total,
        currency=o.currency,
        reason="late capture",
    ),
    "refund_failed": lambda o: RefundFailed(
        payment_id=PAID_BY,
        order_id=o.id,
        refund_id=uuid.uuid4(),
        idempotency_key="",
        reason_code="refund_refused",
    ),
}
DEACTIVATED: EventFor = lambda o: UserDeactivated(user_id=o.customer_id)  # noqa: E731


def deliver(event: Event) -> None:
    [handler] = [
        s
        for s in subscriptions(type(event))
        if s.service == "orders" and s.key.startswith("apps.orders.")
    ]
    assert apply_once(handler, event)


def fresh_order() -> Order:
    product = ProductFactory(price=Decimal("10.00"), stock=5)
    customer = UserFactory()
    return services.order_place(customer_id=customer.pk, lines=[(product.sku, 2)])


def run(names: tuple[str, ...], events: dict[str, EventFor]) -> dict[str, object]:
    order = fresh_order()
    for name in names:
        deliver(events[name](order))
    order.refresh_from_db()
    product = Product.objects.get(order_lines__order=order)
    rejected = OutboxEvent.objects.filter(name="orders.CaptureRejected", aggregate_id=str(order.id))
    return {
        "status": order.status,
        "payment_id": order.payment_id,
        "stock": product.stock,
        "failure": order.last_payment_failure_code,
        "history": sorted(
            (kind, payment_id)
            for kind, payment_id in order.history.values_list("kind", "payment_id")
            if kind != "refund_noted"
        ),
        "rejected": sorted(r.payload["payment_id"] for r in rejected),
    }


PAIRS = list(itertools.combinations(PAYMENT_EVENTS, 2))


@pytest.mark.parametrize(("first", "second"), PAIRS, ids=[f"{a}-and-{b}" for a, b in PAIRS])
def test_every_pair_of_payment_events_converges_in_either_order(first, second):
    assert run((first, second), PAYMENT_EVENTS) == run((second, first), PAYMENT_EVENTS)


def test_all_payment_events_converge_in_every_order():
    outcomes = {
        str(run(order, PAYMENT_EVENTS))
        for order in itertools.permutations(["captured", "refunded", "failed", "compensated"])
    }
    assert len(outcomes) == 1, outcomes


@pytest.mark.parametrize("name", list(PAYMENT_EVENTS))
def test_deactivation_in_either_order_keeps_money_and_state_in_agreement(name):
    events = {**PAYMENT_EVENTS, "deactivated": DEACTIVATED}
    for names in ((name, "deactivated"), ("deactivated", name)):
        state = run(names, events)
        captured = "captured" in names
        # money the customer still pays for this order once payments is done:
        # the capture, unless refunded or sent back for compensation
        kept = captured and "refunded" not in names and str(PAID_BY) not in state["rejected"]
        owed = state["status"] in ("paid", "fulfilled")
        assert kept == owed, (names, state)
