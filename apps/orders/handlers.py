"""Events the orders app reacts to.

Each handler runs inside the inbox transaction of its delivery, so a
redelivered event is never applied twice, and never calls another app: what
must travel back (a capture the order will not take) is published as an event.
The handlers converge: the same events give the same order whatever order they
arrive in (see ``payment_transitions``).
"""

from __future__ import annotations

import logging

from apps.orders import payment_transitions, services
from contracts import subscribe
from contracts.orders import OrderNotFound
from contracts.payments import (
    CaptureCompensated,
    PaymentCaptured,
    PaymentFailed,
    PaymentRefunded,
    RefundFailed,
)
from contracts.users import UserDeactivated

logger = logging.getLogger(__name__)


@subscribe(PaymentCaptured, service="orders")
def mark_order_paid(event: PaymentCaptured) -> None:
    payment_transitions.order_apply_capture(
        order_id=event.order_id,
        payment_id=event.payment_id,
        amount=event.amount,
        currency=event.currency,
    )


@subscribe(PaymentFailed, service="orders")
def record_payment_failure(event: PaymentFailed) -> None:
    try:
        services.order_record_payment_failure(
            order_id=event.order_id, code=event.reason_code, message=event.message
        )
    except OrderNotFound as exc:
        logger.warning(
            "failure of payment %s for order %s ignored: %s %s",
            event.payment_id,
            event.order_id,
            exc.code,
            exc.details,
        )


@subscribe(PaymentRefunded, service="orders")
def mark_order_refunded(event: PaymentRefunded) -> None:
    payment_transitions.order_apply_refund(order_id=event.order_id, payment_id=event.payment_id)


@subscribe(RefundFailed, service="orders")
def reopen_order_after_refund_failure(event: RefundFailed) -> None:
    payment_transitions.order_apply_refund_failure(
        order_id=event.order_id,
        payment_id=event.payment_id,
        refund_key=event.idempotency_key,
        code=event.reason_code,
    )


@subscribe(CaptureCompensated, service="orders")
def note_compensated_capture(event: CaptureCompensated) -> None:
    payment_transitions.order_note_compensation(
        order_id=event.order_id,
        payment_id=event.payment_id,
        message=f"{event.amount} {event.currency} refunded: {event.reason}",
    )


@subscribe(UserDeactivated, service="orders")
def cancel_pending_orders_of_deactivated_user(event: UserDeactivated) -> None:
    cancelled = services.order_cancel_pending_of_customer(
        customer_id=event.user_id, reason="customer account deactivated"
    )
    if cancelled:
        logger.info(
            "cancelled %d pending orders of deactivated user %s", len(cancelled), event.user_id
        )
