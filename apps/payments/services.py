"""Writes of the payments app: charges with idempotency keys, and settling them.

A charge is deliberately NOT one transaction. The gateway moves real money and
cannot be rolled back, so the flow is: claim (a short transaction whose unique
constraint picks one winner) → call the gateway with no transaction open →
record the outcome, the stored answer and the event (a second short transaction).

An outcome that is not known (a timeout, a broken connection) is never a failure:
the processor may have charged. The call is repeated a few times with the SAME
gateway idempotency key; if the answer is still unknown, the payment stays
``pending`` (it keeps holding the order, so no other key can charge it), the
request gets 202, and ``payment_resolve_stuck`` settles it later from the
gateway's own record. Refunds live in ``apps.payments.refunds``.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db import IntegrityError, transaction

from apikit import rows
from apps.payments import answers, idempotency, refunds, selectors
from apps.payments.error_codes import (
    ChargeFailed,
    IdempotencyKeyReused,
    OrderNotPayable,
    PaymentAbandoned,
    RequestInProgress,
    charge_failure,
)
from apps.payments.gateway import (
    ChargeDeclined,
    ChargeResult,
    GatewayError,
    OutcomeUnknown,
    get_gateway,
    retrying,
)
from apps.payments.models import Payment
from contracts import get, publish
from contracts.orders import OrderForPayment, OrdersService, OrderStatus
from contracts.payments import PaymentCaptured, PaymentFailed, PaymentStatus

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
    ``RequestInProgress``; a declined charge is an answer (402/502), an unknown
    outcome too (202, the payment pending), not an error.
    """
    if wait_seconds is None:
        wait_seconds = settings.PAYMENTS_IDEMPOTENCY_WAIT_SECONDS
    fingerprint = idempotency.request_fingerprint(order_id=order_id, payment_token=payment_token)

    def replay() -> ChargeOutcome | None:
        # The key is looked up only when the request cannot go on as a first one:
        # a first request costs no lookup, and a retry is answered from its key
        # whatever the order says now (paid by the first request, or not
        # reachable this moment).
        existing = selectors.payment_get_by_key(
            customer_id=customer_id, idempotency_key=idempotency_key
        )
        if existing is None:
            return None
        return _replay(existing, fingerprint=fingerprint, wait_seconds=wait_seconds)

    try:
        order = _payable_order(order_id=order_id, customer_id=customer_id)
    except Exception:
        if (replayed := replay()) is not None:
            return replayed
        raise
    try:
        payment = payment_claim(
            order=order, idempotency_key=idempotency_key, request_fingerprint=fingerprint
        )
    except IntegrityError as exc:
        # Another payment of the order (another key) is in flight or captured.
        if (replayed := replay()) is not None:
            return replayed
        raise OrderNotPayable(
            "Another payment of this order is in progress or captured already.",
            details={"order_id": str(order_id)},
        ) from exc
    if payment is None:
        # The key is taken, by a concurrent or an earlier request: its answer is ours.
        if (replayed := replay()) is not None:
            return replayed
        raise RequestInProgress(details={"idempotency_key": idempotency_key})
    payment = payment_settle_charge(payment=payment, payment_token=payment_token)
    return _answer(payment, replayed=False)


def payment_settle_charge(*, payment: Payment, payment_token: str) -> Payment:
    """Call the gateway for a claimed payment (no transaction open) and record what it said."""
    try:
        charge: ChargeResult = retrying()(
            get_gateway().charge,
            amount=payment.amount,
            currency=payment.currency,
            token=payment_token,
            idempotency_key=str(payment.id),
        )
    except OutcomeUnknown as exc:
        logger.warning("payment %s: outcome unknown at the gateway: %s", payment.id, exc.message)
        return payment_record_unknown(payment_id=payment.id)
    except GatewayError as exc:
        logger.info("payment %s failed at the gateway: %s", payment.id, exc.message)
        failure = charge_failure(exc.decline_code, declined=isinstance(exc, ChargeDeclined))
        return payment_record_outcome(
            payment_id=payment.id, failure=failure, failure_message=exc.message, claimed=payment
        )
    return payment_record_outcome(
        payment_id=payment.id, gateway_reference=charge.reference, claimed=payment
    )


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
    if payment.response_status is not None:
        return _answer(payment, replayed=True)
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


def payment_claim(
    *, order: OrderForPayment, idempotency_key: str, request_fingerprint: str
) -> Payment | None:
    """Insert the pending payment; its unique constraints decide the single winner.

    None when the customer's key is taken already (``ON CONFLICT DO NOTHING``);
    ``IntegrityError`` when another payment holds the order. One INSERT, committed
    on its own (autocommit): a transaction around a single statement would add two
    round trips and no safety.
    """
    payment = Payment(
        order_id=order.order_id,
        customer_id=order.customer_id,
        amount=order.amount,
        currency=order.currency,
        idempotency_key=idempotency_key,
        request_fingerprint=request_fingerprint,
    )
    if not rows.insert_unless_taken(payment, "customer_id", "idempotency_key"):
        return None
    return payment


@transaction.atomic
def payment_record_unknown(*, payment_id: UUID) -> Payment:
    """The gateway did not say: the payment stays pending, and its answer (202, the
    payment pending) is stored until the outcome replaces it."""
    payment = Payment.objects.select_for_update().get(id=payment_id)
    if payment.status == PaymentStatus.PENDING and payment.response_status is None:
        payment.response_status, payment.response_body = answers.unknown_answer(payment)
        payment.save(update_fields=["response_status", "response_body", "updated_at"])
    return payment


# Every charge is recorded here: the SQL is written once (apikit.rows).
_PAYMENT_LOCKED = rows.Lookup(Payment, "id", for_update=True)
_RECORDED_FIELDS = [
    "status",
    "gateway_reference",
    "failure_code",
    "failure_message",
    "response_status",
    "response_body",
    "updated_at",
]


@transaction.atomic
def payment_record_outcome(
    *,
    payment_id: UUID,
    gateway_reference: str = "",
    failure: type[ChargeFailed] | None = None,
    failure_message: str = "",
    claimed: Payment | None = None,
) -> Payment:
    """pending → captured (no ``failure``) or failed; stores the answer, publishes the event.

    A payment settled already keeps its outcome and answer. One exception moves
    money: a capture the gateway confirms for a payment settled as failed (the
    resolver gave up on it first) is refunded automatically (a compensation).

    ``claimed`` is the payment as its request claimed it, pending. Its row is then
    settled by one compare-and-set ``UPDATE … WHERE status = 'pending'``, with no
    read before it; a row settled meanwhile (by the resolver) is read under its lock
    and handled as any other.
    """
    if claimed is not None and claimed.status == PaymentStatus.PENDING:
        event = _settle(claimed, gateway_reference, failure, failure_message)
        if rows.update_if(claimed, _RECORDED_FIELDS, status=PaymentStatus.PENDING.value):
            publish(event)
            return claimed
    payment = _PAYMENT_LOCKED(payment_id)
    if payment is None:
        raise Payment.DoesNotExist(f"payment {payment_id}")
    if payment.status != PaymentStatus.PENDING:
        if failure is None and payment.status == PaymentStatus.FAILED:
            _compensate_late_capture(payment, gateway_reference=gateway_reference)
        return payment
    event = _settle(payment, gateway_reference, failure, failure_message)
    # Every charge is recorded here: the UPDATE is written once (apikit.rows).
    rows.update(payment, _RECORDED_FIELDS)
    publish(event)
    return payment


def _settle(
    payment: Payment,
    gateway_reference: str,
    failure: type[ChargeFailed] | None,
    failure_message: str,
) -> PaymentCaptured | PaymentFailed:
    """Set the outcome and the stored answer of a pending ``payment``; its event."""
    if failure is None:
        payment.status = PaymentStatus.CAPTURED.value
        payment.gateway_reference = gateway_reference
        payment.response_status, payment.response_body = answers.captured_answer(payment)
        return PaymentCaptured(
            payment_id=payment.id,
            order_id=payment.order_id,
            amount=payment.amount,
            currency=payment.currency,
        )
    payment.status = PaymentStatus.FAILED.value
    payment.failure_code = failure.code
    payment.failure_message = (failure_message or failure.default_message)[:500]
    payment.response_status, payment.response_body = answers.failed_answer(payment, failure)
    return PaymentFailed(
        payment_id=payment.id,
        order_id=payment.order_id,
        reason_code=failure.code,
        message=failure.default_message,
    )


def _compensate_late_capture(payment: Payment, *, gateway_reference: str) -> None:
    if payment.gateway_reference:
        return  # seen and compensated already
    logger.warning(
        "payment %s was settled as failed, but the gateway captured %s: refunding it",
        payment.id,
        gateway_reference,
    )
    payment.gateway_reference = gateway_reference
    payment.save(update_fields=["gateway_reference", "updated_at"])
    refunds.refund_compensation_claim(
        payment=payment, reason="late capture of a payment settled as failed"
    )


def payment_resolve_stuck(*, payment_id: UUID) -> Payment:
    """Settle a pending payment from the gateway's record: captured if it holds the
    charge, else failed (``payments.payment_abandoned``); left pending while the
    gateway cannot be asked. Only for payments older than any gateway call."""
    try:
        captured = _record_charge_found(payment_id=payment_id)
    except OutcomeUnknown:
        return Payment.objects.get(id=payment_id)
    if captured is not None:
        return captured
    return payment_record_outcome(
        payment_id=payment_id,
        failure=PaymentAbandoned,
        failure_message="No outcome was recorded and the gateway has no charge for it.",
    )


def payment_recheck_abandoned(*, payment_id: UUID) -> Payment:
    """Ask again about a payment settled as abandoned: a charge that landed late is
    compensated (refunded) instead of being kept."""
    try:
        captured = _record_charge_found(payment_id=payment_id)
    except OutcomeUnknown:
        captured = None
    return captured if captured is not None else Payment.objects.get(id=payment_id)


def _record_charge_found(*, payment_id: UUID) -> Payment | None:
    """Record the capture the gateway holds for the payment (its own key); ``None`` when
    the gateway has no charge for it. Raises ``OutcomeUnknown`` when it cannot be asked."""
    charge = get_gateway().find_charge(idempotency_key=str(payment_id))
    if charge is None:
        return None
    return payment_record_outcome(payment_id=payment_id, gateway_reference=charge.reference)


@transaction.atomic
def payment_compensate(*, payment_id: UUID, order_id: UUID, reason: str) -> None:
    """Refund a captured payment its order would not take (orders' ``CaptureRejected``).

    Idempotent: a payment refunded already, or with a refund in progress, is left alone.
    """
    payment = Payment.objects.select_for_update().filter(id=payment_id).first()
    if payment is None or payment.order_id != order_id:
        logger.error("capture rejected for unknown payment %s of order %s", payment_id, order_id)
        return
    if payment.status == PaymentStatus.CAPTURED:
        refunds.refund_compensation_claim(payment=payment, reason=reason)
