"""Refunds: asked by staff, by the orders contract, or automatically (compensation).

The same three steps as a charge: claim (lock the payment, insert a ``pending``
refund) → ``gateway.refund`` outside any transaction, with the refund id as the
gateway's idempotency key → record (refund ``succeeded`` and payment ``refunded``,
or refund ``failed``, with the event, in one transaction). A timeout is not a
refusal: the refund stays ``pending`` and ``refund_resolve`` settles it from the
gateway's record (``find_refund``), asking again with the same key when the
gateway never saw it.
"""

from __future__ import annotations

import logging
from uuid import UUID

from django.db import IntegrityError, transaction

from apps.payments import selectors
from apps.payments.gateway import (
    GatewayError,
    OutcomeUnknown,
    RefundRefused,
    get_gateway,
    retrying,
)
from apps.payments.models import Payment, Refund
from contracts import publish
from contracts.payments import (
    CaptureCompensated,
    NothingToRefund,
    PaymentNotFound,
    PaymentRefunded,
    PaymentStatus,
    RefundDeclined,
    RefundFailed,
)

logger = logging.getLogger(__name__)

ACTIVE = (Refund.Status.PENDING, Refund.Status.SUCCEEDED)


def payment_refund(*, payment_id: UUID, reason: str, idempotency_key: str | None = None) -> Refund:
    """Refund a captured payment in full; the one path of the API, the admin and the contract.

    With ``idempotency_key``, a repeated call returns the refund of the first (or
    raises its error) and asks the gateway again only with that refund's own key.
    Returns the refund ``succeeded``, or ``pending`` when the gateway's answer is
    unknown. Raises ``PaymentNotFound``, ``NothingToRefund`` (not captured, or a
    refund is in progress) and ``RefundDeclined`` (the gateway refused; the failed
    attempt is kept and the payment stays captured).
    """
    existing = selectors.refund_get_by_key(idempotency_key=idempotency_key)
    if existing is not None:
        return refund_settle(refund_id=existing.id)
    return _refund_claim_and_settle(
        payment_id=payment_id, reason=reason, idempotency_key=idempotency_key
    )


def payment_refund_for_order(
    *, order_id: UUID, reason: str, idempotency_key: str | None = None
) -> Refund:
    """``payment_refund`` of the order's captured payment (``NothingToRefund`` if none)."""
    existing = selectors.refund_get_by_key(idempotency_key=idempotency_key)
    if existing is not None:
        return refund_settle(refund_id=existing.id)
    payment = selectors.payment_captured_for_order(order_id=order_id)
    if payment is None:
        raise NothingToRefund(details={"order_id": str(order_id)})
    return _refund_claim_and_settle(
        payment_id=payment.id, reason=reason, idempotency_key=idempotency_key
    )


def _refund_claim_and_settle(
    *, payment_id: UUID, reason: str, idempotency_key: str | None
) -> Refund:
    """Claim a new refund (the caller found none for its key) and settle it."""
    try:
        refund = refund_claim(payment_id=payment_id, reason=reason, idempotency_key=idempotency_key)
    except IntegrityError:
        # A concurrent call with the same key may have claimed it since the caller looked.
        existing = selectors.refund_get_by_key(idempotency_key=idempotency_key)
        if existing is None:
            raise NothingToRefund(
                "A refund of this payment is in progress already.",
                details={"payment_id": str(payment_id)},
            ) from None
        refund = existing
    return refund_settle(refund_id=refund.id)


def refund_settle(*, refund_id: UUID) -> Refund:
    """Ask the gateway for a pending refund (same key every time) and record its answer.

    A settled refund is returned as it is (a failed one raises ``RefundDeclined``
    again); a pending one whose answer stays unknown is returned pending.
    """
    refund = Refund.objects.select_related("payment").get(id=refund_id)
    if refund.status == Refund.Status.PENDING:
        try:
            result = retrying()(
                get_gateway().refund,
                charge_reference=refund.payment.gateway_reference,
                amount=refund.amount,
                currency=refund.currency,
                idempotency_key=str(refund.id),
            )
        except OutcomeUnknown as exc:
            logger.warning("refund %s: outcome unknown at the gateway: %s", refund.id, exc.message)
            return refund
        except GatewayError as exc:
            refund = refund_record_failure(
                refund_id=refund.id, decline_code=exc.decline_code, message=exc.message
            )
        else:
            refund = refund_record_success(refund_id=refund.id, gateway_reference=result.reference)
    if refund.status == Refund.Status.FAILED:
        raise RefundDeclined(
            details={
                "payment_id": str(refund.payment_id),
                "refund_id": str(refund.id),
                "decline_code": refund.failure_code,
            }
        )
    return refund


def refund_resolve(*, refund_id: UUID) -> Refund:
    """Settle a refund left pending (a crash, an unknown answer) from the gateway's record.

    The gateway holds it → succeeded (or failed, if it refused it); the gateway never
    saw it → asked again with the same key, which cannot refund twice.
    """
    try:
        found = get_gateway().find_refund(idempotency_key=str(refund_id))
    except RefundRefused as exc:
        return refund_record_failure(
            refund_id=refund_id, decline_code=exc.decline_code, message=exc.message
        )
    except OutcomeUnknown:
        return Refund.objects.get(id=refund_id)
    if found is not None:
        return refund_record_success(refund_id=refund_id, gateway_reference=found.reference)
    try:
        return refund_settle(refund_id=refund_id)
    except RefundDeclined:
        return Refund.objects.get(id=refund_id)


@transaction.atomic
def refund_claim(*, payment_id: UUID, reason: str, idempotency_key: str | None = None) -> Refund:
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
        payment=payment,
        amount=payment.amount,
        currency=payment.currency,
        reason=reason[:500],
        idempotency_key=idempotency_key,
    )


def refund_compensation_claim(*, payment: Payment, reason: str) -> Refund | None:
    """Inside the caller's transaction, with ``payment`` locked: claim the automatic
    refund of its capture and settle it once the transaction commits (a Celery task,
    eager in the embedded default). ``None`` when a refund is on its way already."""
    from apps.payments import tasks

    if payment.refunds.filter(status__in=ACTIVE).exists():
        return None
    refund = Refund.objects.create(
        payment=payment,
        amount=payment.amount,
        currency=payment.currency,
        reason=reason[:500],
        compensation=True,
    )
    refund_id = str(refund.id)
    transaction.on_commit(lambda: tasks.settle_refund.delay(refund_id), robust=True)
    return refund


@transaction.atomic
def refund_record_success(*, refund_id: UUID, gateway_reference: str) -> Refund:
    """refund pending → succeeded and payment → refunded; publishes ``PaymentRefunded``
    (``CaptureCompensated`` for a compensation). A settled refund is left as it is."""
    # Payment first, then refund: the same lock order as refund_claim.
    payment_id = Refund.objects.values_list("payment_id", flat=True).get(id=refund_id)
    payment = Payment.objects.select_for_update().get(id=payment_id)
    refund = Refund.objects.select_for_update().get(id=refund_id)
    refund.payment = payment
    if refund.status != Refund.Status.PENDING:
        return refund
    refund.status = Refund.Status.SUCCEEDED
    refund.gateway_reference = gateway_reference
    refund.save(update_fields=["status", "gateway_reference", "updated_at"])
    payment.status = PaymentStatus.REFUNDED.value
    payment.save(update_fields=["status", "updated_at"])
    if refund.compensation:
        publish(
            CaptureCompensated(
                payment_id=payment.id,
                order_id=payment.order_id,
                refund_id=refund.id,
                amount=refund.amount,
                currency=refund.currency,
                reason=refund.reason,
            )
        )
    else:
        publish(
            PaymentRefunded(
                payment_id=payment.id,
                order_id=payment.order_id,
                amount=refund.amount,
                currency=refund.currency,
            )
        )
    return refund


@transaction.atomic
def refund_record_failure(*, refund_id: UUID, decline_code: str, message: str) -> Refund:
    """refund pending → failed (the payment keeps its status); publishes ``RefundFailed``."""
    refund = Refund.objects.select_for_update().select_related("payment").get(id=refund_id)
    if refund.status != Refund.Status.PENDING:
        return refund
    refund.status = Refund.Status.FAILED
    refund.failure_code = decline_code[:64]
    refund.failure_message = message[:500]
    refund.save(update_fields=["status", "failure_code", "failure_message", "updated_at"])
    if refund.compensation:
        logger.error(
            "the automatic refund %s of payment %s was refused (%s): refund it by hand",
            refund.id,
            refund.payment_id,
            decline_code,
        )
    publish(
        RefundFailed(
            payment_id=refund.payment_id,
            order_id=refund.payment.order_id,
            refund_id=refund.id,
            idempotency_key=refund.idempotency_key or "",
            reason_code=decline_code[:64],
        )
    )
    return refund
