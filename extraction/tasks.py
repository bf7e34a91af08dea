"""Celery tasks of the event machinery: consume (worker), purge and redrive (beat).

Thin: they take ids or the message envelope and call extraction's functions.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

from celery import Task
from celery.exceptions import Reject
from celery.signals import task_rejected, task_unknown
from django.conf import settings
from django.db import DatabaseError, InterfaceError
from django.utils import timezone

from apikit.tasks import shared_task
from extraction.events.consumer import copy_service, handle, record_invalid_message
from extraction.events.delivery import backoff_seconds
from extraction.events.routing import CONSUME_TASK, QUEUE_HEADER, queue_name, task_message
from extraction.observability.propagation import continued

logger = logging.getLogger(__name__)


class DatabaseBackoff:
    """How long a worker waits before handing a message back while its database is down.

    Rejected at once, the message is redelivered at once, to this worker or the
    next, and the pool spins on it at full speed until the database returns. Each
    consecutive failure in this process doubles the wait (with jitter, capped);
    the first success resets it.
    """

    def __init__(self) -> None:
        self._failures = 0
        self._lock = threading.Lock()

    def failed(self) -> tuple[int, float]:
        with self._lock:
            self._failures += 1
            failures = self._failures
        return failures, backoff_seconds(
            failures,
            base=settings.SEAMS_CONSUMER_DB_BACKOFF_BASE_SECONDS,
            cap=settings.SEAMS_CONSUMER_DB_BACKOFF_MAX_SECONDS,
        )

    def succeeded(self) -> None:
        with self._lock:
            self._failures = 0


database_backoff = DatabaseBackoff()


@shared_task(
    name=CONSUME_TASK,
    bind=True,
    acks_late=True,  # acknowledged only once the handlers committed
    reject_on_worker_lost=True,  # a killed worker's message goes back to the queue
    ignore_result=True,
)
def consume(self: Task, *args: Any, **kwargs: Any) -> None:
    # Any arguments are accepted: a message whose arguments are not one envelope is
    # recorded as an invalid message by ``handle`` rather than failing the call.
    redelivery = bool(kwargs.pop("redelivery", False))
    envelope = args[0] if len(args) == 1 and not kwargs else {"args": args, "kwargs": kwargs}
    request = self.request
    redelivered = redelivery or bool((request.delivery_info or {}).get("redelivered"))
    headers = envelope.get("headers") if isinstance(envelope, dict) else None
    try:
        with continued(headers if isinstance(headers, dict) else None):
            retries = handle(envelope, service=copy_service(request), redelivered=redelivered)
    except (DatabaseError, InterfaceError) as exc:
        # Our own database is down: nothing was applied or recorded. Hand the
        # message back to the broker rather than acknowledge it, after a backoff.
        failures, delay = database_backoff.failed()
        logger.warning(
            "database unavailable (%d in a row): message handed back in %.1fs: %s",
            failures,
            delay,
            exc,
        )
        time.sleep(delay)
        raise Reject(f"database unavailable: {exc}", requeue=True) from exc
    database_backoff.succeeded()
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


@task_rejected.connect
def record_rejected_message(sender: Any = None, message: Any = None, **kwargs: Any) -> None:
    """A message the worker could not read as a task (no task headers, a broken body).

    Celery rejects it without running anything; on one of our service queues it is
    recorded as an invalid message, so an operator sees it.
    """
    _record_unreadable(message, reason=f"not a task message: {kwargs.get('exc')}")


@task_unknown.connect
def record_unknown_task(sender: Any = None, message: Any = None, **kwargs: Any) -> None:
    """A task message naming a task this worker does not have."""
    _record_unreadable(message, reason=f"unknown task {kwargs.get('name')!r}")


def _record_unreadable(message: Any, *, reason: str) -> None:
    if message is None:
        return
    # The queue's stamp is a header of the kombu message (a request attribute in a task).
    headers = getattr(message, "headers", None) or {}
    service = copy_service(
        SimpleNamespace(
            **{QUEUE_HEADER: headers.get(QUEUE_HEADER)},
            delivery_info=getattr(message, "delivery_info", None),
        )
    )
    if service is None:
        return  # not one of our service queues
    try:
        body = message.decode()  # by its content type; JSON for what our clients send
    except Exception:  # noqa: BLE001 - undecodable: keep the raw body
        body = message.body
    try:
        record_invalid_message(body, service=service, reason=reason)
    except Exception:
        logger.exception("could not record the invalid message on the %s queue", service)


@shared_task(name="seams.outbox.purge", ignore_result=True)
def purge() -> dict[str, int]:
    from extraction.services import outbox_purge_completed

    return outbox_purge_completed()


@shared_task(name="seams.outbox.redrive", ignore_result=True)
def redrive() -> int:
    """Retry the failed rows that came due (in process), or resend lost consumer retries."""
    from extraction.events.delivery import deliver_rows
    from extraction.services import delivery_redrive_overdue

    if settings.SEAMS_EVENT_DELIVERY == "inprocess":
        return deliver_rows()
    # The relay retries failed outbox rows itself; what can get stuck is a
    # consumer's retry message.
    return delivery_redrive_overdue()
