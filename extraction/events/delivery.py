"""In-process delivery of outbox rows to the local subscribers, with the inbox.

The embedded default: right after the publishing transaction commits, the rows
it published are claimed together (``SELECT … FOR UPDATE SKIP LOCKED`` where the
database has it), every local handler subscribed to each event runs in a
savepoint together with its inbox row, and the rows are marked published — all
in one transaction, so a crash leaves either everything or nothing applied (one
row with one handler needs no savepoint: see ``_deliver_alone``). The statements
on outbox rows are in ``extraction.events.outbox_rows``. An
event no local handler subscribes to is written published at once (there is
nobody to deliver it to), so it costs the request no second transaction.

Retries need no beat either: a commit also sweeps the due rows, but only when
something can be due — a retry this process scheduled has come due, or
``SEAMS_OUTBOX_SWEEP_SECONDS`` have passed since the last sweep (rows a crash
left pending, or that another process failed). A process sweeps at its first
commit too. So a request pays for an empty sweep at most once per interval.
"""

from __future__ import annotations

import logging
import random
import threading
import time
import traceback
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Min
from django.utils import timezone
from opentelemetry import trace

from contracts import codec
from contracts.events import Event, Subscription, subscriptions
from extraction.events import outbox_rows
from extraction.events.wakeup import notify_relays
from extraction.models import DUE_STATUSES, InboxEntry, OutboxEvent, OutboxStatus
from extraction.observability.metrics import consumer_deliveries
from extraction.observability.propagation import continued

logger = logging.getLogger(__name__)
tracer = trace.get_tracer("seams.events")


def delivered_at_once(event_type: type[Event]) -> bool:
    """Whether a new row of ``event_type`` is complete as soon as it is written.

    In process, an event that no local handler subscribes to has nobody to be
    delivered to. With a broker every row goes to the relay.
    """
    return settings.SEAMS_EVENT_DELIVERY == "inprocess" and not local_subscriptions(event_type)


class _Batch:
    """The rows one transaction published: delivered together once it commits.

    A row published in a savepoint that rolls back stays listed; its delivery
    finds no such row and skips it.
    """

    def __init__(self) -> None:
        self.rows: list[tuple[int, type[Event]]] = []

    def __call__(self) -> None:
        alone = len(self.rows) == 1 and len(local_subscriptions(self.rows[0][1])) == 1
        deliver_after_commit([row_id for row_id, _ in self.rows], alone=alone)


def after_commit(row_id: int | None, event_type: type[Event]) -> None:
    """Deliver ``row_id`` once the current transaction commits (None: only sweep if due).

    With a broker the relay process publishes the row (see extraction.events.relay);
    the transaction only wakes it up when it commits.
    """
    if settings.SEAMS_EVENT_DELIVERY != "inprocess":
        if row_id is not None:
            notify_relays()
        return
    if row_id is None and not sweeps.is_due():
        return
    connection = transaction.get_connection()
    batch = next((e[1] for e in connection.run_on_commit if isinstance(e[1], _Batch)), None)
    if batch is None:
        batch = _Batch()
        # robust: a failed delivery is recorded on its row and must neither fail the
        # request whose change is committed already nor skip the other callbacks.
        transaction.on_commit(batch, robust=True)
    if row_id is not None:
        batch.rows.append((row_id, event_type))


class SweepSchedule:
    """When this process next sweeps the outbox for due rows (the embedded default)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._next = 0.0  # time.monotonic(): the first commit of a process sweeps

    def is_due(self) -> bool:
        return time.monotonic() >= self._next

    def take(self) -> bool:
        """True (once) if a sweep is due now; the next one is then an interval away."""
        now = time.monotonic()
        with self._lock:
            if now < self._next:
                return False
            self._next = now + settings.SEAMS_OUTBOX_SWEEP_SECONDS
            return True

    def due_at(self, when: datetime) -> None:
        """Sweep at ``when`` at the latest (a retry comes due then)."""
        delay = max(0.0, (when - timezone.now()).total_seconds())
        with self._lock:
            self._next = min(self._next, time.monotonic() + delay)

    def reset(self) -> None:
        """Sweep at the next commit (as a freshly started process does)."""
        with self._lock:
            self._next = 0.0


sweeps = SweepSchedule()


def deliver_after_commit(row_ids: Iterable[int], *, alone: bool = False) -> None:
    """The embedded default's relay: the transaction's rows, then the due ones if any can be.

    ``alone``: one row whose event has one local handler (see ``_deliver_alone``).
    """
    row_ids = list(row_ids)
    if alone and len(row_ids) == 1:
        _deliver_alone(row_ids[0])
    elif row_ids:
        deliver_rows(row_ids)
    if sweeps.take():
        deliver_rows()
        earliest = (
            OutboxEvent.objects.filter(status=OutboxStatus.FAILED)
            .aggregate(at=Min("next_attempt_at"))
            .get("at")
        )
        if earliest is not None:
            sweeps.due_at(earliest)


def decode(row: OutboxEvent) -> Event:
    event_type = Event.lookup(row.name, row.version)
    return codec.from_jsonable(event_type, row.payload)


def local_subscriptions(event_type: type[Event]) -> tuple[Subscription, ...]:
    local = set(settings.SEAMS_SERVICES)
    return tuple(s for s in subscriptions(event_type) if s.service in local)


def apply_once(subscription: Subscription, event: Event, *, savepoint: bool = True) -> bool:
    """Run ``subscription`` for ``event`` unless its inbox says it already did.

    The inbox row and the handler's effects commit (or roll back) together: in a
    savepoint of their own, or with ``savepoint=False`` in the caller's transaction,
    which a failure then rolls back whole (``_deliver_alone``). Returns whether the
    handler ran; counts the delivery as applied, duplicate or failed
    (``seams_consumer_deliveries_total``) whichever way the event came.
    """
    attributes = {"seams.event": event.name, "seams.handler": subscription.key}
    try:
        with (
            tracer.start_as_current_span(f"handle {event.name}", attributes=attributes),
            transaction.atomic(savepoint=savepoint),
        ):
            applied = _claim_inbox(event, subscription.key)
            if applied:
                subscription.handler(event)
    except Exception:
        consumer_deliveries.labels(subscription.service, event.name, "failed").inc()
        raise
    outcome = "applied" if applied else "duplicate"
    consumer_deliveries.labels(subscription.service, event.name, outcome).inc()
    return applied


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


def backoff_seconds(attempts: int, *, base: float, cap: float) -> float:
    """Exponential backoff with "equal jitter": ``base`` doubled per attempt, capped.

    Half the backoff is fixed and half random: spread out like full jitter, but
    never near zero, so a failure is not retried right after it.
    """
    half = min(cap, base * 2 ** (attempts - 1)) / 2
    return half + random.uniform(0, half)  # noqa: S311 - jitter, not a secret


def retry_delay(attempts: int) -> timedelta:
    """When the outbox retries a failed delivery (``SEAMS_OUTBOX_RETRY_*``)."""
    return timedelta(
        seconds=backoff_seconds(
            attempts,
            base=settings.SEAMS_OUTBOX_RETRY_BASE_SECONDS,
            cap=settings.SEAMS_OUTBOX_RETRY_MAX_SECONDS,
        )
    )


def deliver_rows(row_ids: Iterable[int] | None = None, *, limit: int = 100) -> int:
    """Deliver the given rows (or the due ones) to local handlers; returns how many."""
    if row_ids is not None:
        row_ids = list(row_ids)[:limit]
    now = timezone.now()
    with transaction.atomic():
        if row_ids is not None:
            # After each commit that published: the SQL is written once (apikit.rows).
            claimed = outbox_rows.claim(row_ids)
        else:
            claimed = list(
                OutboxEvent.objects.select_for_update(skip_locked=True)
                .filter(status__in=DUE_STATUSES)
                .exclude(next_attempt_at__gt=now)
                .order_by("id")[:limit]
            )
        for row in claimed:
            _deliver_one(row)
        return len(claimed)


def _deliver_alone(row_id: int) -> None:
    """Deliver one row whose event has one local handler: the usual commit's case
    (a payment's capture, for orders), in three statements and no savepoint.

    The row is claimed and marked published at once (``outbox_rows.claim_published``,
    a row another process holds is skipped); its handler then runs with its inbox
    row. A failure rolls the whole transaction back (the claim, the inbox row, the
    handler's effects) and is recorded on the row in a transaction of its own, as
    ``deliver_rows`` records it: the handler runs once per attempt either way.
    """
    with transaction.atomic():
        row = outbox_rows.claim_published(row_id)
        if row is None:
            return
        with continued(row.headers):
            failure = _apply_alone(row)
        if failure is None:
            return
        transaction.set_rollback(True)
    error, park = failure
    with continued(row.headers), transaction.atomic():
        for claimed in outbox_rows.claim([row_id]):
            record_failure(claimed, error, park=park)


def _apply_alone(row: OutboxEvent) -> tuple[str, bool] | None:
    """Run the one local handler of ``row``'s event with no savepoint; None, or the
    error to record and whether to park the row (it cannot be decoded)."""
    try:
        event = decode(row)
    except Exception:  # noqa: BLE001 - a row that cannot be decoded is parked, not retried
        return traceback.format_exc(), True
    (subscription,) = local_subscriptions(type(event))
    try:
        apply_once(subscription, event, savepoint=False)
    except Exception as exc:
        logger.exception("handler %s failed on %s", subscription.key, row.event_id)
        return f"{subscription.key}: {type(exc).__name__}: {exc}", False
    return None


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
            apply_once(subscription, event)
        except Exception as exc:
            logger.exception("handler %s failed on %s", subscription.key, row.event_id)
            errors.append(f"{subscription.key}: {type(exc).__name__}: {exc}")
    if errors:
        record_failure(row, "\n".join(errors))
    else:
        outbox_rows.mark_published(row)


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
        sweeps.due_at(row.next_attempt_at)
    row.save(
        update_fields=["status", "attempts", "last_error", "last_attempt_at", "next_attempt_at"]
    )
