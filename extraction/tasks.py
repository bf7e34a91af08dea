"""Celery tasks of the event machinery: consume (worker), purge and redrive (beat).

Thin: they take ids or the message envelope and call extraction's functions.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from celery import Task, shared_task
from celery.exceptions import Reject
from django.conf import settings
from django.db import DatabaseError, InterfaceError
from django.utils import timezone

from extraction.consumer import copy_service, handle
from extraction.observability.propagation import continued
from extraction.routing import CONSUME_TASK, queue_name, task_message

logger = logging.getLogger(__name__)


@shared_task(
    name=CONSUME_TASK,
    bind=True,
    acks_late=True,  # acknowledged only once the handlers committed
    reject_on_worker_lost=True,  # a killed worker's message goes back to the queue
    ignore_result=True,
)
def consume(self: Task, envelope: dict[str, Any], redelivery: bool = False) -> None:
    request = self.request
    redelivered = redelivery or bool((request.delivery_info or {}).get("redelivered"))
    try:
        with continued(envelope.get("headers")):
            retries = handle(envelope, service=copy_service(request), redelivered=redelivered)
    except (DatabaseError, InterfaceError) as exc:
        # Our own database is down: nothing was applied or recorded; let the
        # broker hand the message out again rather than acknowledge it.
        raise Reject(f"database unavailable: {exc}", requeue=True) from exc
    for retry in retries:
        send_to_service(envelope, service=retry.service, countdown=retry.delay_seconds)


def send_to_service(envelope: dict[str, Any], *, service: str, countdown: float = 0) -> None:
    """Send ``envelope`` to one service's queue only, through the default exchange.

    Celery's ``apply_async`` would route by its default queue's exchange; the
    message is built like the relay's, and published with Celery's producer pool.
    """
    eta = timezone.now() + timedelta(seconds=countdown) if countdown > 0 else None
    body, headers = task_message(
        envelope, task_id=str(envelope["event_id"]), kwargs={"redelivery": True}, eta=eta
    )
    with consume.app.producer_or_acquire() as producer:
        producer.publish(
            body,
            exchange="",
            routing_key=queue_name(service),
            headers=headers,
            delivery_mode=2,
            correlation_id=headers["id"],
            retry=True,
            retry_policy={"max_retries": 3},
            content_type="application/json",
            content_encoding="utf-8",
        )


@shared_task(name="seams.outbox.purge", ignore_result=True)
def purge() -> dict[str, int]:
    from extraction.services import outbox_purge_completed

    return outbox_purge_completed()


@shared_task(name="seams.outbox.redrive", ignore_result=True)
def redrive() -> int:
    """Retry the failed rows that came due (in process), or resend lost consumer retries."""
    from extraction.delivery import deliver_rows
    from extraction.services import delivery_redrive_overdue

    if settings.SEAMS_EVENT_DELIVERY == "inprocess":
        return deliver_rows()
    # The relay retries failed outbox rows itself; what can get stuck is a
    # consumer's retry message.
    return delivery_redrive_overdue()
