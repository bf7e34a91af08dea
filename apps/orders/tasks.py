"""Celery tasks of the orders app: thin, with bounded work per run."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings

from apikit.tasks import shared_task
from apps.orders import payment_transitions


@shared_task(name="orders.retry_refund_requests", acks_late=True)
def retry_refund_requests() -> dict[str, int]:
    """Beat: ask payments again for refunds of orders stuck in ``refund_requested``."""
    return payment_transitions.order_retry_refund_requests(
        older_than=timedelta(seconds=settings.ORDERS_REFUND_RETRY_AFTER_SECONDS)
    )
