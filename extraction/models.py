"""The event publication registry (outbox) and the consumers' inbox."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class OutboxStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    PUBLISHED = "published", "Published"
    FAILED = "failed", "Failed (will retry)"
    PARKED = "parked", "Parked (dead letter)"


class OutboxEvent(models.Model):
    """One published domain event, written in the transaction that caused it.

    ``id`` grows monotonically and gives the delivery order; ``event_id`` is the
    event's own identity, which consumers deduplicate on.
    """

    id = models.BigAutoField(primary_key=True)
    event_id = models.UUIDField(unique=True, editable=False)
    name = models.CharField(max_length=200, db_index=True)
    version = models.PositiveSmallIntegerField(default=1)
    aggregate_id = models.CharField(max_length=100, db_index=True)
    payload = models.JSONField()
    status = models.CharField(
        max_length=16, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["status", "id"], name="outbox_status_id")]
        verbose_name = "outbox event"

    def __str__(self) -> str:
        return f"{self.name} v{self.version} #{self.id} ({self.status})"


class InboxEntry(models.Model):
    """A handler has applied an event: a redelivery of the same event is a no-op."""

    id = models.BigAutoField(primary_key=True)
    event_id = models.UUIDField()
    handler = models.CharField(max_length=255)
    event_name = models.CharField(max_length=200)
    processed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event_id", "handler"], name="inbox_once_per_handler")
        ]
        verbose_name = "inbox entry"
        verbose_name_plural = "inbox entries"

    def __str__(self) -> str:
        return f"{self.event_name} {self.event_id} → {self.handler}"
