"""The local implementation of ``contracts.orders.OrdersService``."""

from __future__ import annotations

from uuid import UUID

from apps.orders import selectors
from apps.orders.models import REFUND_REQUESTED
from contracts.orders import OrderForPayment, OrdersService, OrderStatus


class OrdersProvider(OrdersService):
    def get_order_for_payment(self, *, order_id: UUID, customer_id: UUID) -> OrderForPayment:
        order = selectors.order_get(order_id=order_id, customer_id=customer_id, with_lines=False)
        return OrderForPayment(
            order_id=order.id,
            customer_id=order.customer_id,
            amount=order.total,
            currency=order.currency,
            # The contract knows no refund_requested: until payments confirms the
            # refund, such an order is still paid.
            status=OrderStatus.PAID
            if order.status == REFUND_REQUESTED
            else OrderStatus(order.status),
        )
