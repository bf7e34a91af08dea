"""The event publication registry (outbox), the consumers' inbox and their failures.

- ``OutboxEvent``: one row per published event, in the publisher's database. Its
  status tells how far the event got: ``pending`` (not yet handed over),
  ``published`` (delivered in process, or confirmed by the broker), ``failed``
  (will be retried at ``next_attempt_at``) or ``parked`` (gave up after
  ``SEAMS_OUTBOX_MAX_ATTEMPTS``; resubmit it by hand).
- ``InboxEntry``: a handler has applied an event; written in the handler's own
  transaction, so a redelivered event is a no-op.
- ``DeliveryFailure``: with a broker, a handler of a consuming service that
  raised. It keeps the attempts, the last error and the envelope, so the delivery
  can be parked and resubmitted in the consumer's own database (in split mode the
  consumer never sees the publisher's outbox).
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class OutboxStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    PUBLISHED = "published", "Published"
    FAILED = "failed", "Failed (will retry)"
    PARKED = "parked", "Parked (dead letter)"


DUE_STATUSES = (OutboxStatus.PENDING, OutboxStatus.FAILED)


class OutboxEvent(models.Model):
    """One published domain event, written in the transaction that caused it.

    ``id`` grows monotonically and gives the delivery order; ``event_id`` is the
    event's own identity, which consumers deduplicate on.
    """

    id = models.BigAutoField(primary_key=True)
    event_id = models.UUIDField(unique=True, editable=False)
    name = models.CharField(max_length=200)
    version = models.PositiveSmallIntegerField(default=1)
    aggregate_id = models.CharField(max_length=100)
    payload = models.JSONField()
    status = models.CharField(
        max_length=16, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # The correlation id and trace context of the work that published the event
    # (extraction.observability.propagation), handed on to its consumers.
    headers = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["id"]
        # Every index is written by every INSERT, and by every change of status (the
        # delivery's): only what the relay, the admin and the operations pages look
        # rows up by. Plain b-trees, not the db_index pair Django makes for a text
        # column (the second one, for LIKE 'prefix%', no query here runs).
        indexes = [
            models.Index(fields=["name"], name="outbox_name"),
            models.Index(fields=["aggregate_id"], name="outbox_aggregate"),
            models.Index(fields=["status", "id"], name="outbox_status_id"),
            # The relay's claim query only ever looks at the few rows still due:
            # a partial index keeps it cheap however many published rows pile up.
            models.Index(
                fields=["id"],
                name="outbox_due",
                condition=models.Q(status__in=["pending", "failed"]),
            ),
        ]
        verbose_name = "outbox event"

    def __str__(self) -> str:
        return f"{self.name} v{self.version} #{self.id} ({self.status})"


class InboxEntry(models.Model):
    """A handler has applied an event: a redelivery of the same event is a no-op."""

    id = models.BigAutoField(primary_key=True)
    event_id = models.UUIDField()
    handler = models.CharField(max_length=255)
    event_name = models.CharField(max_length=200)
    processed_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event_id", "handler"], name="inbox_once_per_handler")
        ]
        verbose_name = "inbox entry"
        verbose_name_plural = "inbox entries"

    def __str__(self) -> str:
        return f"{self.event_name} {self.event_id} → {self.handler}"


class DeliveryStatus(models.TextChoices):
    RETRYING = "retrying", "Retrying"
    PARKED = "parked", "Parked (dead letter)"
    RESOLVED = "resolved", "Resolved"


class DeliveryFailure(models.Model):
    """A consumer's handler failed on an event (broker mode): one row per (event, handler)."""

    id = models.BigAutoField(primary_key=True)
    event_id = models.UUIDField()
    event_name = models.CharField(max_length=200, db_index=True)
    handler = models.CharField(max_length=255)
    service = models.CharField(max_length=50)
    envelope = models.JSONField(help_text="The message as received, for resubmission.")
    status = models.CharField(
        max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.RETRYING
    )
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True, default="")
    first_failed_at = models.DateTimeField(default=timezone.now)
    last_failed_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["event_id", "handler"], name="delivery_failure_once_per_handler"
            )
        ]
        indexes = [models.Index(fields=["status", "id"], name="delivery_failure_status_id")]
        ordering = ["id"]
        verbose_name = "consumer delivery failure"

    def __str__(self) -> str:
        return f"{self.event_name} {self.event_id} → {self.handler} ({self.status})"


class Operations(models.Model):
    """No table: the operator's page of the seams in the admin, and who may see it.

    ``extraction.view_operations`` is the dedicated permission; staff status alone
    does not show the page.
    """

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [("view_operations", "Can view the operator's page of the seams")]
        verbose_name = "operations"
        verbose_name_plural = "operations"

    def __str__(self) -> str:
        return "operations"
