"""Writes of the payments app: charges with idempotency keys, refunds, stuck payments.

A charge or a refund is deliberately NOT one transaction. The gateway moves real
money and cannot be rolled back, so each flow is: claim (a short transaction whose
unique constraint picks one winner) → call the gateway with no transaction open →
record the outcome, the stored answer and the event (a second short transaction).
A crash between the two leaves a ``pending`` row that ``resolve_stuck_payments``
settles by asking the gateway.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db import IntegrityError, transaction

from apps.payments import idempotency, responses, selectors
from apps.payments.error_codes import (
    ChargeFailed,
    IdempotencyKeyReused,
    OrderNotPayable,
    PaymentAbandoned,
    RequestInProgress,
    charge_failure,
)
from apps.payments.gateway import ChargeDeclined, GatewayError, get_gateway
from apps.payments.models import Payment, Refund
from contracts import get, publish
from contracts.orders import OrderForPayment, OrdersService, OrderStatus
from contracts.payments import (
    NothingToRefund,
    PaymentCaptured,
    PaymentFailed,
    PaymentNotFound,
    PaymentRefunded,
    PaymentStatus,
    RefundDeclined,
)

logger = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class ChargeOutcome:
    """The answer to a payment request: the first one, or a replay of it."""

    payment: Payment
    status_code: int
    body: dict[str, Any]
    replayed: bool


def payment_charge(
    *,
    customer_id: UUID,
    order_id: UUID,
    payment_token: str,
    idempotency_key: str,
    wait_seconds: float | None = None,
) -> ChargeOutcome:
    """Charge the order of ``customer_id`` once per ``idempotency_key``.

    Not atomic on purpose (see the module docstring). A retry with the same key and
    body gets the stored answer, waiting up to ``wait_seconds`` (default
    ``PAYMENTS_IDEMPOTENCY_WAIT_SECONDS``) while the first request is in flight.
    Raises ``OrderNotFound``, ``OrderNotPayable``, ``IdempotencyKeyReused`` and
    ``RequestInProgress``; a declined charge is an answer (402/502/504), not an error.
    """
    if wait_seconds is None:
        wait_seconds = settings.PAYMENTS_IDEMPOTENCY_WAIT_SECONDS
    fingerprint = idempotency.request_fingerprint(order_id=order_id, payment_token=payment_token)
    existing = selectors.payment_get_by_key(
        customer_id=customer_id, idempotency_key=idempotency_key
    )
    if existing is not None:
        return _replay(existing, fingerprint=fingerprint, wait_seconds=wait_seconds)
    try:
        order = _payable_order(order_id=order_id, customer_id=customer_id)
        payment = payment_claim(
            order=order, idempotency_key=idempotency_key, request_fingerprint=fingerprint
        )
    except (OrderNotPayable, IntegrityError) as exc:
        # A concurrent request with this key may have claimed it (and even paid the
        # order) since we looked: then its answer is ours too.
        existing = selectors.payment_get_by_key(
            customer_id=customer_id, idempotency_key=idempotency_key
        )
        if existing is not None:
            return _replay(existing, fingerprint=fingerprint, wait_seconds=wait_seconds)
        if isinstance(exc, OrderNotPayable):
            raise
        raise OrderNotPayable(
            "Another payment of this order is in progress or captured already.",
            details={"order_id": str(order_id)},
        ) from exc
    try:
        charge = get_gateway().charge(
            amount=payment.amount,
            currency=payment.currency,
            token=payment_token,
            idempotency_key=str(payment.id),
        )
    except GatewayError as exc:
        logger.info("payment %s failed at the gateway: %s", payment.id, exc.message)
        failure = charge_failure(exc.decline_code, declined=isinstance(exc, ChargeDeclined))
        payment = payment_record_outcome(
            payment_id=payment.id, failure=failure, failure_message=exc.message
        )
    else:
        payment = payment_record_outcome(payment_id=payment.id, gateway_reference=charge.reference)
    return _answer(payment, replayed=False)


def _payable_order(*, order_id: UUID, customer_id: UUID) -> OrderForPayment:
    order = get(OrdersService).get_order_for_payment(order_id=order_id, customer_id=customer_id)
    if order.status is not OrderStatus.PENDING_PAYMENT:
        raise OrderNotPayable(details={"order_id": str(order_id), "status": order.status.value})
    if order.amount <= 0:
        raise OrderNotPayable(
            "The order has nothing to charge.", details={"order_id": str(order_id)}
        )
    return order


def _replay(payment: Payment, *, fingerprint: str, wait_seconds: float) -> ChargeOutcome:
    if payment.request_fingerprint != fingerprint:
        raise IdempotencyKeyReused(details={"idempotency_key": payment.idempotency_key})
    answered = idempotency.wait_for_response(payment_id=payment.id, timeout_seconds=wait_seconds)
    if answered is None:
        raise RequestInProgress(details={"payment_id": str(payment.id)})
    return _answer(answered, replayed=True)


def _answer(payment: Payment, *, replayed: bool) -> ChargeOutcome:
    assert payment.response_status is not None and payment.response_body is not None
    return ChargeOutcome(
        payment=payment,
        status_code=payment.response_status,
        body=payment.response_body,
        replayed=replayed,
    )


@transaction.atomic
def payment_claim(
    *, order: OrderForPayment, idempotency_key: str, request_fingerprint: str
) -> Payment:
    """Insert the pending payment; its unique constraints decide the single winner
    (IntegrityError for the losers)."""
    return Payment.objects.create(
        order_id=order.order_id,
        customer_id=order.customer_id,
        amount=order.amount,
        currency=order.currency,
        idempotency_key=idempotency_key,
        request_fingerprint=request_fingerprint,
    )


@transaction.atomic
def payment_record_outcome(
    *,
    payment_id: UUID,
    gateway_reference: str = "",
    failure: type[ChargeFailed] | None = None,
    failure_message: str = "",
) -> Payment:
    """pending → captured (no ``failure``) or failed; stores the answer, publishes the event.

    A payment that is no longer pending was settled by someone else first (the
    stuck-payment resolver); its outcome and answer stand.
    """
    payment = Payment.objects.select_for_update().get(id=payment_id)
    if payment.status != PaymentStatus.PENDING:
        if failure is None and payment.status == PaymentStatus.FAILED:
            logger.error(
                "payment %s was settled as failed, but the gateway captured %s: refund it",
                payment.id,
                gateway_reference,
            )
        return payment
    if failure is None:
        payment.status = PaymentStatus.CAPTURED.value
        payment.gateway_reference = gateway_reference
        payment.response_status, payment.response_body = responses.captured_response(payment)
        event: PaymentCaptured | PaymentFailed = PaymentCaptured(
            payment_id=payment.id,
            order_id=payment.order_id,
            amount=payment.amount,
            currency=payment.currency,
        )
    else:
        payment.status = PaymentStatus.FAILED.value
        payment.failure_code = failure.code
        payment.failure_message = (failure_message or failure.default_message)[:500]
        payment.response_status, payment.response_body = responses.failed_response(payment, failure)
        event = PaymentFailed(
            payment_id=payment.id,
            order_id=payment.order_id,
            reason_code=failure.code,
            message=failure.default_message,
        )
    payment.save(
        update_fields=[
            "status",
            "gateway_reference",
            "failure_code",
            "failure_message",
            "response_status",
            "response_body",
            "updated_at",
        ]
    )
    publish(event)
    return payment


def payment_resolve_stuck(*, payment_id: UUID) -> Payment:
    """Settle a payment left pending: captured if the gateway has its charge, else failed
    (``payments.payment_abandoned``). Only for payments older than any gateway call."""
    charge = get_gateway().find_charge(idempotency_key=str(payment_id))
    if charge is not None:
        return payment_record_outcome(payment_id=payment_id, gateway_reference=charge.reference)
    return payment_record_outcome(
        payment_id=payment_id,
        failure=PaymentAbandoned,
        failure_message="No outcome was recorded and the gateway has no charge for it.",
    )


# --- Refunds ------------------------------------------------------------------------


def payment_refund(*, payment_id: UUID, reason: str) -> Refund:
    """Refund a captured payment in full; the one path of the API, the admin and the contract.

    Raises ``PaymentNotFound``, ``NothingToRefund`` (not captured, or a refund is in
    progress) and ``RefundDeclined`` (the gateway refused; the failed attempt is kept).
    """
    refund = refund_claim(payment_id=payment_id, reason=reason)
    try:
        result = get_gateway().refund(
            charge_reference=refund.payment.gateway_reference,
            amount=refund.amount,
            currency=refund.currency,
            idempotency_key=str(refund.id),
        )
    except GatewayError as exc:
        refund_record_failure(
            refund_id=refund.id, decline_code=exc.decline_code, message=exc.message
        )
        raise RefundDeclined(
            details={
                "payment_id": str(payment_id),
                "refund_id": str(refund.id),
                "decline_code": exc.decline_code,
            }
        ) from exc
    return refund_record_success(refund_id=refund.id, gateway_reference=result.reference)


def payment_refund_for_order(*, order_id: UUID, reason: str) -> Refund:
    payment = selectors.payment_captured_for_order(order_id=order_id)
    if payment is None:
        raise NothingToRefund(details={"order_id": str(order_id)})
    return payment_refund(payment_id=payment.id, reason=reason)


@transaction.atomic
def refund_claim(*, payment_id: UUID, reason: str) -> Refund:
    # Locking the payment serializes concurrent refunds of it; the partial unique
    # constraint on Refund is the backstop.
    payment = Payment.objects.select_for_update().filter(id=payment_id).first()
    if payment is None:
        raise PaymentNotFound(details={"payment_id": str(payment_id)})
    if payment.status != PaymentStatus.CAPTURED:
        raise NothingToRefund(
            "The payment is not captured.",
            details={"payment_id": str(payment_id), "status": payment.status},
        )
    if payment.refunds.filter(status=Refund.Status.PENDING).exists():
        raise NothingToRefund(
            "A refund of this payment is in progress already.",
            details={"payment_id": str(payment_id)},
        )
    return Refund.objects.create(
        payment=payment, amount=payment.amount, currency=payment.currency, reason=reason[:500]
    )


@transaction.atomic
def refund_record_success(*, refund_id: UUID, gateway_reference: str) -> Refund:
    """refund pending → succeeded and payment captured → refunded; publishes PaymentRefunded."""
    # Payment first, then refund: the same lock order as refund_claim.
    payment_id = Refund.objects.values_list("payment_id", flat=True).get(id=refund_id)
    payment = Payment.objects.select_for_update().get(id=payment_id)
    refund = Refund.objects.select_for_update().get(id=refund_id)
    refund.status = Refund.Status.SUCCEEDED
    refund.gateway_reference = gateway_reference
    refund.save(update_fields=["status", "gateway_reference", "updated_at"])
    payment.status = PaymentStatus.REFUNDED.value
    payment.save(update_fields=["status", "updated_at"])
    publish(
        PaymentRefunded(
            payment_id=payment.id,
            order_id=payment.order_id,
            amount=refund.amount,
            currency=refund.currency,
        )
    )
    refund.payment = payment
    return refund


@transaction.atomic
def refund_record_failure(*, refund_id: UUID, decline_code: str, message: str) -> Refund:
    refund = Refund.objects.select_for_update().get(id=refund_id)
    refund.status = Refund.Status.FAILED
    refund.failure_code = decline_code[:64]
    refund.failure_message = message[:500]
    refund.save(update_fields=["status", "failure_code", "failure_message", "updated_at"])
    return refund
