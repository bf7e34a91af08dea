"""The orders part of the demo shop: orders of the demo customers in several states."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from django.db import transaction

from apps.orders.models import Order
from contracts import demo
from contracts.orders import OrderStatus

DEMO_ORDERS = (
    ("ada@example.com", 1, OrderStatus.PENDING_PAYMENT, Decimal("59.90")),
    ("ada@example.com", 2, OrderStatus.PAID, Decimal("19.99")),
    ("grace@example.com", 1, OrderStatus.FULFILLED, Decimal("120.00")),
    ("alan@example.com", 1, OrderStatus.CANCELLED, Decimal("9.50")),
)


@transaction.atomic
def seed(*, log: Callable[[str], None]) -> None:
    for email, number, status, total in DEMO_ORDERS:
        _, created = Order.objects.get_or_create(
            id=demo.demo_id("order", f"{email}:{number}"),
            defaults={
                "customer_id": demo.demo_id("user", email),
                "status": status.value,
                "total": total,
                "currency": "EUR",
            },
        )
        log(f"orders: {email} #{number} {status.value} ({'created' if created else 'kept'})")
