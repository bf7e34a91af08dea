"""No oversell and no deadlock when many customers order at once, on real PostgreSQL.

Each thread has its own database connection (Django opens one per thread) and
commits for real, so the row locks of ``order_place`` are what is tested.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.orders import services
from apps.orders.error_codes import OutOfStock
from apps.orders.models import Order, OrderLine, Product
from tests.factories.orders import ProductFactory
from tests.factories.users import UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

# The pk is the first (or only) column of the lock query, or named in full.
LOCK_BY_PK = re.compile(
    r'SELECT "orders_product"\."id".* ORDER BY (1|"orders_product"\."id") ASC FOR UPDATE$'
)


def run_together(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run every call in its own thread, released at the same moment; returns result or error."""
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], Any]) -> Any:
        try:
            barrier.wait(timeout=30)
            return call()
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test inspects
            return exc
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def test_twenty_concurrent_orders_for_five_units_sell_exactly_five():
    # given
    product = ProductFactory(sku="LAST-FIVE", stock=5)
    customers = [UserFactory() for _ in range(20)]
    # when
    outcomes = run_together(
        [
            lambda c=c: services.order_place(customer_id=c.pk, lines=[("LAST-FIVE", 1)])
            for c in customers
        ]
    )
    # then
    placed = [o for o in outcomes if isinstance(o, Order)]
    refused = [o for o in outcomes if isinstance(o, OutOfStock)]
    assert (len(placed), len(refused)) == (5, 15), outcomes
    product.refresh_from_db()
    assert product.stock == 0
    assert Order.objects.count() == 5
    assert sum(OrderLine.objects.values_list("quantity", flat=True)) == 5


def test_orders_naming_products_in_opposite_orders_do_not_deadlock():
    # given: half the customers list A then B, the other half B then A
    ProductFactory(sku="A", stock=100)
    ProductFactory(sku="B", stock=100)
    customers = [UserFactory() for _ in range(12)]
    calls = [
        lambda c=c, i=i: services.order_place(
            customer_id=c.pk, lines=[("A", 1), ("B", 1)] if i % 2 else [("B", 1), ("A", 1)]
        )
        for i, c in enumerate(customers)
    ]
    # when
    outcomes = run_together(calls)
    # then: every order went through (a deadlock would surface as an error here)
    assert all(isinstance(o, Order) for o in outcomes), outcomes
    assert sorted(Product.objects.values_list("sku", "stock")) == [
        ("A", 88),
        ("B", 88),
    ]


def test_stock_is_locked_once_in_primary_key_order_when_a_customers_orders_are_cancelled():
    # given: two pending orders of one customer, over products whose pk order differs
    # from the order the lines were placed in
    customer = UserFactory()
    first, second = ProductFactory(stock=10), ProductFactory(stock=10)
    services.order_place(customer_id=customer.pk, lines=[(second.sku, 1), (first.sku, 2)])
    services.order_place(customer_id=customer.pk, lines=[(first.sku, 3)])
    # when
    with CaptureQueriesContext(connection) as queries:
        services.order_cancel_pending_of_customer(customer_id=customer.pk, reason="test")
    # then: one product lock, ordered by pk, and every unit back
    product_locks = [
        q["sql"]
        for q in queries
        if 'FROM "orders_product"' in q["sql"] and "FOR UPDATE" in q["sql"]
    ]
    assert len(product_locks) == 1
    assert LOCK_BY_PK.search(product_locks[0]), product_locks[0]
    assert sorted(Product.objects.values_list("stock", flat=True)) == [10, 10]


def test_placing_an_order_locks_its_products_in_primary_key_order():
    # PostgreSQL happens to lock `sku IN (…)` rows in a stable order too, so the
    # threaded test above cannot tell; the statement itself must say so.
    a, b = ProductFactory(stock=5), ProductFactory(stock=5)
    with CaptureQueriesContext(connection) as queries:
        services.order_place(customer_id=UserFactory().pk, lines=[(b.sku, 1), (a.sku, 1)])
    locks = [
        q["sql"]
        for q in queries
        if 'FROM "orders_product"' in q["sql"] and "FOR UPDATE" in q["sql"]
    ]
    assert len(locks) == 1
    assert LOCK_BY_PK.search(locks[0]), locks[0]
