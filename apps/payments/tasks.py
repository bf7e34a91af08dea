"""Celery tasks of the payments app: thin, taking ids, with bounded retries.

``settle_refund`` is the gateway step of a compensation, queued with
``transaction.on_commit`` by the transaction that claimed it (eager in the
embedded default). ``resolve`` is the beat task that settles what an unknown
outcome or a crash left open, from the gateway's own record.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from uuid import UUID

from django.conf import settings
from django.db import OperationalError

from apikit.tasks import shared_task
from apps.payments import refunds, resolution
from contracts.payments import RefundDeclined

logger = logging.getLogger(__name__)


@shared_task(
    name="payments.settle_refund",
    autoretry_for=(OperationalError,),
    max_retries=5,
    retry_backoff=10,
    retry_jitter=True,
    acks_late=True,
)
def settle_refund(refund_id: str) -> str:
    """Ask the gateway for a pending refund; idempotent (the refund id is the key).

    A refund whose answer stays unknown is left pending for ``resolve``.
    """
    try:
        refund = refunds.refund_settle(refund_id=UUID(refund_id))
    except RefundDeclined as exc:
        logger.error("refund %s refused by the gateway: %s", refund_id, exc.details)
        return "failed"
    return str(refund.status)


@shared_task(name="payments.resolve", acks_late=True)
def resolve() -> dict[str, int]:
    """Settle stuck payments and refunds, and compensate captures that landed late."""
    return resolution.resolve_all(
        older_than=timedelta(seconds=settings.PAYMENTS_RESOLVE_AFTER_SECONDS),
        late_capture_window=timedelta(hours=settings.PAYMENTS_LATE_CAPTURE_WINDOW_HOURS),
        limit=settings.PAYMENTS_RESOLVE_BATCH,
    )
