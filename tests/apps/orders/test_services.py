"""Services of the orders app: placing orders, every transition, the catalog."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from django.db import transaction

from apps.orders import catalog, payment_transitions, services
from apps.orders.error_codes import (
    CustomerInactive,
    CustomerUnknown,
    IllegalTransition,
    InvalidOrderLines,
    MixedCurrencies,
    OutOfStock,
    PaymentMismatch,
    ProductInactive,
    ProductUnknown,
    SkuTaken,
    StockWouldBeNegative,
)
from apps.orders.models import Order, Product
from contracts.orders import OrderNotFound
from tests.factories.orders import OrderFactory, ProductFactory
from tests.factories.users import UserFactory

pytestmark = pytest.mark.django_db


def stock(product: Product) -> int:
    product.refresh_from_db()
    return product.stock


# --- order_place ------------------------------------------------------------------------


def test_order_place_reserves_stock_copies_prices_and_publishes_order_placed(
    customer, tee, mug, published
):
    # when
    order = services.order_place(customer_id=customer.pk, lines=[("TEE", 2), ("MUG", 1)])
    # then
    assert order.status == "pending_payment"
    assert (order.total, order.currency) == (Decimal("49.48"), "EUR")
    assert [
        (line.sku, line.name, line.unit_price, line.quantity) for line in order.lines.all()
    ] == [
        ("TEE", "T-shirt", Decimal("19.99"), 2),
        ("MUG", "Mug", Decimal("9.50"), 1),
    ]
    assert (stock(tee), stock(mug)) == (8, 4)
    [event] = published("orders.OrderPlaced")
    assert event["order_id"] == str(order.id)
    assert event["total"] == "49.48"
    assert [line["sku"] for line in event["lines"]] == ["TEE", "MUG"]


def test_order_place_merges_lines_of_the_same_sku(customer, tee):
    order = services.order_place(customer_id=customer.pk, lines=[("TEE", 1), ("TEE", 2)])
    assert [(line.sku, line.quantity) for line in order.lines.all()] == [("TEE", 3)]
    assert stock(tee) == 7


def test_a_later_price_change_does_not_touch_a_placed_order(customer, tee):
    # given
    order = services.order_place(customer_id=customer.pk, lines=[("TEE", 1)])
    # when
    catalog.product_update(product_id=tee.id, price=Decimal("99.00"))
    # then
    order.refresh_from_db()
    assert order.total == Decimal("19.99")
    assert order.lines.get().unit_price == Decimal("19.99")


def test_out_of_stock_refuses_the_whole_order_and_reserves_nothing(customer, tee, mug, published):
    # when
    with pytest.raises(OutOfStock) as refused:
        services.order_place(customer_id=customer.pk, lines=[("TEE", 1), ("MUG", 6)])
    # then
    assert refused.value.http_status == 409
    assert refused.value.details == {"lines": [{"sku": "MUG", "requested": 6, "available": 5}]}
    assert (stock(tee), stock(mug)) == (10, 5)
    assert Order.objects.count() == 0
    assert published() == []


@pytest.mark.parametrize(
    ("lines", "error"),
    [
        ([("NOPE", 1)], ProductUnknown),
        ([("OLD", 1)], ProductInactive),
        ([("TEE", 1), ("USD-CAP", 1)], MixedCurrencies),
        ([], InvalidOrderLines),
        ([("TEE", 0)], InvalidOrderLines),
        ([("TEE", -2)], InvalidOrderLines),
        ([("TEE", 1001)], InvalidOrderLines),
    ],
)
def test_order_place_refuses_bad_lines(customer, tee, lines, error):
    # given
    ProductFactory(sku="OLD", active=False)
    ProductFactory(sku="USD-CAP", currency="USD")
    # when / then
    with pytest.raises(error) as refused:
        services.order_place(customer_id=customer.pk, lines=lines)
    assert refused.value.http_status == 422
    assert stock(tee) == 10
    assert Order.objects.count() == 0


def test_an_inactive_customer_cannot_order(tee):
    inactive = UserFactory(is_active=False)
    with pytest.raises(CustomerInactive) as refused:
        services.order_place(customer_id=inactive.pk, lines=[("TEE", 1)])
    assert refused.value.code == "orders.customer_inactive"
    assert stock(tee) == 10


def test_an_unknown_customer_cannot_order(tee):
    with pytest.raises(CustomerUnknown) as refused:
        services.order_place(customer_id=uuid.uuid4(), lines=[("TEE", 1)])
    assert refused.value.code == "orders.customer_unknown"
    assert Order.objects.count() == 0


# --- transitions ------------------------------------------------------------------------


@pytest.fixture
def pending(customer, tee):
    return services.order_place(customer_id=customer.pk, lines=[("TEE", 2)])


def _mark_paid(order_id: uuid.UUID, *, amount: Decimal, payment_id: uuid.UUID | None = None):
    """The transition to paid as ``order_apply_capture`` makes it, under the row lock."""
    with transaction.atomic():
        return services.order_mark_locked_paid(
            services.order_lock(order_id),
            payment_id=payment_id or uuid.uuid4(),
            amount=amount,
            currency="EUR",
        )


def _mark_refunded(order_id: uuid.UUID):
    """The transition to refunded as ``order_apply_refund`` makes it, under the row lock."""
    with transaction.atomic():
        return services.order_mark_locked_refunded(
            services.order_lock(order_id), payment_id=uuid.uuid4()
        )


def test_a_capture_of_the_total_moves_pending_to_paid_and_publishes(pending, published):
    # given
    payment_id = uuid.uuid4()
    # when
    order = payment_transitions.order_apply_capture(
        order_id=pending.id, payment_id=payment_id, amount=Decimal("39.98"), currency="EUR"
    )
    # then
    assert (order.status, order.payment_id) == ("paid", payment_id)
    assert order.paid_at is not None
    [event] = published("orders.OrderPaid")
    assert event["payment_id"] == str(payment_id)


def test_mark_paid_refuses_an_amount_other_than_the_total(pending, published):
    with pytest.raises(PaymentMismatch):
        _mark_paid(pending.id, amount=Decimal("1.00"))
    pending.refresh_from_db()
    assert pending.status == "pending_payment"
    assert published("orders.OrderPaid") == []


def test_a_payment_failure_is_recorded_and_the_order_stays_payable(pending):
    order = services.order_record_payment_failure(
        order_id=pending.id, code="card_declined", message="Your card was declined."
    )
    order.refresh_from_db()
    assert order.status == "pending_payment"
    assert (order.last_payment_failure_code, order.last_payment_failure_message) == (
        "card_declined",
        "Your card was declined.",
    )
    assert order.last_payment_failed_at is not None


def test_fulfil_moves_paid_to_fulfilled_and_publishes(paid_order, published):
    order = services.order_fulfil(order_id=paid_order.id)
    assert order.status == "fulfilled"
    assert order.fulfilled_at is not None
    assert [e["order_id"] for e in published("orders.OrderFulfilled")] == [str(paid_order.id)]


def test_cancel_releases_the_stock_and_publishes(pending, tee, published):
    assert stock(tee) == 8
    order = services.order_cancel(order_id=pending.id, reason="changed my mind")
    assert (order.status, order.cancel_reason) == ("cancelled", "changed my mind")
    assert stock(tee) == 10
    [event] = published("orders.OrderCancelled")
    assert event["reason"] == "changed my mind"


def test_refund_moves_paid_to_refunded_releases_stock_and_publishes(paid_order, tee, published):
    order = payment_transitions.order_apply_refund(
        order_id=paid_order.id, payment_id=paid_order.payment_id
    )
    assert order.status == "refunded"
    assert order.refunded_at is not None
    assert stock(tee) == 10
    [event] = published("orders.OrderRefunded")
    assert event["payment_id"] == str(paid_order.payment_id)


def _transition(name: str, order_id: uuid.UUID) -> None:
    calls = {
        "paid": lambda: _mark_paid(order_id, amount=Decimal("42.50")),
        "fulfilled": lambda: services.order_fulfil(order_id=order_id),
        "cancelled": lambda: services.order_cancel(order_id=order_id, reason="test"),
        "refunded": lambda: _mark_refunded(order_id),
    }
    calls[name]()


ILLEGAL = [
    ("pending_payment", "fulfilled"),
    ("pending_payment", "refunded"),
    ("paid", "paid"),
    ("paid", "cancelled"),
    ("fulfilled", "cancelled"),
    ("fulfilled", "paid"),
    ("refund_requested", "paid"),
    ("refund_requested", "cancelled"),
    ("cancelled", "paid"),
    ("cancelled", "fulfilled"),
    ("cancelled", "cancelled"),
    ("refunded", "fulfilled"),
    ("refunded", "refunded"),
]


@pytest.mark.parametrize(("source", "target"), ILLEGAL)
def test_illegal_transitions_are_409_with_from_and_to(source, target, published):
    # given
    order = OrderFactory(status=source)
    # when
    with pytest.raises(IllegalTransition) as refused:
        _transition(target, order.id)
    # then
    assert refused.value.http_status == 409
    assert refused.value.code == "orders.illegal_transition"
    assert refused.value.details == {"order_id": str(order.id), "from": source, "to": target}
    order.refresh_from_db()
    assert order.status == source
    assert published() == []


def test_a_transition_of_an_unknown_order_is_not_found():
    with pytest.raises(OrderNotFound):
        services.order_fulfil(order_id=uuid.uuid4())


def test_request_cancellation_of_a_pending_order_cancels_it(pending, customer, tee):
    order = payment_transitions.order_request_cancellation(
        order_id=pending.id, customer_id=customer.pk, reason="r"
    )
    assert order.status == "cancelled"
    assert stock(tee) == 10


def test_request_cancellation_of_another_customers_order_is_not_found(pending, other_customer):
    with pytest.raises(OrderNotFound):
        payment_transitions.order_request_cancellation(
            order_id=pending.id, customer_id=other_customer.pk, reason="r"
        )
    pending.refresh_from_db()
    assert pending.status == "pending_payment"


def test_request_cancellation_of_a_fulfilled_order_is_illegal():
    order = OrderFactory(status="fulfilled")
    with pytest.raises(IllegalTransition) as refused:
        payment_transitions.order_request_cancellation(order_id=order.id, reason="r")
    assert refused.value.details["to"] == "cancelled"


def test_cancel_pending_of_customer_cancels_only_their_pending_orders(
    customer, other_customer, tee, paid_order
):
    # given
    mine = services.order_place(customer_id=customer.pk, lines=[("TEE", 1)])
    theirs = services.order_place(customer_id=other_customer.pk, lines=[("TEE", 1)])
    assert stock(tee) == 6
    # when
    cancelled = services.order_cancel_pending_of_customer(customer_id=customer.pk, reason="gone")
    # then
    assert [o.id for o in cancelled] == [mine.id]
    statuses = dict(Order.objects.values_list("id", "status"))
    assert statuses == {mine.id: "cancelled", theirs.id: "pending_payment", paid_order.id: "paid"}
    assert stock(tee) == 7


# --- catalog ----------------------------------------------------------------------------


def test_product_create_and_a_taken_sku():
    product = catalog.product_create(sku="CAP", name="Cap", price=Decimal("12.00"), stock=3)
    assert (product.sku, product.stock, product.active) == ("CAP", 3, True)
    with pytest.raises(SkuTaken) as refused:
        catalog.product_create(sku="CAP", name="Other", price=Decimal("1.00"))
    assert refused.value.http_status == 409


def test_product_update_refuses_stock_and_sku(tee):
    with pytest.raises(TypeError):
        catalog.product_update(product_id=tee.id, stock=100)
    assert stock(tee) == 10


def test_product_deactivate(tee):
    assert catalog.product_deactivate(product_id=tee.id).active is False


def test_restock_adds_and_writes_off_but_never_below_zero(tee):
    assert catalog.product_restock(product_id=tee.id, quantity=5).stock == 15
    assert catalog.product_restock(product_id=tee.id, quantity=-15).stock == 0
    with pytest.raises(StockWouldBeNegative):
        catalog.product_restock(product_id=tee.id, quantity=-1)
    assert stock(tee) == 0
