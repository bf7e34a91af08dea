"""In-process delivery of outbox rows to the local subscribers, with the inbox.

The embedded default: right after the publishing transaction commits, each new
row is claimed (``SELECT … FOR UPDATE SKIP LOCKED`` where the database has it),
every local handler subscribed to the event runs in a savepoint together with
its inbox row, and the row is marked published — all in one transaction, so a
crash leaves either everything or nothing applied.
"""

from __future__ import annotations

import logging
import random
import traceback
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from opentelemetry import trace

from contracts import codec
from contracts.events import Event, Subscription, subscriptions
from extraction.models import DUE_STATUSES, InboxEntry, OutboxEvent, OutboxStatus
from extraction.observability.metrics import consumer_deliveries
from extraction.observability.propagation import continued
from extraction.wakeup import notify_relays

logger = logging.getLogger(__name__)
tracer = trace.get_tracer("seams.events")


def after_commit(row_id: int) -> None:
    """Deliver ``row_id`` once the current transaction commits.

    With a broker the relay process publishes the row (see extraction.relay);
    the transaction only wakes it up when it commits.
    """
    if settings.SEAMS_EVENT_DELIVERY != "inprocess":
        notify_relays()
        return
    # robust: a failed delivery is recorded on its row and must neither fail the
    # request whose change is committed already nor skip the other callbacks.
    transaction.on_commit(lambda: deliver_after_commit(row_id), robust=True)


def deliver_after_commit(row_id: int) -> None:
    """The embedded default's relay: the new row, then whatever else is due.

    With no relay process and no beat, commits drive the retries: each one also
    sweeps failed rows whose backoff has passed and pending rows a crash left
    behind between a commit and its delivery.
    """
    deliver_rows([row_id])
    deliver_rows()


def decode(row: OutboxEvent) -> Event:
    event_type = Event.lookup(row.name, row.version)
    return codec.from_jsonable(event_type, row.payload)


def local_subscriptions(event_type: type[Event]) -> tuple[Subscription, ...]:
    local = set(settings.SEAMS_SERVICES)
    return tuple(s for s in subscriptions(event_type) if s.service in local)


def apply_once(subscription: Subscription, event: Event) -> bool:
    """Run ``subscription`` for ``event`` unless its inbox says it already did.

    The inbox row and the handler's effects commit (or roll back) together.
    Returns whether the handler ran.
    """
    attributes = {"seams.event": event.name, "seams.handler": subscription.key}
    with (
        tracer.start_as_current_span(f"handle {event.name}", attributes=attributes),
        transaction.atomic(),
    ):
        if _claim_inbox(event, subscription.key):
            subscription.handler(event)
            return True
        return False


def _claim_inbox(event: Event, handler: str) -> bool:
    """Insert the inbox row; False if this (event, handler) is there already."""
    connection = transaction.get_connection()
    if connection.vendor == "postgresql":
        # One statement instead of get_or_create's select, savepoint and insert:
        # the consumer's hot path. A concurrent copy of the same delivery waits
        # on the unique index until the first commits, then inserts nothing.
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO extraction_inboxentry (event_id, handler, event_name, processed_at) "
                "VALUES (%s, %s, %s, %s) "
                "ON CONFLICT (event_id, handler) DO NOTHING RETURNING id",
                [event.event_id, handler, event.name, timezone.now()],
            )
            return cursor.fetchone() is not None
    _, created = InboxEntry.objects.get_or_create(
        event_id=event.event_id, handler=handler, defaults={"event_name": event.name}
    )
    return created


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff with "equal jitter", capped by the settings.

    Half the backoff is fixed and half random: spread out like full jitter, but
    never near zero, so a failure is not retried by the sweep right after it.
    """
    base = settings.SEAMS_OUTBOX_RETRY_BASE_SECONDS
    cap = settings.SEAMS_OUTBOX_RETRY_MAX_SECONDS
    half = min(cap, base * 2 ** (attempts - 1)) / 2
    return timedelta(seconds=half + random.uniform(0, half))  # noqa: S311


def deliver_rows(row_ids: Iterable[int] | None = None, *, limit: int = 100) -> int:
    """Deliver the given rows (or the due ones) to local handlers; returns how many."""
    now = timezone.now()
    with transaction.atomic():
        rows = OutboxEvent.objects.select_for_update(skip_locked=True).filter(
            status__in=DUE_STATUSES
        )
        if row_ids is not None:
            rows = rows.filter(id__in=list(row_ids))
        else:
            rows = rows.exclude(next_attempt_at__gt=now)
        delivered = 0
        for row in rows.order_by("id")[:limit]:
            _deliver_one(row)
            delivered += 1
        return delivered


def _deliver_one(row: OutboxEvent) -> None:
    # A sweep may deliver a row another request published: run it in that
    # request's correlation id and trace.
    with continued(row.headers):
        _deliver_decoded(row)


def _deliver_decoded(row: OutboxEvent) -> None:
    errors: list[str] = []
    try:
        event = decode(row)
    except Exception:  # noqa: BLE001 - a row that cannot be decoded is parked, not retried
        record_failure(row, traceback.format_exc(), park=True)
        return
    for subscription in local_subscriptions(type(event)):
        try:
            applied = apply_once(subscription, event)
        except Exception as exc:
            consumer_deliveries.labels(subscription.service, event.name, "failed").inc()
            logger.exception("handler %s failed on %s", subscription.key, row.event_id)
            errors.append(f"{subscription.key}: {type(exc).__name__}: {exc}")
        else:
            outcome = "applied" if applied else "duplicate"
            consumer_deliveries.labels(subscription.service, event.name, outcome).inc()
    if errors:
        record_failure(row, "\n".join(errors))
    else:
        mark_published(row)


def mark_published(row: OutboxEvent) -> None:
    row.status = OutboxStatus.PUBLISHED
    row.published_at = row.last_attempt_at = timezone.now()
    row.attempts += 1
    row.last_error = ""
    row.next_attempt_at = None
    row.save(
        update_fields=[
            "status",
            "published_at",
            "last_attempt_at",
            "attempts",
            "last_error",
            "next_attempt_at",
        ]
    )


def record_failure(row: OutboxEvent, error: str, *, park: bool = False) -> None:
    row.attempts += 1
    row.last_error = error[-4000:]
    row.last_attempt_at = timezone.now()
    if park or row.attempts >= settings.SEAMS_OUTBOX_MAX_ATTEMPTS:
        row.status = OutboxStatus.PARKED
        row.next_attempt_at = None
    else:
        row.status = OutboxStatus.FAILED
        row.next_attempt_at = timezone.now() + retry_delay(row.attempts)
    row.save(
        update_fields=["status", "attempts", "last_error", "last_attempt_at", "next_attempt_at"]
    )
