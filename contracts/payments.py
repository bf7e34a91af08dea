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


class RefundStatus(enum.StrEnum):
    # The gateway has not told yet (a timeout): payments settles it later and
    # announces the outcome by event (PaymentRefunded or RefundFailed).
    PENDING = "pending"
    SUCCEEDED = "succeeded"


@dto
class OrderRefundDTO:
    refund_id: UUID
    payment_id: UUID
    order_id: UUID
    amount: Decimal
    currency: str
    status: RefundStatus
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
        """Version 1, kept for callers built against it: not safe to retry (each call
        is a new refund attempt). Use ``refund_order_payment_v2``."""
        raise NotImplementedError

    @idempotent  # one refund per idempotency_key, however often it is asked
    def refund_order_payment_v2(
        self, *, order_id: UUID, reason: str, idempotency_key: str
    ) -> OrderRefundDTO:
        """Refund the captured payment of an order in full, once per ``idempotency_key``.

        A retried call with the same key (in process, or over the network after a
        lost answer) returns the same refund, or raises the same error, and never
        refunds twice. Calls the gateway outside any database transaction, then
        records the refund and publishes ``PaymentRefunded``. When the gateway's
        answer is unknown (a timeout) the refund is ``pending``: payments settles it
        from the gateway's record and publishes ``PaymentRefunded`` or
        ``RefundFailed``. Raises ``NothingToRefund`` when the order has no captured
        payment, ``RefundDeclined`` when the gateway refuses. Must not be called
        inside a database transaction.
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


@event
class RefundFailed(Event):
    """A refund was refused by the gateway (the payment stays captured)."""

    name = "payments.RefundFailed"
    version = 1
    aggregate_field = "order_id"

    payment_id: UUID
    order_id: UUID
    refund_id: UUID
    # The caller's key (``refund_order_payment_v2``), "" when none was given.
    idempotency_key: str
    reason_code: str


@event
class CaptureCompensated(Event):
    """Money captured for an order that would not take it was given back (a saga step).

    Published when the automatic refund of a late capture succeeded: a capture
    that landed on an order cancelled meanwhile, or one the gateway confirmed
    after the payment had been settled as failed.
    """

    name = "payments.CaptureCompensated"
    version = 1
    aggregate_field = "order_id"

    payment_id: UUID
    order_id: UUID
    refund_id: UUID
    amount: Decimal
    currency: str
    reason: str
