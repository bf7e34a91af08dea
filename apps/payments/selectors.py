"""Reads of the payments app."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.db.models import Count, QuerySet, Sum
from django.utils import timezone

from apikit import rows
from apps.payments.error_codes import PaymentAbandoned
from apps.payments.models import Payment, Refund
from contracts.payments import PaymentNotFound, PaymentStatus

CENT = Decimal("0.01")


def payment_get(*, payment_id: UUID, customer_id: UUID | None = None) -> Payment:
    """The payment; another customer's payment is reported as not found."""
    payments = Payment.objects.prefetch_related("refunds").filter(id=payment_id)
    if customer_id is not None:
        payments = payments.filter(customer_id=customer_id)
    payment = payments.first()
    if payment is None:
        raise PaymentNotFound(details={"payment_id": str(payment_id)})
    return payment


def payment_list(*, customer_id: UUID | None = None) -> QuerySet[Payment]:
    """Payments, newest first; only ``customer_id``'s when given (staff pass ``None``)."""
    payments = Payment.objects.prefetch_related("refunds")
    if customer_id is not None:
        payments = payments.filter(customer_id=customer_id)
    return payments


# Every payment request looks its key up first: the SQL is written once (apikit.rows).
_PAYMENT_BY_KEY = rows.Lookup(Payment, "customer_id", "idempotency_key")


def payment_get_by_key(*, customer_id: UUID, idempotency_key: str) -> Payment | None:
    return _PAYMENT_BY_KEY(customer_id, idempotency_key)  # type: ignore[no-any-return]


def refund_get_by_key(*, idempotency_key: str | None) -> Refund | None:
    """The refund asked with ``idempotency_key``; none for a refund asked without a key."""
    if idempotency_key is None:
        return None
    return Refund.objects.filter(idempotency_key=idempotency_key).first()


def payment_captured_for_order(*, order_id: UUID) -> Payment | None:
    return Payment.objects.filter(order_id=order_id, status=PaymentStatus.CAPTURED.value).first()


def payment_list_stuck(*, older_than: timedelta) -> QuerySet[Payment]:
    """Pending payments created more than ``older_than`` ago, oldest first (a crash
    or an unknown gateway answer left them open)."""
    return Payment.objects.filter(
        status=PaymentStatus.PENDING.value, created_at__lt=timezone.now() - older_than
    ).order_by("created_at")


def payment_list_abandoned(*, within: timedelta) -> QuerySet[Payment]:
    """Payments settled as abandoned in the last ``within`` whose charge was never seen:
    the ones a late capture could still surprise."""
    return Payment.objects.filter(
        status=PaymentStatus.FAILED.value,
        failure_code=PaymentAbandoned.code,
        gateway_reference="",
        updated_at__gte=timezone.now() - within,
    ).order_by("updated_at")


def refund_list_stuck(*, older_than: timedelta) -> QuerySet[Refund]:
    """Pending refunds created more than ``older_than`` ago, oldest first."""
    return Refund.objects.filter(
        status=Refund.Status.PENDING, created_at__lt=timezone.now() - older_than
    ).order_by("created_at")


def _money(total: Decimal | None) -> Decimal:
    # SQLite sums decimals as floats: bring the total back to the column's 2 places.
    return Decimal(total or 0).quantize(CENT)


def payment_totals(*, since: datetime, until: datetime) -> list[dict[str, Any]]:
    """Count and amount of payments per status and currency created in [since, until)."""
    rows = (
        Payment.objects.filter(created_at__gte=since, created_at__lt=until)
        .values("status", "currency")
        .annotate(count=Count("id"), amount=Sum("amount"))
        .order_by("status", "currency")
    )
    return [{**row, "amount": _money(row["amount"])} for row in rows]


def refund_totals(*, since: datetime, until: datetime) -> list[dict[str, Any]]:
    """Count and amount of refunds per status and currency created in [since, until)."""
    rows = (
        Refund.objects.filter(created_at__gte=since, created_at__lt=until)
        .values("status", "currency")
        .annotate(count=Count("id"), amount=Sum("amount"))
        .order_by("status", "currency")
    )
    return [{**row, "amount": _money(row["amount"])} for row in rows]
