"""The orders part of the demo shop."""

from __future__ import annotations

import pytest

from apps.orders import demo
from apps.orders.models import Order, OrderLine, Product
from contracts import demo as demo_ids

pytestmark = pytest.mark.django_db


def test_seed_makes_a_catalog_and_orders_with_lines_and_is_idempotent():
    # when
    lines: list[str] = []
    demo.seed(log=lines.append)
    demo.seed(log=lines.append)
    # then
    assert Product.objects.count() == 8
    assert Product.objects.filter(active=False).count() == 1
    assert Order.objects.count() == 4
    assert set(Order.objects.values_list("status", flat=True)) == {
        "pending_payment",
        "paid",
        "fulfilled",
        "cancelled",
    }
    for order in Order.objects.all():
        assert order.lines.exists()
        assert order.total == sum(line.line_total for line in order.lines.all())
    assert OrderLine.objects.count() == 6
    assert any("(kept)" in line for line in lines)


def test_the_paid_demo_order_has_the_id_and_total_the_demo_payment_expects():
    demo.seed(log=lambda line: None)
    order = Order.objects.get(id=demo_ids.demo_id("order", "ada@example.com:2"))
    assert (order.status, str(order.total)) == ("paid", "19.99")
    assert order.payment_id == demo_ids.demo_id("payment", "demo-ada@example.com-2")


def test_seed_adds_lines_to_a_demo_order_made_without_them():
    # given: an order as the first demo data made it, without lines
    Order.objects.create(
        id=demo_ids.demo_id("order", "alan@example.com:1"),
        customer_id=demo_ids.demo_id("user", "alan@example.com"),
        status="cancelled",
        total="9.50",
    )
    # when
    demo.seed(log=lambda line: None)
    # then
    order = Order.objects.get(id=demo_ids.demo_id("order", "alan@example.com:1"))
    assert [(line.sku, line.quantity) for line in order.lines.all()] == [("SEAM-MUG", 1)]
