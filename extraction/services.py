"""Operations on the outbox, the inbox and the consumers' failures.

Used by ``manage.py outbox``, the admin actions and the beat tasks, so every path
resubmits and purges the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from extraction.events.delivery import deliver_rows
from extraction.events.wakeup import notify_relays
from extraction.models import (
    DeliveryFailure,
    DeliveryStatus,
    InboxEntry,
    OutboxEvent,
    OutboxStatus,
)

RESUBMITTABLE = (OutboxStatus.FAILED, OutboxStatus.PARKED)


def _outbox_matching(
    *,
    ids: Sequence[int] = (),
    names: Sequence[str] = (),
    older_than: timedelta | None = None,
    statuses: Iterable[str] = RESUBMITTABLE,
) -> QuerySet[OutboxEvent]:
    rows = OutboxEvent.objects.filter(status__in=list(statuses))
    if ids:
        rows = rows.filter(id__in=list(ids))
    if names:
        rows = rows.filter(name__in=list(names))
    if older_than is not None:
        rows = rows.filter(created_at__lte=timezone.now() - older_than)
    return rows


@transaction.atomic
def outbox_resubmit(
    *,
    ids: Sequence[int] = (),
    names: Sequence[str] = (),
    older_than: timedelta | None = None,
    statuses: Iterable[str] = RESUBMITTABLE,
) -> int:
    """Put matching rows back to pending, with a fresh attempt budget.

    ``statuses`` may include ``published`` to replay events; consumers' inboxes
    keep the handlers that already applied them from running again.
    """
    rows = _outbox_matching(ids=ids, names=names, older_than=older_than, statuses=statuses)
    chosen = list(rows.select_for_update().values_list("id", flat=True))
    count = OutboxEvent.objects.filter(id__in=chosen).update(
        status=OutboxStatus.PENDING, next_attempt_at=None, attempts=0
    )
    if count:
        if settings.SEAMS_EVENT_DELIVERY == "inprocess":
            transaction.on_commit(lambda: _deliver_in_batches(chosen))
        else:
            notify_relays()
    return count


def _deliver_in_batches(ids: list[int]) -> None:
    for start in range(0, len(ids), 100):
        deliver_rows(ids[start : start + 100])


def _deliveries_matching(
    *,
    ids: Sequence[int] = (),
    names: Sequence[str] = (),
    older_than: timedelta | None = None,
    statuses: Iterable[str] = (DeliveryStatus.PARKED,),
) -> QuerySet[DeliveryFailure]:
    rows = DeliveryFailure.objects.filter(status__in=list(statuses))
    if ids:
        rows = rows.filter(id__in=list(ids))
    if names:
        rows = rows.filter(event_name__in=list(names))
    if older_than is not None:
        rows = rows.filter(first_failed_at__lte=timezone.now() - older_than)
    return rows


def delivery_resubmit(
    *,
    ids: Sequence[int] = (),
    names: Sequence[str] = (),
    older_than: timedelta | None = None,
    statuses: Iterable[str] = (DeliveryStatus.PARKED,),
) -> int:
    """Send parked consumer deliveries again, each to its own service's queue only."""
    from extraction.tasks import send_to_service

    with transaction.atomic():
        rows = list(
            _deliveries_matching(ids=ids, names=names, older_than=older_than, statuses=statuses)
            # A delivery that names no service (its message could not even be
            # decoded) has no queue to go back to.
            .exclude(service="")
            .select_for_update()
            .only("id", "service", "envelope")
        )
        # Due now: should the send below be lost, the overdue redrive sends it again.
        DeliveryFailure.objects.filter(id__in=[r.id for r in rows]).update(
            status=DeliveryStatus.RETRYING, attempts=0, next_attempt_at=timezone.now()
        )
    # The broker is called after the commit, never inside the transaction.
    sent: set[tuple[str, str]] = set()
    for row in rows:
        key = (str(row.envelope.get("event_id")), row.service)
        if key not in sent:
            send_to_service(row.envelope, service=row.service)
            sent.add(key)
    return len(rows)


def delivery_redrive_overdue(*, grace: timedelta = timedelta(minutes=5)) -> int:
    """Send again the retrying deliveries whose retry is long overdue.

    A retry travels as a message with an ETA; should it be lost (the worker that
    recorded the failure could not publish it), the row would wait forever.
    """
    from extraction.tasks import send_to_service

    now = timezone.now()
    with transaction.atomic():
        rows = list(
            DeliveryFailure.objects.select_for_update(skip_locked=True)
            .filter(status=DeliveryStatus.RETRYING, next_attempt_at__lt=now - grace)
            .only("id", "service", "envelope")[:500]
        )
        # Pushed out first, so the next run does not send the same rows again.
        DeliveryFailure.objects.filter(id__in=[r.id for r in rows]).update(
            next_attempt_at=now + grace
        )
    for row in rows:
        if row.service:
            send_to_service(row.envelope, service=row.service)
    return len(rows)


@transaction.atomic
def outbox_purge(
    *,
    older_than: timedelta,
    statuses: Iterable[str] = (OutboxStatus.PUBLISHED,),
    dry_run: bool = False,
) -> int:
    """Delete outbox rows in ``statuses`` last touched before ``older_than`` ago."""
    cutoff = timezone.now() - older_than
    rows = OutboxEvent.objects.filter(status__in=list(statuses)).filter(
        Q(published_at__lt=cutoff)
        | Q(published_at__isnull=True, last_attempt_at__lt=cutoff)
        | Q(published_at__isnull=True, last_attempt_at__isnull=True, created_at__lt=cutoff)
    )
    if dry_run:
        return rows.count()
    deleted, _ = rows.delete()
    return deleted


@transaction.atomic
def inbox_purge(*, older_than: timedelta, dry_run: bool = False) -> int:
    """Forget inbox entries older than ``older_than``: past it a redelivery would run again."""
    rows = InboxEntry.objects.filter(processed_at__lt=timezone.now() - older_than)
    if dry_run:
        return rows.count()
    deleted, _ = rows.delete()
    return deleted


@transaction.atomic
def delivery_purge(*, older_than: timedelta, dry_run: bool = False) -> int:
    rows = DeliveryFailure.objects.filter(
        status=DeliveryStatus.RESOLVED, resolved_at__lt=timezone.now() - older_than
    )
    if dry_run:
        return rows.count()
    deleted, _ = rows.delete()
    return deleted


def outbox_purge_completed() -> dict[str, int]:
    """The retention job (beat): completed rows past ``SEAMS_*_RETENTION_DAYS``."""
    outbox_days = timedelta(days=settings.SEAMS_OUTBOX_RETENTION_DAYS)
    return {
        "outbox": outbox_purge(older_than=outbox_days),
        "deliveries": delivery_purge(older_than=outbox_days),
        "inbox": inbox_purge(older_than=timedelta(days=settings.SEAMS_INBOX_RETENTION_DAYS)),
    }
