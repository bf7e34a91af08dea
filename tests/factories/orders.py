"""factory-boy factories of the orders app.

``OrderFactory`` makes an order row without lines or stock reservation (other
apps' tests only need an order to pay); ``OrderFactory.with_lines(...)`` — or
``apps.orders.services.order_place`` — makes a complete one.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

import factory

from apps.orders.models import Order, OrderLine, Product


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    sku = factory.Sequence(lambda n: f"SKU-{n:05d}")
    name = factory.Sequence(lambda n: f"Product {n}")
    price = Decimal("10.00")
    currency = "EUR"
    stock = 10
    active = True


class OrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Order

    customer_id = factory.LazyFunction(uuid.uuid4)
    total = Decimal("42.50")
    currency = "EUR"

    @classmethod
    def with_lines(cls, *lines: tuple[Product, int], **fields: object) -> Order:
        """An order of ``lines`` ((product, quantity) pairs) whose total matches them.

        The stock is not touched: use ``order_place`` where the reservation matters.
        """
        total = sum((p.price * q for p, q in lines), Decimal("0.00"))
        order = cls(total=total, currency=lines[0][0].currency, **fields)
        for product, quantity in lines:
            OrderLineFactory(order=order, product=product, quantity=quantity)
        return order


class OrderLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrderLine

    order = factory.SubFactory(OrderFactory)
    product = factory.SubFactory(ProductFactory)
    sku = factory.SelfAttribute("product.sku")
    name = factory.SelfAttribute("product.name")
    unit_price = factory.SelfAttribute("product.price")
    quantity = 1
