"""The outbox relay: from committed outbox rows to broker messages.

Each batch is one database transaction:

1. claim the due rows, oldest first, with ``SELECT … FOR UPDATE SKIP LOCKED`` —
   two relays never claim the same row, so in the normal path no row is
   published twice, and a stuck relay does not block the others;
2. publish them all and wait for the broker's confirms (see extraction.events.publisher);
3. mark the confirmed rows published (attempts, timestamps) and record the
   refused ones as failed, then commit.

A relay that dies between 2 and 3 leaves its rows pending (the transaction rolls
back with the connection): they are published again by the next relay. Messages
can therefore arrive twice; the consumers' inbox makes that a no-op. When the
broker is unreachable the batch rolls back untouched — the rows wait in the
outbox, their attempts unspent — and the relay reconnects with backoff.
"""

from __future__ import annotations

import logging
import random
import threading

from django.conf import settings
from django.db import DatabaseError, close_old_connections, transaction
from django.db.models import F, Q
from django.utils import timezone

from extraction.events.delivery import record_failure
from extraction.events.publisher import BrokerUnavailable, Outgoing, Publisher, open_publisher
from extraction.events.routing import envelope_of, task_message
from extraction.events.wakeup import Wakeup
from extraction.models import DUE_STATUSES, OutboxEvent, OutboxStatus

logger = logging.getLogger(__name__)


def outgoing(row: OutboxEvent) -> Outgoing:
    envelope = envelope_of(
        event_id=str(row.event_id),
        name=row.name,
        version=row.version,
        aggregate_id=row.aggregate_id,
        payload=row.payload,
        headers=row.headers or None,
    )
    body, headers = task_message(envelope, task_id=str(row.event_id))
    return Outgoing(row.id, row.name, body, headers, str(row.event_id))


def relay_batch(publisher: Publisher, *, batch_size: int) -> int:
    """Publish one batch of due rows; returns how many rows it claimed."""
    now = timezone.now()
    with transaction.atomic():
        rows = list(
            OutboxEvent.objects.select_for_update(skip_locked=True)
            .filter(status__in=DUE_STATUSES)
            .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
            .order_by("id")[:batch_size]
        )
        if not rows:
            return 0
        messages: list[Outgoing] = []
        for row in rows:
            try:
                messages.append(outgoing(row))
            except (TypeError, ValueError) as exc:  # a payload that cannot be encoded
                record_failure(row, f"cannot encode: {exc}", park=True)
        refused = publisher.publish_batch(messages)
        done = timezone.now()
        OutboxEvent.objects.filter(id__in=[m.key for m in messages if m.key not in refused]).update(
            status=OutboxStatus.PUBLISHED,
            published_at=done,
            last_attempt_at=done,
            attempts=F("attempts") + 1,
            last_error="",
            next_attempt_at=None,
        )
        for row in rows:
            if row.id in refused:
                record_failure(row, refused[row.id])
    return len(rows)


class Relay:
    """The relay loop: batches while there is work, then sleeps until woken or polled."""

    def __init__(
        self,
        *,
        broker_url: str | None = None,
        batch_size: int | None = None,
        poll_seconds: float | None = None,
    ) -> None:
        self.broker_url = broker_url or settings.CELERY_BROKER_URL
        self.batch_size = batch_size or settings.SEAMS_RELAY_BATCH_SIZE
        self.poll_seconds = (
            settings.SEAMS_RELAY_POLL_SECONDS if poll_seconds is None else poll_seconds
        )
        self.publisher: Publisher | None = None
        self.wakeup = Wakeup()
        self.relayed = 0
        self.broker_failures = 0

    def relay_once(self) -> int:
        """One batch; raises BrokerUnavailable (and drops the connection) if the broker is down."""
        if self.publisher is None:
            self.publisher = open_publisher(
                self.broker_url, confirm_timeout=settings.SEAMS_RELAY_CONFIRM_TIMEOUT_SECONDS
            )
        try:
            count = relay_batch(self.publisher, batch_size=self.batch_size)
        except BrokerUnavailable:
            self.close_publisher()
            raise
        self.relayed += count
        self.broker_failures = 0
        return count

    def drain(self) -> int:
        """Relay until nothing is due; returns how many rows were claimed."""
        total = 0
        while count := self.relay_once():
            total += count
        return total

    def reconnect_delay(self) -> float:
        cap = settings.SEAMS_RELAY_RECONNECT_MAX_SECONDS
        return random.uniform(0, min(cap, 0.5 * 2 ** min(self.broker_failures, 16)))  # noqa: S311

    def run(self, stop: threading.Event) -> None:
        """Relay until ``stop`` is set (the ``outbox relay`` command, or a thread)."""
        self.wakeup.listen()
        try:
            while not stop.is_set():
                try:
                    count = self.relay_once()
                except BrokerUnavailable as exc:
                    self.broker_failures += 1
                    delay = self.reconnect_delay()
                    logger.warning("broker unavailable (%s); retrying in %.1fs", exc, delay)
                    stop.wait(delay)
                    continue
                except DatabaseError:
                    logger.exception("database error in the relay; reconnecting")
                    close_old_connections()
                    stop.wait(1.0)
                    continue
                if count < self.batch_size:
                    self.wakeup.wait(self.poll_seconds)
        finally:
            self.close()

    def close_publisher(self) -> None:
        if self.publisher is not None:
            try:
                self.publisher.close()
            except Exception:  # the connection is being thrown away anyway
                logger.debug("error closing the publisher", exc_info=True)
            self.publisher = None

    def close(self) -> None:
        self.close_publisher()
        self.wakeup.close()
