"""Events the orders app reacts to.

Each handler runs inside the inbox transaction of its delivery, so a
redelivered event is never applied twice. An event that does not fit the order
(unknown order, unexpected state, a replay after the order moved on) is logged
and skipped: raising would only retry it until it is parked, and no retry can
make it fit.
"""

from __future__ import annotations

import logging

from apps.orders import services
from apps.orders.error_codes import IllegalTransition, PaymentMismatch
from contracts import subscribe
from contracts.orders import OrderNotFound
from contracts.payments import PaymentCaptured, PaymentFailed, PaymentRefunded
from contracts.users import UserDeactivated

logger = logging.getLogger(__name__)


@subscribe(PaymentCaptured, service="orders")
def mark_order_paid(event: PaymentCaptured) -> None:
    try:
        services.order_mark_paid(
            order_id=event.order_id,
            payment_id=event.payment_id,
            amount=event.amount,
            currency=event.currency,
        )
    except (OrderNotFound, IllegalTransition, PaymentMismatch) as exc:
        # A capture for a cancelled or unknown order needs a person (a refund by staff).
        logger.error(
            "payment %s captured for order %s ignored: %s %s",
            event.payment_id,
            event.order_id,
            exc.code,
            exc.details,
        )


@subscribe(PaymentFailed, service="orders")
def record_payment_failure(event: PaymentFailed) -> None:
    try:
        services.order_record_payment_failure(
            order_id=event.order_id, code=event.reason_code, message=event.message
        )
    except (OrderNotFound, IllegalTransition) as exc:
        logger.warning(
            "failure of payment %s for order %s ignored: %s %s",
            event.payment_id,
            event.order_id,
            exc.code,
            exc.details,
        )


@subscribe(PaymentRefunded, service="orders")
def mark_order_refunded(event: PaymentRefunded) -> None:
    try:
        services.order_mark_refunded(order_id=event.order_id, payment_id=event.payment_id)
    except (OrderNotFound, IllegalTransition) as exc:
        logger.warning(
            "refund of payment %s for order %s ignored: %s %s",
            event.payment_id,
            event.order_id,
            exc.code,
            exc.details,
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
