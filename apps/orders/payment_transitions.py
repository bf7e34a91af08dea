"""How an order follows the money: the cancellation that asks for a refund, and what
payments' events do to an order.

Two rules hold here:

- A refund and a fulfilment cannot both win. Cancelling a paid order first takes
  ``refund_requested`` under the order's row lock (``order_refund_request``), and
  only then asks payments, outside any transaction; ``order_fulfil`` refuses an
  order in that state.
- Payments' events converge whatever order they arrive in. A refund announced
  before its capture is noted in the order's history and applied when the
  capture arrives; a capture the order will not take (cancelled, refunded, paid by
  another payment, a different amount) is never just logged: it is rejected with
  ``CaptureRejected``, and payments gives the money back (``CaptureCompensated``).
  Nothing here calls another app: handlers run inside a transaction, so the saga
  travels by event.
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta
from decimal import Decimal
from uuid import UUID

from django.db import transaction
from django.utils import timezone

from apikit import rows
from apps.orders import selectors, services
from apps.orders.error_codes import IllegalTransition, PaymentMismatch
from apps.orders.models import REFUND_REQUESTED, Order, OrderHistoryEntry
from contracts import get, publish
from contracts.errors import ContractError
from contracts.orders import CaptureRejected, OrderNotFound, OrderPaid
from contracts.payments import NothingToRefund, PaymentsService, RefundDeclined

logger = logging.getLogger(__name__)

Kind = OrderHistoryEntry.Kind


def _note(order: Order, kind: str, *, payment_id: UUID | None = None, message: str = "") -> None:
    OrderHistoryEntry.objects.create(
        order=order, kind=kind, payment_id=payment_id, message=message[:500]
    )


def _locked(order_id: UUID) -> Order | None:
    """The order under its row lock, or ``None``: an event may name an order unknown here."""
    try:
        return services.order_lock(order_id)
    except OrderNotFound:
        return None


# --- Cancelling a paid order -------------------------------------------------------------


def order_request_cancellation(
    *, order_id: UUID, reason: str, customer_id: UUID | None = None
) -> Order:
    """Cancel an order for a customer (``customer_id``: only their own) or for staff.

    A pending order is cancelled at once. A paid order first becomes
    ``refund_requested`` under its row lock, then payments is asked for the refund
    by a contract call made outside any transaction, with the order's refund key,
    so a retried cancel asks again without refunding twice. A declined refund puts
    the order back to ``paid`` (with a history entry) and is reported to whoever
    asked. The order becomes refunded when payments' ``PaymentRefunded`` arrives:
    right after that call in the monolith, a moment later when payments runs apart
    or when the gateway's answer was unknown.
    """
    selectors.order_get(order_id=order_id, customer_id=customer_id, with_lines=False)
    order = order_refund_request(order_id=order_id, reason=reason)
    if order.status != REFUND_REQUESTED:
        return order
    try:
        get(PaymentsService).refund_order_payment_v2(
            order_id=order.id, reason=reason, idempotency_key=order.refund_key
        )
    except (RefundDeclined, NothingToRefund) as exc:
        order_refund_declined(order_id=order.id, refund_key=order.refund_key, code=exc.code)
        raise
    return selectors.order_get(order_id=order.id)


def order_retry_refund_requests(*, older_than: timedelta, limit: int = 500) -> dict[str, int]:
    """Ask payments again, with the same key, for the refunds of orders left
    ``refund_requested`` longer than ``older_than`` (the call failed in transit, or
    its answer is still unknown). Payments never refunds twice for one key."""
    counts: dict[str, int] = {}
    cutoff = timezone.now() - older_than
    stuck = Order.objects.filter(status=REFUND_REQUESTED, updated_at__lt=cutoff).order_by(
        "updated_at"
    )
    for order_id in list(stuck.values_list("id", flat=True)[:limit]):
        try:
            order = order_request_cancellation(order_id=order_id, reason="refund asked again")
        except ContractError as exc:
            logger.warning("refund of order %s asked again: %s", order_id, exc.code)
            outcome = exc.code
        else:
            outcome = order.status
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


@transaction.atomic
def order_refund_request(*, order_id: UUID, reason: str) -> Order:
    """pending_payment → cancelled at once; paid → refund_requested with a new refund
    key; refund_requested stays (a retried cancel asks payments again with its key).
    Anything else: 409 ``orders.illegal_transition``."""
    order = services.order_lock(
        order_id,
        allowed={services.PENDING, services.PAID, REFUND_REQUESTED},
        to=services.CANCELLED,
    )
    if order.status == services.PENDING:
        services.order_cancel_locked(order, reason=reason)
    elif order.status == services.PAID:
        order.status, order.refund_key = REFUND_REQUESTED, f"order-refund-{uuid.uuid4()}"
        order.save(update_fields=["status", "refund_key", "updated_at"])
        _note(order, Kind.REFUND_REQUESTED, payment_id=order.payment_id, message=reason)
    return order


@transaction.atomic
def order_refund_declined(*, order_id: UUID, refund_key: str, code: str) -> Order | None:
    """refund_requested → paid: payments refused the refund asked with ``refund_key``.

    A refusal of another request (an older key) leaves the order as it is.
    """
    order = _locked(order_id)
    if order is None:
        return None
    return _refund_declined_locked(order, refund_key=refund_key, code=code)


def _refund_declined_locked(order: Order, *, refund_key: str, code: str) -> Order:
    """``order_refund_declined`` for a caller that holds the order's row lock."""
    if order.status == REFUND_REQUESTED and refund_key and order.refund_key == refund_key:
        order.status, order.refund_key = services.PAID, ""
        order.save(update_fields=["status", "refund_key", "updated_at"])
        _note(order, Kind.REFUND_DECLINED, payment_id=order.payment_id, message=code)
    return order


# --- Payments' events --------------------------------------------------------------------


# Every capture asks whether its refund came first: the SQL is written once (apikit.rows).
_REFUND_NOTED = rows.Lookup(OrderHistoryEntry, "order", "kind", "payment_id")


_ORDER = rows.Columns(Order, Order._meta.db_table)


def _paid_if_waiting(
    *, order_id: UUID, payment_id: UUID, amount: Decimal, currency: str
) -> Order | None:
    """The usual capture in one statement: pending_payment → paid, as
    ``order_mark_locked_paid`` does, by a compare-and-set ``UPDATE … WHERE status =
    'pending_payment' AND total = … AND currency = … AND NOT EXISTS (its refund noted
    first) RETURNING …``, with no lock read before it.

    The order, paid (its row now locked by this transaction), or None for every
    other case, which the caller decides under the row lock: an unknown order, a
    capture seen before, another state or amount, a refund that came first.
    """
    paid = Order(id=order_id, status=services.PAID, payment_id=payment_id, paid_at=timezone.now())
    order: Order | None = rows.update_returning(  # type: ignore[assignment]
        paid,
        services.PAID_FIELDS,
        _ORDER,
        unless=(_REFUND_NOTED, (order_id, Kind.REFUND_NOTED, payment_id)),
        status=services.PENDING,
        total=amount,
        currency=currency,
    )
    if order is not None:
        publish(OrderPaid(order_id=order.id, customer_id=order.customer_id, payment_id=payment_id))
    return order


def _refund_if_noted(order: Order, *, payment_id: UUID) -> Order:
    """A capture just applied whose refund arrived first: apply the refund now, as if
    the events had come in order (the caller holds the order's row lock)."""
    if _REFUND_NOTED(order.id, Kind.REFUND_NOTED, payment_id) is not None:
        return services.order_mark_locked_refunded(order, payment_id=payment_id)
    return order


# No savepoint of its own: its one caller, the delivery, runs it in the savepoint
# that holds the event's inbox row, and nothing here catches a database error, so
# a failure rolls back to that savepoint (or the whole transaction, called alone).
@transaction.atomic(savepoint=False)
def order_apply_capture(
    *, order_id: UUID, payment_id: UUID, amount: Decimal, currency: str
) -> Order | None:
    """``PaymentCaptured``: pending_payment → paid; a capture the order will not take is
    rejected (history entry and ``CaptureRejected``, which payments compensates)."""
    order = _paid_if_waiting(
        order_id=order_id, payment_id=payment_id, amount=amount, currency=currency
    )
    if order is not None:
        return order
    order = _locked(order_id)
    if order is None:
        publish(
            CaptureRejected(
                order_id=order_id,
                payment_id=payment_id,
                order_status="unknown",
                reason="no such order",
            )
        )
        return None
    if order.payment_id == payment_id:
        return order  # the same capture announced again
    try:
        order = services.order_mark_locked_paid(
            order, payment_id=payment_id, amount=amount, currency=currency
        )
    except IllegalTransition:
        reason = f"the order is {order.status}"
    except PaymentMismatch:
        reason = (
            f"captured {amount} {currency}, the order's total is {order.total} {order.currency}"
        )
    else:
        return _refund_if_noted(order, payment_id=payment_id)
    logger.warning("capture %s rejected by order %s: %s", payment_id, order.id, reason)
    _note(order, Kind.CAPTURE_REJECTED, payment_id=payment_id, message=reason)
    publish(
        CaptureRejected(
            order_id=order.id, payment_id=payment_id, order_status=order.status, reason=reason
        )
    )
    return order


@transaction.atomic
def order_apply_refund(*, order_id: UUID, payment_id: UUID) -> Order | None:
    """``PaymentRefunded``: the order's payment → refunded. A refund of a payment the
    order has not taken (yet) is noted; if its capture arrives later, both apply."""
    order = _locked(order_id)
    if order is None:
        logger.warning("refund of payment %s for unknown order %s", payment_id, order_id)
        return None
    if order.payment_id == payment_id:
        # An order holds a payment id from its capture on (paid), so it can only be
        # paid, refund_requested, fulfilled or refunded here.
        if order.status != services.REFUNDED:
            order = services.order_mark_locked_refunded(order, payment_id=payment_id)
        return order
    if not order.history.filter(kind=Kind.REFUND_NOTED, payment_id=payment_id).exists():
        _note(order, Kind.REFUND_NOTED, payment_id=payment_id, message=f"order {order.status}")
    return order


@transaction.atomic
def order_apply_refund_failure(
    *, order_id: UUID, payment_id: UUID, refund_key: str, code: str
) -> Order | None:
    """``RefundFailed``: the order's pending refund request → back to paid. A refusal of
    a request this order asked with another key was answered to its caller already; a
    refund nobody asked through the order (staff, a compensation) is noted."""
    order = _locked(order_id)
    if order is None:
        return None
    if refund_key and order.refund_key == refund_key:
        return _refund_declined_locked(order, refund_key=refund_key, code=code)
    if not refund_key:
        _note(order, Kind.REFUND_FAILED, payment_id=payment_id, message=code)
    return order


@transaction.atomic
def order_note_compensation(*, order_id: UUID, payment_id: UUID, message: str) -> Order | None:
    """``CaptureCompensated``: the capture the order did not take was given back."""
    order = _locked(order_id)
    if order is not None:
        _note(order, Kind.CAPTURE_COMPENSATED, payment_id=payment_id, message=message)
    return order
