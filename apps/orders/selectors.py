"""Reads of the orders app."""

from __future__ import annotations

from uuid import UUID

from apps.orders.models import Order
from contracts.orders import OrderNotFound


def order_get(*, order_id: UUID, customer_id: UUID | None = None) -> Order:
    """The order; another customer's order is reported as not found."""
    orders = Order.objects.filter(id=order_id)
    if customer_id is not None:
        orders = orders.filter(customer_id=customer_id)
    order = orders.first()
    if order is None:
        raise OrderNotFound(details={"order_id": str(order_id)})
    return order
