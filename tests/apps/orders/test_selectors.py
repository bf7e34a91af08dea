"""Reads of the orders app."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.orders import selectors
from apps.orders.error_codes import ProductNotFound
from contracts.orders import OrderNotFound
from tests.factories.orders import OrderFactory, ProductFactory

pytestmark = pytest.mark.django_db


def test_order_get_scoped_to_a_customer(customer, other_customer):
    order = OrderFactory(customer_id=customer.pk)
    assert selectors.order_get(order_id=order.id, customer_id=customer.pk) == order
    assert selectors.order_get(order_id=order.id) == order
    with pytest.raises(OrderNotFound):
        selectors.order_get(order_id=order.id, customer_id=other_customer.pk)


def test_order_get_without_lines_reads_one_row_and_is_scoped(
    customer, other_customer, django_assert_num_queries
):
    # given: an order with a line
    order = OrderFactory.with_lines((ProductFactory(), 2), customer_id=customer.pk)
    # when
    with django_assert_num_queries(1):
        found = selectors.order_get(order_id=order.id, customer_id=customer.pk, with_lines=False)
    # then
    assert (found, found.total) == (order, order.total)
    with pytest.raises(OrderNotFound):
        selectors.order_get(order_id=order.id, customer_id=other_customer.pk, with_lines=False)


def test_order_list_is_newest_first_and_scoped(customer, other_customer):
    now = timezone.now()
    old = OrderFactory(customer_id=customer.pk, created_at=now - timedelta(days=2))
    new = OrderFactory(customer_id=customer.pk, created_at=now)
    theirs = OrderFactory(customer_id=other_customer.pk)
    assert list(selectors.order_list(customer_id=customer.pk)) == [new, old]
    assert set(selectors.order_list()) == {old, new, theirs}


def test_order_ids_stale_are_old_pending_orders_oldest_first():
    now = timezone.now()
    oldest = OrderFactory(created_at=now - timedelta(hours=30))
    old = OrderFactory(created_at=now - timedelta(hours=25))
    OrderFactory(created_at=now - timedelta(hours=1))  # recent
    OrderFactory(created_at=now - timedelta(hours=40), status="paid")  # paid
    assert selectors.order_ids_stale(placed_before=now - timedelta(hours=24)) == [
        oldest.id,
        old.id,
    ]


def test_order_figures_by_status_within_a_range():
    # given
    now = timezone.now()
    OrderFactory(status="paid", total=Decimal("10.00"), created_at=now)
    OrderFactory(status="paid", total=Decimal("5.50"), created_at=now)
    OrderFactory(status="paid", total=Decimal("7.00"), currency="USD", created_at=now)
    OrderFactory(status="cancelled", total=Decimal("3.00"), created_at=now)
    OrderFactory(status="paid", total=Decimal("99.00"), created_at=now - timedelta(days=10))
    # when
    figures = selectors.order_figures_by_status(since=now - timedelta(days=1), until=None)
    # then
    assert [(f.status, f.currency, f.orders, f.amount) for f in figures] == [
        ("cancelled", "EUR", 1, Decimal("3.00")),
        ("paid", "EUR", 2, Decimal("15.50")),
        ("paid", "USD", 1, Decimal("7.00")),
    ]


def test_product_get_by_id_or_sku_and_active_only():
    product = ProductFactory(sku="OLD", active=False)
    assert selectors.product_get(sku="OLD") == product
    assert selectors.product_get(product_id=product.id) == product
    with pytest.raises(ProductNotFound):
        selectors.product_get(product_id=product.id, active_only=True)
    with pytest.raises(ProductNotFound):
        selectors.product_get(product_id=uuid.uuid4())


def test_product_list_hides_inactive_products_unless_asked():
    on_sale = ProductFactory(sku="B")
    retired = ProductFactory(sku="A", active=False)
    assert list(selectors.product_list()) == [on_sale]
    assert list(selectors.product_list(include_inactive=True)) == [retired, on_sale]
