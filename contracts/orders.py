"""Contract of the orders app: what a payment needs to know about an order."""

from __future__ import annotations

import enum
from decimal import Decimal
from uuid import UUID

from contracts.dto import dto
from contracts.errors import NotFound
from contracts.events import Event, event
from contracts.services import Service, idempotent


class OrderStatus(enum.StrEnum):
    # The orders app also has ``refund_requested`` (a refund asked of payments, not
    # confirmed yet); across this contract such an order is still ``paid``.
    PENDING_PAYMENT = "pending_payment"
    PAID = "paid"
    FULFILLED = "fulfilled"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"


@dto
class OrderForPayment:
    order_id: UUID
    customer_id: UUID
    amount: Decimal
    currency: str
    status: OrderStatus


class OrderNotFound(NotFound):
    code = "orders.order_not_found"
    default_message = "No such order."


class OrdersService(Service):
    owner = "orders"

    @idempotent
    def get_order_for_payment(self, *, order_id: UUID, customer_id: UUID) -> OrderForPayment:
        """The amount to charge for an order of ``customer_id``; raises ``OrderNotFound``.

        An order of another customer is reported as not found, never disclosed.
        """
        raise NotImplementedError


@dto
class OrderLineSnapshot:
    sku: str
    quantity: int
    unit_price: Decimal


@event
class OrderPlaced(Event):
    name = "orders.OrderPlaced"
    version = 1
    aggregate_field = "order_id"

    order_id: UUID
    customer_id: UUID
    total: Decimal
    currency: str
    lines: tuple[OrderLineSnapshot, ...] = ()


@event
class OrderCancelled(Event):
    name = "orders.OrderCancelled"
    version = 1
    aggregate_field = "order_id"

    order_id: UUID
    customer_id: UUID
    reason: str


@event
class OrderPaid(Event):
    name = "orders.OrderPaid"
    version = 1
    aggregate_field = "order_id"

    order_id: UUID
    customer_id: UUID
    payment_id: UUID


@event
class OrderFulfilled(Event):
    name = "orders.OrderFulfilled"
    version = 1
    aggregate_field = "order_id"

    order_id: UUID
    customer_id: UUID


@event
class OrderRefunded(Event):
    name = "orders.OrderRefunded"
    version = 1
    aggregate_field = "order_id"

    order_id: UUID
    customer_id: UUID
    payment_id: UUID


@event
class CaptureRejected(Event):
    """The order would not take a captured payment (it was cancelled, refunded,
    paid by another payment, or the amount differs): payments must give it back."""

    name = "orders.CaptureRejected"
    version = 1
    aggregate_field = "order_id"

    order_id: UUID
    payment_id: UUID
    order_status: str
    reason: str
