"""Contract of the payments app: the state of a payment, and its events."""

from __future__ import annotations

import enum
from decimal import Decimal
from uuid import UUID

from contracts.dto import dto
from contracts.errors import Conflict, ContractError, NotFound
from contracts.events import Event, event
from contracts.services import Service, idempotent


class PaymentStatus(enum.StrEnum):
    PENDING = "pending"
    CAPTURED = "captured"
    FAILED = "failed"
    REFUNDED = "refunded"


@dto
class PaymentStatusDTO:
    payment_id: UUID
    order_id: UUID
    status: PaymentStatus
    amount: Decimal
    currency: str


class PaymentNotFound(NotFound):
    code = "payments.payment_not_found"
    default_message = "No such payment."


@dto
class RefundDTO:
    refund_id: UUID
    payment_id: UUID
    order_id: UUID
    amount: Decimal
    currency: str
    gateway_reference: str


class NothingToRefund(Conflict):
    code = "payments.nothing_to_refund"
    default_message = "The order has no captured payment to refund."


class RefundDeclined(ContractError):
    code = "payments.refund_declined"
    http_status = 502
    default_message = "The payment gateway declined or failed the refund."


class PaymentsService(Service):
    owner = "payments"

    @idempotent
    def get_payment_status(self, *, payment_id: UUID) -> PaymentStatusDTO:
        """The current state of a payment; raises ``PaymentNotFound``."""
        raise NotImplementedError

    def refund_order_payment(self, *, order_id: UUID, reason: str) -> RefundDTO:
        """Refund the captured payment of an order in full.

        Calls the gateway outside any database transaction, then records the
        refund and publishes ``PaymentRefunded``. Raises ``NothingToRefund`` when
        the order has no captured payment, ``RefundDeclined`` when the gateway
        refuses. Must not be called inside a database transaction.
        """
        raise NotImplementedError


@event
class PaymentCaptured(Event):
    name = "payments.PaymentCaptured"
    version = 1
    aggregate_field = "order_id"

    payment_id: UUID
    order_id: UUID
    amount: Decimal
    currency: str


@event
class PaymentFailed(Event):
    name = "payments.PaymentFailed"
    version = 1
    aggregate_field = "order_id"

    payment_id: UUID
    order_id: UUID
    reason_code: str
    message: str


@event
class PaymentRefunded(Event):
    name = "payments.PaymentRefunded"
    version = 1
    aggregate_field = "order_id"

    payment_id: UUID
    order_id: UUID
    amount: Decimal
    currency: str
